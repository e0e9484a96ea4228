# Modelled on Nomad's agent configuration reference (http_api_response_headers
# example) on a dev cluster with ACLs explicitly off: any page a developer
# visits can read jobs, allocations and variables from nomad.internal:4646.
data_dir = "/opt/nomad/data"

acl {
  enabled = false
}

http_api_response_headers {
  "Access-Control-Allow-Origin" = "*"  # want CG503 "ACLs are off"
}

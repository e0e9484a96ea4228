# Modelled on Nomad's agent configuration reference (http_api_response_headers)
# as used to let a separately hosted UI call the API: ACLs off, `*`. Any page
# a developer on the network opens reads jobs, variables and allocation logs.
data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"

acl {
  enabled = false
}

http_api_response_headers {
  "Access-Control-Allow-Origin"  = "*"  # want CG503 "ACLs are off"
  "Access-Control-Allow-Headers" = "X-Nomad-Token, Content-Type"
}

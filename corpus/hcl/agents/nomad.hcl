# Nomad agent: the HTTP API sends these headers on every response. `*` with
# credentials is refused by browsers (broken, not open); Nomad's ACL token is
# a header, so `*` alone would be enough for a UI on another origin.
data_dir = "/opt/nomad/data"

http_api_response_headers {
  "Access-Control-Allow-Origin"      = "*"  # want CG201 CG503 "does not configure ACLs"
  "Access-Control-Allow-Credentials" = "true"
}

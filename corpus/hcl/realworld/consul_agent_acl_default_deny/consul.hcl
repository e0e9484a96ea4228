# Modelled on Consul's agent configuration reference (http_config
# response_headers) with ACLs in their documented production shape, default
# deny: a page reads only what the anonymous token may. Allow-Headers names
# X-Consul-Token, but a page has no token to send (low).
datacenter = "dc1"
data_dir   = "/opt/consul"

acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}

http_config {
  response_headers {
    "Access-Control-Allow-Origin"  = "*"  # want CG503 "ACLs are enforced"
    "Access-Control-Allow-Headers" = "X-Consul-Token"
  }
}

# Modelled on Consul's agent configuration reference (http_config
# response_headers) with the ACL system's documented production setup, default
# deny: a page reads only what the anonymous token may, and it cannot send
# X-Consul-Token without a preflight the agent does not approve (low).
datacenter = "dc1"

acl {
  enabled        = true
  default_policy = "deny"
  tokens {
    agent = "00000000-0000-0000-0000-000000000000"
  }
}

http_config {
  response_headers {
    "Access-Control-Allow-Origin" = "*"  # want CG503 "ACLs are enforced"
  }
}

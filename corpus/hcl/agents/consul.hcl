# Consul agent with a fixed allowed origin: one origin, sent on every response,
# so nothing varies per request. Clean.
datacenter = "dc1"
data_dir   = "/opt/consul"

http_config {
  response_headers {
    "Access-Control-Allow-Origin"  = "https://ops.example.com"
    "Access-Control-Allow-Methods" = "GET, PUT"
  }
}

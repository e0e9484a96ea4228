# Modelled on Consul's agent configuration reference: the response headers name
# the one internal UI that calls the API. Nothing to report.
datacenter = "dc1"
data_dir   = "/opt/consul"

http_config {
  response_headers {
    "Access-Control-Allow-Origin" = "https://consul-ui.internal.example.com"
  }
}

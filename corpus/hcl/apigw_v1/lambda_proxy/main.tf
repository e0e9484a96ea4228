# With a Lambda proxy integration the method response only declares the
# header; the function sets its value, which only a live probe can see.
resource "aws_api_gateway_method_response" "get" {
  rest_api_id = "a1b2c3"
  resource_id = "r1"
  http_method = "GET"
  status_code = "200"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin" = true  # want CG100 "backend"
  }
}

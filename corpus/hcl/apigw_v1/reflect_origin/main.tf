# REST API integration response that maps the request's Origin header into
# Access-Control-Allow-Origin with credentials: any site reads the response.
resource "aws_api_gateway_integration_response" "get_me" {
  rest_api_id = "a1b2c3"
  resource_id = "r1"
  http_method = "GET"
  status_code = "200"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"      = "method.request.header.Origin"  # want CG101 "evil\.test" CG401
    "method.response.header.Access-Control-Allow-Credentials" = "'true'"
  }
}

# Gateway responses carry CORS headers on API Gateway's own 4XX errors so the
# front end can read them; `*` without credentials exposes nothing. Clean.
resource "aws_api_gateway_gateway_response" "default_4xx" {
  rest_api_id   = "a1b2c3"
  response_type = "DEFAULT_4XX"

  response_parameters = {
    "gatewayresponse.header.Access-Control-Allow-Origin"  = "'*'"
    "gatewayresponse.header.Access-Control-Allow-Headers" = "'Content-Type,Authorization'"
  }
}

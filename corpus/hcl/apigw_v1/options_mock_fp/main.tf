# "Enable CORS" completed: MOCK OPTIONS, a GET answering `*` without credentials,
# and `*` on API Gateway's own errors. The integration response has no
# selection_pattern, so it is the default for every backend response. Clean.
resource "aws_api_gateway_integration_response" "options" {
  rest_api_id = "a1b2c3"
  resource_id = "r1"
  http_method = "OPTIONS"
  status_code = "200"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"  = "'*'"
    "method.response.header.Access-Control-Allow-Methods" = "'GET,OPTIONS'"
    "method.response.header.Access-Control-Allow-Headers" = "'Content-Type,X-Api-Key'"
  }
}

resource "aws_api_gateway_integration_response" "get" {
  rest_api_id = "a1b2c3"
  resource_id = "r1"
  http_method = "GET"
  status_code = "200"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin" = "'*'"
  }
}

resource "aws_api_gateway_gateway_response" "default_4xx" {
  rest_api_id   = "a1b2c3"
  response_type = "DEFAULT_4XX"

  response_parameters = {
    "gatewayresponse.header.Access-Control-Allow-Origin" = "'*'"
  }
}

resource "aws_api_gateway_gateway_response" "default_5xx" {
  rest_api_id   = "a1b2c3"
  response_type = "DEFAULT_5XX"

  response_parameters = {
    "gatewayresponse.header.Access-Control-Allow-Origin" = "'*'"
  }
}

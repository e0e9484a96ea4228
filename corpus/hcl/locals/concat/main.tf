# Origins assembled in locals with concat(): the dev origin list leaks a
# plain-http origin into an HTTPS-only API Gateway with credentials.
locals {
  prod_origins = ["https://app.example.com"]
  dev_origins  = ["http://dev.example.com"]
  api_origins  = concat(local.prod_origins, local.dev_origins)
}

resource "aws_apigatewayv2_api" "orders" {
  name          = "orders"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins     = local.api_origins  # want CG107 "http://dev\.example\.com" CG401
    allow_credentials = true
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["content-type", "authorization"]
  }
}

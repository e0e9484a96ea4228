# Modelled on the aws provider docs for aws_apigatewayv2_api and API Gateway's
# HTTP API CORS page: allow_credentials with `*` is refused at deploy, so the
# configuration is broken, not open (CG502, low).
resource "aws_apigatewayv2_api" "orders" {
  name          = "orders"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins     = ["*"]  # want CG502 "rejects"
    allow_credentials = true
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["content-type"]
  }
}

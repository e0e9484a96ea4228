# Modelled on the API Gateway developer guide's HTTP API CORS table, which
# lists "https://*" as "any origin that starts with https://": with
# allow_credentials that is every https site, reading with cookies.
resource "aws_apigatewayv2_api" "http" {
  name          = "checkout"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins     = ["https://*"]  # want CG101 "accepts any origin" CG401
    allow_methods     = ["GET", "POST"]
    allow_credentials = true
  }
}

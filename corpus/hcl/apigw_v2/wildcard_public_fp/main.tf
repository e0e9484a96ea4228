# Near miss of credentials_wildcard: a public, unauthenticated read API may
# answer every origin with `*` and no credentials. Clean.
resource "aws_apigatewayv2_api" "status" {
  name          = "status"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins = ["*"]
    allow_methods = ["GET", "OPTIONS"]
    allow_headers = ["content-type"]
    max_age       = 3600
  }
}

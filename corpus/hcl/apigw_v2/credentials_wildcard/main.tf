# API Gateway v2 refuses allow_credentials with a `*` origin at deploy time:
# broken rather than open (low), and the next "fix" is usually worse.
resource "aws_apigatewayv2_api" "accounts" {
  name          = "accounts"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins     = ["*"]  # want CG502 "broken, not exploitable"
    allow_credentials = true
    allow_methods     = ["GET"]
    allow_headers     = ["content-type"]
  }
}

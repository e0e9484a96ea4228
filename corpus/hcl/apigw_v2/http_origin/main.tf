# API Gateway serves HTTPS only; trusting http://app.example.com with
# credentials lets a network attacker inject script there and read the API.
resource "aws_apigatewayv2_api" "billing" {
  name          = "billing"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins     = ["http://app.example.com"]  # want CG107 "http://app\.example\.com"
    allow_credentials = true
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["content-type"]
  }
}

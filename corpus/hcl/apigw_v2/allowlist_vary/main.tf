# A sound HTTP API allowlist of two origins: the ACAO names whichever matched,
# and API Gateway's CORS documentation does not say it adds Vary: Origin, so a
# shared cache can hand one origin's grant to the other (CG401).
resource "aws_apigatewayv2_api" "catalog" {
  name          = "catalog"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins  = ["https://app.example.com", "https://admin.example.com"]  # want CG401 "Vary: Origin"
    allow_methods  = ["GET", "POST"]
    allow_headers  = ["content-type", "authorization"]
    expose_headers = ["x-request-id"]
    max_age        = 600
  }
}

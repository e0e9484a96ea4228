# A sound HTTP API allowlist; the one finding is that API Gateway v2 is modelled
# as sending no Vary: Origin while the ACAO varies with the request (CG401).
resource "aws_apigatewayv2_api" "catalog" {
  name          = "catalog"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins  = ["https://app.example.com"]  # want CG401
    allow_methods  = ["GET", "POST"]
    allow_headers  = ["content-type", "authorization"]
    expose_headers = ["x-request-id"]
    max_age        = 600
  }
}

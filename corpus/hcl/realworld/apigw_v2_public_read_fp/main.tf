# Modelled on the aws provider docs for aws_apigatewayv2_api: a public,
# credential-less read API open to every origin. A page gets nothing a plain
# HTTP client does not have. Nothing to report.
resource "aws_apigatewayv2_api" "status" {
  name          = "status"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins = ["*"]
    allow_methods = ["GET"]
    max_age       = 300
  }
}

# A public HTTP API taking POST/PUT from any origin without credentials: the
# browser adds no ambient authority, so an attacker page can do no more than
# curl. CG501 is about storage (RULES.md); this must stay clean.
resource "aws_apigatewayv2_api" "webhooks" {
  name          = "webhooks"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins = ["*"]
    allow_methods = ["POST", "PUT"]
    allow_headers = ["content-type", "x-api-key"]
  }
}

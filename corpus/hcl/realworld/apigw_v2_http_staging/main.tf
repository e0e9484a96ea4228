# A pattern seen in public serverless examples: a staging front end left in
# the production allowlist, over plain http (anyone on the network path can
# inject script into it and read the API).
resource "aws_apigatewayv2_api" "api" {
  name          = "api"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins = ["https://app.example.com", "http://staging.example.com"]  # want CG107 "http://staging.example.com" CG401
    allow_methods = ["GET", "POST"]
    allow_headers = ["authorization", "content-type"]
  }
}

# Modelled on the aws provider docs for aws_lambda_function_url: one origin,
# credentials, a bearer header. Sound: the only origin granted is the app's.
# No CG401: one origin's grant cannot be served to another (issue 10 item 2).
resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = "NONE"

  cors {
    allow_credentials = true
    allow_origins     = ["https://app.example.com"]
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["authorization", "content-type"]
    max_age           = 600
  }
}

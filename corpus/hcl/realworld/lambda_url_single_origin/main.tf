# Modelled on the aws provider docs for aws_lambda_function_url: one origin,
# credentials, a bearer header. Sound: the only origin granted is the app's.
resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = "NONE"

  cors {
    allow_credentials = true
    allow_origins     = ["https://app.example.com"]  # want CG401
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["authorization", "content-type"]
    max_age           = 600
  }
}

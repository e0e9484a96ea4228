# "null" with credentials on a function URL: a sandboxed iframe on any site
# sends Origin: null and reads the cookie-authenticated response.
resource "aws_lambda_function_url" "profile" {
  function_name      = "profile"
  authorization_type = "NONE"

  cors {
    allow_credentials = true
    allow_origins     = ["https://app.example.com", "null"]  # want CG102 "null" CG401
    allow_methods     = ["GET"]
    allow_headers     = ["content-type"]
  }
}

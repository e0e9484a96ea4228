# Modelled on the aws provider docs for aws_lambda_function_url and public
# reports that function URLs deploy allow_credentials with `*` and then echo
# the caller's Origin with credentials: every site reads with cookies.
resource "aws_lambda_function_url" "session" {
  function_name      = "session"
  authorization_type = "NONE"

  cors {
    allow_credentials = true
    allow_origins     = ["*"]  # want CG101 "evil\.test" CG401
    allow_methods     = ["GET", "POST"]
  }
}

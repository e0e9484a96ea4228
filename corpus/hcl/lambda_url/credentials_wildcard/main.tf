# Unlike API Gateway HTTP APIs, Lambda function URLs deploy allow_credentials
# with `*` and then answer each request with its own Origin and
# Access-Control-Allow-Credentials: true: any site the user visits reads the
# function's cookie-authenticated responses (critical, not "broken").
resource "aws_lambda_function_url" "export" {
  function_name      = "export"
  authorization_type = "AWS_IAM"

  cors {
    allow_credentials = true
    allow_origins     = ["*"]  # want CG101 "credentials are allowed" CG401
    allow_methods     = ["GET"]
  }
}

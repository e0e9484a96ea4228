# Lambda function URLs use API Gateway v2's CORS engine and refuse the same
# combination: allow_credentials with `*` fails at deploy time (low).
resource "aws_lambda_function_url" "export" {
  function_name      = "export"
  authorization_type = "AWS_IAM"

  cors {
    allow_credentials = true
    allow_origins     = ["*"]  # want CG502 "broken, not exploitable"
    allow_methods     = ["GET"]
  }
}

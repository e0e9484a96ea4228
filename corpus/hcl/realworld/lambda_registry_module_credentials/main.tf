# Modelled on the terraform-aws-modules/lambda README (function URL with
# cors): `*` with allow_credentials, which Lambda function URLs deploy and
# answer with the caller's Origin and credentials.
module "api" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name              = "api"
  handler                    = "index.handler"
  runtime                    = "nodejs20.x"
  create_lambda_function_url = true

  cors = {  # want CG101 "credentials are allowed" CG401
    allow_credentials = true
    allow_origins     = ["*"]
    allow_methods     = ["GET", "POST"]
  }
}

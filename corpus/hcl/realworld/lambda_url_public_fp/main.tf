# Modelled on the aws provider docs for aws_lambda_function_url: `*` without
# credentials for a public function. Nothing to report.
resource "aws_lambda_function_url" "public" {
  function_name      = "thumbnails"
  authorization_type = "NONE"

  cors {
    allow_origins = ["*"]
    allow_methods = ["GET"]
    max_age       = 600
  }
}

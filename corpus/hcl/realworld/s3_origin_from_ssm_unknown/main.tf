# Modelled on configurations that keep the allowed origin in SSM: the value
# is only known at apply time. corsguard says what it could not evaluate
# (CG100, info) instead of guessing.
data "aws_ssm_parameter" "web_origin" {
  name = "/acme/web/origin"
}

resource "aws_s3_bucket_cors_configuration" "web" {
  bucket = "acme-web"

  cors_rule {
    allowed_origins = [data.aws_ssm_parameter.web_origin.value]  # want CG100 "data"
    allowed_methods = ["GET"]
  }
}

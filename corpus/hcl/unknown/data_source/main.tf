# Origins read from SSM at plan time: corsguard cannot see them and says so,
# naming the data source (info).
data "aws_ssm_parameter" "cors_origins" {
  name = "/acme/cors/origins"
}

resource "aws_s3_bucket_cors_configuration" "shared" {
  bucket = "acme-ssm-driven"

  cors_rule {
    allowed_origins = split(",", data.aws_ssm_parameter.cors_origins.value)  # want CG100 "data\.aws_ssm_parameter"
    allowed_methods = ["GET"]
  }
}

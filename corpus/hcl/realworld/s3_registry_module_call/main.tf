# Modelled on the terraform-aws-modules/s3-bucket README: CORS rules are
# passed as the module's cors_rule input, mapped as the S3 rules the module
# writes: any origin may write.
module "uploads" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.0"

  bucket = "uploads"

  cors_rule = [  # want CG501 "PUT, POST"
    {
      allowed_methods = ["PUT", "POST"]
      allowed_origins = ["*"]
    }
  ]
}

module "logs" {
  source = "terraform-aws-modules/s3-bucket/aws"
  bucket = "logs"
}

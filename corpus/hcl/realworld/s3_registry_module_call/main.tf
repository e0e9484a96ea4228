# Modelled on the terraform-aws-modules/s3-bucket README: CORS rules are
# passed as the module's cors_rule input. corsguard does not evaluate the
# registry module, so it says so (info) instead of reporting nothing.
module "uploads" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.0"

  bucket = "uploads"

  cors_rule = [  # want CG100 "does not evaluate the module"
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

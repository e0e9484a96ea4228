# A registry module corsguard has no mapping for (cloudposse's s3-bucket takes
# cors_configuration): reported as unevaluated, never skipped.
module "assets" {
  source  = "cloudposse/s3-bucket/aws"
  version = "4.2.0"

  cors_configuration = [  # want CG100 "does not evaluate the module"
    {
      allowed_origins = ["*"]
      allowed_methods = ["GET", "PUT"]
    }
  ]
}

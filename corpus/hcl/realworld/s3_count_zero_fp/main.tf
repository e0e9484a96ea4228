# The feature-flag idiom of terraform-aws-modules: a resource created only
# when a variable is set. With the default (false) Terraform plans no
# resource, so there is nothing to report.
variable "enable_cors" {
  default = false
}

resource "aws_s3_bucket_cors_configuration" "uploads" {
  count  = var.enable_cors ? 1 : 0
  bucket = "uploads"

  cors_rule {
    allowed_origins = ["*"]
    allowed_methods = ["PUT", "POST"]
  }
}

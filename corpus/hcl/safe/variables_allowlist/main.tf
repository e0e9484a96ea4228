# Variable-driven allowlist whose tfvars value is the app's own origin: the
# module is reusable and what ships is still exact. Clean.
variable "app_origin" {
  type = string
}

locals {
  origins = [var.app_origin]
}

resource "aws_s3_bucket_cors_configuration" "exports" {
  bucket = "acme-exports"

  cors_rule {
    allowed_origins = local.origins
    allowed_methods = ["GET", "PUT"]
  }
}

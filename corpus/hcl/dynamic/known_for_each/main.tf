# A dynamic cors_rule over a local map is expanded like Terraform would: the
# "uploads" rule opens PUT to every origin; the finding points into content.
locals {
  cors_rules = {
    reads   = { origins = ["https://app.example.com"], methods = ["GET", "HEAD"] }
    uploads = { origins = ["*"], methods = ["PUT", "POST"] }
  }
}

resource "aws_s3_bucket_cors_configuration" "files" {
  bucket = "acme-files"

  dynamic "cors_rule" {
    for_each = local.cors_rules
    content {
      allowed_origins = cors_rule.value.origins  # want CG501 "PUT, POST"
      allowed_methods = cors_rule.value.methods
    }
  }
}

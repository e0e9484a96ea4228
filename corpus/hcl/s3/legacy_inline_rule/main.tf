# The legacy inline cors_rule of aws_s3_bucket (AWS provider < 4) is mapped
# like the separate resource: `*` with POST lets any site post form uploads.
resource "aws_s3_bucket" "legacy" {
  bucket = "acme-legacy-forms"
  acl    = "private"

  cors_rule {
    allowed_methods = ["POST"]
    allowed_origins = ["*"]  # want CG501 "POST"
    max_age_seconds = 600
  }
}

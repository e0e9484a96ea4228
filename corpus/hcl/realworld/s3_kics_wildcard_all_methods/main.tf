# Modelled on the KICS query "S3 Bucket Allows All Actions From All
# Principals"' sibling for CORS and checkov's CKV_AWS S3 CORS fixtures: any
# origin may PUT, POST and DELETE objects through a visitor's browser.
resource "aws_s3_bucket_cors_configuration" "files" {
  bucket = "files"

  cors_rule {
    allowed_headers = ["*"]  # want CG205 "reflects the requested headers"
    allowed_methods = ["GET", "PUT", "POST", "DELETE"]
    allowed_origins = ["*"]  # want CG501 "PUT, POST, DELETE"
    max_age_seconds = 3000
  }
}

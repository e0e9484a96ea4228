# Modelled on checkov's S3 fixtures and pre-v4 aws provider configurations:
# the CORS rule inline in aws_s3_bucket, any origin with PUT and POST.
resource "aws_s3_bucket" "drop" {
  bucket = "acme-dropbox"

  cors_rule {
    allowed_origins = ["*"]  # want CG501 "any origin may send"
    allowed_methods = ["GET", "PUT", "POST"]
    max_age_seconds = 3000
  }
}

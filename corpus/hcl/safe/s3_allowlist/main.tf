# Recommended S3 setup: the app's own origins for uploads, `*` only for
# reads. Clean.
resource "aws_s3_bucket_cors_configuration" "app" {
  bucket = "acme-app-uploads"

  cors_rule {
    allowed_origins = ["https://app.example.com", "https://admin.example.com"]
    allowed_methods = ["GET", "PUT", "POST"]
    allowed_headers = ["Content-Type", "Content-MD5"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }

  cors_rule {
    allowed_origins = ["*"]
    allowed_methods = ["GET"]
  }
}

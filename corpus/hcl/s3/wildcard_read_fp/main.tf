# Near miss of wildcard_write: `*` for GET/HEAD only is how public assets are
# shared; nobody gains anything by reading them cross-origin. Clean.
resource "aws_s3_bucket_cors_configuration" "assets" {
  bucket = "acme-public-assets"

  cors_rule {
    allowed_origins = ["*"]
    allowed_methods = ["GET", "HEAD"]
    allowed_headers = ["Range"]
    expose_headers  = ["ETag", "Content-Range"]
    max_age_seconds = 3600
  }
}

# Browsers send origins without a path or trailing slash: this entry never
# matches, the front end breaks, and the next "fix" tends to be `*`.
resource "aws_s3_bucket_cors_configuration" "media" {
  bucket = "acme-media"

  cors_rule {
    allowed_origins = ["https://app.example.com/"]  # want CG111 "never match"
    allowed_methods = ["GET"]
  }
}

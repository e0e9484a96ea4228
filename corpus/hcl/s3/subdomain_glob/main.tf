# S3 accepts one `*` per allowed origin: https://*.example.com trusts every
# subdomain, so a takeover of any forgotten one reads the bucket.
resource "aws_s3_bucket_cors_configuration" "docs" {
  bucket = "acme-docs"

  cors_rule {
    allowed_origins = [
      "https://www.example.com",
      "https://*.example.com",  # want CG108 "evil\.example\.com"
    ]
    allowed_methods = ["GET"]
  }
}

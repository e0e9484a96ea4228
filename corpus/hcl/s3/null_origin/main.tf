# "null" in an allowlist is sent by sandboxed iframes and data: documents that
# any attacker can create; S3 matches it like any other string.
resource "aws_s3_bucket_cors_configuration" "reports" {
  bucket = "acme-reports"

  cors_rule {
    allowed_origins = ["https://app.example.com", "null"]  # want CG102 "null origin"
    allowed_methods = ["GET"]
  }
}

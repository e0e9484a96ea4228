# Modelled on KICS/checkov-style S3 CORS fixtures with "null" added to make a
# local file:// test page work: sandboxed iframes and data: pages send
# Origin: null, and S3 then sends credentials to them.
resource "aws_s3_bucket_cors_configuration" "dev" {
  bucket = "acme-dev"

  cors_rule {
    allowed_origins = ["https://app.example.com", "null"]  # want CG102 "null"
    allowed_methods = ["GET"]
  }
}

# Modelled on the aws provider docs for aws_s3_bucket_cors_configuration and
# S3's CORS guide (one `*` in an origin is a wildcard): the team meant "our
# bucket websites", but s3-website-us-east-1.amazonaws.com hosts every
# customer's bucket website (PSL private section).
resource "aws_s3_bucket_cors_configuration" "reports" {
  bucket = "acme-reports"

  cors_rule {
    allowed_origins = ["https://*.s3-website-us-east-1.amazonaws.com"]  # want CG109 "shared hosting"
    allowed_methods = ["GET"]
    max_age_seconds = 3000
  }
}

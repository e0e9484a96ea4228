# A year-long preflight cache: every browser caps it (Chromium 7200 s, Firefox
# 86400 s), so the value only hides how often preflights really happen.
resource "aws_s3_bucket_cors_configuration" "cdn_origin" {
  bucket = "acme-cdn-origin"

  cors_rule {
    allowed_origins = ["*"]
    allowed_methods = ["GET", "HEAD"]
    max_age_seconds = 31536000  # want CG209 "beyond every browser's cap"
  }
}

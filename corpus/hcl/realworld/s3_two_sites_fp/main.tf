# Modelled on S3's CORS guide example 1: two exact sites may PUT, POST and
# DELETE, everyone else nothing. S3 adds Vary itself (common response
# headers), so the echoed origin is safe to cache. Nothing to report.
resource "aws_s3_bucket_cors_configuration" "uploads" {
  bucket = "acme-uploads"

  cors_rule {
    allowed_origins = ["https://www.example.com", "https://admin.example.com"]
    allowed_methods = ["PUT", "POST", "DELETE"]
    allowed_headers = ["content-type", "x-amz-date"]
    max_age_seconds = 3000
  }
}

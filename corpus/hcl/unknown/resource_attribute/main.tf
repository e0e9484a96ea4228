# The origin is the CloudFront distribution's own domain, known only after
# apply: one d123.cloudfront.net origin, not "any https origin" (info).
resource "aws_cloudfront_distribution" "web" {
  enabled = true
}

resource "aws_s3_bucket_cors_configuration" "web_data" {
  bucket = "acme-web-data"

  cors_rule {
    allowed_origins = ["https://${aws_cloudfront_distribution.web.domain_name}"]  # want CG100 "known only after apply"
    allowed_methods = ["GET", "PUT"]
  }
}

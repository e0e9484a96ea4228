# The aws provider docs example for aws_s3_bucket_cors_configuration, in own
# words: uploads from one site with any request header, public GET for all.
# `*` in allowed_headers makes S3 echo the requested headers, and S3 sends
# credentials to the listed origin (CG205, low: one exact origin).
resource "aws_s3_bucket_cors_configuration" "example" {
  bucket = "example"

  cors_rule {
    allowed_headers = ["*"]  # want CG205 "reflects the requested headers"
    allowed_methods = ["PUT", "POST"]
    allowed_origins = ["https://s3-website-test.example.com"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }

  cors_rule {
    allowed_methods = ["GET"]
    allowed_origins = ["*"]
  }
}

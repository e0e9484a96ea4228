# Modelled on a common S3 CORS mistake reported against the aws provider: an
# origin copied with its trailing slash. Browsers never send one, so the
# entry matches nothing and the front end is locked out (CG111, low).
resource "aws_s3_bucket_cors_configuration" "site" {
  bucket = "acme-site"

  cors_rule {
    allowed_origins = ["https://www.example.com/"]  # want CG111 "never"
    allowed_methods = ["GET"]
  }
}

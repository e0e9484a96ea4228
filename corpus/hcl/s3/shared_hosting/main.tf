# Origins where anyone can publish: every Heroku app (a glob, as S3 allows)
# and CodePen, where any user's pen runs on the one origin.
resource "aws_s3_bucket_cors_configuration" "demo" {
  bucket = "acme-demo-data"

  cors_rule {
    allowed_origins = ["https://*.herokuapp.com"]  # want CG109 "herokuapp\.com"
    allowed_methods = ["GET"]
  }

  cors_rule {
    allowed_origins = ["https://codepen.io"]  # want CG109 "codepen\.io"
    allowed_methods = ["GET"]
  }
}

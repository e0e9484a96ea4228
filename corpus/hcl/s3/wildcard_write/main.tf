# S3 CORS that lets any origin upload and delete: every site can drive writes
# through a visitor's browser wherever a pre-signed URL or public write exists.
resource "aws_s3_bucket_cors_configuration" "uploads" {
  bucket = "acme-uploads"

  cors_rule {
    allowed_origins = ["*"]  # want CG501 "PUT, DELETE"
    allowed_methods = ["GET", "PUT", "DELETE"]
    allowed_headers = ["Content-Type", "Content-MD5"]
    max_age_seconds = 3000
  }
}

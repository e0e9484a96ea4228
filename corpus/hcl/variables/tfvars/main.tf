# terraform.tfvars replaces the safe defaults with `*` and DELETE, the way a
# "temporary" environment override ends up in production.
resource "aws_s3_bucket_cors_configuration" "shared" {
  bucket = "acme-shared"

  cors_rule {
    allowed_origins = var.allowed_origins  # want CG501 "DELETE"
    allowed_methods = var.allowed_methods
  }
}

# A template origin whose variable has a default is an exact origin:
# https://staging.example.com. Clean.
variable "env" {
  type    = string
  default = "staging"
}

resource "aws_s3_bucket_cors_configuration" "env" {
  bucket = "acme-env-assets"

  cors_rule {
    allowed_origins = ["https://${var.env}.example.com"]
    allowed_methods = ["GET", "PUT"]
  }
}

# One CORS configuration per site from a map (a pattern from the S3 examples
# in the aws provider docs, with for_each): each instance allows its own
# site only, read-only; nothing to report.
variable "sites" {
  default = {
    shop = "https://shop.example.com"
    docs = "https://docs.example.com"
  }
}

resource "aws_s3_bucket_cors_configuration" "site" {
  for_each = var.sites
  bucket   = "site-${each.key}"

  cors_rule {
    allowed_origins = [each.value]
    allowed_methods = ["GET"]
  }
}

# Terraform reads terraform.tfvars, then *.auto.tfvars in lexical order; the
# later file wins, so the Vercel origin is what is deployed: acme's own
# preview site (an exact name on a shared host is its owner's), no finding.
variable "frontend_origin" {
  type = string
}

resource "aws_s3_bucket_cors_configuration" "preview" {
  bucket = "acme-preview"

  cors_rule {
    allowed_origins = [var.frontend_origin]
    allowed_methods = ["GET"]
  }
}

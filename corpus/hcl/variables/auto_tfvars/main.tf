# Terraform reads terraform.tfvars, then *.auto.tfvars in lexical order; the
# later file wins, so the shared-hosting origin below is what is deployed.
variable "frontend_origin" {
  type = string
}

resource "aws_s3_bucket_cors_configuration" "preview" {
  bucket = "acme-preview"

  cors_rule {
    allowed_origins = [var.frontend_origin]  # want CG109 "vercel\.app"
    allowed_methods = ["GET"]
  }
}

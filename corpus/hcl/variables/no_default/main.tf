# A variable with neither default nor tfvars value: corsguard does not guess,
# it says the origin is unknown and why (info, needs a live probe).
variable "partner_origins" {
  type = list(string)
}

resource "aws_s3_bucket_cors_configuration" "partner" {
  bucket = "acme-partner-feed"

  cors_rule {
    allowed_origins = var.partner_origins  # want CG100 "var\.partner_origins has no default"
    allowed_methods = ["GET"]
  }
}

# Linted plainly, only the wildcard write shows; with policy/partner.corsguard.hcl
# the partner origin becomes CG112 and the write rule is suppressed with a reason.
resource "aws_s3_bucket_cors_configuration" "catalogue" {
  bucket = "acme-catalogue"

  cors_rule {
    allowed_origins = ["https://app.example.com", "https://partner.test"]
    allowed_methods = ["GET"]
  }

  cors_rule {
    allowed_origins = ["*"]  # want CG501 "PUT"
    allowed_methods = ["PUT"]
  }
}

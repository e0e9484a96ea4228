# Modelled on terraform-aws-modules/s3-bucket's own implementation: a
# dynamic cors_rule over a variable. With the default given here, the one
# rule lets any origin write.
variable "cors_rules" {
  default = [
    { origins = ["https://www.example.com"], methods = ["GET"] },
    { origins = ["*"], methods = ["PUT"] },
  ]
}

resource "aws_s3_bucket_cors_configuration" "this" {
  bucket = "site"

  dynamic "cors_rule" {
    for_each = var.cors_rules
    content {
      allowed_origins = cors_rule.value.origins  # want CG501 "PUT"
      allowed_methods = cors_rule.value.methods
    }
  }
}

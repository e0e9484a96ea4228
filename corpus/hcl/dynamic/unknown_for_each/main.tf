# for_each over a variable with no value: an unknown number of rules with
# unknown origins, reported once on the dynamic block (info).
variable "cors_rules" {
  type = list(object({ origins = list(string), methods = list(string) }))
}

resource "aws_s3_bucket_cors_configuration" "tenant" {
  bucket = "acme-tenant-data"

  dynamic "cors_rule" {  # want CG100 "var\.cors_rules"
    for_each = var.cors_rules
    content {
      allowed_origins = cors_rule.value.origins
      allowed_methods = cors_rule.value.methods
    }
  }
}

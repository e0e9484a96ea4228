# var.env has no value in the module: the origin is https://<env>.example.com
# for whatever the deployer passes, ONE origin fixed at deploy time, not a
# wildcard an attacker can satisfy: partly unknown (info), not CG108.
variable "env" {
  type = string
}

resource "aws_s3_bucket_cors_configuration" "env" {
  bucket = "acme-env-uploads"

  cors_rule {
    allowed_origins = ["https://${var.env}.example.com"]  # want CG100 "var\.env"
    allowed_methods = ["GET"]
  }
}

# Whatever var.app is, the origin is a Heroku app: a template with a known
# suffix on shared hosting is a finding whatever the deployer passes.
variable "app" {
  type = string
}

resource "aws_s3_bucket_cors_configuration" "heroku" {
  bucket = "acme-heroku-data"

  cors_rule {
    allowed_origins = ["https://${var.app}.herokuapp.com"]  # want CG109 "herokuapp\.com"
    allowed_methods = ["GET"]
  }
}

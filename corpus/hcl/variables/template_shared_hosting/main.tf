# The origin is one Heroku app chosen at deploy time (var.app has no value):
# a shape, not a pattern an attacker can satisfy; corsguard says it is unknown.
variable "app" {
  type = string
}

resource "aws_s3_bucket_cors_configuration" "heroku" {
  bucket = "acme-heroku-data"

  cors_rule {
    allowed_origins = ["https://${var.app}.herokuapp.com"]  # want CG100 "herokuapp\.com.*deploy time"
    allowed_methods = ["GET"]
  }
}

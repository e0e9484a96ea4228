# Variable-driven S3 CORS, resolved from the variables' defaults: the finding
# points at the attribute that reads the variable.
variable "cors_origins" {
  type    = list(string)
  default = ["*"]
}

variable "cors_methods" {
  type    = list(string)
  default = ["GET", "PUT"]
}

resource "aws_s3_bucket_cors_configuration" "inbox" {
  bucket = "acme-inbox"

  cors_rule {
    allowed_origins = var.cors_origins  # want CG501 "PUT"
    allowed_methods = var.cors_methods
  }
}

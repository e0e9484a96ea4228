# tflint-style suppression comments work in Terraform files: a reviewed
# public upload bucket, its finding suppressed with a // comment.
resource "google_storage_bucket" "public_uploads" {
  name     = "public-uploads"
  location = "EU"

  cors {
    // corsguard:ignore CG501 anonymous uploads are the product, reviewed by security
    origin = ["*"]
    method = ["GET", "PUT"]
  }
}

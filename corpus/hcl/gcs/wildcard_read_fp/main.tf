# Near miss of wildcard_write: public website assets readable from any origin
# with GET/HEAD. Clean.
resource "google_storage_bucket" "site" {
  name     = "acme-site-assets"
  location = "EU"

  cors {
    origin          = ["*"]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }
}

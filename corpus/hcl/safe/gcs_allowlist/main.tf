# Cloud Storage uploads from the app's own origin only. Clean.
resource "google_storage_bucket" "avatars" {
  name     = "acme-avatars"
  location = "EU"

  cors {
    origin          = ["https://app.example.com"]
    method          = ["GET", "PUT"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }
}

# Modelled on the google provider docs for google_storage_bucket: resumable
# uploads allowed from any origin (PUT, POST).
resource "google_storage_bucket" "uploads" {
  name     = "acme-uploads"
  location = "EU"

  cors {
    origin          = ["*"]  # want CG501 "any origin may send"
    method          = ["GET", "PUT", "POST"]
    response_header = ["Content-Type", "x-goog-resumable"]
    max_age_seconds = 3600
  }
}

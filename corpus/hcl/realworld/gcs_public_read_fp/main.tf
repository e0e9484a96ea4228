# Modelled on the google provider docs for google_storage_bucket (cors block)
# and Cloud Storage's CORS page: public assets readable from any origin.
# Nothing to report.
resource "google_storage_bucket" "assets" {
  name     = "acme-public-assets"
  location = "EU"

  cors {
    origin          = ["*"]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }
}

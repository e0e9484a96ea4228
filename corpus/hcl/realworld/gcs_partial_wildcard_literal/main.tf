# Modelled on the google provider docs for google_storage_bucket (cors) and
# the Cloud Storage CORS page: "*" alone means any origin, but a `*` inside
# an origin is compared literally and so never matches.
resource "google_storage_bucket" "assets" {
  name     = "assets"
  location = "EU"

  cors {
    origin          = ["https://*.example.com"]  # want CG111 "never match"
    method          = ["GET"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }
}

# Cloud Storage CORS with `*` and PUT/POST/DELETE (resumable uploads from any
# site, deletions wherever a signed URL exists).
resource "google_storage_bucket" "ingest" {
  name     = "acme-ingest"
  location = "EU"

  cors {
    origin          = ["*"]  # want CG501 "PUT, POST, DELETE"
    method          = ["GET", "PUT", "POST", "DELETE"]
    response_header = ["Content-Type", "x-goog-resumable"]
    max_age_seconds = 3600
  }
}

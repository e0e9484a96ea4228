# Modelled on terraform-google-modules/cloud-storage's simple-bucket example:
# read-only CORS for the site's own origin. Nothing to report.
module "bucket" {
  source  = "terraform-google-modules/cloud-storage/google//modules/simple_bucket"
  version = "~> 6.0"

  name       = "site-assets"
  project_id = "example-project"
  location   = "EU"

  cors = [{
    origin          = ["https://www.example.com"]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }]
}

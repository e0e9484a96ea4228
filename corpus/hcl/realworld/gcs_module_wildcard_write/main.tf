# Modelled on terraform-google-modules/cloud-storage's simple_bucket module
# inputs (cors): uploads from any origin, passed through the module call.
module "uploads" {
  source  = "terraform-google-modules/cloud-storage/google//modules/simple_bucket"
  version = "~> 6.0"

  name       = "acme-uploads"
  project_id = "example-project"
  location   = "EU"

  cors = [{  # want CG501 "any origin may send"
    origin          = ["*"]
    method          = ["PUT", "POST"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }]
}

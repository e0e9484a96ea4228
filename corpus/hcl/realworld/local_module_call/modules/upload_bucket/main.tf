# Linted on its own this module's inputs are unknown (CG100); through the
# root's call they are known and the rule allows any site to write (CG501).
variable "name" {}
variable "allowed_origins" {}
variable "allowed_methods" {}

resource "google_storage_bucket" "this" {
  name     = var.name
  location = "EU"

  cors {
    origin = var.allowed_origins  # want CG501 "any origin may send PUT" CG100 "var.allowed_origins has no default"
    method = var.allowed_methods
  }
}

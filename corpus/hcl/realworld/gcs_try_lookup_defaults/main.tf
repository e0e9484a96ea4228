# Modelled on terraform-google-modules/cloud-storage, whose cors input is read
# with try()/lookup() defaults: with no origins given the default is "*",
# and the methods default includes PUT, so any site can write.
variable "cors" {
  default = { methods = ["GET", "PUT"] }
}

resource "google_storage_bucket" "uploads" {
  name     = "uploads"
  location = "EU"

  cors {
    origin = try(var.cors.origins, ["*"])  # want CG501 "any origin may send PUT"
    method = lookup(var.cors, "methods", ["GET"])
  }
}

# Blob service CORS with `*` and PUT/DELETE: any site can upload and delete
# through a visitor's browser wherever a SAS token is handed out.
resource "azurerm_storage_account" "uploads" {
  name                     = "acmeuploads"
  resource_group_name      = "rg-acme"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  blob_properties {
    cors_rule {
      allowed_origins    = ["*"]  # want CG501 "PUT, DELETE"
      allowed_methods    = ["GET", "PUT", "DELETE"]
      allowed_headers    = ["x-ms-blob-type", "content-type"]
      exposed_headers    = ["etag"]
      max_age_in_seconds = 3600
    }
  }
}

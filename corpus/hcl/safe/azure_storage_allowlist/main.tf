# Blob uploads from the app's own origin only; `*` for public reads on the
# static website container's account. Clean.
resource "azurerm_storage_account" "media" {
  name                     = "acmemedia"
  resource_group_name      = "rg-acme"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  blob_properties {
    cors_rule {
      allowed_origins    = ["https://app.example.com"]
      allowed_methods    = ["GET", "PUT"]
      allowed_headers    = ["x-ms-blob-type", "content-type"]
      exposed_headers    = ["etag"]
      max_age_in_seconds = 3600
    }

    cors_rule {
      allowed_origins    = ["*"]
      allowed_methods    = ["GET", "HEAD"]
      allowed_headers    = ["range"]
      exposed_headers    = ["content-range"]
      max_age_in_seconds = 3600
    }
  }
}

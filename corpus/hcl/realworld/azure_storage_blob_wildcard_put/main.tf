# Modelled on the azurerm provider docs for azurerm_storage_account
# (blob_properties.cors_rule): a browser upload feature opened to every origin.
resource "azurerm_storage_account" "uploads" {
  name                     = "uploads"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  blob_properties {
    cors_rule {
      allowed_headers    = ["*"]  # want CG205 "reflects the requested headers"
      allowed_methods    = ["GET", "PUT"]
      allowed_origins    = ["*"]  # want CG501 "PUT"
      exposed_headers    = ["*"]
      max_age_in_seconds = 3600
    }
  }
}

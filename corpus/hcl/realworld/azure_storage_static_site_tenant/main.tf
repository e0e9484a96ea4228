# Modelled on the azurerm provider docs for azurerm_storage_account
# (blob_properties.cors_rule) and the Azure Storage CORS page, which reads one
# `*` inside an origin as a wildcard. web.core.windows.net is where every
# account's static website lives (Public Suffix List, private section): any
# Azure customer gets a name there, and Azure Storage sends credentials to
# listed origins.
resource "azurerm_storage_account" "media" {
  name                     = "acmemedia"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  blob_properties {
    cors_rule {
      allowed_origins    = ["https://*.web.core.windows.net"]  # want CG109 "shared hosting"
      allowed_methods    = ["GET", "HEAD"]
      allowed_headers    = ["x-ms-version"]
      exposed_headers    = ["x-ms-request-id"]
      max_age_in_seconds = 3600
    }
  }
}

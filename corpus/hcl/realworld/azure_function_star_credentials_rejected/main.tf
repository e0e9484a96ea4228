# Modelled on the azurerm provider docs for azurerm_linux_function_app
# (site_config.cors) and App Service's CORS docs: `*` together with
# support_credentials is refused, so this is broken, not open (CG502, low).
resource "azurerm_linux_function_app" "fn" {
  name                       = "acme-fn"
  resource_group_name        = "rg"
  location                   = "westeurope"
  service_plan_id            = "plan"
  storage_account_name       = "acmefnsa"
  storage_account_access_key = "key"

  site_config {
    cors {
      allowed_origins     = ["*"]  # want CG502 "rejects"
      support_credentials = true
    }
  }
}

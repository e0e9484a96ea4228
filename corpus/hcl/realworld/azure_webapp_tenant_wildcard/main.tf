# Modelled on the azurerm provider docs for azurerm_linux_web_app
# (site_config.cors) and Microsoft's App Service CORS tutorial, which
# documents wildcard subdomains: every App Service tenant can get a name
# under azurewebsites.net, so this trusts anyone's app, with credentials.
resource "azurerm_linux_web_app" "api" {
  name                = "orders-api"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"

  site_config {
    cors {
      allowed_origins     = ["https://*.azurewebsites.net"]  # want CG109 "shared hosting" CG401
      support_credentials = true
    }
  }
}

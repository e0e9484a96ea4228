# Modelled on Microsoft's App Service REST API CORS tutorial: the API trusts
# its own front end only, with credentials. Nothing to report.
resource "azurerm_linux_web_app" "api" {
  name                = "acme-api"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"

  site_config {
    cors {
      allowed_origins     = ["https://acme-web.example.com"]
      support_credentials = true
    }
  }
}

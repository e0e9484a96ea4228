# App Service platform CORS for the app's own front end with credentials: one
# exact https origin, sound; App Service is modelled as adding no Vary (CG401).
resource "azurerm_windows_web_app" "api" {
  name                = "acme-api"
  resource_group_name = "rg-acme"
  location            = "westeurope"
  service_plan_id     = "plan-id"

  site_config {
    cors {
      allowed_origins     = ["https://app.example.com"]  # want CG401
      support_credentials = true
    }
  }
}

# App Service platform CORS for two front ends with credentials: exact https
# origins, sound, but the ACAO names whichever matched and App Service does not
# document adding Vary: Origin (CG401).
resource "azurerm_windows_web_app" "api" {
  name                = "acme-api"
  resource_group_name = "rg-acme"
  location            = "westeurope"
  service_plan_id     = "plan-id"

  site_config {
    cors {
      allowed_origins     = ["https://app.example.com", "https://admin.example.com"]  # want CG401
      support_credentials = true
    }
  }
}

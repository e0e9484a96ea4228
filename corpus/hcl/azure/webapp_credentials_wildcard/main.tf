# App Service refuses support_credentials when allowed_origins includes `*`
# (the platform returns an error): broken, not exploitable, like API Gateway v2.
resource "azurerm_linux_web_app" "portal" {
  name                = "acme-portal"
  resource_group_name = "rg-acme"
  location            = "westeurope"
  service_plan_id     = "plan-id"

  site_config {
    cors {
      allowed_origins     = ["*"]  # want CG502 "broken, not exploitable"
      support_credentials = true
    }
  }
}

# A Function App that trusts JSFiddle (left over from a demo): every fiddle
# runs on that one origin, so anyone can read the function's responses.
resource "azurerm_linux_function_app" "quotes" {
  name                       = "acme-quotes"
  resource_group_name        = "rg-acme"
  location                   = "westeurope"
  service_plan_id            = "plan-id"
  storage_account_name       = "acmefuncs"
  storage_account_access_key = "not-a-real-key"

  site_config {
    cors {
      allowed_origins = ["https://app.example.com", "https://jsfiddle.net"]  # want CG109 "jsfiddle\.net" CG401
    }
  }
}

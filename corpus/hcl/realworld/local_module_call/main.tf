# A root module calling a local module, as the Terraform docs' module
# structure recommends (./modules/NAME): the call's arguments are bound to
# the module's variables, so the wildcard write shows up, located in the
# module where the rule is written.
module "uploads" {
  source          = "./modules/upload_bucket"
  name            = "uploads"
  allowed_origins = ["*"]
  allowed_methods = ["GET", "PUT"]
}

# Declarations only: the defaults are safe, terraform.tfvars next to the
# module overrides them (see main.tf for where the finding lands).
variable "allowed_origins" {
  type    = list(string)
  default = ["https://app.example.com"]
}

variable "allowed_methods" {
  type    = list(string)
  default = ["GET"]
}

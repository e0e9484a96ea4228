# Values Terraform loads automatically; they win over the defaults.
allowed_origins = ["*"]
allowed_methods = ["GET", "DELETE"]

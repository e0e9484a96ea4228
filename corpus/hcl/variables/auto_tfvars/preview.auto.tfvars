# Overrides terraform.tfvars: the preview front end lives on Vercel's domain.
frontend_origin = "https://acme-git-main.vercel.app"

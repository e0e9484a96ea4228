# A Terraform module of 2000 .tf files, one S3 CORS rule each (the walker
# hands every file to the HCL front end; the module must be loaded once).
describe() { echo 'Terraform module of 2000 `.tf` files'; }
gen() {
  for i in $(seq 1 2000); do
    cat >"f$i.tf" <<TF
resource "aws_s3_bucket_cors_configuration" "b$i" {
  bucket = "b$i"
  cors_rule {
    allowed_origins = ["https://app$i.example.com"]
    allowed_methods = ["GET", "PUT"]
  }
}
TF
  done
}
run() { "$CORSGUARD" lint .; }

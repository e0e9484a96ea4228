# Terraform `concat` doubling: each local is the previous list twice, 40
# times (about 1.3 KB; evaluated in full the last list would hold 10^12
# elements).
describe() { echo 'Terraform `concat` doubling, 40 levels (1.3 KB)'; }
gen() {
  {
    echo 'locals {'
    echo '  l0 = ["https://x.example.com"]'
    for i in $(seq 1 40); do
      echo "  l$i = concat(local.l$((i - 1)), local.l$((i - 1)))"
    done
    echo '}'
    cat <<'TF'
resource "aws_s3_bucket_cors_configuration" "b" {
  bucket = "b"
  cors_rule {
    allowed_origins = local.l40
    allowed_methods = ["GET"]
  }
}
TF
  } >main.tf
}
run() { "$CORSGUARD" lint main.tf; }

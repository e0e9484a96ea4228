# Terraform `local` doubling: each local is the previous one twice, 40 times
# (about 1.3 KB of input; evaluated in full the last value would be 16 TB).
describe() { echo 'Terraform `local` doubling, 40 levels (1.3 KB)'; }
gen() {
  {
    echo 'locals {'
    echo '  a0 = "https://x.example.com"'
    for i in $(seq 1 40); do
      echo "  a$i = \"\${local.a$((i - 1))}\${local.a$((i - 1))}\""
    done
    echo '}'
    cat <<'TF'
resource "aws_s3_bucket_cors_configuration" "b" {
  bucket = "b"
  cors_rule {
    allowed_origins = [local.a40]
    allowed_methods = ["GET"]
  }
}
TF
  } >main.tf
}
run() { "$CORSGUARD" lint main.tf; }

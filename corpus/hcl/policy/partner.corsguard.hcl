# Sample policy file for policy_e2e/partner_bucket: trusts the company's own
# front ends only, and suppresses the catalogue bucket's wildcard write.
trusted {
  origins = [
    "https://app.example.com",
    "https://admin.example.com",
  ]
}

suppress "CG501" {
  path    = "../policy_e2e/partner_bucket/main.tf"
  line    = 12
  reason  = "the bucket policy grants no write permission and no pre-signed PUT URLs are issued"
  expires = "2099-12-31"
}

# Sample policy with a trusted pattern for preview deployments and a live
# target that `corsguard fuzz` compares against.
trusted {
  origins  = ["https://app.example.com"]
  patterns = ["https://*.preview.example.com"]
}

rule "CG401" {
  enabled = false
}

target "https://api.example.com/v1/" {
  origins     = ["https://app.example.com"]
  patterns    = ["https://*.preview.example.com"]
  credentials = true
  methods     = ["GET", "POST"]
  headers     = ["Content-Type", "Authorization"]
  max_age     = 600
}

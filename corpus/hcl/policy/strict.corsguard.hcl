# Sample strict policy: one trusted origin in the short form, info findings
# raised to low, and the unknown-origin rule skipped for vendored modules.
trusted_origins = ["https://app.example.com"]

rule "CG100" {
  severity = "low"
  exclude  = ["../vendor/**"]
}

rule "CG111" {
  severity = "medium"
}

# A function URL for the app's own front end only, bearer token in a header:
# sound. ACAO is present or absent by Origin and no Vary: Origin is sent, but
# the only value it can take is that one origin: a cached copy served to any
# other origin is refused by the browser, so no grant leaks (no CG401).
resource "aws_lambda_function_url" "search" {
  function_name      = "search"
  authorization_type = "NONE"

  cors {
    allow_origins = ["https://app.example.com"]
    allow_methods = ["GET"]
    allow_headers = ["authorization"]
    max_age       = 300
  }
}

# A function URL for the app's own front end only, bearer token in a header:
# sound, but ACAO is present or absent by Origin with no Vary: Origin (CG401).
resource "aws_lambda_function_url" "search" {
  function_name      = "search"
  authorization_type = "NONE"

  cors {
    allow_origins = ["https://app.example.com"]  # want CG401
    allow_methods = ["GET"]
    allow_headers = ["authorization"]
    max_age       = 300
  }
}

# A function URL trusting every function URL in a region: anyone with an AWS
# account can create one under lambda-url.eu-west-1.on.aws. Lambda URLs take
# no wildcard inside an origin, so this entry matches nothing (CG111) and
# the front end is locked out rather than exposed.
resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = "NONE"

  cors {
    allow_origins = ["https://*.lambda-url.eu-west-1.on.aws"]  # want CG111 "never match"
    allow_methods = ["GET"]
  }
}

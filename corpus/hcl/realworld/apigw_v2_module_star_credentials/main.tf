# Modelled on terraform-aws-modules/apigateway-v2's README (cors_configuration
# input): `*` with credentials through the module is refused at deploy by
# API Gateway, as with the resource itself (CG502, low).
module "api_gateway" {
  source  = "terraform-aws-modules/apigateway-v2/aws"
  version = "~> 5.0"

  name          = "orders"
  protocol_type = "HTTP"

  cors_configuration = {  # want CG502 "rejects"
    allow_origins     = ["*"]
    allow_credentials = true
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["content-type", "authorization"]
  }
}

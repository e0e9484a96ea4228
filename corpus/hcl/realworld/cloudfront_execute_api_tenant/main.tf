# Modelled on the aws provider docs for aws_cloudfront_response_headers_policy
# and CloudFront's response headers policy guide (`*` as the leftmost label,
# items without a scheme match both schemes): trusting "our API Gateway
# stages" by region trusts every AWS account's APIs in it.
resource "aws_cloudfront_response_headers_policy" "api" {
  name = "api-cors"

  cors_config {
    access_control_allow_credentials = false

    access_control_allow_headers {
      items = ["content-type"]
    }
    access_control_allow_methods {
      items = ["GET", "HEAD"]
    }
    access_control_allow_origins {
      items = ["*.execute-api.us-east-1.amazonaws.com"]  # want CG109 "shared hosting" CG401
    }
    origin_override = true
  }
}

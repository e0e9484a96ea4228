# Modelled on the aws provider docs for aws_cloudfront_response_headers_policy
# and CloudFront's developer guide: items are domain names, `*` may stand
# for the leftmost label and the scheme may be left out.
resource "aws_cloudfront_response_headers_policy" "assets" {
  name = "assets-cors"

  cors_config {
    access_control_allow_credentials = false
    access_control_allow_headers { items = ["content-type"] }
    access_control_allow_methods { items = ["GET"] }
    access_control_allow_origins { items = ["*.example.com"] }  # want CG108 "any subdomain" CG401
    origin_override = true
  }
}

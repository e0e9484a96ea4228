# Modelled on the aws provider docs for aws_cloudfront_response_headers_policy:
# public fonts for any site, no credentials, read-only. Nothing to report.
resource "aws_cloudfront_response_headers_policy" "fonts" {
  name = "fonts-cors"

  cors_config {
    access_control_allow_credentials = false
    access_control_allow_headers { items = ["*"] }
    access_control_allow_methods { items = ["GET", "HEAD"] }
    access_control_allow_origins { items = ["*"] }
    origin_override = true
  }
}

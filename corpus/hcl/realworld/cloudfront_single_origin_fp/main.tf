# Modelled on the aws provider docs for aws_cloudfront_response_headers_policy:
# one exact origin with credentials, origin_override on. The only value the
# header can take is that origin. Nothing to report.
resource "aws_cloudfront_response_headers_policy" "app" {
  name = "app-cors"

  cors_config {
    access_control_allow_credentials = true

    access_control_allow_headers {
      items = ["authorization", "content-type"]
    }
    access_control_allow_methods {
      items = ["GET", "POST"]
    }
    access_control_allow_origins {
      items = ["https://app.example.com"]
    }
    origin_override = true
  }
}

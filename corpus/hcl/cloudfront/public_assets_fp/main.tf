# CloudFront response headers policy for a public asset CDN: `*`, read-only,
# no credentials. Clean.
resource "aws_cloudfront_response_headers_policy" "assets" {
  name = "acme-assets-cors"

  cors_config {
    access_control_allow_credentials = false
    origin_override                  = true
    access_control_max_age_sec       = 600

    access_control_allow_origins {
      items = ["*"]
    }
    access_control_allow_methods {
      items = ["GET", "HEAD", "OPTIONS"]
    }
    access_control_allow_headers {
      items = ["Range"]
    }
  }
}

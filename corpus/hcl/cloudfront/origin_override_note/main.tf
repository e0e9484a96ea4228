# CloudFront policy whose origin list holds an entry no browser ever sends
# (upper case, default port); origin_override = false lets the backend's headers win.
resource "aws_cloudfront_response_headers_policy" "api" {
  name = "acme-api-cors"

  cors_config {
    access_control_allow_credentials = false
    origin_override                  = false

    access_control_allow_origins {
      items = ["https://app.example.com", "https://App.Example.com:443"]  # want CG111 "app\.example\.com" CG401
    }
    access_control_allow_methods {
      items = ["GET", "POST"]
    }
    access_control_allow_headers {
      items = ["Content-Type"]
    }
  }
}

package hcl

import (
	"fmt"
	"strings"
)

// GenerateModule returns a synthetic Terraform module of n CORS-bearing
// resources (file name → content), cycling through every mapped resource
// family and through literal, variable, local, template and dynamic
// values. It exists for benchmarks and load tests: the output is
// deterministic for a given n.
func GenerateModule(n int) map[string]string {
	var vars, main strings.Builder
	vars.WriteString(`variable "env" {}
variable "origins" { default = ["https://app.example.com", "https://admin.example.com"] }
variable "rules" {
  default = [
    { origins = ["https://a.example.com"], methods = ["GET"] },
    { origins = ["https://b.example.com"], methods = ["PUT", "POST"] },
  ]
}
locals {
  all_origins = concat(var.origins, [local.partner])
  partner     = "https://partner.example.net"
}
`)
	for i := 0; i < n; i++ {
		switch i % 8 {
		case 0:
			fmt.Fprintf(&main, `resource "aws_s3_bucket_cors_configuration" "b%d" {
  bucket = aws_s3_bucket.b%d.id
  cors_rule {
    allowed_origins = ["https://app%d.example.com", "https://*.example.com"]
    allowed_methods = ["GET", "PUT"]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}
`, i, i, i)
		case 1:
			fmt.Fprintf(&main, `resource "aws_s3_bucket" "legacy%d" {
  bucket = "legacy-%d"
  dynamic "cors_rule" {
    for_each = var.rules
    content {
      allowed_origins = cors_rule.value.origins
      allowed_methods = cors_rule.value.methods
    }
  }
}
`, i, i)
		case 2:
			fmt.Fprintf(&main, `resource "aws_apigatewayv2_api" "api%d" {
  name          = "api-%d"
  protocol_type = "HTTP"
  cors_configuration {
    allow_origins     = local.all_origins
    allow_credentials = true
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["authorization", "content-type"]
    max_age           = 600
  }
}
`, i, i)
		case 3:
			fmt.Fprintf(&main, `resource "aws_lambda_function_url" "fn%d" {
  function_name = "fn-%d"
  cors {
    allow_origins = ["https://${var.env}.example.com"]
    allow_methods = ["*"]
  }
}
`, i, i)
		case 4:
			fmt.Fprintf(&main, `resource "aws_cloudfront_response_headers_policy" "p%d" {
  name = "p-%d"
  cors_config {
    access_control_allow_credentials = false
    access_control_allow_headers { items = ["X-Token"] }
    access_control_allow_methods { items = ["GET"] }
    access_control_allow_origins { items = var.origins }
    origin_override = true
  }
}
`, i, i)
		case 5:
			fmt.Fprintf(&main, `resource "aws_api_gateway_integration_response" "r%d" {
  rest_api_id = "x"
  resource_id = "y"
  http_method = "OPTIONS"
  status_code = "200"
  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"  = "'*'"
    "method.response.header.Access-Control-Allow-Methods" = "'GET,OPTIONS'"
  }
}
`, i)
		case 6:
			fmt.Fprintf(&main, `resource "azurerm_storage_account" "sa%d" {
  name = "sa%d"
  blob_properties {
    cors_rule {
      allowed_origins    = ["https://app.example.com"]
      allowed_methods    = ["GET", "PUT"]
      allowed_headers    = ["x-ms-*"]
      exposed_headers    = ["*"]
      max_age_in_seconds = 3600
    }
  }
}
resource "azurerm_linux_web_app" "web%d" {
  name = "web%d"
  site_config {
    cors {
      allowed_origins     = [module.site.origin]
      support_credentials = true
    }
  }
}
`, i, i, i, i)
		case 7:
			fmt.Fprintf(&main, `resource "google_storage_bucket" "g%d" {
  name     = "g-%d"
  location = "EU"
  cors {
    origin          = ["*"]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }
}
`, i, i)
		}
	}
	return map[string]string{
		"variables.tf":     vars.String(),
		"main.tf":          main.String(),
		"terraform.tfvars": "env = \"staging\"\n",
	}
}

package hcl

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// spellCase is one specification of the speller: a file, a remedy naming
// a line of it, and the fixed file or the reason there is no fix.
type spellCase struct {
	name string
	file string // its name decides the syntax: .tf, .tf.json, .hcl agent config
	src  string
	r    rules.Remedy
	want string // the fixed file; empty when an error is wanted
	// wantErr matches the error's text when no edit is certain.
	wantErr string
}

func replace(line int, old, new string) rules.Remedy {
	return rules.Remedy{Kind: rules.ReplaceValue, Format: "terraform", At: atLine(line), Old: old, New: new}
}

func echo(line int, origins ...string) rules.Remedy {
	return rules.Remedy{Kind: rules.ReplaceEcho, Format: "terraform", At: atLine(line), Origins: origins, Unsafe: true}
}

func atLine(line int) rules.Evidence { return rules.Evidence{Range: rules.Range{Line: line}} }

func atCol(line, col int) rules.Evidence {
	return rules.Evidence{Range: rules.Range{Line: line, Col: col}}
}

func s3(origins string) string {
	return `resource "aws_s3_bucket_cors_configuration" "site" {
  bucket = "acme-site"

  cors_rule {
    allowed_origins = ` + origins + `
    allowed_methods = ["GET"]
  }
}
`
}

var replaceValueCases = []spellCase{
	{name: "a trailing slash is dropped from the one element", file: "main.tf",
		src:  s3(`["https://app.example.com/"] # the front end`),
		r:    replace(5, "https://app.example.com/", "https://app.example.com"),
		want: s3(`["https://app.example.com"] # the front end`)},
	{name: "the element equal to Old among several; in a formatted file the comments stay aligned as terraform fmt aligns them", file: "main.tf",
		src: `resource "aws_s3_bucket_cors_configuration" "site" {
  bucket = "acme-site"
  cors_rule {
    allowed_origins = [
      "https://www.example.com",      # marketing
      "https://App.Example.com:443/", # the app
    ]
    allowed_methods = ["GET"]
  }
}
`,
		r: replace(4, "https://App.Example.com:443/", "https://app.example.com"),
		want: `resource "aws_s3_bucket_cors_configuration" "site" {
  bucket = "acme-site"
  cors_rule {
    allowed_origins = [
      "https://www.example.com", # marketing
      "https://app.example.com", # the app
    ]
    allowed_methods = ["GET"]
  }
}
`},
	{name: "a file terraform fmt would change keeps its own spacing around the edit", file: "main.tf",
		src: `resource "aws_s3_bucket_cors_configuration" "site" {
  bucket="acme-site"
  cors_rule {
    allowed_origins = [
      "https://www.example.com",      # marketing
      "https://App.Example.com:443/", # the app
    ]
  }
}
`,
		r: replace(4, "https://App.Example.com:443/", "https://app.example.com"),
		want: `resource "aws_s3_bucket_cors_configuration" "site" {
  bucket="acme-site"
  cors_rule {
    allowed_origins = [
      "https://www.example.com",      # marketing
      "https://app.example.com", # the app
    ]
  }
}
`},
	{name: "evidence naming the element itself (line and column) finds it too", file: "main.tf",
		src:  "resource \"google_storage_bucket\" \"b\" {\n  name = \"b\"\n  cors {\n    origin = [\n      \"https://a.example.com\",\n      \"https://b.example.com/\",\n    ]\n  }\n}\n",
		r:    rules.Remedy{Kind: rules.ReplaceValue, At: atCol(6, 7), Old: "https://b.example.com/", New: "https://b.example.com"},
		want: "resource \"google_storage_bucket\" \"b\" {\n  name = \"b\"\n  cors {\n    origin = [\n      \"https://a.example.com\",\n      \"https://b.example.com\",\n    ]\n  }\n}\n"},
	{name: "CRLF line endings are kept", file: "main.tf",
		src:  strings.ReplaceAll(s3(`["http://example.com:80/"]`), "\n", "\r\n"),
		r:    replace(5, "http://example.com:80/", "http://example.com"),
		want: strings.ReplaceAll(s3(`["http://example.com"]`), "\n", "\r\n")},
	{name: "tab indentation is kept", file: "main.tf",
		src:  "resource \"aws_lambda_function_url\" \"api\" {\n\tfunction_name = \"api\"\n\tcors {\n\t\tallow_origins = [\"HTTPS://APP.EXAMPLE.COM\"]\n\t}\n}\n",
		r:    replace(4, "HTTPS://APP.EXAMPLE.COM", "https://app.example.com"),
		want: "resource \"aws_lambda_function_url\" \"api\" {\n\tfunction_name = \"api\"\n\tcors {\n\t\tallow_origins = [\"https://app.example.com\"]\n\t}\n}\n"},
	{name: "HCL escapes: a regex's backslash is written doubled", file: "main.tf",
		src:  s3(`["https://app\\.example\\.com/"]`),
		r:    replace(5, `https://app\.example\.com/`, `https://app\.example\.com`),
		want: s3(`["https://app\\.example\\.com"]`)},
	{name: "a literal ${ in the new value is escaped as $${", file: "main.tf",
		src:  s3(`["https://a.example.com/"]`),
		r:    replace(5, "https://a.example.com/", "https://${a}.example.com"),
		want: s3(`["https://$${a}.example.com"]`)},
	{name: "Max-Age written as a number stays a number", file: "main.tf",
		src: `resource "aws_s3_bucket_cors_configuration" "cdn" {
  bucket = "cdn"
  cors_rule {
    allowed_origins = ["*"]
    allowed_methods = ["GET"]
    max_age_seconds = 31536000 # a year
  }
}
`,
		r: replace(6, "31536000", "7200"),
		want: `resource "aws_s3_bucket_cors_configuration" "cdn" {
  bucket = "cdn"
  cors_rule {
    allowed_origins = ["*"]
    allowed_methods = ["GET"]
    max_age_seconds = 7200 # a year
  }
}
`},
	{name: "Max-Age written as a string stays a string", file: "main.tf",
		src:  "resource \"aws_apigatewayv2_api\" \"api\" {\n  name          = \"api\"\n  protocol_type = \"HTTP\"\n  cors_configuration {\n    allow_origins = [\"https://app.example.com\"]\n    max_age       = \"86400000\"\n  }\n}\n",
		r:    replace(6, "86400000", "7200"),
		want: "resource \"aws_apigatewayv2_api\" \"api\" {\n  name          = \"api\"\n  protocol_type = \"HTTP\"\n  cors_configuration {\n    allow_origins = [\"https://app.example.com\"]\n    max_age       = \"7200\"\n  }\n}\n"},
	{name: "Azure storage cors_rule", file: "main.tf",
		src:  "resource \"azurerm_storage_account\" \"sa\" {\n  name = \"sa\"\n  blob_properties {\n    cors_rule {\n      allowed_origins    = [\"https://app.example.com/\"]\n      allowed_methods    = [\"GET\"]\n      allowed_headers    = [\"*\"]\n      exposed_headers    = [\"*\"]\n      max_age_in_seconds = 3600\n    }\n  }\n}\n",
		r:    replace(5, "https://app.example.com/", "https://app.example.com"),
		want: "resource \"azurerm_storage_account\" \"sa\" {\n  name = \"sa\"\n  blob_properties {\n    cors_rule {\n      allowed_origins    = [\"https://app.example.com\"]\n      allowed_methods    = [\"GET\"]\n      allowed_headers    = [\"*\"]\n      exposed_headers    = [\"*\"]\n      max_age_in_seconds = 3600\n    }\n  }\n}\n"},
	{name: "App Service site_config cors", file: "main.tf",
		src:  "resource \"azurerm_linux_web_app\" \"web\" {\n  name = \"web\"\n  site_config {\n    cors {\n      allowed_origins = [\"https://app.example.com/login\"]\n    }\n  }\n}\n",
		r:    replace(5, "https://app.example.com/login", "https://app.example.com"),
		want: "resource \"azurerm_linux_web_app\" \"web\" {\n  name = \"web\"\n  site_config {\n    cors {\n      allowed_origins = [\"https://app.example.com\"]\n    }\n  }\n}\n"},
	{name: "CloudFront items", file: "main.tf",
		src:  "resource \"aws_cloudfront_response_headers_policy\" \"p\" {\n  name = \"p\"\n  cors_config {\n    access_control_allow_credentials = false\n    origin_override                  = true\n    access_control_allow_origins {\n      items = [\"https://App.Example.com:443\"]\n    }\n    access_control_allow_methods {\n      items = [\"GET\"]\n    }\n    access_control_allow_headers {\n      items = [\"*\"]\n    }\n  }\n}\n",
		r:    replace(7, "https://App.Example.com:443", "https://app.example.com"),
		want: "resource \"aws_cloudfront_response_headers_policy\" \"p\" {\n  name = \"p\"\n  cors_config {\n    access_control_allow_credentials = false\n    origin_override                  = true\n    access_control_allow_origins {\n      items = [\"https://app.example.com\"]\n    }\n    access_control_allow_methods {\n      items = [\"GET\"]\n    }\n    access_control_allow_headers {\n      items = [\"*\"]\n    }\n  }\n}\n"},
	{name: "a registry module's input: the origin inside the list of rule objects", file: "main.tf",
		src:  "module \"bucket\" {\n  source = \"terraform-aws-modules/s3-bucket/aws\"\n  bucket = \"b\"\n  cors_rule = [{\n    allowed_methods = [\"GET\"]\n    allowed_origins = [\"https://app.example.com/\"]\n  }]\n}\n",
		r:    replace(4, "https://app.example.com/", "https://app.example.com"),
		want: "module \"bucket\" {\n  source = \"terraform-aws-modules/s3-bucket/aws\"\n  bucket = \"b\"\n  cors_rule = [{\n    allowed_methods = [\"GET\"]\n    allowed_origins = [\"https://app.example.com\"]\n  }]\n}\n"},
	{name: "a local of this file holding the literal is edited where it is written", file: "main.tf",
		src:  "locals {\n  origins = [\"https://app.example.com/\"]\n}\n\n" + s3("local.origins"),
		r:    replace(9, "https://app.example.com/", "https://app.example.com"),
		want: "locals {\n  origins = [\"https://app.example.com\"]\n}\n\n" + s3("local.origins")},
	{name: "a literal among concat()'s arguments is one of the values", file: "main.tf",
		src:  s3(`concat(["https://app.example.com/"], ["https://b.example.com"])`),
		r:    replace(5, "https://app.example.com/", "https://app.example.com"),
		want: s3(`concat(["https://app.example.com"], ["https://b.example.com"])`)},
	{name: "API Gateway REST API static values keep their single quotes", file: "main.tf",
		src:  "resource \"aws_api_gateway_integration_response\" \"ok\" {\n  rest_api_id = \"x\"\n  http_method = \"GET\"\n  status_code = \"200\"\n  response_parameters = {\n    \"method.response.header.Access-Control-Allow-Origin\" = \"'https://app.example.com/'\"\n  }\n}\n",
		r:    rules.Remedy{Kind: rules.ReplaceValue, At: atCol(6, 5), Old: "https://app.example.com/", New: "https://app.example.com"},
		want: "resource \"aws_api_gateway_integration_response\" \"ok\" {\n  rest_api_id = \"x\"\n  http_method = \"GET\"\n  status_code = \"200\"\n  response_parameters = {\n    \"method.response.header.Access-Control-Allow-Origin\" = \"'https://app.example.com'\"\n  }\n}\n"},
	{name: "a Nomad agent's header map", file: "nomad.hcl",
		src:  "data_dir = \"/opt/nomad\"\n\nhttp_api_response_headers {\n  \"Access-Control-Allow-Origin\" = \"https://ui.example.com/\"\n}\n",
		r:    rules.Remedy{Kind: rules.ReplaceValue, Format: "nomad", At: atCol(4, 3), Old: "https://ui.example.com/", New: "https://ui.example.com"},
		want: "data_dir = \"/opt/nomad\"\n\nhttp_api_response_headers {\n  \"Access-Control-Allow-Origin\" = \"https://ui.example.com\"\n}\n"},
	{name: "a Consul agent's JSON configuration", file: "consul.json",
		src:  "{\n  \"http_config\": {\n    \"response_headers\": {\n      \"Access-Control-Allow-Origin\": \"https://UI.example.com\"\n    }\n  }\n}\n",
		r:    rules.Remedy{Kind: rules.ReplaceValue, Format: "consul", At: atCol(4, 7), Old: "https://UI.example.com", New: "https://ui.example.com"},
		want: "{\n  \"http_config\": {\n    \"response_headers\": {\n      \"Access-Control-Allow-Origin\": \"https://ui.example.com\"\n    }\n  }\n}\n"},
	{name: "JSON syntax: JSON escapes, the property named by its line", file: "main.tf.json",
		src:  "{\n  \"resource\": {\n    \"aws_s3_bucket_cors_configuration\": {\n      \"site\": {\n        \"bucket\": \"site\",\n        \"cors_rule\": [{\n          \"allowed_origins\": [\"https://app.example.com/\"],\n          \"allowed_methods\": [\"GET\"]\n        }]\n      }\n    }\n  }\n}\n",
		r:    replace(7, "https://app.example.com/", "https://app.example.com"),
		want: "{\n  \"resource\": {\n    \"aws_s3_bucket_cors_configuration\": {\n      \"site\": {\n        \"bucket\": \"site\",\n        \"cors_rule\": [{\n          \"allowed_origins\": [\"https://app.example.com\"],\n          \"allowed_methods\": [\"GET\"]\n        }]\n      }\n    }\n  }\n}\n"},
	{name: "JSON syntax: a literal $${ is a literal ${ and stays escaped", file: "main.tf.json",
		src:  "{\"resource\": {\"google_storage_bucket\": {\"b\": {\"name\": \"b\", \"cors\": [{\n  \"origin\": [\"https://$${x}.example.com/\"]\n}]}}}}\n",
		r:    replace(2, "https://${x}.example.com/", "https://${x}.example.com"),
		want: "{\"resource\": {\"google_storage_bucket\": {\"b\": {\"name\": \"b\", \"cors\": [{\n  \"origin\": [\"https://$${x}.example.com\"]\n}]}}}}\n"},
	{name: "each.value: the element of the resource's for_each written here", file: "main.tf",
		src:  "resource \"aws_s3_bucket_cors_configuration\" \"site\" {\n  for_each = {\n    shop = \"https://shop.example.com/\"\n    docs = \"https://docs.example.com/\"\n  }\n  bucket = \"site-${each.key}\"\n  cors_rule {\n    allowed_origins = [each.value]\n  }\n}\n",
		r:    replace(8, "https://docs.example.com/", "https://docs.example.com"),
		want: "resource \"aws_s3_bucket_cors_configuration\" \"site\" {\n  for_each = {\n    shop = \"https://shop.example.com/\"\n    docs = \"https://docs.example.com\"\n  }\n  bucket = \"site-${each.key}\"\n  cors_rule {\n    allowed_origins = [each.value]\n  }\n}\n"},
	{name: "each.value over toset() of literals", file: "main.tf",
		src:  "resource \"google_storage_bucket\" \"b\" {\n  for_each = toset([\"https://a.example.com:443\", \"https://b.example.com\"])\n  name     = each.key\n  cors {\n    origin = [each.value]\n  }\n}\n",
		r:    replace(5, "https://a.example.com:443", "https://a.example.com"),
		want: "resource \"google_storage_bucket\" \"b\" {\n  for_each = toset([\"https://a.example.com\", \"https://b.example.com\"])\n  name     = each.key\n  cors {\n    origin = [each.value]\n  }\n}\n"},
	{name: "a dynamic block's iterator over a local of this file: the origins of the rule objects", file: "main.tf",
		src: `locals {
  cors_rules = {
    reads   = { origins = ["https://app.example.com/"], methods = ["GET"] }
    uploads = { origins = ["https://upload.example.com"], methods = ["PUT"] }
  }
}

resource "aws_s3_bucket_cors_configuration" "files" {
  bucket = "files"
  dynamic "cors_rule" {
    for_each = local.cors_rules
    iterator = rule
    content {
      allowed_origins = rule.value.origins
      allowed_methods = rule.value.methods
    }
  }
}
`,
		r: replace(14, "https://app.example.com/", "https://app.example.com"),
		want: `locals {
  cors_rules = {
    reads   = { origins = ["https://app.example.com"], methods = ["GET"] }
    uploads = { origins = ["https://upload.example.com"], methods = ["PUT"] }
  }
}

resource "aws_s3_bucket_cors_configuration" "files" {
  bucket = "files"
  dynamic "cors_rule" {
    for_each = local.cors_rules
    iterator = rule
    content {
      allowed_origins = rule.value.origins
      allowed_methods = rule.value.methods
    }
  }
}
`},

	// Unsure: the value is not a literal written here, or not one.
	{name: "a variable's value is changed where it is set", file: "main.tf",
		src:     "variable \"origins\" {\n  default = [\"https://app.example.com/\"]\n}\n" + s3("var.origins"),
		r:       replace(8, "https://app.example.com/", "https://app.example.com"),
		wantErr: `unsure: allowed_origins at line 8 takes "https://app.example.com/" from var.origins, not from a literal`},
	{name: "a local of another file of the module", file: "main.tf",
		src:     s3("local.origins"),
		r:       replace(5, "https://app.example.com/", "https://app.example.com"),
		wantErr: `from local.origins \(defined in another file of the module\)`},
	{name: "a template with an interpolation", file: "main.tf",
		src:     s3(`["https://${var.env}.example.com/"]`),
		r:       replace(5, "https://staging.example.com/", "https://staging.example.com"),
		wantErr: `from a template \(with var.env\)`},
	{name: "a function call computes the value", file: "main.tf",
		src:     s3(`[format("https://%s/", "app.example.com")]`),
		r:       replace(5, "https://app.example.com/", "https://app.example.com"),
		wantErr: `from a call of format\(\)`},
	{name: "a dynamic block's iterator", file: "main.tf",
		src:     "resource \"aws_s3_bucket_cors_configuration\" \"b\" {\n  bucket = \"b\"\n  dynamic \"cors_rule\" {\n    for_each = var.rules\n    content {\n      allowed_origins = cors_rule.value.origins\n    }\n  }\n}\n",
		r:       replace(6, "https://app.example.com/", "https://app.example.com"),
		wantErr: `from cors_rule.value.origins \(for_each = var.rules\)`},
	{name: "each.value of a for_each from a variable", file: "main.tf",
		src:     "resource \"aws_s3_bucket_cors_configuration\" \"site\" {\n  for_each = var.sites\n  bucket   = each.key\n  cors_rule {\n    allowed_origins = [each.value]\n  }\n}\n",
		r:       replace(5, "https://docs.example.com/", "https://docs.example.com"),
		wantErr: `from each.value \(for_each = var.sites\)`},
	{name: "the same literal twice: not guessing which", file: "main.tf",
		src:     s3(`["https://app.example.com/", "https://app.example.com/"]`),
		r:       replace(5, "https://app.example.com/", "https://app.example.com"),
		wantErr: `written 2 times`},
	{name: "no such literal in the attribute", file: "main.tf",
		src:     s3(`["https://app.example.com"]`),
		r:       replace(5, "https://other.example.com/", "https://other.example.com"),
		wantErr: `allowed_origins at line 5 has no literal "https://other.example.com/"`},
	{name: "a heredoc is not rewritten", file: "main.tf",
		src:     s3("[<<EOT\nhttps://app.example.com/\nEOT\n]"),
		r:       replace(5, "https://app.example.com/\n", "https://app.example.com"),
		wantErr: `heredoc`},
	{name: "a number cannot take a word", file: "main.tf",
		src:     "resource \"aws_s3_bucket_cors_configuration\" \"b\" {\n  bucket = \"b\"\n  cors_rule {\n    allowed_origins = [\"*\"]\n    max_age_seconds = 31536000\n  }\n}\n",
		r:       replace(5, "31536000", "a week"),
		wantErr: `holds a number and "a week" is not one`},
	{name: "no attribute on the line", file: "main.tf",
		src:     s3(`["https://app.example.com/"]`),
		r:       replace(3, "https://app.example.com/", "https://app.example.com"),
		wantErr: `no attribute starts at line 3`},
	{name: "corsguard's own policy file", file: ".corsguard.hcl",
		src:     "trusted_origins = [\"https://app.example.com/\"]\n",
		r:       replace(1, "https://app.example.com/", "https://app.example.com"),
		wantErr: `not applicable: corsguard's own policy file`},
	{name: "a file that does not parse", file: "main.tf",
		src:     "resource \"aws_s3_bucket\" \"b\" {\n  cors_rule {\n    allowed_origins = [\"https://a/\"\n",
		r:       replace(3, "https://a/", "https://a"),
		wantErr: `does not parse`},
}

func TestSpellReplaceValue(t *testing.T) { runSpellCases(t, replaceValueCases) }

var echoCases = []spellCase{
	{name: "a one-line list becomes the allowlist on one line", file: "main.tf",
		src: `resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = "NONE"
  cors {
    allow_credentials = true
    allow_origins     = ["*"] # echoed with credentials
    allow_methods     = ["GET"]
  }
}
`,
		r: echo(6, "https://app.example.com", "https://admin.example.com"),
		want: `resource "aws_lambda_function_url" "api" {
  function_name      = "api"
  authorization_type = "NONE"
  cors {
    allow_credentials = true
    allow_origins     = ["https://app.example.com", "https://admin.example.com"] # echoed with credentials
    allow_methods     = ["GET"]
  }
}
`},
	{name: "a multi-line list stays one element per line, indented as before (CRLF)", file: "main.tf",
		src:  strings.ReplaceAll("resource \"aws_lambda_function_url\" \"api\" {\n  function_name = \"api\"\n  cors {\n    allow_credentials = true\n    allow_origins = [\n      \"*\",\n    ]\n  }\n}\n", "\n", "\r\n"),
		r:    echo(5, "https://app.example.com", "https://admin.example.com"),
		want: strings.ReplaceAll("resource \"aws_lambda_function_url\" \"api\" {\n  function_name = \"api\"\n  cors {\n    allow_credentials = true\n    allow_origins = [\n      \"https://app.example.com\",\n      \"https://admin.example.com\",\n    ]\n  }\n}\n", "\n", "\r\n")},
	{name: "a registry module's input: the origins list inside the object", file: "main.tf",
		src:  "module \"fn\" {\n  source = \"terraform-aws-modules/lambda/aws\"\n  create_lambda_function_url = true\n  cors = {\n    allow_credentials = true\n    allow_origins     = [\"*\"]\n  }\n}\n",
		r:    echo(4, "https://app.example.com"),
		want: "module \"fn\" {\n  source = \"terraform-aws-modules/lambda/aws\"\n  create_lambda_function_url = true\n  cors = {\n    allow_credentials = true\n    allow_origins     = [\"https://app.example.com\"]\n  }\n}\n"},
	{name: "JSON syntax", file: "main.tf.json",
		src:  "{\"resource\": {\"aws_lambda_function_url\": {\"api\": {\"function_name\": \"api\", \"cors\": {\n  \"allow_credentials\": true,\n  \"allow_origins\": [\"*\"]\n}}}}}\n",
		r:    echo(3, "https://app.example.com", "https://admin.example.com"),
		want: "{\"resource\": {\"aws_lambda_function_url\": {\"api\": {\"function_name\": \"api\", \"cors\": {\n  \"allow_credentials\": true,\n  \"allow_origins\": [\"https://app.example.com\", \"https://admin.example.com\"]\n}}}}}\n"},
	{name: "no trusted origins declared: says what is needed", file: "main.tf",
		src:     s3(`["*"]`),
		r:       echo(5),
		wantErr: `no trusted origins are declared: declare them`},
	{name: "an origin that is not a serialised origin is not written", file: "main.tf",
		src:     s3(`["*"]`),
		r:       echo(5, "https://app.example.com/"),
		wantErr: `"https://app.example.com/" is not a serialised origin`},
	{name: "a list from a variable is replaced where it is set", file: "main.tf",
		src:     s3("var.origins"),
		r:       echo(5, "https://app.example.com"),
		wantErr: `unsure: allowed_origins at line 5 is var.origins, not a list written in this file`},
	{name: "a REST API echo mapping holds one value: an allowlist needs code", file: "main.tf",
		src:     "resource \"aws_api_gateway_integration_response\" \"ok\" {\n  status_code = \"200\"\n  response_parameters = {\n    \"method.response.header.Access-Control-Allow-Origin\" = \"method.request.header.Origin\"\n  }\n}\n",
		r:       rules.Remedy{Kind: rules.ReplaceEcho, At: atCol(4, 5), Origins: []string{"https://app.example.com"}},
		wantErr: `not applicable: API Gateway \(REST API\) sends method.response.header.Access-Control-Allow-Origin as one static value`},
}

func TestSpellReplaceEcho(t *testing.T) { runSpellCases(t, echoCases) }

func remove(line, col int, old string) rules.Remedy {
	return rules.Remedy{Kind: rules.RemoveDirective, At: atCol(line, col), Old: old}
}

var removeCases = []spellCase{
	{name: "a duplicate in the middle of a one-line list, with its comma", file: "main.tf",
		src:  s3(`["https://a.example.com", "https://b.example.com", "https://a.example.com"]`),
		r:    remove(5, 49, "https://b.example.com"),
		want: s3(`["https://a.example.com", "https://a.example.com"]`)},
	{name: "the last element of a one-line list takes the comma before it", file: "main.tf",
		src:  s3(`["https://a.example.com", "https://a.example.com"]`),
		r:    remove(5, 49, "https://a.example.com"),
		want: s3(`["https://a.example.com"]`)},
	{name: "an element alone on its line goes with the line and its comment", file: "main.tf",
		src:  "locals {\n  origins = [\n    \"https://a.example.com\",\n    \"https://a.example.com\", # again\n  ]\n}\n",
		r:    remove(4, 5, "https://a.example.com"),
		want: "locals {\n  origins = [\n    \"https://a.example.com\",\n  ]\n}\n"},
	{name: "JSON: the last element takes the comma before it", file: "main.tf.json",
		src:  "{\"locals\": {\"origins\": [\n  \"https://a.example.com\",\n  \"https://a.example.com\"\n]}}\n",
		r:    remove(3, 3, "https://a.example.com"),
		want: "{\"locals\": {\"origins\": [\n  \"https://a.example.com\"\n]}}\n"},
	{name: "a duplicate header of an agent's map", file: "consul.hcl",
		src:  "http_config {\n  response_headers {\n    \"Access-Control-Allow-Origin\" = \"https://ui.example.com\"\n    \"access-control-allow-origin\" = \"https://ui.example.com\"\n  }\n}\n",
		r:    remove(4, 5, ""),
		want: "http_config {\n  response_headers {\n    \"Access-Control-Allow-Origin\" = \"https://ui.example.com\"\n  }\n}\n"},
	{name: "the element at the evidence is not Old: unsure", file: "main.tf",
		src:     s3(`["https://a.example.com", "https://b.example.com"]`),
		r:       remove(5, 49, "https://a.example.com"),
		wantErr: `unsure: the element at line 5 is not "https://a.example.com"`},
}

func TestSpellRemoveDirective(t *testing.T) { runSpellCases(t, removeCases) }

var notApplicableCases = []spellCase{
	{name: "AddAlways on S3", file: "main.tf", src: s3(`["https://a.example.com"]`),
		r:       rules.Remedy{Kind: rules.AddAlways, At: atLine(5)},
		wantErr: `not applicable: S3 sends CORS headers itself`},
	{name: "AnswerPreflight on API Gateway v2", file: "main.tf",
		src:     "resource \"aws_apigatewayv2_api\" \"api\" {\n  name = \"api\"\n  cors_configuration {\n    allow_origins = [\"https://a.example.com\"]\n  }\n}\n",
		r:       rules.Remedy{Kind: rules.AnswerPreflight, At: atLine(4)},
		wantErr: `not applicable: API Gateway v2 sends CORS headers itself and answers preflights`},
	{name: "AnswerPreflight on a REST API needs new resources", file: "main.tf",
		src:     "resource \"aws_api_gateway_method_response\" \"r\" {\n  http_method = \"POST\"\n  response_parameters = {\n    \"method.response.header.Access-Control-Allow-Origin\" = true\n  }\n}\n",
		r:       rules.Remedy{Kind: rules.AnswerPreflight, At: atLine(3)},
		wantErr: `OPTIONS method .*corsguard does not write new resources`},
	{name: "AddAlways on a Nomad agent", file: "nomad.hcl",
		src:     "http_api_response_headers {\n  \"Access-Control-Allow-Origin\" = \"*\"\n}\n",
		r:       rules.Remedy{Kind: rules.AddAlways, Format: "nomad", At: atCol(2, 3)},
		wantErr: `not applicable: the Nomad agent sends CORS headers itself`},
	{name: "AddHeaders on Cloud Storage", file: "main.tf",
		src:     "resource \"google_storage_bucket\" \"b\" {\n  name = \"b\"\n  cors {\n    origin = [\"https://a.example.com\"]\n  }\n}\n",
		r:       rules.Remedy{Kind: rules.AddHeaders, At: atLine(4), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		wantErr: `not applicable: Cloud Storage sends CORS headers itself and has no setting for Vary`},
	{name: "AddHeaders on CloudFront: custom headers are not read by the model", file: "main.tf",
		src:     "resource \"aws_cloudfront_response_headers_policy\" \"p\" {\n  cors_config {\n    access_control_allow_origins {\n      items = [\"https://a.example.com\"]\n    }\n  }\n}\n",
		r:       rules.Remedy{Kind: rules.AddHeaders, At: atLine(4), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		wantErr: `custom_headers_config could add Vary, but corsguard does not read it`},
	{name: "AddHeaders through a registry module names the service", file: "main.tf",
		src:     "module \"b\" {\n  source = \"terraform-aws-modules/s3-bucket/aws\"\n  cors_rule = [{ allowed_origins = [\"https://a.example.com\"] }]\n}\n",
		r:       rules.Remedy{Kind: rules.AddHeaders, At: atLine(3), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		wantErr: `not applicable: S3 \(through module.b\) sends CORS headers itself`},
	{name: "AddHeaders on a REST API integration response needs the method response too", file: "main.tf",
		src:     "resource \"aws_api_gateway_integration_response\" \"ok\" {\n  status_code = \"200\"\n  response_parameters = {\n    \"method.response.header.Access-Control-Allow-Origin\" = \"'https://a.example.com'\"\n  }\n}\n",
		r:       rules.Remedy{Kind: rules.AddHeaders, At: atCol(4, 5), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		wantErr: `only when the method response declares it`},
}

func TestSpellNotApplicable(t *testing.T) { runSpellCases(t, notApplicableCases) }

var addHeadersCases = []spellCase{
	{name: "an agent's header map gains the header, aligned", file: "nomad.hcl",
		src:  "http_api_response_headers {\n  \"Access-Control-Allow-Origin\"  = \"https://ui.example.com\"\n  \"Access-Control-Allow-Methods\" = \"GET\"\n}\n",
		r:    rules.Remedy{Kind: rules.AddHeaders, Format: "nomad", At: atCol(2, 3), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		want: "http_api_response_headers {\n  \"Access-Control-Allow-Origin\"  = \"https://ui.example.com\"\n  \"Vary\"                         = \"Origin\"\n  \"Access-Control-Allow-Methods\" = \"GET\"\n}\n"},
	{name: "a gateway response's response_parameters gain the header", file: "main.tf",
		src:  "resource \"aws_api_gateway_gateway_response\" \"d4\" {\n  response_type = \"DEFAULT_4XX\"\n  response_parameters = {\n    \"gatewayresponse.header.Access-Control-Allow-Origin\" = \"'https://a.example.com'\"\n  }\n}\n",
		r:    rules.Remedy{Kind: rules.AddHeaders, At: atCol(4, 5), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		want: "resource \"aws_api_gateway_gateway_response\" \"d4\" {\n  response_type = \"DEFAULT_4XX\"\n  response_parameters = {\n    \"gatewayresponse.header.Access-Control-Allow-Origin\" = \"'https://a.example.com'\"\n    \"gatewayresponse.header.Vary\"                        = \"'Origin'\"\n  }\n}\n"},
	{name: "a Consul agent's JSON header map gains the header with JSON punctuation", file: "consul.json",
		src:  "{\n  \"http_config\": {\n    \"response_headers\": {\n      \"Access-Control-Allow-Origin\": \"https://ui.example.com\"\n    }\n  }\n}\n",
		r:    rules.Remedy{Kind: rules.AddHeaders, Format: "consul", At: atCol(4, 7), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		want: "{\n  \"http_config\": {\n    \"response_headers\": {\n      \"Access-Control-Allow-Origin\": \"https://ui.example.com\",\n      \"Vary\": \"Origin\"\n    }\n  }\n}\n"},
	{name: "a header the map already has", file: "nomad.hcl",
		src:     "http_api_response_headers {\n  \"Access-Control-Allow-Origin\" = \"https://ui.example.com\"\n  \"vary\" = \"Origin\"\n}\n",
		r:       rules.Remedy{Kind: rules.AddHeaders, At: atCol(2, 3), Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}},
		wantErr: `already in the map`},
}

func TestSpellAddHeaders(t *testing.T) { runSpellCases(t, addHeadersCases) }

// TestSpellConcurrent spells the remedies of several files from several
// goroutines at once, as a caller may: the file kept from the last read
// is shared, and every result is the one a lone call gives.
func TestSpellConcurrent(t *testing.T) {
	cases := replaceValueCases[:8]
	want := make([]string, len(cases))
	for i, tc := range cases {
		edits, err := Spell(tc.file, []byte(tc.src), tc.r)
		want[i] = fmtEdits(edits, err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				i := (g + n) % len(cases)
				edits, err := Spell(cases[i].file, []byte(cases[i].src), cases[i].r)
				if got := fmtEdits(edits, err); got != want[i] {
					t.Errorf("%s: concurrently %s, alone %s", cases[i].name, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func fmtEdits(edits []rules.Edit, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%+v", edits)
}

package hcl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// writeModule writes files into a fresh directory and returns it.
func writeModule(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// summary renders the facts of a policy one per line, so that a test case
// can state the facts it expects as plain text.
func summary(p rules.Policy) string {
	var lines []string
	for _, o := range p.Actual.Origins {
		switch o.Kind {
		case rules.OriginList:
			l := "origin list " + strings.Join(o.Values, ",")
			if o.Echo {
				l += " echo"
			}
			lines = append(lines, l)
		case rules.OriginPattern:
			lines = append(lines, fmt.Sprintf("origin pattern %s %s", o.Pattern.Dialect, o.Pattern.Expr))
		case rules.OriginUnknown:
			lines = append(lines, "origin unknown: "+o.Reason)
		default:
			lines = append(lines, "origin "+o.Kind.String())
		}
	}
	for _, h := range p.Actual.Headers {
		l := h.Name + "=" + h.Value.String()
		if !h.Always {
			l += " (not always)"
		}
		lines = append(lines, l)
	}
	for _, o := range p.Preflight.Grant.Origins {
		lines = append(lines, "preflight origin "+o.Kind.String())
	}
	lines = append(lines, fmt.Sprintf("preflight %s %d", p.Preflight.Kind, p.Preflight.Status))
	for _, n := range p.Notes {
		lines = append(lines, "note: "+n)
	}
	if p.Agent != nil {
		lines = append(lines, fmt.Sprintf("agent %s acl %s", p.Agent.Product, p.Agent.ACL))
	}
	if p.ServiceVary != "" {
		lines = append(lines, "service adds Vary: "+p.ServiceVary)
	}
	return strings.Join(lines, "\n")
}

func TestTerraformResources(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		// want maps a policy's scope name to facts its summary must contain.
		want map[string][]string
		// wantNot lists facts no policy may contain.
		wantNot []string
	}{
		{
			name: "S3 CORS configuration with literal values",
			files: map[string]string{"main.tf": `
resource "aws_s3_bucket_cors_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id
  cors_rule {
    allowed_origins = ["https://app.example.com", "https://admin.example.com"]
    allowed_methods = ["GET", "PUT"]
    allowed_headers = ["Content-Type"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
  cors_rule {
    allowed_origins = ["*"]
    allowed_methods = ["GET"]
  }
}`},
			want: map[string][]string{
				"aws_s3_bucket_cors_configuration.assets cors_rule[0]": {
					"origin list https://app.example.com,https://admin.example.com echo",
					`Access-Control-Allow-Credentials="true"`,
					`Access-Control-Allow-Methods="GET, PUT"`,
					`Access-Control-Allow-Headers="Content-Type"`,
					`Access-Control-Expose-Headers="ETag"`,
					`Access-Control-Max-Age="3000"`,
					"service adds Vary: S3 returns Vary on successful CORS evaluations",
					"preflight origin list",
					"preflight answered 200",
				},
				"aws_s3_bucket_cors_configuration.assets cors_rule[1]": {"origin any", `Access-Control-Allow-Methods="GET"`},
			},
		},
		{
			name: "S3 wildcard inside an origin is a glob pattern; * in allowed_headers echoes the request",
			files: map[string]string{"main.tf": `
resource "aws_s3_bucket_cors_configuration" "c" {
  bucket = "b"
  cors_rule {
    allowed_origins = ["https://*.example.com"]
    allowed_methods = ["PUT", "POST", "DELETE"]
    allowed_headers = ["*"]
  }
}`},
			want: map[string][]string{"aws_s3_bucket_cors_configuration.c cors_rule[0]": {
				"origin pattern glob https://*.example.com",
				"Access-Control-Allow-Headers=reflects request Access-Control-Request-Headers",
			}},
		},
		{
			name: "legacy aws_s3_bucket cors_rule from variables, tfvars and locals",
			files: map[string]string{
				"variables.tf": `
variable "origins" { default = ["https://default.example.com"] }
variable "methods" { default = ["GET"] }`,
				"locals.tf": `
locals {
  all     = concat(local.primary, var.origins)
  primary = [lower("HTTPS://APP.EXAMPLE.COM")]
}`,
				"main.tf": `
resource "aws_s3_bucket" "legacy" {
  bucket = "legacy"
  cors_rule {
    allowed_origins = local.all
    allowed_methods = var.methods
  }
}`,
				"terraform.tfvars":      `origins = ["https://tfvars.example.com"]`,
				"prod.auto.tfvars":      `methods = ["GET", "HEAD"]`,
				"unrelated.tfvars.back": `methods = ["DELETE"]`,
			},
			want: map[string][]string{"aws_s3_bucket.legacy cors_rule[0]": {
				"origin list https://app.example.com,https://tfvars.example.com echo",
				`Access-Control-Allow-Methods="GET, HEAD"`,
			}},
		},
		{
			name: "API Gateway v2 with credentials and * is rejected at deploy time",
			files: map[string]string{"main.tf": `
resource "aws_apigatewayv2_api" "api" {
  name          = "api"
  protocol_type = "HTTP"
  cors_configuration {
    allow_origins     = ["*"]
    allow_credentials = true
    allow_methods     = ["GET", "POST"]
    allow_headers     = ["authorization"]
    expose_headers    = ["x-request-id"]
    max_age           = 300
  }
}`},
			want: map[string][]string{"aws_apigatewayv2_api.api cors_configuration": {
				"origin any",
				`Access-Control-Allow-Credentials="true"`,
				`Access-Control-Allow-Headers="authorization"`,
				`Access-Control-Expose-Headers="x-request-id"`,
				`Access-Control-Max-Age="300"`,
				"note: API Gateway v2 " + NoteRejectsWildcardCredentials,
				"preflight answered",
			}},
			wantNot: []string{"Vary=", "service adds Vary"},
		},
		{
			name: "Lambda function URL with credentials from a tfvars value",
			files: map[string]string{
				"main.tf": `
variable "creds" { default = false }
resource "aws_lambda_function_url" "fn" {
  function_name = "fn"
  cors {
    allow_origins     = ["https://app.example.com"]
    allow_credentials = var.creds
    allow_methods     = ["*"]
  }
}`,
				"terraform.tfvars": "creds = true\n",
			},
			want: map[string][]string{"aws_lambda_function_url.fn cors": {
				"origin list https://app.example.com echo",
				`Access-Control-Allow-Credentials="true"`,
				`Access-Control-Allow-Methods="*"`,
			}},
			wantNot: []string{NoteRejectsWildcardCredentials},
		},
		{
			name: "CloudFront response headers policy, origin_override false",
			files: map[string]string{"main.tf": `
resource "aws_cloudfront_response_headers_policy" "p" {
  name = "p"
  cors_config {
    access_control_allow_credentials = true
    access_control_allow_headers { items = ["X-Token"] }
    access_control_allow_methods { items = ["GET", "POST"] }
    access_control_allow_origins { items = ["https://app.example.com"] }
    access_control_max_age_sec = 600
    origin_override            = false
  }
}`},
			want: map[string][]string{"aws_cloudfront_response_headers_policy.p cors_config": {
				"origin list https://app.example.com echo",
				`Access-Control-Allow-Credentials="true"`,
				`Access-Control-Allow-Methods="GET, POST"`,
				`Access-Control-Allow-Headers="X-Token"`,
				`Access-Control-Max-Age="600"`,
				"note: origin_override = false",
			}},
		},
		{
			name: "API Gateway v1: OPTIONS mock answers preflights, GET reflects Origin, method responses add nothing",
			files: map[string]string{"main.tf": `
resource "aws_api_gateway_method" "options" {
  http_method   = "OPTIONS"
  authorization = "NONE"
}
resource "aws_api_gateway_integration_response" "options" {
  http_method = aws_api_gateway_method.options.http_method
  status_code = "200"
  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"  = "'*'"
    "method.response.header.Access-Control-Allow-Methods" = "'GET,OPTIONS'"
  }
}
resource "aws_api_gateway_integration_response" "get" {
  http_method = "GET"
  status_code = "200"
  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin" = "method.request.header.Origin"
    "method.response.header.Access-Control-Allow-Credentials" = "'true'"
  }
}
resource "aws_api_gateway_method_response" "get" {
  http_method = "GET"
  status_code = "200"
  response_parameters = { "method.response.header.Access-Control-Allow-Origin" = true }
}`},
			want: map[string][]string{
				"aws_api_gateway_integration_response.options": {"preflight origin any", "preflight answered 200", "note: this response answers preflights only"},
				"aws_api_gateway_integration_response.get": {
					"origin reflect",
					// No selection_pattern: the default mapping for every
					// backend status, errors included.
					"Access-Control-Allow-Origin=reflects request Origin",
					`Access-Control-Allow-Credentials="true"`,
					"preflight unknown",
				},
			},
			wantNot: []string{"the method response only declares", "(not always)"},
		},
		{
			name: "API Gateway v1: a method response alone leaves the origin to the backend; gateway responses cover errors",
			files: map[string]string{"main.tf": `
resource "aws_api_gateway_method_response" "get" {
  http_method = "GET"
  status_code = "200"
  response_parameters = { "method.response.header.Access-Control-Allow-Origin" = true }
}
resource "aws_api_gateway_gateway_response" "d4xx" {
  response_type = "DEFAULT_4XX"
  response_parameters = {
    "gatewayresponse.header.Access-Control-Allow-Origin" = "'https://app.example.com'"
  }
}`},
			want: map[string][]string{
				"aws_api_gateway_method_response.get":   {"origin unknown: the method response only declares Access-Control-Allow-Origin"},
				"aws_api_gateway_gateway_response.d4xx": {"origin list https://app.example.com", "note: gateway response DEFAULT_4XX"},
			},
		},
		{
			name: "Azure web apps, function app slots and legacy App Service",
			files: map[string]string{"main.tf": `
resource "azurerm_linux_web_app" "web" {
  site_config {
    cors {
      allowed_origins     = ["https://portal.example.com"]
      support_credentials = true
    }
  }
}
resource "azurerm_windows_function_app_slot" "fn" {
  site_config {
    cors { allowed_origins = ["*"] }
  }
}
resource "azurerm_app_service" "old" {
  site_config {
    cors { allowed_origins = ["https://old.example.com"] }
  }
}`},
			want: map[string][]string{
				"azurerm_linux_web_app.web site_config.cors":            {"origin list https://portal.example.com echo", `Access-Control-Allow-Credentials="true"`, "preflight answered"},
				"azurerm_windows_function_app_slot.fn site_config.cors": {"origin any"},
				"azurerm_app_service.old site_config.cors":              {"origin list https://old.example.com echo", "note: App Service's platform CORS has no methods or headers settings"},
			},
		},
		{
			name: "Azure storage account blob, queue and share CORS rules",
			files: map[string]string{"main.tf": `
resource "azurerm_storage_account" "sa" {
  blob_properties {
    cors_rule {
      allowed_origins    = ["https://app.example.com"]
      allowed_methods    = ["GET", "PUT"]
      allowed_headers    = ["x-ms-*"]
      exposed_headers    = ["x-ms-meta-*"]
      max_age_in_seconds = 3600
    }
  }
  queue_properties {
    cors_rule {
      allowed_origins    = ["*"]
      allowed_methods    = ["DELETE"]
      allowed_headers    = ["*"]
      exposed_headers    = []
      max_age_in_seconds = 0
    }
  }
  share_properties {
    cors_rule {
      allowed_origins    = ["https://*.example.com"]
      allowed_methods    = ["GET"]
      allowed_headers    = []
      exposed_headers    = []
      max_age_in_seconds = 10
    }
  }
}`},
			want: map[string][]string{
				"azurerm_storage_account.sa blob_properties.cors_rule[0]": {
					"origin list https://app.example.com echo", `Access-Control-Allow-Headers="x-ms-*"`,
					`Access-Control-Expose-Headers="x-ms-meta-*"`, `Access-Control-Max-Age="3600"`, "service adds Vary: Azure Storage sets Vary: Origin",
				},
				"azurerm_storage_account.sa queue_properties.cors_rule[0]": {"origin any", `Access-Control-Allow-Methods="DELETE"`},
				"azurerm_storage_account.sa share_properties.cors_rule[0]": {"origin pattern glob https://*.example.com"},
			},
		},
		{
			name: "Google Cloud Storage bucket cors",
			files: map[string]string{"main.tf": `
resource "google_storage_bucket" "g" {
  name     = "g"
  location = "EU"
  cors {
    origin          = ["https://app.example.com"]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }
}`},
			want: map[string][]string{"google_storage_bucket.g cors[0]": {
				"origin list https://app.example.com echo",
				`Access-Control-Allow-Methods="GET, HEAD"`,
				`Access-Control-Allow-Headers="Content-Type"`,
				`Access-Control-Expose-Headers="Content-Type"`,
			}},
			// Cloud Storage does not document adding Vary: Origin.
			wantNot: []string{"Access-Control-Allow-Credentials", "service adds Vary"},
		},
		{
			name: "JSON syntax, including a template with a known prefix",
			files: map[string]string{"main.tf.json": `{
  "variable": {"env": {}, "origin": {"default": "https://json.example.com"}},
  "locals": {"o": "${var.origin}"},
  "resource": {
    "aws_apigatewayv2_api": {"api": {
      "name": "api",
      "cors_configuration": {
        "allow_origins": ["${local.o}", "https://${var.env}.example.com"],
        "allow_methods": ["GET"]
      }
    }},
    "aws_s3_bucket_cors_configuration": {"c": {
      "bucket": "b",
      "cors_rule": [
        {"allowed_origins": ["*"], "allowed_methods": ["PUT"]},
        {"allowed_origins": ["https://two.example.com"], "allowed_methods": ["GET"]}
      ]
    }}
  }
}`},
			want: map[string][]string{
				"aws_apigatewayv2_api.api cors_configuration": {
					"origin list https://json.example.com echo",
					"origin pattern glob https://*.example.com",
					"note: origin https://*.example.com is a pattern: only part of it is known (var.env has no default and no tfvars value)",
				},
				"aws_s3_bucket_cors_configuration.c cors_rule[0]": {"origin any"},
				"aws_s3_bucket_cors_configuration.c cors_rule[1]": {"origin list https://two.example.com echo"},
			},
		},
		{
			name: "dynamic blocks: known for_each expands, unknown for_each is one unknown policy",
			files: map[string]string{"main.tf": `
variable "rules" {
  default = [
    { origins = ["https://a.example.com"], methods = ["GET"] },
    { origins = ["https://b.example.com"], methods = ["PUT"] },
  ]
}
variable "more" {}
resource "aws_s3_bucket" "b" {
  dynamic "cors_rule" {
    for_each = var.rules
    content {
      allowed_origins = cors_rule.value.origins
      allowed_methods = cors_rule.value.methods
    }
  }
  dynamic "cors_rule" {
    for_each = var.more
    iterator = r
    content {
      allowed_origins = r.value
      allowed_methods = ["GET"]
    }
  }
}`},
			want: map[string][]string{
				"aws_s3_bucket.b cors_rule[0]": {"origin list https://a.example.com echo", `Access-Control-Allow-Methods="GET"`},
				"aws_s3_bucket.b cors_rule[1]": {"origin list https://b.example.com echo", `Access-Control-Allow-Methods="PUT"`},
				"aws_s3_bucket.b cors_rule[2]": {`origin unknown: dynamic "cors_rule" for_each = var.more: var.more has no default and no tfvars value`},
			},
		},
		{
			name: "template origins keep their known parts, through locals too",
			files: map[string]string{"main.tf": `
variable "env" {}
locals { site = "https://${var.env}.example.com" }
resource "google_storage_bucket" "g" {
  cors {
    origin = ["https://${var.env}.example.com", local.site, "https://app-${var.env}.example.com:8443"]
    method = ["GET"]
  }
}`},
			want: map[string][]string{"google_storage_bucket.g cors[0]": {
				"origin pattern glob https://*.example.com",
				"origin pattern glob https://app-*.example.com:8443",
			}},
		},
		{
			name: "unknown values say why",
			files: map[string]string{"main.tf": `
variable "origins" {}
resource "aws_s3_bucket_cors_configuration" "a" {
  cors_rule {
    allowed_origins = var.origins
    allowed_methods = ["GET"]
  }
}
resource "aws_s3_bucket_cors_configuration" "b" {
  cors_rule {
    allowed_origins = [module.site.origin, data.aws_ssm_parameter.o.value, "https://${aws_s3_bucket.x.bucket_domain_name}"]
    allowed_methods = [var.undeclared]
    max_age_seconds = file("age.txt")
  }
}`},
			want: map[string][]string{
				"aws_s3_bucket_cors_configuration.a cors_rule[0]": {"origin unknown: var.origins has no default and no tfvars value"},
				"aws_s3_bucket_cors_configuration.b cors_rule[0]": {
					"origin unknown: module.site.origin is an output of another module",
					"origin unknown: data.aws_ssm_parameter.o.value is read from a data source at plan time",
					"origin pattern glob https://*",
					"Access-Control-Allow-Methods=unknown (var.undeclared is not declared in the module)",
					`Access-Control-Max-Age=unknown (There is no function named "file"`,
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModule(t, tt.files)
			entry := "main.tf"
			if _, ok := tt.files[entry]; !ok {
				entry = "main.tf.json"
			}
			res := Parse(filepath.Join(dir, entry))
			for _, d := range res.Diagnostics {
				t.Errorf("unexpected diagnostic: %v", d)
			}
			got := map[string]string{}
			for _, p := range res.Policies {
				if p.Format != "terraform" {
					t.Errorf("%s: format %q", p.Scope.Name, p.Format)
				}
				got[p.Scope.Name] = summary(p)
			}
			for scope, facts := range tt.want {
				s, ok := got[scope]
				if !ok {
					t.Errorf("no policy %q; have %v", scope, keys(got))
					continue
				}
				for _, f := range facts {
					if !strings.Contains(s, f) {
						t.Errorf("%s: missing %q in\n%s", scope, f, s)
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d policies %v, want %d", len(got), keys(got), len(tt.want))
			}
			for _, not := range tt.wantNot {
				for scope, s := range got {
					if strings.Contains(s, not) {
						t.Errorf("%s: unexpected %q in\n%s", scope, not, s)
					}
				}
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestEvidenceRanges(t *testing.T) {
	dir := writeModule(t, map[string]string{"main.tf": `resource "aws_s3_bucket_cors_configuration" "c" {
  cors_rule {
    allowed_origins = ["https://app.example.com"]
    allowed_methods = ["GET"]
  }
}
`})
	path := filepath.Join(dir, "main.tf")
	res := Parse(path)
	if len(res.Policies) != 1 {
		t.Fatalf("got %d policies", len(res.Policies))
	}
	p := res.Policies[0]
	if want := (rules.Range{File: path, Line: 2, Col: 3, EndLine: 5, EndCol: 4}); p.Scope.Range != want {
		t.Errorf("scope range %+v, want %+v", p.Scope.Range, want)
	}
	list := p.Actual.Origins[0]
	if got := list.Evidence[0]; got.Range != (rules.Range{File: path, Line: 3, Col: 5, EndLine: 3, EndCol: 50}) ||
		got.Text != `allowed_origins = ["https://app.example.com"]` {
		t.Errorf("attribute evidence %+v", got)
	}
	if got := list.Evidence[1]; got.Range != (rules.Range{File: path, Line: 3, Col: 24, EndLine: 3, EndCol: 49}) {
		t.Errorf("element evidence %+v", got)
	}
	methods := p.Actual.Find(rules.HeaderAllowMethods)
	if len(methods) != 1 || methods[0].Evidence.Text != `allowed_methods = ["GET"]` || methods[0].Evidence.Range.Line != 4 {
		t.Errorf("methods evidence %+v", methods)
	}
}

func TestParseFilesAndDiagnostics(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		entry     string
		wantFiles []string
		wantDiag  string // substring of one diagnostic's Error(), "" for none
		policies  int
	}{
		{
			name: "each file of a module is its own entry, evaluated with the module as context",
			files: map[string]string{
				"a.tf": `variable "o" {}`, "b.tf.json": `{"resource": {"google_storage_bucket": {"g": {"cors": [{"origin": ["${var.o}"]}]}}}}`,
				"terraform.tfvars": `o = "https://x.example.com"`, "x.auto.tfvars": ``,
				"notes.txt": "", "other.tfvars": `o = "ignored: not loaded automatically"`,
			},
			entry:     "b.tf.json",
			wantFiles: []string{"b.tf.json"},
			policies:  1,
		},
		{
			name:      "a lone tfvars file yields no policies",
			files:     map[string]string{"terraform.tfvars": `origins = ["*"]`},
			entry:     "terraform.tfvars",
			wantFiles: []string{"terraform.tfvars"},
		},
		{
			name:      "bad HCL is a diagnostic with file:line:col",
			files:     map[string]string{"main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  cors_rule {\n    allowed_origins = [\n}\n"},
			entry:     "main.tf",
			wantFiles: []string{"main.tf"},
			wantDiag:  "main.tf:4:1: ",
		},
		{
			name:      "bad tfvars is a diagnostic too",
			files:     map[string]string{"terraform.tfvars": "origins = [\n"},
			entry:     "terraform.tfvars",
			wantFiles: []string{"terraform.tfvars"},
			wantDiag:  "terraform.tfvars:",
		},
		{
			name: "a syntax error in one file does not hide the others' resources",
			files: map[string]string{
				"broken.tf": "locals {\n  x = \n}\n",
				"main.tf":   "resource \"google_storage_bucket\" \"g\" {\n  cors {\n    origin = [\"*\"]\n  }\n}\n",
			},
			entry:     "main.tf",
			wantFiles: []string{"main.tf"},
			policies:  1,
		},
		{
			name: "a syntax error is reported with the file it is in",
			files: map[string]string{
				"broken.tf": "locals {\n  x = \n}\n",
				"main.tf":   "resource \"google_storage_bucket\" \"g\" {\n  cors {\n    origin = [\"*\"]\n  }\n}\n",
			},
			entry:     "broken.tf",
			wantFiles: []string{"broken.tf"},
			wantDiag:  "broken.tf:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModule(t, tt.files)
			res := Parse(filepath.Join(dir, tt.entry))
			var want []string
			for _, f := range tt.wantFiles {
				want = append(want, filepath.Join(dir, f))
			}
			if fmt.Sprint(res.Files) != fmt.Sprint(want) {
				t.Errorf("files %v, want %v", res.Files, want)
			}
			if len(res.Policies) != tt.policies {
				t.Errorf("got %d policies, want %d", len(res.Policies), tt.policies)
			}
			found := tt.wantDiag == ""
			for _, d := range res.Diagnostics {
				if tt.wantDiag != "" && strings.Contains(d.Error(), tt.wantDiag) {
					found = true
				} else if tt.wantDiag == "" {
					t.Errorf("unexpected diagnostic %v", d)
				}
			}
			if !found {
				t.Errorf("no diagnostic containing %q in %v", tt.wantDiag, res.Diagnostics)
			}
		})
	}
}

func TestAgentConfigs(t *testing.T) {
	tests := []struct {
		name, file, src string
		wantFormat      string
		want            []string
	}{
		{
			name: "Nomad HCL 1 block with quoted keys", file: "nomad.hcl",
			src: `datacenter = "dc1"
client { meta { "team" = "x" } }
# http_api_response_headers { "Access-Control-Allow-Origin" = "https://commented.example" }
http_api_response_headers {
  "Access-Control-Allow-Origin"  = "*"
  "Access-Control-Allow-Headers" = "X-Nomad-Token"
}
`,
			wantFormat: "nomad",
			want:       []string{"origin any", `Access-Control-Allow-Origin="*"`, `Access-Control-Allow-Headers="X-Nomad-Token"`, "preflight unknown"},
		},
		{
			name: "Consul nested response_headers, map assignment form", file: "consul.hcl",
			src: `server = true
http_config {
  response_headers = {
    "Access-Control-Allow-Origin" = "https://ui.example.com" # a brace in a comment {
    "X-Frame-Options"             = "DENY"
  }
}
`,
			wantFormat: "consul",
			want:       []string{"origin list https://ui.example.com", `Access-Control-Allow-Origin="https://ui.example.com"`},
		},
		{
			name: "Nomad JSON configuration", file: "nomad.json",
			src: `{
  "datacenter": "dc1",
  "http_api_response_headers": {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "X-Nomad-Token"
  }
}
`,
			wantFormat: "nomad",
			want:       []string{"origin any", `Access-Control-Allow-Headers="X-Nomad-Token"`},
		},
		{
			name: "Consul JSON configuration", file: "consul.json",
			src:        `{"server": true, "http_config": {"response_headers": {"Access-Control-Allow-Origin": "https://ui.example.com", "X-Frame-Options": "DENY"}}}`,
			wantFormat: "consul",
			want:       []string{"origin list https://ui.example.com", "agent Consul acl unset"},
		},
		{
			name: "Nomad with ACLs enabled (deny by default)", file: "nomad.hcl",
			src: `acl {
  enabled = true
}
http_api_response_headers {
  "Access-Control-Allow-Origin" = "*"
}
`,
			wantFormat: "nomad",
			want:       []string{"origin any", "agent Nomad acl on"},
		},
		{
			name: "Nomad with ACLs disabled", file: "nomad.hcl",
			src:        "acl {\n  enabled = false\n}\n\n\nhttp_api_response_headers {\n  \"Access-Control-Allow-Origin\" = \"*\"\n}\n",
			wantFormat: "nomad",
			want:       []string{"agent Nomad acl off"},
		},
		{
			name: "Consul JSON, ACLs enabled with default deny", file: "consul.json",
			src:        `{"acl": {"enabled": true, "default_policy": "deny", "tokens": {"agent": "x"}}, "http_config": {"response_headers": {"Access-Control-Allow-Origin": "*"}}}`,
			wantFormat: "consul",
			want:       []string{"agent Consul acl on"},
		},
		{
			name: "Consul ACLs enabled, default policy left at allow", file: "consul.hcl",
			src: `acl {
  enabled = true
  tokens {
    default_policy = "deny" # a nested block's key, not the ACL default
  }
}
http_config {
  response_headers { "Access-Control-Allow-Origin" = "*" }
}
`,
			wantFormat: "consul",
			want:       []string{"agent Consul acl off"},
		},
		{
			name: "Consul pre-1.4 top-level ACL settings", file: "consul.hcl",
			src: `acl_datacenter     = "dc1"
acl_default_policy = "deny"
http_config {
  response_headers { "Access-Control-Allow-Origin" = "*" }
}
`,
			wantFormat: "consul",
			want:       []string{"agent Consul acl on"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModule(t, map[string]string{tt.file: tt.src})
			path := filepath.Join(dir, tt.file)
			if !Detect(path, []byte(tt.src)) {
				t.Fatal("Detect = false")
			}
			res := Parse(path)
			if len(res.Diagnostics) > 0 || len(res.Policies) != 1 {
				t.Fatalf("policies %d, diagnostics %v", len(res.Policies), res.Diagnostics)
			}
			p := res.Policies[0]
			if p.Format != tt.wantFormat {
				t.Errorf("format %q, want %q", p.Format, tt.wantFormat)
			}
			s := summary(p)
			for _, f := range tt.want {
				if !strings.Contains(s, f) {
					t.Errorf("missing %q in\n%s", f, s)
				}
			}
			if strings.Contains(s, "X-Frame-Options") || strings.Contains(s, "commented") {
				t.Errorf("non-CORS or commented headers leaked:\n%s", s)
			}
			acao := p.Actual.Find(rules.HeaderAllowOrigin)[0]
			if acao.Evidence.Range.Line < 4 && tt.wantFormat == "nomad" {
				t.Errorf("evidence line %d points before the block", acao.Evidence.Range.Line)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, head string
		want       bool
	}{
		{"main.tf", "", true},
		{"main.tf.json", "{}", true},
		{"terraform.tfvars", "", true},
		{"prod.auto.tfvars.json", "{}", true},
		{"nomad.hcl", "http_api_response_headers {", true},
		{"consul.hcl", "http_config { }", true},
		{"consul.json", `{"http_config": {}}`, true},
		{"package.json", `{"name": "x"}`, false},
		{"job.nomad.hcl", `job "x" {}`, false},
		{"repo/.corsguard.hcl", "http_config {}", false},
		{"nginx.conf", "", false},
		{"main.tf.bak", "", false},
	}
	for _, tt := range tests {
		if got := Detect(tt.path, []byte(tt.head)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

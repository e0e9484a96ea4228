package hcl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/lint/source"
)

// originsOf parses a one-file module whose S3 rule takes its origins from
// the expression given, and returns the policy's summary.
func originsOf(t *testing.T, locals, origins string) string {
	t.Helper()
	src := "locals {\n" + locals + "\n}\n" + `resource "aws_s3_bucket_cors_configuration" "b" {
  cors_rule {
    allowed_origins = ` + origins + `
    allowed_methods = ["GET"]
  }
}
`
	res := Parse(filepath.Join(writeModule(t, map[string]string{"main.tf": src}), "main.tf"))
	if len(res.Diagnostics) > 0 || len(res.Policies) != 1 {
		t.Fatalf("diagnostics %v, %d policies", res.Diagnostics, len(res.Policies))
	}
	return summary(res.Policies[0])
}

func doubling(n int, first, step string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "  a0 = %s\n", first)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "  a%d = %s\n", i, strings.ReplaceAll(step, "PREV", fmt.Sprintf("local.a%d", i-1)))
	}
	return sb.String()
}

// budgetReason matches the reason an unknown value gives when a budget
// stopped its evaluation: the words, then the expression's file:line.
var budgetReason = regexp.MustCompile(`evaluation budget exceeded at [^ ]*main\.tf:\d+: `)

func TestExpansionBombsStopWithAReason(t *testing.T) {
	tests := []struct {
		name, locals, origins string
	}{
		{"template doubling", doubling(40, `"https://x.example.com"`, `"${PREV}${PREV}"`), "[local.a40]"},
		{"concat doubling", doubling(40, `["https://x.example.com"]`, `concat(PREV, PREV)`), "local.a40"},
		{"for expression squared", `  n = range(1000)`, `[for a in local.n : join("", [for b in local.n : "https://x.example.com"])]`},
		{"format padding", `  x = 1`, `[format("%0900000000d", local.x)]`},
		{"replace at every position", "  s = \"https://x.example.com\"\n  s2 = join(\"\", [for i in range(1000) : local.s])\n  s3 = join(\"\", [for i in range(100) : local.s2])",
			`[replace(local.s, "", local.s3)]`},
		{"setproduct", `  l = range(200)`, `[for p in setproduct(local.l, local.l, local.l, local.l) : "https://x"]`},
		{"nested for", `  l = [for i in range(1000) : "https://x.example.com"]`, `[for a in local.l : [for b in local.l : a]]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := originsOf(t, tt.locals, tt.origins)
			if !budgetReason.MatchString(s) {
				t.Errorf("no budget reason in\n%s", s)
			}
		})
	}
}

func TestBudgetLeavesOrdinaryValuesAlone(t *testing.T) {
	tests := []struct {
		name, locals, origins, want string
	}{
		{"a thousand-entry list built with for", `  envs = [for i in range(1000) : "app${i}"]`,
			`[for e in slice(local.envs, 0, 2) : "https://${e}.example.com"]`, "origin list https://app0.example.com,https://app1.example.com echo"},
		{"a long chain of locals", doubling(5000, `"https://x.example.com"`, `PREV`), "[local.a5000]", "origin list https://x.example.com echo"},
		{"doubling within the budget", doubling(10, `"a"`, `"${PREV}${PREV}"`), `["https://${substr(local.a10, 0, 3)}.example.com"]`, "origin list https://aaa.example.com echo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s := originsOf(t, tt.locals, tt.origins); !strings.Contains(s, tt.want) {
				t.Errorf("missing %q in\n%s", tt.want, s)
			}
		})
	}
}

func TestLocalCycleIsUnknown(t *testing.T) {
	s := originsOf(t, "  a = local.b\n  b = local.a", "[local.a]")
	if !strings.Contains(s, "refers to itself") {
		t.Errorf("no cycle reason in\n%s", s)
	}
}

// A module is evaluated as a whole, but each of its files yields only the
// resources written in it, so that linting a directory reports every
// resource once and naming one file reports that file.
func TestEachFileYieldsItsOwnResources(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"locals.tf": `locals { origin = "https://app.example.com" }`,
		"a.tf":      gcsBucket("a", "[local.origin]"),
		"b.tf":      gcsBucket("b", `["*"]`),
	})
	got := map[string]string{}
	for _, f := range []string{"locals.tf", "a.tf", "b.tf"} {
		for _, p := range Parse(filepath.Join(dir, f)).Policies {
			got[p.Scope.Name] = f + ": " + summary(p)
		}
	}
	if !strings.HasPrefix(got["google_storage_bucket.a cors[0]"], "a.tf: origin list https://app.example.com") {
		t.Errorf("a: %q", got["google_storage_bucket.a cors[0]"])
	}
	if !strings.HasPrefix(got["google_storage_bucket.b cors[0]"], "b.tf: origin any") {
		t.Errorf("b: %q", got["google_storage_bucket.b cors[0]"])
	}
	if len(got) != 2 {
		t.Errorf("got %d policies: %v", len(got), got)
	}
}

// A later run in the same process sees the files as they are now.
func TestModuleIsReloadedWhenItChanges(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"vars.tf": `locals { origin = "https://one.example.com" }`,
		"main.tf": gcsBucket("g", "[local.origin]"),
	})
	main := filepath.Join(dir, "main.tf")
	if s := summary(Parse(main).Policies[0]); !strings.Contains(s, "one.example.com") {
		t.Fatalf("first run: %s", s)
	}
	if err := os.WriteFile(filepath.Join(dir, "vars.tf"), []byte(`locals { origin = "https://two.example.com" }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if s := summary(Parse(main).Policies[0]); !strings.Contains(s, "two.example.com") {
		t.Errorf("second run still sees the old module: %s", s)
	}
}

func TestOversizedSiblingIsReportedAndSkipped(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"main.tf": gcsBucket("g", `["https://app.example.com"]`),
	})
	big := filepath.Join(dir, "big.tf")
	// A sparse file: over the limit by size, and never read.
	if err := os.WriteFile(big, []byte(gcsBucket("huge", `["*"]`)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, source.MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	res := Parse(filepath.Join(dir, "main.tf"))
	if len(res.Policies) != 1 || res.Policies[0].Scope.Name != "google_storage_bucket.g cors[0]" {
		t.Errorf("policies %v", res.Policies)
	}
	want := big + ":1: file is 10 MB, larger than the 10 MB limit"
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Error() != want {
		t.Errorf("diagnostics %v, want %q", res.Diagnostics, want)
	}
}

func gcsBucket(name, origins string) string {
	return fmt.Sprintf("resource \"google_storage_bucket\" %q {\n  cors {\n    origin = %s\n  }\n}\n", name, origins)
}

// count and for_each with known values map one policy per instance, named
// as Terraform addresses it; count = 0 maps none.
func TestCountAndForEachInstances(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]string // scope name → a fact of its summary
	}{
		{"count = 0 is no resource", `
resource "google_storage_bucket" "g" {
  count = 0
  cors {
    origin = ["*"]
  }
}`, map[string]string{}},
		{"count from a variable, per index", `
variable "n" { default = 2 }
locals { origins = ["https://a.example.com", "https://b.example.com"] }
resource "google_storage_bucket" "g" {
  count = var.n
  cors {
    origin = [local.origins[count.index]]
  }
}`, map[string]string{
			"google_storage_bucket.g[0] cors[0]": "origin list https://a.example.com",
			"google_storage_bucket.g[1] cors[0]": "origin list https://b.example.com",
		}},
		{"for_each over a map", `
resource "aws_s3_bucket_cors_configuration" "c" {
  for_each = { site = "https://www.example.com", admin = "https://admin.example.com" }
  cors_rule {
    allowed_origins = [each.value]
    allowed_methods = ["GET"]
  }
}`, map[string]string{
			`aws_s3_bucket_cors_configuration.c["admin"] cors_rule[0]`: "origin list https://admin.example.com",
			`aws_s3_bucket_cors_configuration.c["site"] cors_rule[0]`:  "origin list https://www.example.com",
		}},
		{"for_each over a set from toset", `
resource "google_storage_bucket" "g" {
  for_each = toset(["https://x.example.com"])
  cors {
    origin = [each.key]
  }
}`, map[string]string{`google_storage_bucket.g["https://x.example.com"] cors[0]`: "origin list https://x.example.com"}},
		{"unknown count maps one instance and says why", `
variable "n" {}
resource "google_storage_bucket" "g" {
  count = var.n
  cors {
    origin = ["*"]
  }
}`, map[string]string{"google_storage_bucket.g cors[0]": "note: count = var.n is not known (var.n has no default and no tfvars value): mapped as one instance"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse(filepath.Join(writeModule(t, map[string]string{"main.tf": tt.src}), "main.tf"))
			if len(res.Diagnostics) > 0 {
				t.Fatalf("diagnostics %v", res.Diagnostics)
			}
			got := map[string]string{}
			for _, p := range res.Policies {
				got[p.Scope.Name] = summary(p)
			}
			for scope, fact := range tt.want {
				if !strings.Contains(got[scope], fact) {
					t.Errorf("%s: missing %q in\n%s", scope, fact, got[scope])
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got policies %v, want %d", got, len(tt.want))
			}
		})
	}
}

// A local module is evaluated with the call's arguments bound to its
// variables; its policies are named through the call and located at it.
func TestLocalModuleCalls(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("modules/bucket/main.tf", `
variable "origins" { default = ["*"] }
variable "env" {}
resource "google_storage_bucket" "b" {
  name = "b-${var.env}"
  cors {
    origin = var.origins
  }
}
`)
	write("modules/site/main.tf", `
variable "site" {}
module "inner" {
  source  = "../bucket"
  origins = ["https://${var.site}"]
  env     = "prod"
}
`)
	write("live/main.tf", `
variable "region" {}
module "assets" {
  source  = "../modules/bucket"
  origins = ["https://app.example.com"]
  env     = var.region
}
module "site" {
  source = "../modules/site"
  site   = "www.example.com"
}
module "self" {
  source = "./"
}
`)
	res := Parse(filepath.Join(root, "live", "main.tf"))
	got := map[string]string{}
	for _, p := range res.Policies {
		got[p.Scope.Name] = summary(p)
		if p.Scope.Range.File != filepath.Join(root, "live", "main.tf") {
			t.Errorf("%s located in %s", p.Scope.Name, p.Scope.Range.File)
		}
	}
	if s := got["module.assets.google_storage_bucket.b cors[0]"]; !strings.Contains(s, "origin list https://app.example.com") {
		t.Errorf("assets: the call's origins are not bound:\n%s", s)
	}
	if s := got["module.site.module.inner.google_storage_bucket.b cors[0]"]; !strings.Contains(s, "origin list https://www.example.com") {
		t.Errorf("nested call: %q", s)
	}
	if s := got["module.self"]; !strings.Contains(s, "a cycle, which Terraform rejects") {
		t.Errorf("a module calling itself is a cycle; got policies %v", keys(got))
	}
	if len(got) != 3 {
		t.Errorf("got policies %v, want 3", keys(got))
	}
}

package nginx

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

func TestIncludes(t *testing.T) {
	cors := "add_header Access-Control-Allow-Origin $http_origin always;\nadd_header Vary Origin always;\n"
	tests := []struct {
		name      string
		files     map[string]string
		entry     string
		scopes    []string
		diags     []string
		warnings  []string
		files2    []string // base names of files read, in order
		reflectIn []string // scopes whose actual grant reflects the Origin
	}{
		{name: "same snippet included in two locations yields facts in both",
			files: map[string]string{
				"nginx.conf": "http {\n server {\n  server_name a.test;\n  location /a { include snippets/cors.conf; proxy_pass http://a; }\n" +
					"  location /b { include snippets/cors.conf; proxy_pass http://b; }\n }\n}\n",
				"snippets/cors.conf": cors,
			},
			entry:     "nginx.conf",
			scopes:    []string{"server a.test > location /a", "server a.test > location /b"},
			files2:    []string{"nginx.conf", "cors.conf"},
			reflectIn: []string{"server a.test > location /a", "server a.test > location /b"}},
		{name: "glob include, sorted, relative to the prefix",
			files: map[string]string{
				"nginx.conf":         "http {\n include conf.d/*.conf;\n}\n",
				"conf.d/b.conf":      "server { server_name b.test; location / { include snippets/cors.conf; return 204; } }\n",
				"conf.d/a.conf":      "server { server_name a.test; location / { add_header Access-Control-Allow-Origin *; return 204; } }\n",
				"conf.d/skip.txt":    "garbage",
				"snippets/cors.conf": cors,
			},
			entry:     "nginx.conf",
			scopes:    []string{"server a.test > location /", "server b.test > location /"},
			files2:    []string{"nginx.conf", "a.conf", "b.conf", "cors.conf"},
			reflectIn: []string{"server b.test > location /"}},
		{name: "site file linted alone resolves includes from the directory holding nginx.conf",
			files: map[string]string{
				"nginx.conf":             "http { include sites-enabled/*; }\n",
				"sites-enabled/api":      "server {\n server_name api.test;\n location / { include snippets/cors.conf; proxy_pass http://a; }\n}\n",
				"snippets/cors.conf":     cors,
				"sites-enabled/.keep.md": "",
			},
			entry:     "sites-enabled/api",
			scopes:    []string{"server api.test > location /"},
			files2:    []string{"api", "cors.conf"},
			reflectIn: []string{"server api.test > location /"}},
		{name: "map body kept in its own file",
			files: map[string]string{
				"nginx.conf":       "http {\n map $http_origin $cors { include cors-origins.map; }\n server { location / { add_header Access-Control-Allow-Origin $cors; return 204; } }\n}\n",
				"cors-origins.map": "default \"\";\n~^https://a\\.test$ $http_origin;\n",
			},
			entry:  "nginx.conf",
			scopes: []string{"server > location /"},
			files2: []string{"nginx.conf", "cors-origins.map"}},
		{name: "missing include is a warning at the include line (linted without it), parsing continues",
			files: map[string]string{
				"nginx.conf": "http {\n server {\n  location / {\n   include snippets/cors.conf;\n   add_header Access-Control-Allow-Origin *;\n   return 204;\n  }\n }\n}\n",
			},
			entry:    "nginx.conf",
			scopes:   []string{"server > location /"},
			warnings: []string{`nginx.conf:4: include "snippets/cors.conf": no such file in the linted tree; linted without it`},
			files2:   []string{"nginx.conf"}},
		{name: "a glob matching nothing is fine (nginx accepts it)",
			files: map[string]string{
				"nginx.conf": "http { include conf.d/*.conf; server { location / { add_header Access-Control-Allow-Origin *; return 204; } } }\n",
			},
			entry:  "nginx.conf",
			scopes: []string{"server > location /"},
			files2: []string{"nginx.conf"}},
		{name: "include loop is a diagnostic, parsing continues",
			files: map[string]string{
				"nginx.conf": "http {\n include a.conf;\n server { location / { add_header Access-Control-Allow-Origin *; return 204; } }\n}\n",
				"a.conf":     "include b.conf;\n",
				"b.conf":     "include a.conf;\n",
			},
			entry:  "nginx.conf",
			scopes: []string{"server > location /"},
			diags:  []string{"b.conf:1: include loop: A/a.conf -> A/b.conf -> A/a.conf"},
			files2: []string{"nginx.conf", "a.conf", "b.conf"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			res := Parse(filepath.Join(dir, tc.entry))
			var diags []string
			for _, d := range diagnostics(res) {
				diags = append(diags, strings.ReplaceAll(d, dir, "A"))
			}
			equal(t, "diagnostics", diags, tc.diags)
			equal(t, "warnings", diagnostics(rules.ParseResult{Diagnostics: res.Warnings}), tc.warnings)
			equal(t, "scopes", scopes(res), tc.scopes)
			var read []string
			for _, f := range res.Files {
				read = append(read, filepath.Base(f))
			}
			equal(t, "files", read, tc.files2)
			for _, s := range tc.reflectIn {
				p := policy(t, res, s)
				equal(t, s+" origins", origins(p.Actual.Origins), []string{"reflect"})
			}
		})
	}
}

func TestBrokenInput(t *testing.T) {
	big := bytes.Repeat([]byte("# padding padding padding padding padding padding padding\n"), (MaxFileSize/58)+10)
	tests := []struct {
		name  string
		data  []byte
		diag  string // substring of the single diagnostic, with file:line
		scope string // a policy that must still come out
	}{
		{name: "truncated file (unbalanced braces)",
			data: []byte("http {\n server {\n  location / {\n   add_header Access-Control-Allow-Origin *;\n"),
			diag: `nginx.conf:5: unexpected end of file, expecting "}" (unbalanced braces: the file looks truncated); the block opened at line 3 is never closed`},
		{name: "stray closing brace",
			data: []byte("http {\n}\n}\n"),
			diag: `nginx.conf:3: unexpected "}"`},
		{name: "binary file",
			data: []byte("\x7fELF\x02\x01\x01\x00\x00\x00"),
			diag: "nginx.conf:1: binary file (NUL byte), not nginx configuration"},
		{name: "invalid UTF-8 garbage",
			data: bytes.Repeat([]byte{0xff, 0xfe, 'a'}, 100),
			diag: "nginx.conf:1: binary file (invalid UTF-8), not nginx configuration"},
		{name: "file over 10 MB",
			data: big,
			diag: "nginx.conf is 10486284 bytes, larger than the 10 MB limit; not read"},
		{name: "not nginx",
			data: []byte("hello world;\nthis is prose;\n"),
			diag: "nginx.conf:1: no nginx directives found: not nginx configuration"},
		{name: "input that makes crossplane panic is a diagnostic",
			data: []byte("server { if () { return 1; } listen 80;; }"),
			diag: "nginx.conf:1: nginx-go-crossplane failed on this file"},
		{name: "genuine syntax error is reported, the rest still parses",
			data:  []byte("http {\n server {\n  location / {\n   add_header;\n   add_header Access-Control-Allow-Origin *;\n   return 204;\n  }\n }\n}\n"),
			diag:  `nginx.conf:4: invalid number of arguments in "add_header" directive`,
			scope: "server > location /"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "nginx.conf")
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			res := Parse(p)
			d := diagnostics(res)
			if len(d) != 1 || !strings.Contains(d[0], tc.diag) {
				t.Errorf("diagnostics %q, want one containing %q", d, tc.diag)
			}
			if tc.scope != "" {
				policy(t, res, tc.scope)
			}
		})
	}
}

func TestMissingEntryFile(t *testing.T) {
	res := Parse(filepath.Join(t.TempDir(), "nope.conf"))
	if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "no such file") {
		t.Errorf("diagnostics %v", res.Diagnostics)
	}
	if res.Files == nil || len(res.Files) != 0 {
		t.Errorf("files %v, want empty", res.Files)
	}
}

// Directives of common modules (Lua, headers-more, njs...) are accepted; a
// directive no table knows is reported as nginx -t would, and the rest of
// the file is still analysed.
func TestUnknownDirectives(t *testing.T) {
	res := parseConf(t, `http {
server {
  location / {
    my_vendor_directive on 42;
    vendor_block foo { anything goes; }
    more_set_headers 'X-A: b';
    content_by_lua_block {
      local t = { a = 1 }
      ngx.say("{")
    }
    add_heder Access-Control-Allow-Credentials true;
    add_header Access-Control-Allow-Origin *;
  }
}
}`)
	equal(t, "diagnostics", diagnostics(res), []string{
		`nginx.conf:11: unknown directive "add_heder"`,
		`nginx.conf:4: unknown directive "my_vendor_directive"`,
		`nginx.conf:5: unknown directive "vendor_block"`,
	})
	p := policy(t, res, "location /")
	equal(t, "origins", origins(p.Actual.Origins), []string{"any"})
	if p.Preflight.Kind != 2 { // to-app: content_by_lua decides
		t.Errorf("preflight %v", p.Preflight.Kind)
	}
}

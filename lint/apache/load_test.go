package apache

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// TestLexer: httpd's line rules.
func TestLexer(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // "line:text"
	}{
		{"comments only at line start", "# comment\n  # indented comment\nHeader set X \"a#b\" # not a comment\n",
			[]string{`3:Header set X "a#b" # not a comment`}},
		{"backslash continuation joins lines", "Header set \\\n  X \\\n  y\nNext\n",
			[]string{"1:Header set   X   y", "4:Next"}},
		{"escaped backslash at end is not a continuation", "A b\\\\\nB\n", []string{`1:A b\\`, "2:B"}},
		{"a comment ending in a backslash swallows the next line", "# off \\\nHeader set X y\nZ\n", []string{"3:Z"}},
		{"CRLF line ends", "A 1\r\nB 2\r\n", []string{"1:A 1", "2:B 2"}},
		{"continuation on the last line", "A \\", []string{"1:A"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			splitLines(c.src, func(l logicalLine) {
				got = append(got, strconv.Itoa(l.line)+":"+l.text)
			})
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestTokenize: ap_getword_conf's quoting.
func TestTokenize(t *testing.T) {
	cases := []struct {
		in           string
		want         []string
		unterminated bool
	}{
		{`set X "a b"`, []string{"set", "X", "a b"}, false},
		{`'single quoted' x`, []string{"single quoted", "x"}, false},
		{`"say \"hi\"" next`, []string{`say "hi"`, "next"}, false},
		{`"^https://(.+\.)?example\.com$"`, []string{`^https://(.+\.)?example\.com$`}, false},
		{`a\\b`, []string{`a\b`}, false},
		{`"never closed`, []string{"never closed"}, true},
		{`expr=%{HTTP:Origin}`, []string{"expr=%{HTTP:Origin}"}, false},
	}
	for _, c := range cases {
		got, un := tokenize(c.in, nil)
		if strings.Join(got, "|") != strings.Join(c.want, "|") || un != c.unterminated {
			t.Errorf("tokenize(%q) = %q, %v; want %q, %v", c.in, got, un, c.want, c.unterminated)
		}
	}
}

// TestIncludes: a Debian-style tree, resolved relative to the entry file.
func TestIncludes(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"apache2.conf": `ServerRoot "/etc/apache2"
IncludeOptional mods-enabled/*.load
IncludeOptional conf-enabled/*.conf
IncludeOptional sites-enabled/*.conf
IncludeOptional does-not-exist/*.conf
`,
		"mods-enabled/headers.load": "LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n",
		"conf-enabled/cors.conf":    "Define CORS_ORIGIN https://app.example.com\n",
		"sites-enabled/api.conf": `<VirtualHost *:443>
    ServerName api.example.com
    Include /etc/apache2/snippets/cors.conf
</VirtualHost>
`,
		"snippets/cors.conf": `Header always set Access-Control-Allow-Origin "${CORS_ORIGIN}"
`,
		".htaccess": "Header set Access-Control-Allow-Origin *\n",
	})
	res := Parse(filepath.Join(dir, "apache2.conf"))
	noDiagnostics(t, res)
	want := []string{"apache2.conf", "mods-enabled/headers.load", "conf-enabled/cors.conf", "sites-enabled/api.conf", "snippets/cors.conf"}
	if len(res.Files) != len(want) {
		t.Fatalf("files = %q", res.Files)
	}
	for i, f := range res.Files {
		if f != filepath.Join(dir, want[i]) {
			t.Fatalf("files[%d] = %q, want %q", i, f, want[i])
		}
	}
	p := scope(t, res, vh)
	o := onlyOrigin(t, p.Actual)
	if o.Values[0] != "https://app.example.com" || !strings.HasSuffix(o.Evidence[0].Range.File, "snippets/cors.conf") || o.Evidence[0].Range.Line != 1 {
		t.Fatalf("rule = %+v", o)
	}

	t.Run("a vhost linted on its own resolves includes from the tree root", func(t *testing.T) {
		res := Parse(filepath.Join(dir, "sites-enabled", "api.conf"))
		noDiagnostics(t, res)
		if len(res.Files) != 2 {
			t.Fatalf("files = %q", res.Files)
		}
	})
}

// TestHtaccess: an .htaccess is one directory scope.
func TestHtaccess(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"public/.htaccess": `<IfModule mod_headers.c>
    SetEnvIf Origin "^https://(www\.)?example\.com$" AO=$0
    Header set Access-Control-Allow-Origin %{AO}e env=AO
    Header merge Vary Origin
</IfModule>
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^(.*)$ $1 [R=204,L]
<FilesMatch "\.woff2$">
    Header set Access-Control-Allow-Origin "*"
</FilesMatch>
`,
	})
	res := Parse(filepath.Join(dir, "public", ".htaccess"))
	noDiagnostics(t, res)
	abs, _ := filepath.Abs(filepath.Join(dir, "public"))
	name := "Directory " + abs + " (.htaccess)"
	p := scope(t, res, name)
	wantKinds(t, p.Actual, rules.OriginPattern)
	if len(headers(p.Actual, rules.HeaderVary)) != 1 || p.HTTPS != rules.Unknown {
		t.Fatalf("headers %+v https %v", p.Actual.Headers, p.HTTPS)
	}
	if p.Preflight.Kind != rules.PreflightAnswered || p.Preflight.Status != 204 {
		t.Fatalf("preflight = %+v", p.Preflight)
	}
	wantContains(t, "reason", p.Preflight.Reason, "per-directory")
	// The FilesMatch `set` replaces the directory's entry in the same table.
	f := scope(t, res, name+` > FilesMatch \.woff2$`)
	wantKinds(t, f.Actual, rules.OriginAny)
}

// TestBadInput: every broken input gives file:line diagnostics, not a panic.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		entry string
		line  int
		msg   string
	}{
		{"unclosed section", map[string]string{"a.conf": "<VirtualHost *:80>\n<Directory /x>\nHeader set A b\n</VirtualHost>\n"},
			"a.conf", 2, "<Directory> is not closed"},
		{"section open at end of file", map[string]string{"a.conf": "Header set A b\n<Location /x>\n"},
			"a.conf", 2, "not closed before the end of the file"},
		{"stray close", map[string]string{"a.conf": "Header set A b\n</Location>\n"},
			"a.conf", 2, "</Location> without matching <Location>"},
		{"missing >", map[string]string{"a.conf": "<Directory /x\n</Directory>\n"},
			"a.conf", 1, "missing closing '>'"},
		{"unterminated quote", map[string]string{"a.conf": "Header set Access-Control-Allow-Origin \"https://a.test\n"},
			"a.conf", 1, "unterminated quoted argument"},
		{"include loop", map[string]string{"a.conf": "Include b.conf\n", "b.conf": "\n\nInclude a.conf\n"},
			"a.conf", 3, "include loop: a.conf -> b.conf -> a.conf"},
		{"binary file", map[string]string{"a.conf": "Header set A b\n\x00\x01\x02ELF"},
			"a.conf", 2, "binary file"},
		{"missing entry", map[string]string{}, "none.conf", 1, "cannot read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			res := Parse(filepath.Join(dir, c.entry))
			for _, d := range res.Diagnostics {
				if d.Range.Line == c.line && strings.Contains(d.Message, c.msg) {
					if d.Range.File == "" {
						t.Fatal("diagnostic without a file")
					}
					return
				}
			}
			t.Fatalf("want %d: %q among %v", c.line, c.msg, res.Diagnostics)
		})
	}
	t.Run("IncludeOptional of nothing is fine", func(t *testing.T) {
		res := parseConf(t, "a.conf", "IncludeOptional conf.d/*.conf\nIncludeOptional none.conf\n")
		noDiagnostics(t, res)
	})
	t.Run("files over 10 MB are skipped", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "huge.conf")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(maxFileSize + 1); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		res := Parse(p)
		if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "larger than the 10 MB limit") {
			t.Fatalf("diagnostics = %v", res.Diagnostics)
		}
	})
	t.Run("unknown directives are fine", func(t *testing.T) {
		res := parseConf(t, "a.conf", "FrobnicateWidgets on\n<SomeModuleSection x>\nFoo bar\n</SomeModuleSection>\n")
		noDiagnostics(t, res)
	})
}

// TestDetect: which files the Apache front end claims.
func TestDetect(t *testing.T) {
	cases := []struct {
		path string
		head string
		want bool
	}{
		{"/etc/apache2/apache2.conf", "", true},
		{"conf/httpd.conf", "", true},
		{"public/.htaccess", "", true},
		{"etc/apache2/sites-enabled/api.conf", "# empty\n", true},
		{"deploy/site.conf", "<VirtualHost *:443>\n  ServerName a\n</VirtualHost>\n", true},
		{"x.conf", "Header always set Access-Control-Allow-Origin \"*\"\n", true},
		{"x.conf", "SetEnvIf Origin \"^https://a$\" AO=$0\n", true},
		{"x.conf", "RewriteCond %{REQUEST_METHOD} OPTIONS\n", true},
		{"x.conf", "ServerName example.com\n", true},
		{"etc/nginx/sites-enabled/api.conf", "server {\n  listen 443;\n  add_header Access-Control-Allow-Origin *;\n  location / {\n  }\n}\n", false},
		{"nginx.conf", "http {\n server {\n  server_name a;\n }\n}\n", false},
		{"conf.d/api.conf", "location /api {\n  add_header X y;\n}\n", false},
		{"main.tf", "resource \"aws_s3_bucket_cors_configuration\" \"x\" {\n  bucket = \"b\"\n}\n", false},
		{"policy.hcl", "origin = \"https://a\"\n", false},
		{"notes.txt", "hello\n", false},
	}
	for _, c := range cases {
		if got := Detect(c.path, []byte(c.head)); got != c.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", c.path, c.head, got, c.want)
		}
	}
}

// TestGenerateConfig: the benchmark input parses cleanly into one policy
// per vhost plus its CORS sections.
func TestGenerateConfig(t *testing.T) {
	data := GenerateConfig(8)
	dir := writeTree(t, map[string]string{"httpd.conf": string(data)})
	res := Parse(filepath.Join(dir, "httpd.conf"))
	noDiagnostics(t, res)
	hosts := 0
	for _, p := range res.Policies {
		if strings.HasPrefix(p.Scope.Name, "VirtualHost ") && !strings.Contains(p.Scope.Name, " > ") {
			hosts++
		}
	}
	if hosts != 8 {
		t.Fatalf("vhost policies = %d", hosts)
	}
	if string(GenerateConfig(8)) != string(data) {
		t.Fatal("generator is not deterministic")
	}
}

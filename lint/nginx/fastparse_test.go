package nginx

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	crossplane "github.com/nginxinc/nginx-go-crossplane"
)

// crossplaneNodes parses data with crossplane the way the loader does;
// clean is false when crossplane reports any error.
func crossplaneNodes(data []byte) (nodes []*node, clean bool, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	opts := &crossplane.ParseOptions{
		SingleFile: true, ParseComments: true, SkipDirectiveContextCheck: true,
		Open: func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
	payload, err := crossplane.Parse("f.conf", opts)
	if err != nil {
		return nil, false, false
	}
	c := payload.Config[0]
	return convert(c.Parsed, "f.conf"), len(c.Errors) == 0, false
}

func dump(nodes []*node, b *strings.Builder, depth int) {
	for _, n := range nodes {
		fmt.Fprintf(b, "%s%d %q %q block=%v\n", strings.Repeat(" ", depth), n.line, n.name, n.args, n.isBlock)
		dump(n.block, b, depth+1)
	}
}

func render(nodes []*node) string {
	var b strings.Builder
	dump(nodes, &b, 0)
	return b.String()
}

// checkSame holds fastParse to crossplane: when it accepts a file, the
// tree is crossplane's; when crossplane reports anything, it must decline.
func checkSame(t *testing.T, data []byte) (accepted bool) {
	t.Helper()
	want, clean, panicked := crossplaneNodes(data)
	got, ok := fastParse(string(data), "f.conf")
	if panicked {
		return ok
	}
	if !clean {
		if ok {
			t.Errorf("fastParse accepted what crossplane rejects: %q", data)
		}
		return ok
	}
	if ok && render(got) != render(want) {
		t.Errorf("trees differ for: %q\nfast:\n%s\ncrossplane:\n%s", data, render(got), render(want))
	}
	if ok {
		checkVerbatim(t, data, got)
	}
	return ok
}

// checkVerbatim: a directive's text, taken from the source where it reads
// the same, is exactly what node.render writes.
func checkVerbatim(t *testing.T, data []byte, nodes []*node) {
	t.Helper()
	for _, n := range nodes {
		if got, want := n.text(), n.render(); got != want {
			t.Errorf("text %q, rendered %q, in: %q", got, want, data)
		}
		checkVerbatim(t, data, n.block)
	}
}

var tricky = []string{
	"http { server { listen 80; } }",
	"add_header X \"a \\\"quoted\\\" b\";\nadd_header Y 'it\\'s';",
	"add_header X \"multi\nline\";\nlisten 80;",
	"set $a \"${b}c\";\nset $d ${e}f;\nset $g x${h}y;",
	"if ($http_origin ~* \"^https://(a|b)\\.com$\") { return 204; }",
	"if ($request_method = OPTIONS ) { return 204; }",
	"if ( $request_method = OPTIONS) { return 204; }",
	"if ($x ~ (a)) { return 204; }",
	"location ~* \\.(js|css)$ { expires 1d; }",
	"location = / { return 200 'ok'; }",
	"# comment only\n",
	"listen 80; # trailing comment\nlisten 81;",
	"listen #inline\n 80;",
	"add_header a#b c;",
	"map $http_origin $c {\n default \"\";\n ~^x $http_origin;\n hostnames;\n}",
	"map $a $b { include x.map; }",
	"types { text/html html htm; }",
	"server {\r\n listen 80;\r\n}\r\n",
	"add_header X a\\ b;",
	"return 200 \"a\\nb\";",
	"vendor_thing { anything { nested; } goes; }",
	"add_header X \"\";",
	"listen 80;;",
	"server { listen 80; }}",
	"server { listen 80;",
	"add_header X \"unterminated;",
	"add_header;",
	"listen 80 {",
	"if $x { }",
	"location / { if ($a) { if ($b) { return 1; } } }",
	"server {\n\tlisten\t443 ssl;\n\tserver_name\ta.test;\n}",
	"\"quoted directive\" x;",
	"x \"a\"\"b\";",
	"x abc\"def ghi\";",
	"add_header X caf\u00e9;",
	"add_header X a\u00a0b;",
	"x \\${y};",
	"x $;",
	"x {;}",
	"gzip maybe;",
	"http { server { location / { add_header; } } }",
	"server { add_header; }",
	"location / { add_header; }",
	"http { vendor { location / { add_header; } } }",
	"http { vendor { add_header; } }",
	"events { add_header; }",
	"stream { server { add_header X; } }",
	"http { server { if ($a) { add_header; } } }",
	"http { location / { limit_except GET { add_header; } } }",
	"http { map $a $b { x; } }",
	"http { map $a $b { hostnames x; } }",
	"http { geo $a { ranges; 1.0.0.0-1.0.0.255 x; } }",
	"http { types { text/html; } }",
	"http { map $a $b { x { } } }",
	"server { if () { return 1; } }",
	"gzip on;",
	// Directives whose source text differs from what render writes.
	"add_header  X y;", "add_header X\ty;", "add_header X y ;", "add_header X 'y';", "add_header X a\"b;",
	"location /a{ }", "location /b  { }", "set $a ${b;c};", "set $a \\;;", "add_header X y; # c",
	"listen 80 # c\n;", "if ($a = b) { }", "if ( $a = b ) { }", "if ($a) { }", "if ($a ~ \"x y\") { }",
	"}",
	"",
}

func TestFastParseMatchesCrossplane(t *testing.T) {
	for _, s := range tricky {
		checkSame(t, []byte(s))
	}
	if !checkSame(t, GenerateConfig(3)) {
		t.Errorf("fastParse declined the generated config")
	}
}

// mutate applies 1-3 random insertions/deletions of syntax characters.
func mutate(r *rand.Rand, s []byte) []byte {
	alphabet := []string{"\"", "'", "\\", "{", "}", ";", "$", "${", "#", "\n", "\r", " ", "(", ")", "a", "\u00e9", "\t", "}}", "\\\"", "${x}"}
	s = append([]byte(nil), s...)
	for k := 0; k < 1+r.Intn(3); k++ {
		pos := 0
		if len(s) > 0 {
			pos = r.Intn(len(s) + 1)
		}
		ins := alphabet[r.Intn(len(alphabet))]
		if r.Intn(3) == 0 && pos < len(s) {
			s = append(s[:pos:pos], s[pos+1:]...) // delete a byte
		} else {
			s = append(s[:pos:pos], append([]byte(ins), s[pos:]...)...)
		}
	}
	return s
}

// Whatever the input, Parse returns: no panic, every diagnostic has a
// file and a line.
func TestParseNeverPanics(t *testing.T) {
	dir := t.TempDir()
	base := append([]string{string(GenerateConfig(1))}, tricky...)
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 400; i++ {
		data := mutate(r, []byte(base[r.Intn(len(base))]))
		p := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res := Parse(p)
		for _, d := range res.Diagnostics {
			if d.Range.File == "" || d.Range.Line < 1 {
				t.Errorf("diagnostic without position %v for %q", d, data)
			}
		}
	}
}

// Random edits of real-looking configs: wherever fastParse accepts, it
// agrees with crossplane. Deterministic seed.
func TestFastParseMutations(t *testing.T) {
	base := append([]string{string(GenerateConfig(1))}, tricky...)
	r := rand.New(rand.NewSource(1))
	accepted := 0
	for i := 0; i < 3000; i++ {
		s := mutate(r, []byte(base[r.Intn(len(base))]))
		if checkSame(t, s) {
			accepted++
		}
		if t.Failed() {
			return
		}
	}
	if accepted == 0 {
		t.Errorf("fastParse never accepted a mutated config")
	}
}

// FuzzFastParse runs the same differential check under `go test -fuzz`.
func FuzzFastParse(f *testing.F) {
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSame(t, data)
	})
}

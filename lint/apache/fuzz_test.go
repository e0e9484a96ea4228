package apache

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// fuzzFiles are the files a fuzz input may write: the entry and two that it
// can Include (`Include conf.d/*.conf`).
var fuzzFiles = []string{"httpd.conf", "conf.d/a.conf", "conf.d/b.conf"}

// splitFuzzInput cuts an input into the entry file and its includes at
// lines `#--- next file`.
func splitFuzzInput(data []byte) []string {
	parts := strings.SplitN(string(data), "#--- next file\n", len(fuzzFiles))
	return parts
}

// FuzzParse reads a whole tree (Include, Define, Macro/Use, If, SetEnvIf,
// RewriteCond...) and asserts, for any input:
//   - no panic (parse is called without Parse's recover net);
//   - it stays within the expansion budgets it is given (small ones, so that
//     every input finishes in milliseconds): what Define and Use produced is
//     within them, and no scope holds more Header directives than the input
//     and the macro budget together can make;
//   - every diagnostic and every piece of evidence points at a line that
//     exists in a file that was read.
func FuzzParse(f *testing.F) {
	seeds := []string{
		string(GenerateConfig(1)),
		host(`SetEnvIf Origin "^https://a\.test$" AO=$0
SetEnvIfNoCase Origin "^https://(.+\.)?b\.test$" AO=$0
Header always set Access-Control-Allow-Origin %{AO}e env=AO
<If "%{HTTP:Origin} =~ m#^https://x#i && %{REQUEST_METHOD} == 'OPTIONS'">
Header set Access-Control-Allow-Origin "expr=%{HTTP:Origin}"
</If>
<ElseIf "%{HTTP:Origin} -in {'https://c.test', 'https://d.test'}">
Header set Access-Control-Allow-Origin "%{Origin}i"
</ElseIf>
<Else>
Header unset Access-Control-Allow-Origin
</Else>
RewriteCond %{HTTP:Origin} (.*) [OR]
RewriteRule .* - [E=X:%1,R=204]
<LimitExcept GET><RequireAll>
Require valid-user
</RequireAll></LimitExcept>
`),
		"Define ORIGIN https://app.example.com\nInclude conf.d/*.conf\n#--- next file\n<Macro Cors $o>\nHeader set Access-Control-Allow-Origin \"$o\"\n</Macro>\n#--- next file\n<VirtualHost *:443>\nUse Cors ${ORIGIN}\n</VirtualHost>\n",
		"Define A x\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nDefine A ${A}${A}\nHeader set X \"${A}\"\n",
		fanOut(4, 6),
		"<Macro L $x>\nUse L $x\n</Macro>\nUse L 1\nIncludeOptional conf.d/*.conf\n#--- next file\nInclude conf.d/a.conf\n",
		"<If \"%{HTTP:Origin} -in {'a', \">\n</If>\n<Directory \\\n/x>\n",
		"Define A ${A}${\nInclude ${A}\n<IfDefine !A>\nX\n</IfDefine>\n</If>\n",
		"Header set\nHeader always\nHeader edit X\nSetEnvIf Origin\nRewriteRule\n<>\n</>\n< \n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Two levels down: relative includes are also tried from the
		// entry's parent and grandparent, which stay inside the input.
		dir := filepath.Join(t.TempDir(), "etc", "apache2")
		parts := splitFuzzInput(data)
		lines := map[string]int{}
		for i, body := range parts {
			p := filepath.Join(dir, fuzzFiles[i])
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			lines[p] = strings.Count(body, "\n") + 1
		}
		entry := filepath.Join(dir, fuzzFiles[0])
		res, spent := parseTree(entry, nil, smallBudgets)
		for _, f := range res.Files {
			if _, ok := lines[f]; !ok {
				// Read from outside the input (Include /etc/...): count its lines.
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatalf("a file the parser read cannot be read: %v", err)
				}
				lines[f] = strings.Count(string(b), "\n") + 1
			}
		}

		if spent.defineBytes > smallBudgets.define || spent.macroLines > smallBudgets.macroLines || spent.macroBytes > smallBudgets.macroBytes {
			t.Fatalf("expansion over budget: %+v", spent)
		}
		total := 0
		for _, n := range lines {
			total += n
		}
		for _, p := range res.Policies {
			if n := len(p.Actual.Headers); n > total+spent.macroLines {
				t.Fatalf("scope %s has %d headers from %d input lines and %d expanded ones", p.Scope.Name, n, total, spent.macroLines)
			}
		}

		check := func(what string, r rules.Range) {
			if r.File == "" {
				if r.Line != 0 {
					t.Fatalf("%s: line %d without a file", what, r.Line)
				}
				return
			}
			n, ok := lines[r.File]
			if !ok {
				t.Fatalf("%s points at %s, not a file of the input", what, r.File)
			}
			if r.Line < 1 || r.Line > n || (r.EndLine != 0 && (r.EndLine < r.Line || r.EndLine > n)) {
				t.Fatalf("%s points at %s, outside the file's %d line(s)", what, r, n)
			}
		}
		for _, d := range res.Diagnostics {
			if d.Range.File == "" {
				t.Fatalf("diagnostic without a file: %+v", d)
			}
			check("diagnostic "+d.Message, d.Range)
		}
		for _, w := range res.Warnings {
			check("warning "+w.Message, w.Range)
		}
		for i := range res.Policies {
			eachRange(reflect.ValueOf(res.Policies[i]), func(r rules.Range) { check("evidence of "+res.Policies[i].Scope.Name, r) })
		}
		_ = Detect(entry, []byte(parts[0]))
	})
}

// eachRange calls fn for every rules.Range inside v (a policy), following
// slices and pointers.
func eachRange(v reflect.Value, fn func(rules.Range)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			eachRange(v.Elem(), fn)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			eachRange(v.Index(i), fn)
		}
	case reflect.Struct:
		if r, ok := v.Interface().(rules.Range); ok {
			fn(r)
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				eachRange(v.Field(i), fn)
			}
		}
	}
}

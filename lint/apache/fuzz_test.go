package apache

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: arbitrary bytes never panic the parser. It calls parse (not
// Parse) so that the recover() safety net in Parse cannot hide a bug.
func FuzzParse(f *testing.F) {
	seeds := []string{
		string(GenerateConfig(1)),
		host(`SetEnvIf Origin "^https://a\.test$" AO=$0
Header always set Access-Control-Allow-Origin %{AO}e env=AO
<If "%{HTTP:Origin} =~ m#^https://x#i && %{REQUEST_METHOD} == 'OPTIONS'">
Header set Access-Control-Allow-Origin "expr=%{HTTP:Origin}"
</If>
<Else>
Header unset Access-Control-Allow-Origin
</Else>
RewriteCond %{HTTP:Origin} (.*) [OR]
RewriteRule .* - [E=X:%1,R=204]
<LimitExcept GET><RequireAll>
Require valid-user
</RequireAll></LimitExcept>
`),
		"<If \"%{HTTP:Origin} -in {'a', \">\n</If>\n<Directory \\\n/x>\n",
		"Define A ${A}${\nInclude ${A}\n<IfDefine !A>\nX\n</IfDefine>\n</If>\n",
		"Header set\nHeader always\nHeader edit X\nSetEnvIf Origin\nRewriteRule\n<>\n</>\n< \n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.conf")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res := parse(p)
		for _, d := range res.Diagnostics {
			if d.Range.File == "" || d.Range.Line < 1 {
				t.Fatalf("diagnostic without file:line: %+v", d)
			}
		}
		_ = Detect(p, data)
	})
}

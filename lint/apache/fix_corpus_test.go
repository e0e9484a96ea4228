package apache

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// TestSpellCorpus runs the speller over the Apache corpus, on the places a
// remedy can name: every origin pattern and allowlisted origin (written
// back as itself, which proves the value is found where the front end
// read it), every CORS header outside the always table (AddAlways), and
// every Allow-Origin header (AddHeaders Vary: Origin). Each edit must
// leave a file the front end reads with no new diagnostic and the same
// origin patterns; on corpus/realworld/apache, which httpd accepts as is,
// apache2 -t must accept the fixed file too. Refusals are fine but must
// say why; the counts are logged for the README.
func TestSpellCorpus(t *testing.T) {
	var entries []string
	for _, root := range []string{filepath.Join("..", "..", "corpus", "apache"), filepath.Join("..", "..", "corpus", "realworld", "apache")} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".conf") || strings.HasSuffix(p, ".htaccess")) {
				entries = append(entries, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	type key struct {
		file string
		line int
		kind rules.RemedyKind
		old  string
	}
	seen := map[key]bool{}
	spelled, refused := map[rules.RemedyKind]int{}, map[string]int{}
	syntaxChecked := 0
	for _, entry := range entries {
		res := Parse(entry)
		var remedies []rules.Remedy
		add := func(r rules.Remedy) {
			k := key{r.At.Range.File, r.At.Range.Line, r.Kind, r.Old}
			if r.At.Range.Line > 0 && !seen[k] {
				seen[k] = true
				r.Format = "apache"
				remedies = append(remedies, r)
			}
		}
		for _, p := range res.Policies {
			for _, g := range []rules.Grant{p.Actual, p.Preflight.Grant} {
				for _, o := range g.Origins {
					if o.Pattern != nil {
						add(rules.Remedy{Kind: rules.ReplaceValue, At: o.Pattern.Evidence, Old: o.Pattern.Expr, New: o.Pattern.Expr})
					}
					if o.Kind == rules.OriginList && len(o.Evidence) > 0 {
						for _, v := range o.Values {
							add(rules.Remedy{Kind: rules.ReplaceValue, At: o.Evidence[0], Old: v, New: v})
						}
					}
				}
				for _, h := range g.Headers {
					if _, cors := rules.CanonicalCORSHeader(h.Name); cors && !h.Always {
						add(rules.Remedy{Kind: rules.AddAlways, At: h.Evidence})
					}
					if h.Name == rules.HeaderAllowOrigin {
						add(rules.Remedy{Kind: rules.AddHeaders, At: h.Evidence, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}})
					}
				}
			}
		}
		for _, r := range remedies {
			file := r.At.Range.File
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			edits, err := Spell(file, src, r)
			if err != nil {
				refused[reasonClass(err.Error())]++
				t.Logf("%s:%d %s refused: %v", file, r.At.Range.Line, r.Kind, err)
				continue
			}
			spelled[r.Kind]++
			fixed := applyEdits(t, string(src), edits)
			before, after := ParseSource(file, src), ParseSource(file, []byte(fixed))
			if d := newDiagnostics(before.Diagnostics, after.Diagnostics); d != "" {
				t.Errorf("%s:%d %s: new diagnostic %s", file, r.At.Range.Line, r.Kind, d)
			}
			if r.Kind == rules.ReplaceValue && !slices.Equal(patternExprs(before), patternExprs(after)) {
				t.Errorf("%s:%d: writing %q back changed the patterns: %q -> %q", file, r.At.Range.Line, r.Old, patternExprs(before), patternExprs(after))
			}
			if strings.Contains(file, filepath.Join("realworld", "apache")) && file == entry {
				apacheAccepts(t, fmt.Sprintf("%s:%d %s", file, r.At.Range.Line, r.Kind), fixed)
				syntaxChecked++
			}
		}
	}
	kinds := make([]string, 0, len(spelled))
	for k, n := range spelled {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	t.Logf("%d entry files: spelled %s; refused %v; apache2 -t on %d fixed realworld files", len(entries), strings.Join(kinds, ", "), refused, syntaxChecked)
	if len(spelled) == 0 {
		t.Fatal("nothing in the corpus was spelled")
	}
}

// reasonClass shortens a refusal to its kind, for the counts.
func reasonClass(msg string) string {
	for _, c := range []string{"appears", "built from a ${VAR}", "mod_macro Use", "not written in the", "already in the always table", "holds only access control", "Macro", "format specifier"} {
		if strings.Contains(msg, c) {
			return c
		}
	}
	return msg
}

// patternExprs lists every origin pattern of a parse, sorted.
func patternExprs(res rules.ParseResult) []string {
	var out []string
	for _, p := range res.Policies {
		for _, o := range p.Actual.Origins {
			if o.Pattern != nil {
				out = append(out, o.Pattern.Expr)
			}
		}
	}
	sort.Strings(out)
	return out
}

// apacheAccepts runs `apache2 -t` on a minimal server config that
// includes conf; it does nothing where apache2 is not installed.
func apacheAccepts(t *testing.T, what, conf string) {
	t.Helper()
	const bin, mods = "/usr/sbin/apache2", "/usr/lib/apache2/modules"
	if _, err := os.Stat(bin); err != nil {
		return
	}
	dir := t.TempDir()
	var load strings.Builder
	for _, m := range []string{"mpm_event", "authz_core", "authz_host", "access_compat", "headers", "setenvif", "env", "rewrite", "ssl", "macro", "proxy", "proxy_http"} {
		fmt.Fprintf(&load, "LoadModule %s_module %s/mod_%s.so\n", m, mods, m)
	}
	inc := filepath.Join(dir, "fixed.conf")
	main := fmt.Sprintf("ServerRoot %s\n%sListen 127.0.0.1:1\nErrorLog %s/error.log\nPidFile %s/httpd.pid\nMutex file:%s default\nDefaultRuntimeDir %s\nInclude %s\n", dir, load.String(), dir, dir, dir, dir, inc)
	if err := os.WriteFile(inc, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-t", "-f", filepath.Join(dir, "httpd.conf")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Syntax OK") {
		t.Errorf("%s: apache2 -t refuses the fixed file: %v\n%s", what, err, out)
	}
}

package nginx

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// writeTree writes files (relative path → content) under a temp dir and
// returns the dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parseConf parses one config text as nginx.conf.
func parseConf(t *testing.T, conf string) rules.ParseResult {
	t.Helper()
	dir := writeTree(t, map[string]string{"nginx.conf": conf})
	return Parse(filepath.Join(dir, "nginx.conf"))
}

// policy returns the policy whose scope name ends with suffix.
func policy(t *testing.T, res rules.ParseResult, suffix string) rules.Policy {
	t.Helper()
	for _, p := range res.Policies {
		if strings.HasSuffix(p.Scope.Name, suffix) {
			return p
		}
	}
	t.Fatalf("no policy %q; have %v", suffix, scopes(res))
	return rules.Policy{}
}

func scopes(res rules.ParseResult) []string {
	var out []string
	for _, p := range res.Policies {
		out = append(out, p.Scope.Name)
	}
	return out
}

// origins renders origin rules compactly:
// any, reflect, list[a b] echo, pattern pcre/i ^x$ @4, unknown(reason).
func origins(rs []rules.OriginRule) []string {
	var out []string
	for _, r := range rs {
		var s string
		switch r.Kind {
		case rules.OriginAny:
			s = "any"
		case rules.OriginReflect:
			s = "reflect"
		case rules.OriginList:
			s = "list[" + strings.Join(r.Values, " ") + "]"
		case rules.OriginPattern:
			s = "pattern " + r.Pattern.Dialect.String()
			if r.Pattern.CaseInsensitive {
				s += "/i"
			}
			s += " " + r.Pattern.Expr + fmt.Sprintf(" @%d", r.Pattern.Evidence.Range.Line)
		case rules.OriginUnknown:
			s = "unknown(" + r.Reason + ")"
		}
		if r.Echo && r.Kind != rules.OriginPattern {
			s += " echo"
		}
		out = append(out, s)
	}
	return out
}

// headers renders a grant's headers: Name: value [always] [if cond].
func headers(g rules.Grant) []string {
	var out []string
	for _, h := range g.Headers {
		s := h.Name + ": " + h.Value.String()
		if h.Always {
			s += " always"
		}
		if h.Condition != "" {
			s += " if " + h.Condition
		}
		out = append(out, s)
	}
	return out
}

func dropped(ds []rules.Dropped) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s from %d by %d", d.Header, d.Inherited.Range.Line, d.DroppedBy.Range.Line))
	}
	return out
}

func diagnostics(res rules.ParseResult) []string {
	var out []string
	for _, d := range res.Diagnostics {
		out = append(out, fmt.Sprintf("%s:%d: %s", filepath.Base(d.Range.File), d.Range.Line, d.Message))
	}
	sort.Strings(out)
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

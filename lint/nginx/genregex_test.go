package nginx

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestGenerateRegexConfig: every server of the regex config has its own
// origin regex, and the exact twin has none. With CORSGUARD_GENBIG_DIR set
// (scripts/bench-regex-lint.sh), it also writes regex.conf and exact.conf
// of CORSGUARD_GENBIG_SERVERS servers there: the generator needs no main
// package of its own (`go install ./...` installs the CLI alone).
func TestGenerateRegexConfig(t *testing.T) {
	servers := 2000
	if n, err := strconv.Atoi(os.Getenv("CORSGUARD_GENBIG_SERVERS")); err == nil && n > 0 {
		servers = n
	}
	regex, exact := GenerateRegexConfig(servers, false), GenerateRegexConfig(servers, true)
	ifs := regexp.MustCompile(`if \(\$http_origin ~\* "([^"]+)"\)`)
	distinct := map[string]bool{}
	for _, m := range ifs.FindAllSubmatch(regex, -1) {
		distinct[string(m[1])] = true
	}
	if len(distinct) != servers {
		t.Errorf("regex config: %d distinct origin regexes, want one per server (%d)", len(distinct), servers)
	}
	if ifs.Match(exact) {
		t.Error("exact config has an origin regex")
	}
	if dir := os.Getenv("CORSGUARD_GENBIG_DIR"); dir != "" {
		for name, conf := range map[string][]byte{"regex.conf": regex, "exact.conf": exact} {
			if err := os.WriteFile(filepath.Join(dir, name), conf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

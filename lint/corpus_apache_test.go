package lint

import (
	"path/filepath"
	"testing"
)

// TestCorpusApache holds corpus/apache to its expectations. httpd only
// knows comments that start a line, so this corpus writes `# want-next`
// above the line a finding must point at (see want in corpus_test.go).
func TestCorpusApache(t *testing.T) {
	res := checkCorpusWants(t, filepath.Join("..", "corpus", "apache"), true)
	if n := res.Formats["apache"]; n < 30 {
		t.Errorf("corpus/apache has %d entry configs, want at least 30", n)
	}
	for f, n := range res.Formats {
		if f != "apache" {
			t.Errorf("corpus/apache: %d files detected as %s", n, f)
		}
	}
}

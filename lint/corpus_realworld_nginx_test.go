package lint

import (
	"path/filepath"
	"testing"
)

// corpus/realworld/nginx: configurations modelled on public material (each
// names its source), one idiom per file with a positive, an `_fp` negative
// and an unknown-value case (issue 9).
func TestCorpusRealworldNginx(t *testing.T) {
	res := checkCorpus(t, filepath.Join("..", "corpus", "realworld", "nginx"))
	if n := res.Formats["nginx"]; n < 20 {
		t.Errorf("corpus/realworld/nginx has %d entry configs, want at least 20", n)
	}
}

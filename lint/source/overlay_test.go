package source

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOverlayReplacesContentsOnlyWhileItRuns(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "api.conf")
	if err := os.WriteFile(path, []byte("on disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(mustWd(t), path)
	if err != nil {
		t.Fatal(err)
	}
	WithOverlay(map[string][]byte{path: []byte("fixed")}, func() {
		for _, p := range []string{path, rel, filepath.Join(dir, ".", "api.conf")} {
			if got, err := Read(p); err != nil || string(got) != "fixed" {
				t.Errorf("Read(%s) in the overlay = %q, %v", p, got, err)
			}
		}
		if got, _ := Head(path, 3); string(got) != "fix" {
			t.Errorf("Head in the overlay = %q", got)
		}
	})
	if got, _ := Read(path); string(got) != "on disk" {
		t.Errorf("after the overlay: %q", got)
	}
}

func mustWd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

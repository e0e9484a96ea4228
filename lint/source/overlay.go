package source

import (
	"path/filepath"
	"sync"
)

// An overlay makes Read and Head return given contents for some paths
// instead of what is on disk: lint/fix re-lints a configuration with its
// fixes applied (the entry file and the includes the front ends read
// through this package) before anything is written. It is the only way
// content that is not on disk reaches a front end, so it lives here, next
// to the one place files are read.
var overlay struct {
	// run serialises overlays: one re-lint at a time sees one set of
	// contents (two runs in one process never mix their fixes).
	run sync.Mutex
	mu  sync.RWMutex
	// files maps absolute, cleaned paths to contents.
	files map[string][]byte
}

// WithOverlay runs fn while Read and Head return files[path] for the paths
// in files (any spelling of the same path: they are compared absolute and
// cleaned). Other paths read from disk as usual. Overlays do not nest.
func WithOverlay(files map[string][]byte, fn func()) {
	overlay.run.Lock()
	defer overlay.run.Unlock()
	abs := make(map[string][]byte, len(files))
	for p, b := range files {
		abs[absClean(p)] = b
	}
	overlay.mu.Lock()
	overlay.files = abs
	overlay.mu.Unlock()
	defer func() {
		overlay.mu.Lock()
		overlay.files = nil
		overlay.mu.Unlock()
	}()
	fn()
}

// overlaid returns the overlay's contents for path, if any.
func overlaid(path string) ([]byte, bool) {
	overlay.mu.RLock()
	defer overlay.mu.RUnlock()
	if overlay.files == nil {
		return nil, false
	}
	b, ok := overlay.files[absClean(path)]
	return b, ok
}

func absClean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

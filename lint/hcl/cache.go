package hcl

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/corsguard/corsguard/rules"
)

// A Terraform module is one unit of evaluation, but lint hands the front
// end one file at a time, in parallel. Loading the module for each of its
// files made a module of N files cost N loads (1000 files: 59 s, 4.3 GB).
// The cache loads each module once, the first caller doing the work while
// callers for its other files wait (singleflight), and hands each file the
// policies and diagnostics located in it.
//
// An entry leaves the cache once every file of its module has been handed
// out, so a directory run keeps no module longer than it needs it. A
// request for a file already handed out, or for a file or directory that
// changed on disk since the load, is a new run: the module is loaded
// again. Entries of modules whose files were named one by one (a
// pre-commit run) linger, at most maxCachedModules of them.
type moduleCache struct {
	mu      sync.Mutex
	entries map[string]*cachedModule
}

const maxCachedModules = 64

var modules = &moduleCache{entries: map[string]*cachedModule{}}

// cachedModule is one evaluated module, split by file.
type cachedModule struct {
	ready chan struct{}
	// Set by the loader before ready is closed, read-only afterwards.
	byFile  map[string]*fileResult
	sources map[string][]byte  // the contents each file was evaluated from
	general []rules.Diagnostic // diagnostics located in no .tf file of the module
	stamps  map[string]stamp   // the directory's and each .tf file's, at load
	// Guarded by moduleCache.mu.
	handedOut    map[string]bool
	left         int // .tf files not handed out yet
	generalGiven bool
}

type fileResult struct {
	policies []rules.Policy
	diags    []rules.Diagnostic
}

type stamp struct {
	size  int64
	mtime time.Time
}

func stampOf(p string) (stamp, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return stamp{}, false
	}
	return stamp{st.Size(), st.ModTime()}, true
}

// parseTerraform returns what one .tf file of a module contributes: its
// policies and the diagnostics located in it, evaluated with the whole
// module as context. The module's other diagnostics (its tfvars, files
// over the size limit, an unreadable directory) come with the first file
// handed out. given holds the contents lint read for path (it reads each
// input once); the load uses them, and a file whose contents differ from
// what the shared load read (standard input under a --stdin-filename, a
// file rewritten meanwhile) is evaluated on its own, outside the cache.
func parseTerraform(path string, given map[string][]byte) rules.ParseResult {
	dir := filepath.Dir(path)
	e, first := modules.take(dir, path, given)
	if content, ok := given[path]; ok && !bytes.Equal(e.sources[path], content) {
		e, first = &cachedModule{ready: make(chan struct{})}, true
		e.evaluate(loadModule(dir, given))
	}
	res := rules.ParseResult{Files: []string{path}}
	if fr := e.byFile[path]; fr != nil {
		res.Policies = append([]rules.Policy(nil), fr.policies...)
		res.Diagnostics = append(res.Diagnostics, fr.diags...)
	}
	if first {
		res.Diagnostics = append(res.Diagnostics, e.general...)
	}
	return res
}

// take returns the module of dir evaluated with path in it, loading it if
// no current load exists, and marks path handed out. first is set for the
// first file handed out of this load.
func (c *moduleCache) take(dir, path string, given map[string][]byte) (e *cachedModule, first bool) {
	for {
		c.mu.Lock()
		e = c.entries[dir]
		if e == nil {
			e = &cachedModule{ready: make(chan struct{}), handedOut: map[string]bool{}}
			c.evictLocked()
			c.entries[dir] = e
			c.mu.Unlock()
			c.load(dir, e, given)
			c.mu.Lock()
			return e, c.handOutLocked(dir, path, e)
		}
		c.mu.Unlock()
		<-e.ready
		c.mu.Lock()
		if c.entries[dir] == e && !e.handedOut[path] && e.fresh(dir, path) {
			return e, c.handOutLocked(dir, path, e)
		}
		if c.entries[dir] == e {
			delete(c.entries, dir)
		}
		c.mu.Unlock()
	}
}

// load evaluates the module into e. A panic while loading still releases
// the waiters (with an empty entry that is dropped) and reaches the
// caller, whose front-end guard reports it.
func (c *moduleCache) load(dir string, e *cachedModule, given map[string][]byte) {
	done := false
	defer func() {
		if !done {
			c.mu.Lock()
			if c.entries[dir] == e {
				delete(c.entries, dir)
			}
			c.mu.Unlock()
		}
		close(e.ready)
	}()
	e.stamps = map[string]stamp{}
	if s, ok := stampOf(dir); ok {
		e.stamps[dir] = s
	}
	e.evaluate(loadModule(dir, given))
	for f := range e.byFile {
		if s, ok := stampOf(f); ok {
			e.stamps[f] = s
		}
	}
	done = true
}

// evaluate maps the module's resources and splits policies and
// diagnostics by the file they are located in.
func (e *cachedModule) evaluate(m *module) {
	policies, diags := m.policies()
	e.byFile = make(map[string]*fileResult, len(m.tfFiles))
	e.sources = make(map[string][]byte, len(m.tfFiles))
	files := m.parser.Files()
	for _, f := range m.tfFiles {
		e.byFile[f] = &fileResult{}
		if pf, ok := files[f]; ok {
			e.sources[f] = pf.Bytes
		}
	}
	e.left = len(m.tfFiles)
	for _, p := range policies {
		if fr := e.byFile[p.Scope.Range.File]; fr != nil {
			fr.policies = append(fr.policies, p)
		}
	}
	for _, d := range append(toDiagnostics(append(m.diags, diags...)), m.fileDiags...) {
		if fr := e.byFile[d.Range.File]; fr != nil {
			fr.diags = append(fr.diags, d)
		} else {
			e.general = append(e.general, d)
		}
	}
}

// fresh reports whether the load still describes path: neither the file
// nor its directory (files added, removed or renamed) changed since.
func (e *cachedModule) fresh(dir, path string) bool {
	for _, p := range []string{dir, path} {
		was, ok := e.stamps[p]
		if !ok {
			return false
		}
		now, ok := stampOf(p)
		if !ok || now != was {
			return false
		}
	}
	return true
}

func (c *moduleCache) handOutLocked(dir, path string, e *cachedModule) (first bool) {
	defer c.mu.Unlock()
	first = !e.generalGiven
	e.generalGiven = true
	if _, inModule := e.byFile[path]; inModule && !e.handedOut[path] {
		e.handedOut[path] = true
		e.left--
	}
	if e.left <= 0 && c.entries[dir] == e {
		delete(c.entries, dir)
	}
	return first
}

// evictLocked drops loaded entries beyond the cap (any of them: a dropped
// entry only costs a reload).
func (c *moduleCache) evictLocked() {
	for dir, e := range c.entries {
		if len(c.entries) < maxCachedModules {
			return
		}
		select {
		case <-e.ready:
			delete(c.entries, dir)
		default:
		}
	}
}

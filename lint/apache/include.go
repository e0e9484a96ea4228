package apache

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// guessRoots lists directories a relative Include may be relative to. httpd
// uses ServerRoot; a checkout rarely lives there, so the declared root is
// mapped onto the entry file's ancestors (…/etc/httpd/conf/httpd.conf with
// ServerRoot /etc/httpd gives …/etc/httpd), then the entry directory and its
// parents stand in (Debian's apache2.conf sits in its root; RHEL's
// httpd.conf sits in conf/; a vhost linted alone sits in sites-enabled/).
func guessRoots(entryDir, declared string) []string {
	var roots []string
	add := func(d string) {
		for _, r := range roots {
			if r == d {
				return
			}
		}
		roots = append(roots, d)
	}
	absEntry, err := filepath.Abs(entryDir)
	if err != nil {
		absEntry = entryDir
	}
	if declared != "" {
		decl := filepath.Clean(declared)
		if filepath.IsAbs(decl) && (absEntry == decl || strings.HasPrefix(absEntry, decl+string(filepath.Separator))) {
			add(decl)
		}
		// Map the declared root onto an ancestor with the same trailing path
		// components or the same base name.
		dir := absEntry
		for range 4 {
			if strings.HasSuffix(dir, decl) || (filepath.Base(dir) == filepath.Base(decl) && filepath.Base(decl) != string(filepath.Separator)) {
				add(relLike(entryDir, absEntry, dir))
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	add(entryDir)
	add(filepath.Join(entryDir, ".."))
	add(filepath.Join(entryDir, "..", ".."))
	return roots
}

// relLike expresses the absolute ancestor dir in the same style (relative or
// absolute) as the entry directory, so Files lists consistent paths.
func relLike(entryDir, absEntry, dir string) string {
	if filepath.IsAbs(entryDir) {
		return dir
	}
	rel, err := filepath.Rel(absEntry, dir)
	if err != nil {
		return dir
	}
	return filepath.Join(entryDir, rel)
}

// Installation prefixes that absolute includes in distributed configs use;
// in a checkout they are mapped onto the guessed roots.
var knownPrefixes = []string{"/etc/apache2", "/etc/httpd", "/usr/local/apache2", "/usr/local/etc/apache24", "/usr/local/etc/apache2", "/opt/apache2"}

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// include resolves Include/IncludeOptional and reads the files in
// alphabetical order, as httpd does. A directory includes every file below it.
func (l *loader) include(n *node, parent *node) {
	optional := n.name == "includeoptional"
	if len(n.args) == 0 {
		l.errorf(n.rng.r(), "%s requires a path", directiveName(n))
		return
	}
	pat := n.args[0]
	var candidates []string
	if filepath.IsAbs(pat) {
		if l.declRoot != "" && filepath.IsAbs(l.declRoot) {
			if rel, ok := cutDirPrefix(pat, filepath.Clean(l.declRoot)); ok {
				for _, r := range l.roots {
					candidates = append(candidates, filepath.Join(r, rel))
				}
			}
		}
		for _, p := range knownPrefixes {
			if rel, ok := cutDirPrefix(pat, p); ok {
				for _, r := range l.roots {
					candidates = append(candidates, filepath.Join(r, rel))
				}
			}
		}
		candidates = append(candidates, pat)
	} else {
		for _, r := range l.roots {
			candidates = append(candidates, filepath.Join(r, pat))
		}
	}
	for _, c := range candidates {
		if pseudoFS(c) {
			l.errorf(n.rng.r(), "%s: refusing to include from a pseudo filesystem", directiveName(n))
			return
		}
		files, found := expandInclude(c)
		if !found {
			continue
		}
		for _, f := range files {
			if l.nfiles >= l.exp.limit.files {
				l.overBudget(n.rng.r(), "more than %d files included; stopping", l.exp.limit.files)
				return
			}
			l.load(f, parent, n.rng.r())
		}
		return
	}
	if optional {
		return
	}
	// Files the distribution installs are rarely in the repository being
	// linted: a warning, not an error (httpd itself would refuse to start).
	if hasGlob(pat) {
		l.warnings = append(l.warnings, rules.Errorf(n.rng.r(), "Include: no files match %s in the linted tree; linted without it (use IncludeOptional if that is expected)", pat))
	} else {
		l.warnings = append(l.warnings, rules.Errorf(n.rng.r(), "Include: %s: no such file in the linted tree; linted without it", pat))
	}
}

func directiveName(n *node) string {
	name, _ := splitName(n.text)
	return name
}

// pseudoFS reports paths under /proc, /sys and /dev, whose files block,
// never end or describe the machine rather than a configuration.
func pseudoFS(p string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	for _, d := range []string{"/proc", "/sys", "/dev"} {
		if abs == d || strings.HasPrefix(abs, d+"/") {
			return true
		}
	}
	return false
}

// cutDirPrefix returns p relative to dir when p lies under dir.
func cutDirPrefix(p, dir string) (string, bool) {
	p = filepath.Clean(p)
	if p == dir {
		return ".", true
	}
	if strings.HasPrefix(p, dir+string(filepath.Separator)) {
		return p[len(dir)+1:], true
	}
	return "", false
}

// expandInclude lists the files an include path names; found is false when
// nothing exists there.
func expandInclude(p string) ([]string, bool) {
	var matches []string
	if hasGlob(p) {
		m, err := filepath.Glob(p)
		if err != nil || len(m) == 0 {
			return nil, false
		}
		matches = m
	} else {
		if _, err := os.Stat(p); err != nil {
			return nil, false
		}
		matches = []string{p}
	}
	sort.Strings(matches)
	var files []string
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil {
			continue
		}
		if !st.IsDir() {
			files = append(files, m)
			continue
		}
		// Bounded: `Include /` must not walk the whole filesystem.
		var sub []string
		_ = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if len(files)+len(sub) > maxFiles {
				return fs.SkipAll
			}
			if !d.IsDir() {
				sub = append(sub, path)
			}
			return nil
		})
		sort.Strings(sub)
		files = append(files, sub...)
	}
	return files, true
}

package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// StdinArg is the command-line argument that lints standard input.
const StdinArg = "-"

// Skip is a file (or directory) the run did not lint, and why. Skips are
// listed in every report: a file corsguard did not read is never silently
// counted as clean.
type Skip struct {
	Path   string   `json:"path"`
	Kind   SkipKind `json:"kind"`
	Reason string   `json:"reason"`
}

// SkipKind classifies skips, so that reports can list the surprising ones
// (a file of no known format) apart from the expected (a README).
type SkipKind string

// Kinds of skip.
const (
	SkipByName     SkipKind = "name"      // documentation, code, images: not read
	SkipUnknown    SkipKind = "unknown"   // read, and no front end claims it
	SkipBinary     SkipKind = "binary"    // NUL bytes under a name that promises nothing
	SkipTooBig     SkipKind = "too-big"   // over the limit and not recognisable as configuration
	SkipNotRegular SkipKind = "type"      // FIFO, device, socket, broken link
	SkipDuplicate  SkipKind = "duplicate" // a second path to a file or directory already walked
	SkipLoop       SkipKind = "loop"      // a symbolic link back to an ancestor
	SkipDependency SkipKind = "dependency"
)

// candidate is a file to read: named on the command line (explicit),
// found by a walk or a glob, or standard input.
type candidate struct {
	path     string
	id       string // identity (see identity)
	root     int    // index of the argument it came from
	explicit bool   // named on the command line: problems are errors, not skips
	stdin    []byte
	isStdin  bool
}

// root is one command-line argument that names several files (a
// directory or a glob): one that yields no configuration is an error.
type root struct {
	arg  string
	many bool
	errs int // directories under it that could not be read
}

// collector expands the command-line arguments into candidates.
type collector struct {
	opts    Options
	res     *Result
	out     []candidate
	roots   []root
	seen    map[string]string // file identity -> first path
	walked  map[string]string // directory identity -> first path
	exclude []string
	wd      string
}

// collect expands the command-line paths. It returns an error only for a
// usage problem (a path that does not exist and is not a glob, standard
// input named twice); problems with the files are in res.
func collect(paths []string, opts Options, res *Result) ([]candidate, []root, error) {
	c := &collector{opts: opts, res: res, seen: map[string]string{}, walked: map[string]string{}, exclude: opts.ExcludePaths}
	c.wd, _ = os.Getwd()
	stdinDone := false
	for _, arg := range paths {
		rootIdx := len(c.roots)
		c.roots = append(c.roots, root{arg: arg})
		if arg == StdinArg {
			if stdinDone {
				return nil, nil, errors.New("standard input (-) named twice")
			}
			stdinDone = true
			if err := c.addStdin(rootIdx); err != nil {
				return nil, nil, err
			}
			continue
		}
		recursive := strings.HasSuffix(arg, "/...") || arg == "..."
		if recursive {
			arg = strings.TrimSuffix(strings.TrimSuffix(arg, "..."), "/")
			if arg == "" {
				arg = "."
			}
			c.roots[rootIdx].arg = arg
		}
		info, err := os.Stat(arg)
		switch {
		case err == nil && info.IsDir():
			c.roots[rootIdx].many = true
			if c.excluded(arg) {
				continue
			}
			c.walkDir(arg, identity(arg), rootIdx, nil)
		case err == nil:
			c.addFile(arg, identity(arg), rootIdx, true)
		case hasGlobMeta(arg):
			c.roots[rootIdx].many = true
			matches, gerr := doublestar.FilepathGlob(arg)
			if gerr != nil {
				return nil, nil, fmt.Errorf("bad pattern %q: %w", arg, gerr)
			}
			if len(matches) == 0 {
				return nil, nil, fmt.Errorf("%s: no files match", arg)
			}
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && !st.IsDir() {
					c.addFile(m, identity(m), rootIdx, false)
				}
			}
		case isBrokenLink(arg):
			c.res.Errors = append(c.res.Errors, rules.Errorf(rules.Range{File: arg, Line: 1}, "%v", statErr(arg)))
		default:
			return nil, nil, fmt.Errorf("%s: %w", arg, unwrapPathError(err))
		}
	}
	return c.out, c.roots, nil
}

func (c *collector) addStdin(rootIdx int) error {
	name := c.opts.StdinFilename
	if name == "" {
		name = "<stdin>"
	}
	if c.opts.Stdin == nil {
		return errors.New("no standard input to read")
	}
	data, err := source.ReadStdin(name, c.opts.Stdin)
	if err != nil {
		return err
	}
	c.out = append(c.out, candidate{path: name, id: "stdin:" + name, root: rootIdx, explicit: true, stdin: data, isStdin: true})
	return nil
}

// addFile queues one file, once: a file reached by two paths (a symbolic
// link in sites-enabled/ and its target in sites-available/) is linted
// under the first and the second is listed as the same file.
func (c *collector) addFile(path, id string, rootIdx int, explicit bool) {
	path = filepath.Clean(path)
	if c.excluded(path) {
		return
	}
	if first, ok := c.seen[id]; ok {
		if first != path {
			c.skip(path, SkipDuplicate, "same file as "+first+", linted there")
		}
		return
	}
	c.seen[id] = path
	c.out = append(c.out, candidate{path: path, id: id, root: rootIdx, explicit: explicit})
}

func (c *collector) skip(path string, kind SkipKind, reason string) {
	c.res.Skipped = append(c.res.Skipped, Skip{Path: path, Kind: kind, Reason: reason})
}

// vcsDirs hold version control metadata: never configuration.
var vcsDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".bzr": true, "_darcs": true, "CVS": true}

// dependencyDirs hold downloaded third-party code: skipped in a walk and
// listed as skipped (name one on the command line to lint it).
var dependencyDirs = map[string]bool{"node_modules": true, ".terraform": true}

// walkDir visits the files under dir in lexical order. Hidden directories
// are walked; version-control directories are not. Symbolic links are
// followed, to files and to directories, with loop detection: ancestors
// holds the identities of the directories being walked. A directory that
// cannot be read is an error and the walk goes on with its siblings.
func (c *collector) walkDir(dir, id string, rootIdx int, ancestors []string) {
	for _, a := range ancestors {
		if a == id {
			c.skip(dir, SkipLoop, "symbolic link loop: leads back to "+c.walked[id])
			return
		}
	}
	if first, ok := c.walked[id]; ok {
		c.skip(dir, SkipDuplicate, "same directory as "+first+", walked there")
		return
	}
	c.walked[id] = dir
	entries, err := readDir(dir)
	if err != nil {
		c.res.Errors = append(c.res.Errors, rules.Errorf(rules.Range{File: dir}, "cannot read directory: %v; its files were not linted", unwrapPathError(err)))
		c.roots[rootIdx].errs++
		// ReadDir returns what it read before the error.
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	ancestors = append(ancestors, id)
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(dir, name)
		if vcsDirs[name] && e.IsDir() || c.excluded(p) {
			continue
		}
		// Below a resolved directory, an entry that is not a link is
		// itself resolved: only links cost an EvalSymlinks.
		mode, pid := e.Type(), filepath.Join(id, name)
		if mode&fs.ModeSymlink != 0 {
			st, err := os.Stat(p)
			if err != nil {
				c.skip(p, SkipNotRegular, source.Reason(statErr(p)))
				continue
			}
			mode, pid = st.Mode().Type(), identity(p)
		}
		switch {
		case mode.IsDir():
			if dependencyDirs[name] {
				c.skip(p, SkipDependency, "dependency directory (downloaded code, not this tree's configuration); name it to lint it")
				continue
			}
			c.walkDir(p, pid, rootIdx, ancestors)
		case mode.IsRegular():
			if reason := skipReasonByName(p); reason != "" {
				c.skip(p, SkipByName, reason)
				continue
			}
			c.addFile(p, pid, rootIdx, false)
		default:
			c.skip(p, SkipNotRegular, "this is "+source.Describe(mode)+", not a regular file; not read")
		}
	}
}

// readDir is os.ReadDir; tests replace it to fail where root could read
// anyway.
var readDir = os.ReadDir

// identity names a file or directory independently of the path that
// reached it: its absolute path with symbolic links resolved.
func identity(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

func isBrokenLink(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode()&fs.ModeSymlink != 0
}

// statErr is lint/source's description of a path that cannot be read.
func statErr(path string) error {
	_, err := source.Check(path)
	if err == nil {
		return fmt.Errorf("%s: cannot read", path)
	}
	return err
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[{") }

// excluded tells whether --exclude or the policy file's exclude names the
// path: a pattern without `/` matches a file or directory name (`vendor`,
// `*.bak`) at any depth below the working directory; any other is a
// doublestar glob anchored where it was written (the working directory,
// or the policy file's directory), and matching a directory excludes what
// is below it.
func (c *collector) excluded(path string) bool {
	if len(c.exclude) == 0 {
		return false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	// Names are matched below the working directory only: a repository
	// checked out under /home/u/build/ is not excluded by `build`.
	names := []string{filepath.Base(abs)}
	if c.wd != "" {
		if rel, err := filepath.Rel(c.wd, abs); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			names = strings.Split(rel, string(filepath.Separator))
		}
	}
	for _, pat := range c.exclude {
		if !strings.Contains(pat, "/") {
			for _, n := range names {
				if ok, _ := doublestar.Match(pat, n); ok {
					return true
				}
			}
			continue
		}
		for p := abs; ; p = filepath.Dir(p) {
			if ok, _ := doublestar.PathMatch(pat, p); ok {
				return true
			}
			if filepath.Dir(p) == p {
				break
			}
		}
	}
	return false
}

// AnchorExclude makes an exclude pattern absolute relative to base (the
// working directory for --exclude, the policy file's directory for its
// exclude list); a bare name stays as written and matches at any depth.
func AnchorExclude(base, pattern string) string {
	pattern = filepath.FromSlash(strings.TrimPrefix(pattern, "./"))
	if !strings.Contains(filepath.ToSlash(pattern), "/") || filepath.IsAbs(pattern) {
		return filepath.ToSlash(pattern)
	}
	abs, err := filepath.Abs(filepath.Join(base, pattern))
	if err != nil {
		return pattern
	}
	return abs
}

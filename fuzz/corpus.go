package fuzz

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/corsguard/corsguard/fuzz/observe"
	"github.com/corsguard/corsguard/rules/attack"
)

// Corpus keeps, per host, the origins that produced new behaviour (a grant,
// or an answer no other origin got), so that the next run probes them
// first. On disk it is one file per host, <dir>/<host>.origins, with one
// "origin<TAB>class" per line: plain text that diffs and merges well.
type Corpus struct {
	dir  string
	mu   sync.Mutex
	by   map[string][]CorpusEntry   // host → entries, in first-seen order
	seen map[string]map[string]bool // host → origins in by, for O(1) dedup
}

// Bounds of what a corpus directory may make corsguard read: the corpus
// is a hint, and a file over the bounds is an error naming it rather than
// minutes of loading.
const (
	maxCorpusFileBytes = 16 << 20
	maxCorpusEntries   = 100_000 // per host
)

// CorpusEntry is one saved origin.
type CorpusEntry struct {
	Origin string
	Class  string // the attack class (or "random") that first found it
}

// OpenCorpus loads dir (creating nothing yet); a missing dir is empty.
func OpenCorpus(dir string) (*Corpus, error) {
	c := &Corpus{dir: dir, by: map[string][]CorpusEntry{}, seen: map[string]map[string]bool{}}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		host, ok := strings.CutSuffix(e.Name(), ".origins")
		if !ok || e.IsDir() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		// A FIFO or device would block or never end: refused by type
		// before it is opened (a symlink to a regular file is followed).
		if st, err := os.Stat(path); err != nil {
			return nil, err
		} else if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", path)
		}
		if err := c.load(host, path); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Corpus) load(host, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	return c.read(f, host, path)
}

// read loads one host's corpus file from r; name is for errors.
func (c *Corpus) read(r io.Reader, host, name string) error {
	lr := &io.LimitedReader{R: r, N: maxCorpusFileBytes + 1}
	sc := bufio.NewScanner(lr)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		origin, class, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("%s:%d: want origin<TAB>class", name, n)
		}
		if len(c.by[host]) >= maxCorpusEntries {
			return fmt.Errorf("%s:%d: more than %d origins for one host", name, n, maxCorpusEntries)
		}
		c.add(host, CorpusEntry{Origin: origin, Class: class})
	}
	if lr.N <= 0 {
		return fmt.Errorf("%s: larger than %d MB", name, maxCorpusFileBytes>>20)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (c *Corpus) add(host string, e CorpusEntry) bool {
	if c.seen[host] == nil {
		c.seen[host] = map[string]bool{}
	}
	if c.seen[host][e.Origin] {
		return false
	}
	c.seen[host][e.Origin] = true
	c.by[host] = append(c.by[host], e)
	return true
}

// Origins returns the saved origins for a host.
func (c *Corpus) Origins(host string) []CorpusEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]CorpusEntry(nil), c.by[host]...)
}

// Learn records the origins of one target's actual requests whose answer
// no other origin got, and every origin that was granted.
func (c *Corpus) Learn(host string, outs []outcome) {
	count := map[string]int{}
	for _, o := range outs {
		if o.kind == observe.Actual && o.purpose == "" && o.hasOrigin {
			count[responseKey(o)]++
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range outs {
		if o.kind != observe.Actual || o.purpose != "" || !o.hasOrigin || o.class == classTrusted || o.class == classCorpus {
			continue
		}
		if strings.ContainsAny(o.origin, "\t\r\n") {
			continue // cannot be stored on one line; the class regenerates it anyway
		}
		a := acao(o.header())
		if a == o.origin || count[responseKey(o)] == 1 {
			class := o.class
			if class == "" {
				class = string(attack.Arbitrary)
			}
			c.add(host, CorpusEntry{Origin: o.origin, Class: class})
		}
	}
}

// responseKey is the part of a response that counts as "behaviour":
// status, and whether the origin was echoed (a literal echo differs per
// origin, so it is normalised).
func responseKey(o outcome) string {
	a := acao(o.header())
	if a == o.origin && a != "" {
		a = "<echo>"
	}
	return fmt.Sprintf("%d|%s|%s", o.status(), a, strings.Join(o.header().Values("Access-Control-Allow-Credentials"), ","))
}

// Save writes every host's file.
func (c *Corpus) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	hosts := make([]string, 0, len(c.by))
	for h := range c.by {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		if strings.ContainsAny(h, `/\`) || h == "" || h == "." || h == ".." {
			continue // never write outside the corpus directory
		}
		var b strings.Builder
		b.WriteString("# corsguard corpus: origins that produced new behaviour on " + h + "\n")
		for _, e := range c.by[h] {
			if strings.HasPrefix(e.Origin, "#") || strings.TrimSpace(e.Origin+e.Class) == "" {
				continue // would read back as a comment or a blank line
			}
			b.WriteString(e.Origin + "\t" + e.Class + "\n")
		}
		if err := os.WriteFile(filepath.Join(c.dir, h+".origins"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

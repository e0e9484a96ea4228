package fuzz

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
)

// Native fuzz targets for the three readers of user files: --replay,
// --targets and the --corpus directory. Each asserts what the reader
// promises, not only that it does not panic.

// recordingTransport answers every request itself (no network) and keeps
// what was asked for. A request header X-Loc becomes a redirect, so that a
// replay file can also try to steer redirects.
type recordingTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, r)
	rt.mu.Unlock()
	resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}
	if loc := r.Header.Get("X-Loc"); loc != "" {
		resp.StatusCode = http.StatusFound
		resp.Header.Set("Location", loc)
	}
	if o := r.Header.Get("Origin"); o != "" {
		resp.Header.Set("Access-Control-Allow-Origin", o)
	}
	return resp, nil
}

const replaySecret = "Bearer replay-secret-77"

func FuzzReplayFile(f *testing.F) {
	f.Add([]byte(`{"ruleId":"CG101","target":"http://api.example.com/","exchanges":[{"request":{"method":"GET","url":"http://api.example.com/v1","header":{"Origin":["https://evil.test"]},"credentials":true}}]}`))
	f.Add([]byte(`{"ruleId":"CG101","target":"http://api.example.com/","exchanges":[{"request":{"method":"GET","url":"http://evil.test:8080/steal","credentials":true}}]}`))
	f.Add([]byte(`[{"ruleId":"CG101","exchanges":[{"request":{"method":"GET","url":"http://api.example.com/","header":{"X-Loc":["http://api.example.com:8080/"]},"credentials":true}}]}]`))
	f.Add([]byte(`{"exchanges":[{"request":{"method":"GET","url":"http://api.example.com@127.0.0.2/","credentials":true}}]}` + "\n" + `{"exchanges":[{"request":{"method":"OPTIONS","url":"HTTP://API.EXAMPLE.COM./"}}]}`))
	f.Add([]byte(`{"exchanges":[{"request":{"method":"GET","url":"https://api.example.com/","credentials":true}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ReadResults(bytes.NewReader(data), "replay.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "replay.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		rt := &recordingTransport{}
		c, err := driver.New(driver.Config{Scope: []string{"http://api.example.com"}, Transport: rt,
			Header: http.Header{"Authorization": {replaySecret}}, MaxRedirects: 3})
		if err != nil {
			t.Fatal(err)
		}
		scope, _ := driver.ParseOrigin("http://api.example.com/")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, r := range rs {
			before := len(rt.reqs)
			_, err := Replay(ctx, c, r)
			if CheckReplayScope(c, []Result{r}) != nil && (err == nil || len(rt.reqs) != before) {
				t.Fatalf("a result with an out-of-scope request was replayed (%d request(s) sent, error %v)", len(rt.reqs)-before, err)
			}
		}
		for _, req := range rt.reqs {
			o, err := driver.ParseOrigin(req.URL.String())
			if err != nil || o != scope {
				t.Fatalf("replay sent a request to %s, outside the scope %s", req.URL, scope)
			}
			if req.Header.Get("Authorization") == replaySecret && req.URL.User != nil {
				t.Fatalf("credentials sent with user information in the URL: %s", req.URL)
			}
		}
	})
}

func FuzzReadTargets(f *testing.F) {
	f.Add([]byte("https://api.example.com/v1\n# comment\n\nhttp://b.test:8080/x?y=1\n"))
	f.Add([]byte("http://user:SECRETPW@api.example.com/\n"))
	f.Add([]byte("http://[::ffff:127.0.0.1]:80/\nHTTPS://B\u00dccher.example./\n"))
	f.Add([]byte("ftp://x/\nhttp://\nhttp://%zz/\n" + strings.Repeat("a", 70000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		urls, err := ReadTargets(bytes.NewReader(data), "targets.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "targets.txt") {
				t.Fatalf("error does not name the file: %v", err)
			}
			// A line is quoted to say what is wrong with it, but never the
			// user information of a URL (scheme forgotten or not).
			for _, line := range strings.Split(string(data), "\n") {
				if passwordInAuthority(line, "SECRETPW") && strings.Contains(err.Error(), "SECRETPW") {
					t.Fatalf("error quotes a URL's password: %v", err)
				}
			}
			return
		}
		if lines := bytes.Count(data, []byte("\n")) + 1; len(urls) > lines {
			t.Fatalf("%d URLs from %d lines", len(urls), lines)
		}
		for _, u := range urls {
			pu, err := ParseTargetURL(u)
			if err != nil || pu.User != nil {
				t.Fatalf("returned %q, which ParseTargetURL refuses: %v", u, err)
			}
			if _, err := driver.ParseOrigin(u); err != nil {
				t.Fatalf("returned %q, which has no origin to scope: %v", u, err)
			}
		}
	})
}

// passwordInAuthority reports whether secret sits in the user information
// of line read as a URL: before an @ in the authority, which starts after
// "scheme://", after a leading "//", or at the start.
func passwordInAuthority(line, secret string) bool {
	line = strings.TrimSpace(line)
	if i := strings.Index(line, "://"); i >= 0 {
		line = line[i+3:]
	} else {
		line = strings.TrimPrefix(line, "//")
	}
	if end := strings.IndexAny(line, "/?#"); end >= 0 {
		line = line[:end]
	}
	at := strings.LastIndex(line, "@")
	return at >= 0 && strings.Contains(line[:at], secret)
}

func FuzzCorpusFile(f *testing.F) {
	f.Add([]byte("# corsguard corpus\nhttps://app.example.com.evil.test\tpost-domain\nnull\tnull\n\trandom\n"))
	f.Add([]byte("https://a.test\tx\nhttps://a.test\ty\nno-tab-line\n"))
	f.Add([]byte("https://a.test\tclass\twith\ttabs\r\n  \tspaces\n#not-a-comment?\tz\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &Corpus{by: map[string][]CorpusEntry{}, seen: map[string]map[string]bool{}}
		if err := c.read(bytes.NewReader(data), testHost, "c.origins"); err != nil {
			if !strings.HasPrefix(err.Error(), "c.origins") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		got := c.Origins(testHost)
		seen := map[string]bool{}
		for _, e := range got {
			if seen[e.Origin] {
				t.Fatalf("origin %q kept twice", e.Origin)
			}
			seen[e.Origin] = true
		}
		// What is loaded survives a save and a reload unchanged, and the
		// save writes only the host's file, inside the directory.
		dir := t.TempDir()
		c.dir = dir
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.Name() != testHost+".origins" {
				t.Fatalf("Save wrote %s", filepath.Join(dir, e.Name()))
			}
		}
		again, err := OpenCorpus(dir)
		if err != nil {
			t.Fatalf("reload: %v", err)
		}
		if back := again.Origins(testHost); !slices.Equal(back, got) {
			t.Fatalf("round trip changed the corpus:\n%q\n%q", got, back)
		}
	})
}

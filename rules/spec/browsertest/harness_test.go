//go:build unix

package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hdr is one response or request header line, kept in order and byte for byte
// (net/http would trim values and fold duplicates; vectors need neither).
type hdr struct{ name, value string }

// observed is what the target server saw for one vector.
type observed struct {
	preflights int         // OPTIONS requests carrying Access-Control-Request-Method
	acrm, acrh string      // of the first preflight
	acrhSent   bool        // whether Access-Control-Request-Headers was present at all
	actuals    int         // every other request
	method     string      // method of the first actual request
	header     http.Header // headers of the first actual request
}

// target is the cross-origin server: a hand-written HTTP/1.1 responder, so
// that a vector's headers reach the browser exactly as written (surrounding
// spaces, empty values, the same header twice).
type target struct {
	ln      net.Listener
	mu      sync.Mutex
	seen    map[int]*observed
	respond func(id int, preflight bool) (status int, headers []hdr)
	wg      sync.WaitGroup
	connsMu sync.Mutex
	conns   map[net.Conn]bool
	closed  bool // under connsMu: no new connection is served
}

func newTarget(t *testing.T, respond func(id int, preflight bool) (int, []hdr)) *target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &target{ln: ln, seen: map[int]*observed{}, respond: respond, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *target) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *target) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.connsMu.Lock()
		if s.closed {
			s.connsMu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.connsMu.Unlock()
		go s.serve(c)
	}
}

func (s *target) close() {
	_ = s.ln.Close()
	s.connsMu.Lock()
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.connsMu.Unlock()
	s.wg.Wait()
}

// vectorID extracts the vector index from a path /v/<id>.
func vectorID(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "/v/")
	if !ok {
		return 0, false
	}
	id, err := strconv.Atoi(rest)
	return id, err == nil
}

// serve answers requests on one keep-alive connection until the browser
// closes it.
func (s *target) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		_ = c.Close()
		s.connsMu.Lock()
		delete(s.conns, c)
		s.connsMu.Unlock()
	}()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
		id, ok := vectorID(req.URL.Path)
		status, headers := 404, []hdr(nil)
		if ok {
			_, isPreflight := req.Header["Access-Control-Request-Method"]
			isPreflight = isPreflight && req.Method == http.MethodOptions
			s.mu.Lock()
			o := s.seen[id]
			if o == nil {
				o = &observed{}
				s.seen[id] = o
			}
			if isPreflight {
				if o.preflights == 0 {
					o.acrm = req.Header.Get("Access-Control-Request-Method")
					_, o.acrhSent = req.Header["Access-Control-Request-Headers"]
					o.acrh = req.Header.Get("Access-Control-Request-Headers")
				}
				o.preflights++
			} else {
				if o.actuals == 0 {
					o.method = req.Method
					o.header = req.Header.Clone()
				}
				o.actuals++
			}
			s.mu.Unlock()
			status, headers = s.respond(id, isPreflight)
		}
		if _, err := c.Write(rawResponse(status, headers, req.Method == http.MethodHead)); err != nil {
			return
		}
	}
}

// responseBody is what every vector's actual response carries.
const responseBody = "ok"

// framing is the header block every response gets after the vector's own
// headers; the oracle sees it too, since the browser does.
func framing(status int, headers []hdr) []hdr {
	out := append([]hdr(nil), headers...)
	body := responseBody
	if status == 204 || status == 304 {
		body = ""
	}
	return append(out,
		hdr{"Content-Type", "text/plain"},
		hdr{"Content-Length", strconv.Itoa(len(body))},
		hdr{"Cache-Control", "no-store"},
	)
}

func rawResponse(status int, headers []hdr, head bool) []byte {
	var b bytes.Buffer
	reason := http.StatusText(status)
	if reason == "" {
		reason = "Status"
	}
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, reason)
	for _, h := range framing(status, headers) {
		fmt.Fprintf(&b, "%s: %s\r\n", h.name, h.value)
	}
	b.WriteString("\r\n")
	if !head && status != 204 && status != 304 {
		b.WriteString(responseBody)
	}
	return b.Bytes()
}

func (s *target) observed(id int) observed {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.seen[id]; o != nil {
		return *o
	}
	return observed{}
}

// pageVector is what the page's script needs to run one vector.
type pageVector struct {
	ID          int         `json:"id"`
	URL         string      `json:"url"`
	Method      string      `json:"method,omitempty"`
	Headers     [][2]string `json:"headers"`
	Credentials string      `json:"credentials"`
	Expose      string      `json:"expose,omitempty"`
}

// pageResult is what the page reports for one vector.
type pageResult struct {
	ID      int    `json:"id"`
	OK      bool   `json:"ok"`
	Status  int    `json:"status"`
	Error   string `json:"error"`
	Exposed *bool  `json:"exposed"`
}

// pageScript fetch()es every vector at once, then posts the verdicts back to
// its own origin. fetch() resolving means CORS allowed the read; a rejection
// (TypeError) means blocked — the page cannot tell why, only the oracle can.
const pageScript = `
const vectors = JSON.parse(document.getElementById("vectors").textContent);
async function run(v) {
  try {
    const init = {mode: "cors", credentials: v.credentials, headers: v.headers};
    if (v.method) init.method = v.method;
    const r = await fetch(v.url, init);
    let exposed = null;
    if (v.expose) exposed = r.headers.get(v.expose) !== null;
    try { await r.text(); } catch (e) {}
    return {id: v.id, ok: true, status: r.status, error: "", exposed};
  } catch (e) {
    return {id: v.id, ok: false, status: 0, error: String(e), exposed: null};
  }
}
(async () => {
  const results = await Promise.all(vectors.map(run));
  await fetch("/results", {method: "POST", body: JSON.stringify(results)});
  document.getElementById("state").textContent = "done";
})();
`

func pageHTML(vectors []pageVector) ([]byte, error) {
	js, err := json.Marshal(vectors) // escapes <, > and &, so it cannot end the script element
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("<!doctype html><meta charset=utf-8><title>corsguard oracle vs chromium</title>\n")
	b.WriteString(`<p id="state">running</p><script type="application/json" id="vectors">`)
	b.Write(js)
	b.WriteString("</script>\n<script>")
	b.WriteString(pageScript)
	b.WriteString("</script>\n")
	return b.Bytes(), nil
}

// page is the first origin: it serves the test page and receives the results.
// It listens first (the vectors need its origin) and serves once the page
// is written.
type page struct {
	ln      net.Listener
	results chan []pageResult
}

func listenPage(t *testing.T) *page {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return &page{ln: ln, results: make(chan []pageResult, 1)}
}

func (p *page) origin() string { return "http://" + p.ln.Addr().String() }

func (p *page) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// serve starts answering: GET / is the page, POST /results its report.
func (p *page) serve(t *testing.T, body []byte) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("POST /results", func(w http.ResponseWriter, r *http.Request) {
		var res []pageResult
		if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&res); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case p.results <- res:
		default: // a second post (never expected) is ignored
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(p.ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// findChromium returns the browser to run, or "" when there is none.
func findChromium() string {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// chromiumFlags are the flags that make Debian's chromium run the page
// headless, as root, with no traffic beyond loopback: no QUIC, no first-run
// work, no background fetches (component updater, sync), a throw-away
// profile. No --dump-dom or --virtual-time-budget: headless Chromium keeps
// running after the page settles, and the test ends it as soon as the page
// has posted its results (about a second for the whole table), which is
// both faster and surer than guessing when the DOM is final.
func chromiumFlags(userDataDir, url string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync",
		"--user-data-dir=" + userDataDir,
		url,
	}
}

// limitedBuffer keeps the first max bytes written to it (Chromium's stderr
// is noisy; it only matters when the run fails).
type limitedBuffer struct {
	mu  sync.Mutex
	b   bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runChromium opens url in headless Chromium and returns what the page
// posts, killing the browser's whole process group afterwards.
func runChromium(ctx context.Context, t *testing.T, bin, url string, results <-chan []pageResult) ([]pageResult, error) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, chromiumFlags(t.TempDir(), url)...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	stderr := &limitedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	var waitErr error
	exited := make(chan struct{}) // closed once waitErr is set
	go func() { waitErr = cmd.Wait(); close(exited) }()
	// However the run ends, the browser goes. The launcher is a shell
	// script; the browser and its helpers are its descendants, all in the
	// group Setpgid made, and all hold the output pipe, so Wait returns
	// only when every one of them is gone (or WaitDelay passes).
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited // killed: its exit status says nothing
	}()
	select {
	case res := <-results:
		return res, nil
	case <-exited:
		// Give a post that raced the exit a moment to land.
		select {
		case res := <-results:
			return res, nil
		case <-time.After(time.Second):
		}
		return nil, fmt.Errorf("chromium exited (%v) before the page posted its results; output:\n%s", waitErr, stderr.String())
	case <-ctx.Done():
		return nil, fmt.Errorf("no results from the page within the time limit (%w); chromium output:\n%s", ctx.Err(), stderr.String())
	}
}

// chromiumVersion is the browser's own version string, for the log.
func chromiumVersion(ctx context.Context, bin string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if v := strings.TrimSpace(string(out)); v != "" {
		return v
	}
	return fmt.Sprintf("chromium of unknown version (%v)", err)
}

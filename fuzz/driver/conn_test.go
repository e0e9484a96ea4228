package driver

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// stall is a handler that stalls until done is closed: before its headers
// (body false) or after them, with half a body promised (body true).
func stall(done <-chan struct{}, body bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("half"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-done:
		case <-r.Context().Done():
		}
	})
}

// sendWithin sends r and fails the test if Send has not returned after
// limit: the property under test is that an attempt ends, and a broken
// deadline would otherwise hang the test binary.
func sendWithin(t *testing.T, c *Client, r Request, limit time.Duration) Exchange {
	t.Helper()
	type result struct {
		ex  Exchange
		err error
	}
	got := make(chan result, 1)
	go func() {
		ex, err := c.Send(context.Background(), r)
		got <- result{ex, err}
	}()
	select {
	case res := <-got:
		if res.err != nil {
			t.Fatalf("Send: %v", res.err)
		}
		return res.ex
	case <-time.After(limit):
		t.Fatalf("%s %s still running after %s with Timeout %s", r.Method, r.URL, limit, c.cfg.Timeout)
		return Exchange{}
	}
}

// Timeout bounds an attempt whatever the server stalls on, over plain
// HTTP (the connection's deadline) and HTTPS, HTTP/1.1 or HTTP/2 (a
// context deadline): no
// answer at all is a timeout error; headers and half a body are a
// response cut short.
func TestTimeoutBoundsEveryStall(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, proto := range []string{"http", "https", "h2"} {
		for _, body := range []bool{false, true} {
			name := proto + map[bool]string{false: "/no-headers", true: "/half-body"}[body]
			t.Run(name, func(t *testing.T) {
				done := make(chan struct{})
				srv := httptest.NewUnstartedServer(stall(done, body))
				srv.EnableHTTP2 = proto == "h2"
				if proto == "http" {
					srv.Start()
				} else {
					srv.StartTLS()
				}
				t.Cleanup(srv.Close)
				t.Cleanup(func() { close(done) }) // before srv.Close, which waits for the handler
				c, err := New(Config{Scope: []string{srv.URL}, Timeout: timeout, Insecure: true})
				if err != nil {
					t.Fatal(err)
				}
				ex := sendWithin(t, c, Request{Method: http.MethodGet, URL: srv.URL + "/"}, 50*timeout)
				if proto == "h2" && ex.Response != nil && ex.Response.Proto != "HTTP/2.0" {
					t.Fatalf("answered over %s, want HTTP/2", ex.Response.Proto)
				}
				switch {
				case !body && (ex.Response != nil || !strings.Contains(ex.Error, "timeout") && !strings.Contains(ex.Error, "deadline")):
					t.Fatalf("want a timeout error, got %+v", ex)
				case body && (ex.Response == nil || !ex.Response.Truncated || ex.Response.BodyBytes != 4):
					t.Fatalf("want the 4 bytes sent, truncated, got %+v (response %+v)", ex, ex.Response)
				}
			})
		}
	}
}

// A kept-alive connection idle past its deadline is closed, not reused
// into a failure: requests spaced around the timeout (before, at and
// after an idle connection's deadline runs out) all get their answer, with
// no retries to hide a failed attempt.
func TestIdleConnectionPastItsDeadlineIsNoFailure(t *testing.T) {
	const timeout = 40 * time.Millisecond
	c, base := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Config{Timeout: timeout})
	for i := range 30 {
		ex, err := c.Send(context.Background(), Request{Method: http.MethodGet, URL: base + "/"})
		if err != nil || ex.Response == nil || ex.Attempts != 1 {
			t.Fatalf("request %d: %+v, %v", i, ex, err)
		}
		time.Sleep(timeout - 3*time.Millisecond + time.Duration(i%7)*time.Millisecond)
	}
}

// Keep records only the named headers, a bounded number of values each,
// each cut to its bound with a mark no browser accepts; what it drops is
// not kept alive. A small header block (net/http backs all its values
// with one array) is trimmed in place, the dropped values cleared from that
// array; a large one is copied, sharing nothing with the response.
func TestKeepBoundsTheRecordedHeaders(t *testing.T) {
	long := strings.Repeat("x", 40)
	k := &Keep{Header: func(n string) bool { return !strings.HasPrefix(n, "X-") }, Values: 2, ValueBytes: 16}
	want := http.Header{
		"Access-Control-Allow-Origin": {"https://a.exampl…", "https://b.exampl…"},
		"Vary":                        {strings.Repeat("x", 16) + "…"},
	}
	check := func(name string, got http.Header) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: kept %v, want %v", name, got, want)
		}
		for n, vs := range want {
			if strings.Join(got[n], "|") != strings.Join(vs, "|") {
				t.Errorf("%s: %s kept %q, want %q", name, n, got[n], vs)
			}
		}
		_ = append(got["Access-Control-Allow-Origin"], "more")
		if got["Vary"][0] != want["Vary"][0] {
			t.Errorf("%s: appending to one kept header wrote into another", name)
		}
	}

	// As net/http builds it: every value in one array.
	values := []string{"https://a.example", "https://b.example", "https://c.example", long, "drop me"}
	small := http.Header{
		"Access-Control-Allow-Origin": values[0:3:3],
		"Vary":                        values[3:4:4],
		"X-Junk":                      values[4:5:5],
	}
	check("small", k.Apply(small))
	if values[2] != "" || values[4] != "" {
		t.Errorf("dropped values are still referenced: %q", values)
	}

	large := http.Header{
		"Access-Control-Allow-Origin": {"https://a.example", "https://b.example", "https://c.example"},
		"Vary":                        {long},
	}
	for i := range 2 * smallHeader {
		large.Set("X-Junk-"+strings.Repeat("j", i), "drop me")
	}
	got := k.Apply(large)
	check("large", got)
	got["Vary"][0] = "changed"
	if large["Vary"][0] != long {
		t.Error("large: the kept values alias the response's")
	}
	if (*Keep)(nil).Apply(large)["X-Junk-"] == nil {
		t.Fatal("no Keep must keep every header")
	}
}

// The engine's options reach the record: SendWith keeps only what Keep
// names, and the record of a kept header is redacted like any other.
func TestSendWithKeepRecordsOnlyKeptHeaders(t *testing.T) {
	const secret = "s3cret-token-value"
	c, base := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://x.example "+secret)
		w.Header().Set("X-Junk", "drop me")
	}), Config{Cookies: []string{"sid=" + secret}})
	keep := &Keep{Header: func(n string) bool { return strings.HasPrefix(n, "Access-Control-") }}
	ex, err := c.SendWith(context.Background(), Request{Method: http.MethodGet, URL: base + "/", Credentials: true}, SendOptions{Keep: keep})
	if err != nil || ex.Response == nil {
		t.Fatalf("%+v, %v", ex, err)
	}
	if len(ex.Response.Header) != 1 || ex.Response.Header.Get("Access-Control-Allow-Origin") != "https://x.example "+Redacted {
		t.Fatalf("recorded %v", ex.Response.Header)
	}
	if ex.Request.Header.Get("Cookie") != Redacted {
		t.Fatalf("request record %+v", ex.Request)
	}
}

// timeoutErr is the error a read past its deadline returns.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// scriptedConn answers each Read with the next step; a step may run a
// function first (another goroutine's Write, as it would interleave).
type scriptedConn struct {
	net.Conn
	steps []func() (int, error)
}

func (c *scriptedConn) Read([]byte) (int, error) {
	step := c.steps[0]
	c.steps = c.steps[1:]
	return step()
}

func (c *scriptedConn) Write(b []byte) (int, error) { return len(b), nil }
func (c *scriptedConn) SetDeadline(time.Time) error { return nil }

// An idle read that times out on the previous request's deadline, while a
// new request is written on the connection, goes on reading under the new
// deadline (the answer is that request's); a timeout with no request
// written meanwhile is a timeout.
func TestReadPastAnOldDeadlineWaitsForTheNewRequest(t *testing.T) {
	dc := &deadlineConn{timeout: time.Second}
	dc.Conn = &scriptedConn{steps: []func() (int, error){
		func() (int, error) {
			if _, err := dc.Write(nil); err != nil { // the next request goes out
				t.Fatal(err)
			}
			return 0, timeoutErr{}
		},
		func() (int, error) { return 5, nil },
		func() (int, error) { return 0, timeoutErr{} },
	}}
	if n, err := dc.Read(make([]byte, 8)); n != 5 || err != nil {
		t.Fatalf("read after a re-arm: %d, %v; want the answer", n, err)
	}
	if n, err := dc.Read(make([]byte, 8)); n != 0 || !isTimeout(err) {
		t.Fatalf("read with no request written: %d, %v; want the timeout", n, err)
	}
}

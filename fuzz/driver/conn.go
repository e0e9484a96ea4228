package driver

import (
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineConn bounds every exchange on one of the driver's connections
// with the connection's own deadline, instead of a context and a timer
// per request: each Write (a request going out; over HTTP/1.1 a
// connection carries one exchange at a time) sets the read and write
// deadline to now + timeout, which then bounds writing the request and
// reading its status, headers and body. A connection left idle past its
// deadline fails its idle read and is closed, like a server's keep-alive
// timeout.
//
// Over HTTP/2 (HTTPS), streams share the connection and every frame
// re-arms the deadline, so it only bounds a connection that goes quiet;
// Client.once gives those requests a context deadline of their own.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	// armed counts deadline changes, seqlock style: odd while a Write is
	// setting a new deadline, so that a read that timed out can tell
	// whether a request sent meanwhile moved the deadline on.
	armed atomic.Uint64
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	c.armed.Add(1)
	err := c.SetDeadline(time.Now().Add(c.timeout))
	c.armed.Add(1)
	if err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// Read retries a read that timed out on an old deadline: the transport
// reads an idle connection while it waits for the next response, and a
// request written just as the previous deadline ran out has set a new one
// (the read would otherwise fail that request).
func (c *deadlineConn) Read(b []byte) (int, error) {
	for {
		before := c.armed.Load()
		n, err := c.Conn.Read(b)
		if n > 0 || err == nil || !isTimeout(err) {
			return n, err
		}
		after := c.armed.Load()
		for after&1 == 1 { // a Write is setting its deadline: wait for it
			runtime.Gosched()
			after = c.armed.Load()
		}
		if after == before {
			return n, err
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isPlainHTTP says whether a URL is http: (never HTTP/2 with the driver's
// transport, which speaks h2 only over TLS).
func isPlainHTTP(rawURL string) bool {
	return len(rawURL) > len("http:") && strings.EqualFold(rawURL[:len("http:")], "http:")
}

// drainBufs are the buffers bodies are read into and thrown away.
var drainBufs = sync.Pool{New: func() any { b := make([]byte, 4<<10); return &b }}

// drain reads and discards up to limit bytes of body, and returns how
// many it read and the first error other than io.EOF.
func drain(body io.Reader, limit int64) (int64, error) {
	bp := drainBufs.Get().(*[]byte)
	defer drainBufs.Put(bp)
	buf := *bp
	var n int64
	for n < limit {
		chunk := buf
		if left := limit - n; left < int64(len(chunk)) {
			chunk = chunk[:left]
		}
		m, err := body.Read(chunk)
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Keep says which response headers a request keeps in its record and how
// much of each: the names Header accepts, at most Values values of each,
// each cut to ValueBytes bytes followed by "…" (which no browser accepts
// in a CORS header, so a cut grant never looks valid). Zero Values or
// ValueBytes means no bound.
type Keep struct {
	Header     func(name string) bool
	Values     int
	ValueBytes int
}

// Apply returns the kept part of h, which it may trim in place (h is not
// to be used after). A small h (a map of one group, a few
// values) is trimmed in place: dropped names deleted, their values cleared
// from the array net/http backs all of a response's values with, so that
// they are not kept alive. A larger one is copied: the kept part into a
// new map whose values share one new array, so that neither the large map
// nor the dropped values stay alive. A nil Keep keeps h as it is.
func (k *Keep) Apply(h http.Header) http.Header {
	if k == nil || k.Header == nil {
		return h
	}
	keys, values, all := 0, 0, 0
	for name, vs := range h {
		all += len(vs)
		if k.Header(name) {
			keys++
			values += k.count(vs)
		}
	}
	if len(h) <= smallHeader && all <= 2*smallHeader {
		for name, vs := range h {
			if !k.Header(name) {
				clear(vs)
				delete(h, name)
				continue
			}
			n := k.count(vs)
			clear(vs[n:])
			vs = vs[:n:n]
			for i, v := range vs {
				vs[i] = k.clip(v)
			}
			h[name] = vs
		}
		return h
	}
	out := make(http.Header, keys)
	if keys == 0 {
		return out
	}
	backing := make([]string, 0, values)
	for name, vs := range h {
		if !k.Header(name) {
			continue
		}
		vs = vs[:k.count(vs)]
		from := len(backing)
		for _, v := range vs {
			backing = append(backing, k.clip(v))
		}
		out[name] = backing[from:len(backing):len(backing)]
	}
	return out
}

// smallHeader is the most names a header map trimmed in place may hold:
// one group of Go's map, no larger than the copy would be.
const smallHeader = 8

// clip cuts a value to ValueBytes, marked: a new string, so that the long
// one is not kept alive.
func (k *Keep) clip(v string) string {
	if k.ValueBytes > 0 && len(v) > k.ValueBytes {
		return v[:k.ValueBytes] + "…"
	}
	return v
}

func (k *Keep) count(vs []string) int {
	if k.Values > 0 && len(vs) > k.Values {
		return k.Values
	}
	return len(vs)
}

//go:build ignore

// Built by name (go build …/main.go) by the bounds cases only: the build tag
// keeps "go install ./..." to the corsguard binary.

// Command hugeheader is a loopback HTTP server whose every answer carries
// one huge header, for the bounds cases fuzz-header-*.sh.
//
//	hugeheader -bytes 1048576 -portfile port.txt
//
// It listens on 127.0.0.1 (a free port, written to -portfile) and streams
// "X-Big: aaaa..." in 64 KiB pieces, so that the server stays small and
// the bounds table measures the client.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
)

func main() {
	size := flag.Int("bytes", 1<<20, "size of the X-Big header value")
	portFile := flag.String("portfile", "port.txt", "file to write the port to")
	flag.Parse()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	if err := os.WriteFile(*portFile, []byte(port), 0o644); err != nil {
		log.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	for {
		conn, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(conn, *size, chunk)
	}
}

// serve answers each request on conn until the client hangs up (which it
// does as soon as the header is over its cap).
func serve(conn net.Conn, size int, chunk []byte) {
	defer func() { _ = conn.Close() }()
	r := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		_ = req.Body.Close()
		if _, err := conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nAccess-Control-Allow-Origin: *\r\nX-Big: ")); err != nil {
			return
		}
		for left := size; left > 0; left -= len(chunk) {
			if _, err := conn.Write(chunk[:min(left, len(chunk))]); err != nil {
				return
			}
		}
		if _, err := conn.Write([]byte("\r\n\r\n")); err != nil {
			return
		}
	}
}

package source

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Every case must come back without blocking: a FIFO with no writer is the
// case that used to hang the linter.
func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "api.conf")
	if err := os.WriteFile(regular, []byte("server { listen 80; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.conf")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sock := filepath.Join(dir, "s.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer func() { _ = ln.Close() }()
	link := filepath.Join(dir, "link.conf")
	mustSymlink(t, "api.conf", link)
	linkToFIFO := filepath.Join(dir, "link-to-fifo.conf")
	mustSymlink(t, "fifo.conf", linkToFIFO)
	broken := filepath.Join(dir, "broken.conf")
	mustSymlink(t, "nowhere.conf", broken)
	big := filepath.Join(dir, "big.conf")
	fh, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	_ = fh.Close()

	tests := []struct {
		name   string
		path   string
		kind   Kind // ignored when ok
		ok     bool
		detail string
	}{
		{name: "regular file", path: regular, ok: true},
		{name: "symbolic link to a regular file", path: link, ok: true},
		{name: "FIFO", path: fifo, kind: NotRegular, detail: "FIFO"},
		{name: "symbolic link to a FIFO", path: linkToFIFO, kind: NotRegular, detail: "FIFO"},
		{name: "character device", path: "/dev/null", kind: NotRegular, detail: "character device"},
		{name: "socket", path: sock, kind: NotRegular, detail: "socket"},
		{name: "directory", path: dir, kind: NotRegular, detail: "directory"},
		{name: "broken symbolic link", path: broken, kind: Missing, detail: "broken symbolic link (to nowhere.conf)"},
		{name: "missing file", path: filepath.Join(dir, "none.conf"), kind: Missing, detail: "no such file"},
		{name: "larger than the limit", path: big, kind: TooBig, detail: "10 MB limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Read(tt.path)
			if tt.ok {
				if err != nil || !bytes.Contains(data, []byte("listen 80")) {
					t.Fatalf("Read = %q, %v; want the file's contents", data, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Read succeeded; want a refusal of kind %d", tt.kind)
			}
			if !IsKind(err, tt.kind) {
				t.Errorf("error %q has the wrong kind; want %d", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q does not say %q", err, tt.detail)
			}
		})
	}
}

func TestHeadReadsTheStartOfABigFileButNotAFIFO(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "dump.sql")
	content := append([]byte("-- SQL dump\n"), bytes.Repeat([]byte("x"), MaxFileSize+10)...)
	if err := os.WriteFile(big, content, 0o644); err != nil {
		t.Fatal(err)
	}
	head, err := Head(big, 8)
	if err != nil || string(head) != "-- SQL d" {
		t.Fatalf("Head = %q, %v", head, err)
	}
	fifo := filepath.Join(dir, "f")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := Head(fifo, 8); !IsKind(err, NotRegular) {
		t.Fatalf("Head of a FIFO: %v; want NotRegular", err)
	}
}

func TestReadStdinStopsAtTheLimit(t *testing.T) {
	data, err := ReadStdin("<stdin>", strings.NewReader("server {}\n"))
	if err != nil || string(data) != "server {}\n" {
		t.Fatalf("ReadStdin = %q, %v", data, err)
	}
	_, err = ReadStdin("<stdin>", bytes.NewReader(make([]byte, MaxFileSize+1)))
	if !IsKind(err, TooBig) || !strings.Contains(err.Error(), "<stdin>") {
		t.Fatalf("ReadStdin of MaxFileSize+1 bytes: %v; want TooBig naming <stdin>", err)
	}
	data, err = ReadStdin("<stdin>", bytes.NewReader(make([]byte, MaxFileSize)))
	if err != nil || len(data) != MaxFileSize {
		t.Fatalf("ReadStdin of exactly MaxFileSize bytes: %d, %v", len(data), err)
	}
}

func TestUnreadableFileIsUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	p := filepath.Join(t.TempDir(), "secret.conf")
	if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p); !IsKind(err, Unreadable) || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("Read of a mode-000 file: %v", err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlink: %v", err)
	}
}

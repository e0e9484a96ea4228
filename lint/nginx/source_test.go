package nginx

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// An include of something that is not a regular file is refused by type
// before it is opened: a FIFO with no writer used to block the linter
// forever, /dev/zero to fill its memory.
func TestIncludeOfANonRegularFileIsRefusedAtTheIncludeLine(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.conf"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	tests := []struct {
		name, include, want string
	}{
		{"FIFO", "pipe.conf", "is a FIFO (named pipe), not a regular file"},
		{"character device", "/dev/zero", "/dev/zero is a character device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry := filepath.Join(dir, "nginx.conf")
			conf := "http {\n server {\n  include " + tt.include + ";\n  location / { add_header Access-Control-Allow-Origin *; return 204; }\n }\n}\n"
			if err := os.WriteFile(entry, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			res := Parse(entry)
			d := diagnostics(res)
			if len(d) != 1 || !strings.HasPrefix(d[0], "nginx.conf:3: ") || !strings.Contains(d[0], tt.want) {
				t.Fatalf("diagnostics %q, want one at nginx.conf:3 saying %q", d, tt.want)
			}
			policy(t, res, "server > location /") // the rest is still linted
		})
	}
}

// Contents handed over by the caller are what is parsed: the file on disk
// is not read again (a pipe could not be).
func TestParseSourceUsesTheGivenContents(t *testing.T) {
	dir := t.TempDir()
	entry := filepath.Join(dir, "api.conf")
	if err := os.WriteFile(entry, []byte("# on disk: nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := ParseSource(entry, []byte("server {\n server_name api.test;\n location / { add_header Access-Control-Allow-Origin *; return 204; }\n}\n"))
	equal(t, "diagnostics", diagnostics(res), nil)
	policy(t, res, "server api.test > location /")
	if len(res.Files) != 1 || res.Files[0] != entry {
		t.Errorf("files %q, want the entry alone", res.Files)
	}
}

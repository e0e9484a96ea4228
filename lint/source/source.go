package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize is the largest configuration file corsguard reads.
const MaxFileSize = 10 << 20

// Error says why a file was not read. Kind lets callers decide whether
// that is an error to report or a file to skip.
type Error struct {
	Path string
	Kind Kind
	// Detail is the type ("a FIFO"), the size, or the OS error text.
	Detail string
	Err    error // the underlying OS error, when there is one
}

// Kind classifies a refusal.
type Kind int

const (
	// Unreadable: the file exists but could not be opened or read
	// (permissions, I/O error).
	Unreadable Kind = iota
	// Missing: nothing at that path, or a symbolic link to nothing.
	Missing
	// NotRegular: a directory, FIFO, device or socket.
	NotRegular
	// TooBig: larger than MaxFileSize.
	TooBig
)

func (e *Error) Error() string {
	switch e.Kind {
	case NotRegular:
		return fmt.Sprintf("%s is %s, not a regular file; not read", e.Path, e.Detail)
	case TooBig:
		return fmt.Sprintf("%s is %s, larger than the %d MB limit; not read", e.Path, e.Detail, MaxFileSize>>20)
	}
	return fmt.Sprintf("cannot read %s: %s", e.Path, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

// Reason is the message without the path, for a diagnostic whose range
// names the file already.
func (e *Error) Reason() string {
	switch e.Kind {
	case NotRegular:
		return fmt.Sprintf("this is %s, not a regular file; not read", e.Detail)
	case TooBig:
		return fmt.Sprintf("file is %s, larger than the %d MB limit; not read", e.Detail, MaxFileSize>>20)
	}
	return "cannot read: " + e.Detail
}

// Reason is err's message without the path when err is a refusal, else
// err's message.
func Reason(err error) string {
	var se *Error
	if errors.As(err, &se) {
		return se.Reason()
	}
	return err.Error()
}

// IsKind reports whether err is a refusal of that kind.
func IsKind(err error, k Kind) bool {
	var se *Error
	return errors.As(err, &se) && se.Kind == k
}

// Describe names a non-regular file type for messages: "a FIFO".
func Describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "a regular file"
}

// Check stats path (following symbolic links) without opening it and
// refuses anything but a regular file of at most MaxFileSize bytes.
func Check(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, statError(path, err)
	}
	return st, checkInfo(path, st)
}

func checkInfo(path string, st fs.FileInfo) error {
	if !st.Mode().IsRegular() {
		return &Error{Path: path, Kind: NotRegular, Detail: Describe(st.Mode())}
	}
	if st.Size() > MaxFileSize {
		return &Error{Path: path, Kind: TooBig, Detail: sizeText(st.Size())}
	}
	return nil
}

func statError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		detail := "no such file"
		if lst, lerr := os.Lstat(path); lerr == nil && lst.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			detail = fmt.Sprintf("broken symbolic link (to %s)", target)
		}
		return &Error{Path: path, Kind: Missing, Detail: detail, Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &Error{Path: path, Kind: Unreadable, Detail: "permission denied", Err: err}
	}
	return &Error{Path: path, Kind: Unreadable, Detail: pathErrText(err), Err: err}
}

func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func sizeText(n int64) string {
	if n >= 100<<20 {
		// Exact bytes just over the limit; megabytes where they read better.
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read returns the contents of a regular file. The type is checked before
// the file is opened; the open does not block (a FIFO swapped in after
// the check opens at once and is refused by the second check, made on
// the open descriptor); at most MaxFileSize+1 bytes are read, so a file
// that grows meanwhile is refused rather than read without end.
func Read(path string) ([]byte, error) {
	if b, ok := overlaid(path); ok {
		return b, nil
	}
	f, st, err := open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if st.Size() > MaxFileSize {
		return nil, &Error{Path: path, Kind: TooBig, Detail: sizeText(st.Size())}
	}
	return readLimited(path, f, st.Size())
}

// Head returns at most n bytes from the start of a regular file of any
// size, for deciding what a file is before refusing it as too big.
func Head(path string, n int) ([]byte, error) {
	if b, ok := overlaid(path); ok {
		return b[:min(n, len(b))], nil
	}
	f, _, err := open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	buf := make([]byte, n)
	got, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, &Error{Path: path, Kind: Unreadable, Detail: pathErrText(err), Err: err}
	}
	return buf[:got], nil
}

// open checks the type by name, opens without blocking and checks again on
// the descriptor that it is the same regular file.
func open(path string) (*os.File, fs.FileInfo, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, nil, statError(path, err)
	}
	if !before.Mode().IsRegular() {
		return nil, nil, &Error{Path: path, Kind: NotRegular, Detail: Describe(before.Mode())}
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, nil, statError(path, err)
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		_ = f.Close()
		return nil, nil, statError(path, err)
	case !st.Mode().IsRegular():
		_ = f.Close()
		return nil, nil, &Error{Path: path, Kind: NotRegular, Detail: Describe(st.Mode())}
	case !os.SameFile(before, st):
		_ = f.Close()
		return nil, nil, &Error{Path: path, Kind: Unreadable, Detail: "the file was replaced while being opened"}
	}
	return f, st, nil
}

// ReadStdin reads standard input (or any reader) up to MaxFileSize bytes;
// name is what messages call it.
func ReadStdin(name string, r io.Reader) ([]byte, error) {
	return readLimited(name, r, 0)
}

func readLimited(path string, r io.Reader, sizeHint int64) ([]byte, error) {
	var b bytes.Buffer
	// Room for the size stat reported plus ReadFrom's minimum, so that a
	// file is read into one buffer without a copy.
	b.Grow(int(min(sizeHint, MaxFileSize)) + bytes.MinRead)
	if _, err := b.ReadFrom(io.LimitReader(r, MaxFileSize+1)); err != nil {
		return nil, &Error{Path: path, Kind: Unreadable, Detail: pathErrText(err), Err: err}
	}
	if b.Len() > MaxFileSize {
		return nil, &Error{Path: path, Kind: TooBig, Detail: "more than " + sizeText(MaxFileSize)}
	}
	return b.Bytes(), nil
}

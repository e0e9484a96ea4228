package fix

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Write writes every changed file of the plan atomically: the new
// contents go to a temporary file in the same directory, which takes the
// old file's mode and then replaces it by a rename, so that a reader (or a
// crash) sees the old file or the new one, never half of each. A symbolic
// link is followed: its target is rewritten, the link stays. A file that
// changed on disk since it was linted is not touched.
func (p *Plan) Write() error {
	for _, f := range p.Files {
		if err := writeFile(f); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(f File) error {
	target, err := filepath.EvalSymlinks(f.Path)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	st, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	now, err := os.ReadFile(target)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if !bytes.Equal(now, f.Old) {
		return fmt.Errorf("%s changed on disk while it was being fixed; not written", f.Path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".corsguard-*")
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	done := false
	defer func() {
		if !done {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(f.New); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	done = true
	return nil
}

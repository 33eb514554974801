//go:build unix

package litmus

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestParseFIFO checks that a named pipe called *.litmus, in a directory or
// given directly, is refused at once, naming its path, instead of blocking
// for a writer; and that opening one is refused at once even without the
// check before opening (a file swapped for a pipe in between).
func TestParseFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.litmus"), []byte(smallTest), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "f.litmus")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	const msg = "not a regular file but a named pipe (FIFO)"
	tests, err := noHang(t, "ParsePath of a directory with a FIFO", func() ([]*Test, error) { return ParsePath(dir) })
	wantPathError(t, err, p, msg)
	if len(tests) != 1 {
		t.Errorf("the directory's regular file is not parsed: %v", tests)
	}
	_, err = noHang(t, "ParsePath of a FIFO", func() ([]*Test, error) { return ParsePath(p) })
	wantPathError(t, err, p, msg)
	_, err = noHang(t, "ParseFile of a FIFO", func() (*Test, error) { return ParseFile(p) })
	wantPathError(t, err, p, msg)
	_, err = noHang(t, "ParseFS of a directory with a FIFO", func() ([]*Test, error) { return ParseFS(os.DirFS(dir), "d") })
	wantPathError(t, err, "d/f.litmus", msg)
	_, err = noHang(t, "opening a FIFO", func() ([]byte, error) { return readOpen(p) })
	wantPathError(t, err, p, msg)
}

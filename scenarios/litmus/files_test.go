package litmus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const smallTest = "JS Small\n{ Int32 x[1]; }\nP0 { r0 = x[0]; }\nexists (0:r0=0)\n"

// noHang runs f and fails the test if it has not returned within a few
// seconds, so that a read that blocks is reported rather than hanging.
func noHang[T any](t *testing.T, what string, f func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocks", what)
		panic("unreachable")
	}
}

// wantPathError checks that err is an *fs.PathError naming path whose
// message contains msg.
func wantPathError(t *testing.T, err error, path, msg string) {
	t.Helper()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path || !strings.Contains(err.Error(), msg) {
		t.Errorf("error %v (%T), want an *fs.PathError naming %s with %q", err, err, path, msg)
	}
}

// TestParseFileSizeLimit checks that a file larger than MaxFileSize is
// refused, naming its path and size, without being read (the 3 GiB file is
// sparse), and that one of exactly MaxFileSize bytes is read.
func TestParseFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int64{MaxFileSize + 1, 3 << 30} {
		p := filepath.Join(dir, "big.litmus")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(smallTest); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Skipf("no sparse file of %d bytes here: %v", size, err)
		}
		f.Close()
		_, err = ParseFile(p)
		wantPathError(t, err, p, fmt.Sprintf("read %s: %d bytes, beyond the 1048576-byte limit on a litmus file (litmus.MaxFileSize)", p, size))
		if _, err := ParsePath(dir); err == nil || !strings.Contains(err.Error(), p+": ") {
			t.Errorf("directory: error %v, want one naming %s", err, p)
		}
	}
	p := filepath.Join(dir, "big.litmus")
	if err := os.WriteFile(p, []byte(smallTest+strings.Repeat(" ", MaxFileSize-len(smallTest))), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile(p); err != nil {
		t.Errorf("a file of exactly MaxFileSize bytes: %v", err)
	}
}

// growingFile claims a size of zero but yields more than MaxFileSize bytes.
type growingFile struct{ n int }

func (g *growingFile) Stat() (fs.FileInfo, error) {
	return fstest.MapFS{"f": {}}.Stat("f")
}
func (g *growingFile) Close() error { return nil }
func (g *growingFile) Read(b []byte) (int, error) {
	if g.n > 2*MaxFileSize {
		return 0, io.EOF
	}
	for i := range b {
		b[i] = ' '
	}
	g.n += len(b)
	return len(b), nil
}

func TestReadStopsAtTheLimit(t *testing.T) {
	g := &growingFile{}
	_, err := readChecked(g, "dir/grows.litmus")
	wantPathError(t, err, "dir/grows.litmus", "grew beyond the 1048576-byte limit")
	if g.n > MaxFileSize+64<<10 {
		t.Errorf("read %d bytes of a file beyond the limit", g.n)
	}
}

// failFS is an fs.FS whose root cannot be listed (when listErr is set) and
// whose file "locked.litmus" cannot be opened.
type failFS struct {
	fstest.MapFS
	listErr error
}

func (f failFS) Open(name string) (fs.File, error) {
	if name == "." && f.listErr != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: f.listErr}
	}
	if name == "locked.litmus" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func (f failFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "." && f.listErr != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: f.listErr}
	}
	return f.MapFS.ReadDir(name)
}

// TestParseFSErrors checks that ParseFS reports a root it cannot list and
// files it cannot or will not read, each by its prefixed path.
func TestParseFSErrors(t *testing.T) {
	_, err := ParseFS(failFS{MapFS: fstest.MapFS{"a.litmus": {Data: []byte(smallTest)}}, listErr: fs.ErrPermission}, "tests")
	wantPathError(t, err, "tests", "permission denied")

	fsys := failFS{MapFS: fstest.MapFS{
		"a.litmus":      {Data: []byte(smallTest)},
		"locked.litmus": {Data: []byte(smallTest)},
		"pipe.litmus":   {Mode: fs.ModeNamedPipe},
		"sub.litmus":    {Mode: fs.ModeDir},
		"big.litmus":    {Data: make([]byte, MaxFileSize+1)},
		"notes.txt":     {Mode: fs.ModeNamedPipe},
	}}
	tests, err := ParseFS(fsys, "tests")
	if len(tests) != 1 || tests[0].File != "tests/a.litmus" {
		t.Errorf("tests %v", tests)
	}
	for _, want := range []string{
		"read tests/big.litmus: 1048577 bytes, beyond the 1048576-byte limit",
		"open tests/locked.litmus: permission denied",
		"read tests/pipe.litmus: not a regular file but a named pipe (FIFO)",
		"read tests/sub.litmus: not a regular file but a directory",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nlacks %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("a file that is not *.litmus is read: %v", err)
	}
}

// TestParsePathUnreadable checks that an unreadable directory or file is
// reported with the error reading it gave and its path, not as a directory
// without tests.
func TestParsePathUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("permissions do not bind root")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.litmus")
	if err := os.WriteFile(p, []byte(smallTest), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	_, err := ParsePath(dir)
	wantPathError(t, err, p, "permission denied")
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	_, err = ParsePath(dir)
	wantPathError(t, err, dir, "permission denied")
	if err != nil && strings.Contains(err.Error(), "holds no") {
		t.Errorf("an unreadable directory is reported as empty: %v", err)
	}
}

func TestParsePathDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := ParsePath(dir); err == nil || err.Error() != dir+": directory holds no *.litmus files" {
		t.Errorf("empty directory: %v", err)
	}
	for _, n := range []string{"b.litmus", "a.litmus"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(smallTest), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.litmus"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests, err := ParsePath(dir + "/")
	wantPathError(t, err, filepath.Join(dir, "sub.litmus"), "not a regular file but a directory")
	if len(tests) != 2 || tests[0].File != filepath.Join(dir, "a.litmus") || tests[1].File != filepath.Join(dir, "b.litmus") {
		t.Errorf("tests %v", tests)
	}
}

package litmus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// MaxFileSize is the largest litmus file ParseFile, ParsePath and ParseFS
// read, in bytes (1 MiB). A test within the model's limits (MaxStmts
// statements over a block of MaxBlockSize bytes) takes a few kilobytes, and
// the catalogue's largest file, hand derivations included, under 2 KB; the
// limit leaves room for long doc strings and comments while bounding what a
// mistaken argument (a disk image, a log) costs to read.
const MaxFileSize = 1 << 20

// ParseFile reads and parses the litmus file at path. Only a regular file
// (or a symbolic link to one) of at most MaxFileSize bytes is read: anything
// else — a directory, a named pipe, a device, a larger file — is refused
// with an *fs.PathError naming path, without reading it (so a named pipe
// cannot block the caller). Parse errors are *Error values, positioned.
func ParseFile(path string) (*Test, error) {
	src, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// ParsePath parses a litmus file, as ParseFile does, or every *.litmus file
// of a directory (not recursively), sorted by name; tests and errors name
// each file by its path, path joined with the file's name. Every file's
// errors are returned, joined. An unreadable directory gives the error that
// reading it gave (naming path); a readable one without *.litmus files is
// an error too.
func ParsePath(path string) ([]*Test, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		t, err := ParseFile(path)
		if err != nil {
			return nil, err
		}
		return []*Test{t}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	tests, err := parseEntries(entries, func(name string) string { return filepath.Join(path, name) },
		func(_, full string) ([]byte, error) { return readFile(full) })
	if err == nil && len(tests) == 0 {
		return nil, errors.New(path + ": directory holds no *.litmus files")
	}
	return tests, err
}

// ParseFS parses every *.litmus file at the root of fsys, sorted by name.
// Tests and errors name files as prefix + "/" + name (name alone when
// prefix is empty), and so do errors listing the root (prefix) and reading
// a file. As with ParseFile, only regular files of at most MaxFileSize bytes
// are read (fsys is asked with Stat before a file is opened). All errors
// are returned, joined; a root without *.litmus files is not an error.
func ParseFS(fsys fs.FS, prefix string) ([]*Test, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		root := prefix
		if root == "" {
			root = "."
		}
		return nil, renamed(err, root)
	}
	return parseEntries(entries, func(name string) string { return path.Join(prefix, name) },
		func(name, full string) ([]byte, error) { return readFS(fsys, name, full) })
}

// parseEntries parses the *.litmus entries, in the order given, each read
// with read(its name, full(its name)) and named full(its name).
func parseEntries(entries []fs.DirEntry, full func(string) string, read func(name, full string) ([]byte, error)) ([]*Test, error) {
	var tests []*Test
	var errs []error
	for _, e := range entries {
		if ok, _ := path.Match("*.litmus", e.Name()); !ok {
			continue
		}
		name := full(e.Name())
		src, err := read(e.Name(), name)
		if err == nil {
			var t *Test
			if t, err = Parse(name, src); err == nil {
				tests = append(tests, t)
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return tests, errors.Join(errs...)
}

// readFile reads the file at name when it is a regular file of at most
// MaxFileSize bytes. The file is checked before it is opened, and opened
// without blocking (where the system allows) and checked again, so that
// neither a named pipe nor a file swapped for one in between blocks.
func readFile(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if err := readable(fi, name); err != nil {
		return nil, err
	}
	return readOpen(name)
}

// readOpen opens name without blocking and reads it with readChecked.
func readOpen(name string) ([]byte, error) {
	f, err := openNoBlock(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readChecked(f, name)
}

// readFS reads the file name of fsys as readFile does, checking it with
// Stat before opening it; full names it in errors.
func readFS(fsys fs.FS, name, full string) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, renamed(err, full)
	}
	if err := readable(fi, full); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, renamed(err, full)
	}
	defer f.Close()
	return readChecked(f, full)
}

// readChecked reads the open file f, named name in errors, when it is a
// regular file of at most MaxFileSize bytes, and never more than
// MaxFileSize+1 bytes of it, should it grow while it is read.
func readChecked(f fs.File, name string) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, renamed(err, name)
	}
	if err := readable(fi, name); err != nil {
		return nil, err
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, renamed(err, name)
	}
	if len(src) > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("grew beyond %s while being read", sizeLimit)}
	}
	return src, nil
}

// sizeLimit explains MaxFileSize in errors.
var sizeLimit = fmt.Sprintf("the %d-byte limit on a litmus file (litmus.MaxFileSize)", MaxFileSize)

// readable reports, as an *fs.PathError naming name, why the file described
// by fi is not read: it is not a regular file, or it is larger than
// MaxFileSize.
func readable(fi fs.FileInfo, name string) error {
	if m := fi.Mode(); !m.IsRegular() {
		return &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("not a regular file but %s; only regular files are read", fileType(m))}
	}
	if fi.Size() > MaxFileSize {
		return &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%d bytes, beyond %s", fi.Size(), sizeLimit)}
	}
	return nil
}

// fileType names the type of a file that is not regular.
func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "an irregular file (" + m.String() + ")"
}

// renamed returns err naming name: a *fs.PathError's path is replaced (an
// fs.FS names files relative to its root), any other error is wrapped in
// one.
func renamed(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return &fs.PathError{Op: "read", Path: name, Err: err}
}

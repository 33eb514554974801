package litmus

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed catalogue/*.litmus
var catalogueFS embed.FS

// Catalogue returns the built-in catalogue of litmus tests, embedded in the
// binary: a file system whose root holds the *.litmus files.
func Catalogue() fs.FS {
	sub, err := fs.Sub(catalogueFS, "catalogue")
	if err != nil {
		panic(err) // cannot happen: the directory is embedded
	}
	return sub
}

// ParseFS parses every *.litmus file at the root of fsys, sorted by name.
// Errors name files as prefix + "/" + name. All parse errors are returned,
// joined.
func ParseFS(fsys fs.FS, prefix string) ([]*Test, error) {
	names, err := fs.Glob(fsys, "*.litmus")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var tests []*Test
	var errs []error
	for _, n := range names {
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, err := Parse(path.Join(prefix, n), src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		tests = append(tests, t)
	}
	return tests, errors.Join(errs...)
}

// CatalogueTests parses the built-in catalogue. File names in the tests and
// errors are "catalogue/<name>.litmus".
func CatalogueTests() ([]*Test, error) { return ParseFS(Catalogue(), "catalogue") }

// ParsePath parses a litmus file, or every *.litmus file of a directory
// (not recursively), sorted by name.
func ParsePath(p string) ([]*Test, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		t, err := ParseFile(p)
		if err != nil {
			return nil, err
		}
		return []*Test{t}, nil
	}
	tests, err := ParseFS(os.DirFS(p), strings.TrimSuffix(filepath.ToSlash(p), "/"))
	if err == nil && len(tests) == 0 {
		return nil, errors.New(p + ": directory holds no *.litmus files")
	}
	return tests, err
}

package litmus

import (
	"embed"
	"io/fs"
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

// CatalogueTests parses the built-in catalogue. File names in the tests and
// errors are "catalogue/<name>.litmus".
func CatalogueTests() ([]*Test, error) { return ParseFS(Catalogue(), "catalogue") }

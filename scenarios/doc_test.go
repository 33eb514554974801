package scenarios_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocIndex: doc.go indexes every exported name of the package (as a
// doc link, [Name]), and every name it links exists.
func TestDocIndex(t *testing.T) {
	for _, dir := range []string{".", "examples"} {
		fset := token.NewFileSet()
		var files []*ast.File
		paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		pkg, err := doc.NewFromFiles(fset, files, "x")
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		if err != nil {
			t.Fatal(err)
		}
		index := string(src)
		var names []string
		for _, v := range append(pkg.Consts, pkg.Vars...) {
			names = append(names, v.Names...)
		}
		for _, f := range pkg.Funcs {
			names = append(names, f.Name)
		}
		for _, ty := range pkg.Types {
			names = append(names, ty.Name)
			for _, v := range append(ty.Consts, ty.Vars...) {
				names = append(names, v.Names...)
			}
			for _, f := range ty.Funcs {
				names = append(names, f.Name)
			}
		}
		for _, n := range names {
			if ast.IsExported(n) && !strings.Contains(index, "["+n+"]") {
				t.Errorf("%s/doc.go does not index %s", dir, n)
			}
		}
	}
}

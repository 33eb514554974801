package litmus

import (
	"go/ast"
	"go/build"
	"go/doc"
	"go/doc/comment"
	goparser "go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const (
	modulePath = "github.com/sabre-mm/sabre"
	moduleRoot = "../.."
	importPath = modulePath + "/scenarios/litmus"
)

// loadDoc parses the non-test Go files of the package at importPath (this
// module's or the standard library's) into its documentation.
func loadDoc(t *testing.T, path string) *doc.Package {
	t.Helper()
	var bp *build.Package
	var err error
	if rel, ok := strings.CutPrefix(path, modulePath); ok {
		bp, err = build.ImportDir(filepath.Join(moduleRoot, filepath.FromSlash(rel)), 0)
	} else {
		bp, err = build.Import(path, "", 0)
	}
	if err != nil {
		t.Fatalf("package %s: %v", path, err)
	}
	fset := gotoken.NewFileSet()
	var files []*ast.File
	for _, n := range bp.GoFiles {
		f, err := goparser.ParseFile(fset, filepath.Join(bp.Dir, n), nil, goparser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// exported returns the package's exported top-level names, and its
// methods as "Type.Method".
func exported(p *doc.Package) (top, methods map[string]bool) {
	top, methods = map[string]bool{}, map[string]bool{}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			for _, n := range v.Names {
				top[n] = true
			}
		}
	}
	funcs := func(fs []*doc.Func) {
		for _, f := range fs {
			top[f.Name] = true
		}
	}
	values(p.Consts)
	values(p.Vars)
	funcs(p.Funcs)
	for _, t := range p.Types {
		top[t.Name] = true
		values(t.Consts)
		values(t.Vars)
		funcs(t.Funcs)
		for _, m := range t.Methods {
			methods[t.Name+"."+m.Name] = true
		}
	}
	return top, methods
}

// brokenLink matches, in plain text, what was meant as a doc link but is not
// one: an identifier in brackets not preceded by a word (v[i] is an index).
var brokenLink = regexp.MustCompile(`(?:^|[^\w\]])(\[\*?[A-Za-z_]\w*(?:\.\w+)*\])`)

// TestDocIndex checks that doc.go is an index of the package's API that
// names only what exists: every doc link resolves (to this package, or to
// a symbol of the imported package it names), nothing written as a link
// fails to be one, and every exported top-level name of the package is
// linked.
func TestDocIndex(t *testing.T) {
	pkg := loadDoc(t, importPath)
	d := pkg.Parser().Parse(pkg.Doc)
	linked := map[string]bool{}
	others := map[string]*doc.Package{}
	var text func(ts []comment.Text)
	text = func(ts []comment.Text) {
		for _, x := range ts {
			switch x := x.(type) {
			case comment.Plain:
				for _, m := range brokenLink.FindAllStringSubmatch(string(x), -1) {
					t.Errorf("doc.go: %s is not a doc link (no such name, or a letter follows it)", m[1])
				}
			case *comment.Link:
				text(x.Text)
			case *comment.DocLink:
				name := x.Name
				if x.Recv != "" {
					name = x.Recv + "." + x.Name
				}
				if x.ImportPath == "" {
					linked[name] = true
					continue
				}
				o := others[x.ImportPath]
				if o == nil {
					o = loadDoc(t, x.ImportPath)
					others[x.ImportPath] = o
				}
				top, methods := exported(o)
				if !top[name] && !methods[name] {
					t.Errorf("doc.go: [%s.%s]: %s has no %s", o.Name, name, x.ImportPath, name)
				}
			}
		}
	}
	var blocks func(bs []comment.Block)
	blocks = func(bs []comment.Block) {
		for _, b := range bs {
			switch b := b.(type) {
			case *comment.Paragraph:
				text(b.Text)
			case *comment.Heading:
				text(b.Text)
			case *comment.List:
				for _, it := range b.Items {
					blocks(it.Content)
				}
			}
		}
	}
	blocks(d.Content)
	top, _ := exported(pkg)
	for n := range top {
		if !linked[n] {
			t.Errorf("doc.go does not index %s", n)
		}
	}
}

// TestFormatDocNames checks that every Go name docs/litmus-format.md gives
// as code (`litmus.Parse`, `model.MaxOps`, `shared.Kind.Size`) exists.
func TestFormatDocNames(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(moduleRoot, "docs", "litmus-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]string{
		"litmus": importPath, "model": modulePath + "/model",
		"shared": modulePath + "/shared", "atomics": modulePath + "/atomics",
	}
	names := regexp.MustCompile("`\\*?(litmus|model|shared|atomics)\\.([A-Z]\\w*(?:\\.\\w+)?)`").FindAllStringSubmatch(string(src), -1)
	if len(names) == 0 {
		t.Fatal("no Go names found in docs/litmus-format.md")
	}
	for _, m := range names {
		top, methods := exported(loadDoc(t, pkgs[m[1]]))
		if !top[m[2]] && !methods[m[2]] {
			t.Errorf("docs/litmus-format.md names %s.%s, which does not exist", m[1], m[2])
		}
	}
}

package mutant

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// mutantImport is this package's import path.
const mutantImport = "github.com/sabre-mm/sabre/internal/mutant"

// hooked are the packages with hooks, and hot lists functions that must be
// present (and unchanged) in their machine code: the hooked functions and
// the fast paths around them.
var (
	hooked = []string{"./internal/mem", "./atomics", "./shared"}
	hot    = []string{
		"internal/mem.(*Block).RMW", "internal/mem.(*Block).Store", "internal/mem.(*Block).CompareExchange",
		"atomics.load", "atomics.store", "atomics.add", "atomics.rmw", "atomics.CompareExchange",
		"atomics.(*shard).notify", "atomics.WaitContext", "shared.(*Queue).put", "shared.(*Queue).get",
		"shared.(*TypedArray).get",
	}
)

// TestHooksCostNothing proves that without the build tag sabre_mutants the
// hooks cost nothing: it copies the module, removes every hook from the
// copy (each `if` whose condition mentions package mutant, and each
// switch case that does, and the import), compiles the hooked packages of
// both with -gcflags=-S, and requires every function of the copy to
// compile to the same machine code in the module — the hot paths
// (mem.Block's RMW, Store, CompareExchange; atomics' load, store, add, rmw,
// notify, Wait; the Queue's put and get; TypedArray's get) included.
// (Instruction text is compared with file names, line numbers and compiler
// temporaries' numbers left out.)
func TestHooksCostNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the hooked packages twice with -gcflags=-S")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	stripped := t.TempDir()
	hooks := copyStripped(t, root, stripped)
	if hooks < 9 {
		t.Fatalf("found %d hooks to strip; the mutants have at least 9", hooks)
	}
	real, bare := compile(t, goTool, root), compile(t, goTool, stripped)
	for _, fn := range hot {
		fn = "github.com/sabre-mm/sabre/" + fn
		if bare[fn] == "" || real[fn] == "" {
			t.Errorf("%s is missing from the assembly (renamed? update hot)", fn)
		}
	}
	same := 0
	for fn, code := range bare {
		switch real[fn] {
		case code:
			same++
		case "":
			t.Errorf("%s is in the build without hooks only", fn)
		default:
			t.Errorf("%s compiles differently with the hooks (build tag off):\n%s", fn, firstDifference(real[fn], code))
		}
	}
	t.Logf("%d hooks stripped; %d functions of %v compile to the same machine code with and without them", hooks, same, hooked)
}

// copyStripped copies the module's Go and assembly sources (not tests,
// not testdata) from root to dst, removing the hooks from the hooked
// packages, and returns how many it removed.
func copyStripped(t *testing.T, root, dst string) int {
	t.Helper()
	hooks := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		name := d.Name()
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		switch ext := filepath.Ext(name); {
		case name == "go.mod" || name == "go.sum" || ext == ".s" || ext == ".h":
		case ext == ".go" && !strings.HasSuffix(name, "_test.go"):
		default:
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, ".go") && slices.Contains(hooked, "./"+filepath.ToSlash(filepath.Dir(rel))) {
			var n int
			src, n = stripHooks(t, path, src)
			hooks += n
		}
		return os.WriteFile(filepath.Join(dst, rel), src, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return hooks
}

// stripHooks removes the hooks from one file: statements `if <cond> {…}`
// (without else) whose condition mentions package mutant, and switch
// cases whose expressions do; then the import. Any other mention of
// package mutant fails the test (a hook this test cannot remove).
func stripHooks(t *testing.T, path string, src []byte) ([]byte, int) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	local := ""
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == mutantImport {
			local = "mutant"
			if im.Name != nil {
				local = im.Name.Name
			}
		}
	}
	if local == "" {
		return src, 0
	}
	mentions := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := s.X.(*ast.Ident); ok && id.Name == local {
					found = true
				}
			}
			return !found
		})
		return found
	}
	removed := 0
	filter := func(list []ast.Stmt) []ast.Stmt {
		out := list[:0]
		for _, s := range list {
			switch s := s.(type) {
			case *ast.IfStmt:
				if s.Init == nil && s.Else == nil && mentions(s.Cond) {
					removed++
					continue
				}
			case *ast.CaseClause:
				if mentions(&ast.CompositeLit{Elts: s.List}) {
					removed++
					continue
				}
			}
			out = append(out, s)
		}
		return out
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			n.List = filter(n.List)
		case *ast.CaseClause:
			n.Body = filter(n.Body)
		case *ast.CommClause:
			n.Body = filter(n.Body)
		}
		return true
	})
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			specs := g.Specs[:0]
			for _, s := range g.Specs {
				if p, _ := strconv.Unquote(s.(*ast.ImportSpec).Path.Value); p != mutantImport {
					specs = append(specs, s)
				}
			}
			g.Specs = specs
		}
	}
	f.Imports = nil
	if mentions(f) {
		ast.Inspect(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := s.X.(*ast.Ident); ok && id.Name == local {
					t.Errorf("%s: a use of package mutant that is not a removable hook", fset.Position(s.Pos()))
				}
			}
			return true
		})
	}
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), removed
}

var (
	textHeader = regexp.MustCompile(`^(\S+) STEXT`)
	// an instruction line: offset, decimal offset, position ("(file.go:12)",
	// "(<unknown line number>)"), instruction
	instruction = regexp.MustCompile(`^\s*(0x[0-9a-f]+)\s+\d+\s+\((?:[^()]|\([^()]*\))*\)\s*(.*)$`)
	autotmp     = regexp.MustCompile(`autotmp_\d+`)
	spaces      = regexp.MustCompile(`\s+`)
)

// compile compiles the hooked packages in dir, without build tags, and
// returns each function's instructions, normalised.
func compile(t *testing.T, goTool, dir string) map[string]string {
	t.Helper()
	cmd := exec.Command(goTool, append([]string{"build", "-gcflags=-S"}, hooked...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, out)
	}
	funcs := map[string]string{}
	var cur string
	var body strings.Builder
	flush := func() {
		if cur != "" {
			funcs[cur] = body.String()
		}
		cur = ""
		body.Reset()
	}
	for _, line := range strings.Split(string(out), "\n") {
		if m := textHeader.FindStringSubmatch(line); m != nil {
			flush()
			cur = m[1]
			continue
		}
		if cur == "" || !strings.HasPrefix(line, "\t0x") {
			if !strings.HasPrefix(line, "\t") {
				flush()
			}
			continue
		}
		m := instruction.FindStringSubmatch(line)
		if m == nil {
			continue // the hex dump of the code and relocations (the instructions say it all)
		}
		rest := autotmp.ReplaceAllString(m[2], "autotmp")
		body.WriteString(m[1] + " " + strings.TrimSpace(spaces.ReplaceAllString(rest, " ")) + "\n")
	}
	flush()
	return funcs
}

// firstDifference shows where two functions' instructions first differ.
func firstDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return "with hooks:    " + la[i] + "\nwithout hooks: " + lb[i]
		}
	}
	return "one is a prefix of the other"
}

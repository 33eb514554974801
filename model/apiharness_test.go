package model_test

// This file is the harness of api_test.go: it calls a package's whole
// exported API with degenerate input and checks that no call panics or
// hangs, that degenerate input gives an error (or zero results where an
// entry point returns no error), and that the table of entry points is
// complete. It follows internal/apitest, which the tests of shared,
// atomics and history use, but imports only the standard library:
// internal/apitest imports package shared, which imports history, which
// imports model, and model's tests stay on the standard library as model
// does.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"
)

// callTimeout bounds one call. No call on degenerate input may block or
// run long, so a call that has not returned by then hangs (the bound is far
// above any call's cost, so that a slow machine cannot make the test fail).
const callTimeout = 10 * time.Second

// value is one value to pass as a receiver or an argument. make builds it
// afresh for every call (calls may change it: Relation.Add, Builder's
// methods). broken marks degenerate values: nil, a zero value that is not
// usable, an invalid enum value, a malformed execution or program.
type value struct {
	name   string
	make   func() reflect.Value
	broken bool
}

// val returns a value made by mk.
func val[T any](name string, broken bool, mk func() T) value {
	return value{name: name, broken: broken, make: func() reflect.Value {
		x := mk()
		return reflect.ValueOf(&x).Elem() // keeps T's static type: a nil interface stays a typed zero Value
	}}
}

// nilAndZero returns the nil *T (broken) and a pointer to a zero T (broken
// if zeroBroken).
func nilAndZero[T any](zeroBroken bool) []value {
	return []value{
		val("nil", true, func() *T { return nil }),
		val("zero", zeroBroken, func() *T { return new(T) }),
	}
}

// suite describes a package's exported API.
type suite struct {
	// dir is the package's directory (for the completeness check).
	dir string
	// funcs are the exported package-level functions by name (a generic
	// one instantiated). Go's reflection cannot list a package's
	// functions, so checkComplete compares the list with the source.
	funcs map[string]any
	// receivers lists, by type name, the receivers each exported type's
	// methods are called on (*T values for types with pointer methods).
	// Every exported method of the receivers' method set is called on each.
	receivers map[string][]value
	// values are argument values by parameter type, tried besides the
	// parameter's zero value and (for numbers, booleans and strings)
	// hostile ones: -1 and the extremes of integers, true, odd strings.
	values map[reflect.Type][]value
	// valid gives, by parameter type, a usable argument: every entry point
	// is also called with usable arguments and one other value at a time
	// (besides all-zero arguments with one other value at a time).
	valid map[reflect.Type]value
	// brokenZero lists the parameter types whose zero value is degenerate.
	brokenZero map[reflect.Type]bool
	// exempt names the entry points ("Type.Method", a bare method name for
	// every type, or a function) whose results on degenerate input need
	// not be zero, with the documented result.
	exempt map[string]string
	// checkError reports what is wrong with err, an error returned by a
	// call (broken: on degenerate input), or nil.
	checkError func(err error, broken bool) error
}

// run calls every entry point and returns how many entry points and calls
// it made.
func (s *suite) run(t *testing.T) (entryPoints, calls int) {
	t.Helper()
	for _, n := range sortedNames(s.funcs) {
		f := reflect.ValueOf(s.funcs[n])
		if f.Kind() != reflect.Func {
			t.Fatalf("funcs[%q] is a %v, not a function", n, f.Kind())
		}
		calls += s.callAll(t, n, value{}, func(reflect.Value) reflect.Value { return f })
		entryPoints++
	}
	for _, tn := range sortedNames(s.receivers) {
		recvs := s.receivers[tn]
		rt := recvs[0].make().Type()
		for i := 0; i < rt.NumMethod(); i++ {
			m := rt.Method(i)
			name := tn + "." + m.Name
			valueMethod := rt.Kind() == reflect.Pointer && hasMethod(rt.Elem(), m.Name)
			for _, r := range recvs {
				calls += s.callAll(t, name, r, func(recv reflect.Value) reflect.Value {
					if valueMethod && recv.IsNil() {
						// A value method called through a nil pointer panics
						// in Go itself, before the method runs: not the
						// package's doing. The zero value's receiver covers it.
						return reflect.Value{}
					}
					return recv.MethodByName(m.Name)
				})
			}
			entryPoints++
		}
	}
	return entryPoints, calls
}

func hasMethod(t reflect.Type, name string) bool {
	_, ok := t.MethodByName(name)
	return ok
}

func sortedNames[M ~map[string]V, V any](m M) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// callAll calls one entry point (fn(receiver) gives the function value)
// with every combination of arguments: all zero, and all usable, each with
// one argument replaced by each of its values in turn.
func (s *suite) callAll(t *testing.T, name string, recv value, fn func(reflect.Value) reflect.Value) int {
	t.Helper()
	var r reflect.Value
	if recv.make != nil {
		r = recv.make()
	}
	f := fn(r)
	if !f.IsValid() {
		return 0
	}
	ft := f.Type()
	params := make([][]value, ft.NumIn())
	zeroBase := make([]value, ft.NumIn())
	validBase := make([]value, ft.NumIn())
	for i := range params {
		pt := ft.In(i)
		if ft.IsVariadic() && i == ft.NumIn()-1 {
			params[i] = s.variadic(pt)
		} else {
			params[i] = s.variants(pt)
		}
		zeroBase[i], validBase[i] = params[i][0], params[i][0]
		if v, ok := s.valid[pt]; ok {
			validBase[i] = v
		}
	}
	n := 0
	for b, base := range [][]value{zeroBase, validBase} {
		if b == 1 && len(params) == 0 {
			break
		}
		n++
		s.call(t, name, recv, fn, ft, base)
		for i := range params {
			for _, v := range params[i] {
				if v.name == base[i].name {
					continue
				}
				args := append([]value(nil), base...)
				args[i] = v
				n++
				s.call(t, name, recv, fn, ft, args)
			}
		}
	}
	return n
}

// variants returns the values to try for a parameter of type typ, its zero
// value first.
func (s *suite) variants(typ reflect.Type) []value {
	vs := []value{{name: "zero", broken: s.brokenZero[typ], make: func() reflect.Value { return reflect.Zero(typ) }}}
	for _, x := range hostile(typ) {
		vs = append(vs, value{name: fmt.Sprint(x), make: func() reflect.Value { return x.Convert(typ) }})
	}
	return append(vs, s.values[typ]...)
}

// variadic returns the values for a variadic parameter of slice type typ:
// no arguments, then one argument of each of the element type's values.
func (s *suite) variadic(typ reflect.Type) []value {
	vs := []value{{name: "(none)", make: func() reflect.Value { return reflect.Zero(typ) }}}
	for _, v := range s.variants(typ.Elem()) {
		vs = append(vs, value{name: "[" + v.name + "]", broken: v.broken, make: func() reflect.Value {
			sl := reflect.MakeSlice(typ, 1, 1)
			sl.Index(0).Set(v.make())
			return sl
		}})
	}
	return vs
}

// hostile returns the hostile values of a type: -1 and the extremes for
// integers (the largest value for unsigned ones, which for uint8 enums is
// an invalid one), NaN, the infinities and the extremes for floats, true
// for booleans and a few strings.
func hostile(typ reflect.Type) []reflect.Value {
	var xs []any
	switch typ.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := typ.Bits()
		xs = []any{int64(-1), int64(1)<<(bits-1) - 1, int64(-1) << (bits - 1)}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		xs = []any{uint64(math.MaxUint64) >> (64 - typ.Bits())}
	case reflect.Float32, reflect.Float64:
		xs = []any{math.NaN(), math.Inf(1), math.Inf(-1), -1.0, -math.MaxFloat32, math.MaxFloat32}
	case reflect.Bool:
		xs = []any{true}
	case reflect.String:
		xs = []any{"x", "\xff\x00"}
	}
	out := make([]reflect.Value, len(xs))
	for i, x := range xs {
		out[i] = reflect.ValueOf(x)
	}
	return out
}

// call makes one call under the timeout guard and checks its results.
func (s *suite) call(t *testing.T, name string, recv value, fn func(reflect.Value) reflect.Value, ft reflect.Type, args []value) {
	t.Helper()
	broken := recv.broken
	desc := name + "("
	if recv.make != nil {
		desc = name + "[" + recv.name + "]("
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		if i > 0 {
			desc += ", "
		}
		desc += a.name
		broken = broken || a.broken
	}
	desc += ")"
	var r reflect.Value
	if recv.make != nil {
		r = recv.make()
	}
	f := fn(r)
	for i, a := range args {
		in[i] = a.make()
	}
	out, failure := guard(f, in, ft.IsVariadic())
	if failure != "" {
		t.Errorf("%s: %s", desc, failure)
		return
	}
	s.check(t, name, desc, out, broken)
}

// guard calls f, recovering a panic and giving up after callTimeout.
func guard(f reflect.Value, in []reflect.Value, variadic bool) (out []reflect.Value, failure string) {
	done := make(chan struct{})
	var res []reflect.Value
	var panicked any
	var stack []byte
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				panicked, stack = p, debug.Stack()
			}
		}()
		if variadic {
			res = f.CallSlice(in)
		} else {
			res = f.Call(in)
		}
	}()
	timer := time.NewTimer(callTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		return nil, fmt.Sprintf("did not return within %v: it hangs", callTimeout)
	}
	if panicked != nil {
		return nil, fmt.Sprintf("panicked: %v\n%s", panicked, stack)
	}
	return res, ""
}

var errorType = reflect.TypeFor[error]()

func (s *suite) isExempt(name string) bool {
	if _, ok := s.exempt[name]; ok {
		return true
	}
	_, ok := s.exempt[name[strings.LastIndexByte(name, '.')+1:]]
	return ok
}

// check checks a call's results: with an error, the other results are zero
// and checkError accepts the error; on degenerate input an entry point that
// returns an error returns one, and one that does not returns zero values
// (unless exempt).
func (s *suite) check(t *testing.T, name, desc string, out []reflect.Value, broken bool) {
	t.Helper()
	rest := out
	hasErr := len(out) > 0 && out[len(out)-1].Type() == errorType
	var err error
	if hasErr {
		rest = out[:len(out)-1]
		if e := out[len(out)-1]; !e.IsNil() {
			err = e.Interface().(error)
		}
	}
	if err != nil {
		for i, o := range rest {
			if !o.IsZero() {
				t.Errorf("%s: result %d is %v with the error %v, not the zero value", desc, i, o, err)
			}
		}
		if e := s.checkError(err, broken); e != nil {
			t.Errorf("%s: %v", desc, e)
		}
		return
	}
	if !broken {
		return
	}
	if hasErr {
		t.Errorf("%s: no error on degenerate input", desc)
		return
	}
	if s.isExempt(name) {
		return
	}
	for i, o := range rest {
		if !o.IsZero() {
			t.Errorf("%s: result %d on degenerate input is %v, not the zero value", desc, i, o)
		}
	}
}

// checkComplete parses the package's non-test Go files and reports every
// exported function that funcs does not list (or that it lists but the
// package lacks), and every exported method of an exported type that no
// receiver in receivers has: so a new entry point cannot escape run.
func (s *suite) checkComplete(t *testing.T) {
	t.Helper()
	funcs, methods := exported(t, s.dir)
	for _, f := range funcs {
		if _, ok := s.funcs[f]; !ok {
			t.Errorf("exported function %s is not in the table of package functions: add it (with what to call it with)", f)
		}
	}
	for f := range s.funcs {
		if !contains(funcs, f) {
			t.Errorf("the table lists %s, which the package does not export", f)
		}
	}
	covered := map[string]bool{}
	for tn, recvs := range s.receivers {
		rt := recvs[0].make().Type()
		for i := 0; i < rt.NumMethod(); i++ {
			covered[tn+"."+rt.Method(i).Name] = true
		}
	}
	for _, m := range methods {
		if !covered[m] {
			t.Errorf("exported method %s is not called: add its type to the receivers", m)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// exported returns the exported package-level functions and the exported
// methods of exported types ("Type.Method") declared in the non-test Go
// files of dir, sorted. (Exported methods of unexported types are reachable
// only through interfaces and are not listed.)
func exported(t testing.TB, dir string) (funcs, methods []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() {
				continue
			}
			key := fd.Name.Name
			if fd.Recv != nil {
				tn := recvType(fd.Recv.List[0].Type)
				if !ast.IsExported(tn) {
					continue
				}
				key = tn + "." + key
			}
			if seen[key] {
				continue // declared once per build configuration
			}
			seen[key] = true
			if fd.Recv == nil {
				funcs = append(funcs, key)
			} else {
				methods = append(methods, key)
			}
		}
	}
	sort.Strings(funcs)
	sort.Strings(methods)
	return funcs, methods
}

func recvType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

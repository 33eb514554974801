// Package apitest calls the whole exported API of a package with degenerate
// input — nil receivers, zero values, nil and invalid arguments, hostile
// integers and floats — and checks that no call panics or hangs, that
// degenerate input gives the package's error for it (or zero results where
// an entry point returns no error), and that the package's table of entry
// points is complete. The tests of packages shared, atomics and history use
// it; see Suite.
package apitest

import (
	"context"
	"errors"
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

	"github.com/sabre-mm/sabre/shared"
)

// CallTimeout bounds one call. No call on degenerate input may block, so a
// call that has not returned by then hangs (the bound is far above any
// call's cost, so that a slow machine cannot make the test fail).
const CallTimeout = 10 * time.Second

// Value is one value to pass as a receiver or an argument. Make builds it
// afresh for every call (calls may consume or change it: a transfer detaches
// a buffer, a get empties a queue). Broken marks degenerate values: nil, a
// zero value that is not usable, an invalid kind.
type Value struct {
	Name   string
	Make   func() reflect.Value
	Broken bool
}

// V returns a Value made by mk.
func V[T any](name string, broken bool, mk func() T) Value {
	return Value{Name: name, Broken: broken, Make: func() reflect.Value {
		x := mk()
		v := reflect.ValueOf(&x).Elem() // keeps T's static type: a nil interface stays a typed zero Value
		return v
	}}
}

// NilAndZero returns the nil *T (broken) and a pointer to a zero T (broken
// if zeroBroken).
func NilAndZero[T any](zeroBroken bool) []Value {
	return []Value{
		V("nil", true, func() *T { return nil }),
		V("zero", zeroBroken, func() *T { return new(T) }),
	}
}

// Suite describes a package's exported API.
type Suite struct {
	// Dir is the package's directory (for the completeness check).
	Dir string
	// Funcs are the exported package-level functions, by name. Go's
	// reflection cannot list a package's functions, so they are listed
	// here, and CheckComplete compares the list with the source.
	Funcs map[string]any
	// Receivers lists, by type name, the receivers each exported type's
	// methods are called on (a *T's for types with pointer methods).
	// Every exported method of the receivers' method sets is called on each.
	Receivers map[string][]Value
	// Values are argument values by parameter type, tried besides the
	// parameter's zero value and (for numbers) hostile ones: -1, the
	// extremes, NaN and infinities.
	Values map[reflect.Type][]Value
	// Valid gives, by parameter type, a usable argument: every entry point
	// is also called with usable arguments and one degenerate argument at a
	// time (besides all-zero arguments with one other value at a time).
	Valid map[reflect.Type]Value
	// BrokenZero lists the parameter types whose zero value is degenerate
	// (a nil buffer or view, an invalid kind).
	BrokenZero map[reflect.Type]bool
	// Exempt names the entry points ("Type.Method", a bare method name for
	// every type, or a function) whose results on degenerate input need not
	// be zero, with the reason.
	Exempt map[string]string
	// CheckError reports what is wrong with err, an error returned by a call
	// (broken: on degenerate input), or nil.
	CheckError func(err error, broken bool) error
}

// Run calls every entry point and returns how many entry points and calls
// it made.
func (s *Suite) Run(t *testing.T) (entryPoints, calls int) {
	t.Helper()
	names := make([]string, 0, len(s.Funcs))
	for n := range s.Funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := reflect.ValueOf(s.Funcs[n])
		if f.Kind() != reflect.Func {
			t.Fatalf("Funcs[%q] is a %v, not a function", n, f.Kind())
		}
		calls += s.callAll(t, n, Value{}, func(reflect.Value) reflect.Value { return f })
		entryPoints++
	}
	for _, tn := range sortedKeys(s.Receivers) {
		recvs := s.Receivers[tn]
		rt := recvs[0].Make().Type()
		for i := 0; i < rt.NumMethod(); i++ {
			m := rt.Method(i)
			name := tn + "." + m.Name
			valueMethod := rt.Kind() == reflect.Pointer && hasMethod(rt.Elem(), m.Name)
			for _, r := range recvs {
				calls += s.callAll(t, name, r, func(recv reflect.Value) reflect.Value {
					if valueMethod && recv.IsNil() {
						// A value method called through a nil pointer panics in
						// Go itself, before the method runs: not the package's
						// doing. The zero value's receiver covers it.
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

func sortedKeys[M ~map[string]V, V any](m M) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// callAll calls one entry point (fn(receiver) gives the function value) with
// every combination of arguments: all zero, and all usable, each with one
// argument replaced by each of its values in turn.
func (s *Suite) callAll(t *testing.T, name string, recv Value, fn func(reflect.Value) reflect.Value) int {
	t.Helper()
	var ft reflect.Type
	{
		var r reflect.Value
		if recv.Make != nil {
			r = recv.Make()
		}
		f := fn(r)
		if !f.IsValid() {
			return 0
		}
		ft = f.Type()
	}
	params := make([][]Value, ft.NumIn())
	zeroBase := make([]int, ft.NumIn())
	validBase := make([]Value, ft.NumIn())
	for i := range params {
		pt := ft.In(i)
		if ft.IsVariadic() && i == ft.NumIn()-1 {
			params[i] = s.variadic(pt)
			validBase[i] = params[i][0]
			continue
		}
		params[i] = s.variants(pt)
		validBase[i] = params[i][0]
		if v, ok := s.Valid[pt]; ok {
			validBase[i] = v
		}
	}
	n := 0
	for b, base := range [][]Value{pick(params, zeroBase), validBase} {
		if b == 1 && len(params) == 0 {
			break
		}
		n++
		s.call(t, name, recv, fn, ft, base)
		for i := range params {
			for _, v := range params[i] {
				if v.Name == base[i].Name {
					continue
				}
				args := append([]Value(nil), base...)
				args[i] = v
				n++
				s.call(t, name, recv, fn, ft, args)
			}
		}
	}
	return n
}

func pick(params [][]Value, idx []int) []Value {
	out := make([]Value, len(params))
	for i, j := range idx {
		out[i] = params[i][j]
	}
	return out
}

// variants returns the values to try for a parameter of type typ, its zero
// value first.
func (s *Suite) variants(typ reflect.Type) []Value {
	vs := []Value{{Name: "zero", Broken: s.BrokenZero[typ], Make: func() reflect.Value { return reflect.Zero(typ) }}}
	for _, x := range hostile(typ) {
		x := x
		vs = append(vs, Value{Name: fmt.Sprint(x), Make: func() reflect.Value { return x.Convert(typ) }})
	}
	return append(vs, s.Values[typ]...)
}

// variadic returns the values for a variadic parameter of slice type typ:
// no arguments, then one argument of each of the element type's values.
func (s *Suite) variadic(typ reflect.Type) []Value {
	vs := []Value{{Name: "(none)", Make: func() reflect.Value { return reflect.Zero(typ) }}}
	for _, v := range s.variants(typ.Elem()) {
		v := v
		vs = append(vs, Value{Name: "[" + v.Name + "]", Broken: v.Broken, Make: func() reflect.Value {
			sl := reflect.MakeSlice(typ, 1, 1)
			sl.Index(0).Set(v.Make())
			return sl
		}})
	}
	return vs
}

// hostile returns the hostile values of a numeric type: -1 and the
// extremes for integers, and NaN, the infinities, -1, 0.5 and the extremes
// for floats; true for booleans and a few strings.
func hostile(typ reflect.Type) []reflect.Value {
	var xs []any
	switch typ.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := typ.Bits()
		xs = []any{int64(-1), int64(1)<<(bits-1) - 1, int64(-1) << (bits - 1)}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		xs = []any{uint64(math.MaxUint64) >> (64 - typ.Bits())}
	case reflect.Float32, reflect.Float64:
		xs = []any{math.NaN(), math.Inf(1), math.Inf(-1), -1.0, 0.5, -math.MaxFloat64, math.MaxFloat64}
		if typ.Kind() == reflect.Float32 {
			xs = []any{math.NaN(), math.Inf(1), math.Inf(-1), -1.0, 0.5, -math.MaxFloat32, math.MaxFloat32}
		}
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
func (s *Suite) call(t *testing.T, name string, recv Value, fn func(reflect.Value) reflect.Value, ft reflect.Type, args []Value) {
	t.Helper()
	broken := recv.Broken
	desc := name + "("
	if recv.Make != nil {
		desc = name + "[" + recv.Name + "]("
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		if i > 0 {
			desc += ", "
		}
		desc += a.Name
		broken = broken || a.Broken
	}
	desc += ")"
	var r reflect.Value
	if recv.Make != nil {
		r = recv.Make()
	}
	f := fn(r)
	for i, a := range args {
		in[i] = a.Make()
	}
	out, failure := guard(f, in, ft.IsVariadic())
	if failure != "" {
		t.Errorf("%s: %s", desc, failure)
		return
	}
	s.check(t, name, desc, out, broken)
}

// guard calls f, recovering a panic and giving up after CallTimeout.
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
	timer := time.NewTimer(CallTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		return nil, fmt.Sprintf("did not return within %v: it hangs", CallTimeout)
	}
	if panicked != nil {
		return nil, fmt.Sprintf("panicked: %v\n%s", panicked, stack)
	}
	return res, ""
}

var errorType = reflect.TypeFor[error]()

func (s *Suite) exempt(name string) bool {
	if _, ok := s.Exempt[name]; ok {
		return true
	}
	_, ok := s.Exempt[name[strings.LastIndexByte(name, '.')+1:]]
	return ok
}

// check checks a call's results: with an error, the other results are zero
// and CheckError accepts the error; on degenerate input an entry point that
// returns an error returns one, and one that does not returns zero values
// (unless exempt).
func (s *Suite) check(t *testing.T, name, desc string, out []reflect.Value, broken bool) {
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
		if e := s.CheckError(err, broken); e != nil {
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
	if s.exempt(name) {
		return
	}
	for i, o := range rest {
		if !o.IsZero() {
			t.Errorf("%s: result %d on degenerate input is %v, not the zero value", desc, i, o)
		}
	}
}

// SharedErrors is a Suite.CheckError for packages shared and atomics: on
// degenerate input a TypeError; otherwise a *shared.Error of a documented
// kind (or a context's error, which cancellable operations return).
func SharedErrors(err error, broken bool) error {
	if broken {
		if !errors.Is(err, shared.TypeError) {
			return fmt.Errorf("error %q (%T) on degenerate input is not a TypeError", err, err)
		}
		return nil
	}
	var e *shared.Error
	if errors.As(err, &e) && e.Kind >= shared.TypeError && e.Kind <= shared.NotShareable {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return fmt.Errorf("error %q (%T) is not a *shared.Error of a documented kind", err, err)
}

// CheckComplete parses the package's non-test Go files and reports every
// exported function that Funcs does not list (or that it lists but the
// package lacks), and every exported method of an exported type that no
// receiver in Receivers has: so a new entry point cannot escape Run.
func (s *Suite) CheckComplete(t *testing.T) {
	t.Helper()
	funcs, methods := Exported(t, s.Dir)
	for _, f := range funcs {
		if _, ok := s.Funcs[f]; !ok {
			t.Errorf("exported function %s is not in the table of package functions: add it (with what to call it with)", f)
		}
	}
	for f := range s.Funcs {
		if !contains(funcs, f) {
			t.Errorf("the table lists %s, which the package does not export", f)
		}
	}
	covered := map[string]bool{}
	for tn, recvs := range s.Receivers {
		rt := recvs[0].Make().Type()
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

// Exported returns the exported package-level functions and the exported
// methods of exported types ("Type.Method") declared in the non-test Go
// files of dir, sorted. (Exported methods of unexported types are reachable
// only through interfaces, such as an error's Error method, and are not
// listed.)
func Exported(t testing.TB, dir string) (funcs, methods []string) {
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

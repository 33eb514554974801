package js

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// realmImpl is the realm's private state.
type realmImpl struct {
	r *Realm

	sabProto *goja.Object // %SharedArrayBuffer.prototype%
	sabCtor  *goja.Object
	sabs     map[uint64]*goja.Object // buffer ID -> this realm's SAB object

	typeErrorCtor, rangeErrorCtor, errorCtor *goja.Object

	asIntN, asUintN goja.Callable // BigInt.asIntN, BigInt.asUintN (ToBigInt + modulo)

	taProtos [shared.Float64 + 1]*goja.Object // Kind -> %Kind%Array.prototype
	taCtors  [shared.Float64 + 1]*goja.Object // Kind -> the shim constructor
	taOrigs  [shared.Float64 + 1]*goja.Object // Kind -> goja's constructor
	dvProto  *goja.Object

	pending []*pendingWait // waitAsync promises, in the order made

	// originals of %TypedArray%.prototype's getters, for goja's own arrays
	origTag, origLength, origBuffer goja.Callable
}

// Install installs in rt, on the goroutine that owns it and before other
// code captures the originals:
//
//   - SharedArrayBuffer (ECMA-262 25.2, with growable buffers): the
//     constructor (length, {maxByteLength}; ToIndex, then RangeError and
//     TypeError in the spec's order; the prototype from new.target),
//     byteLength, maxByteLength, growable, grow, slice (species, with its
//     checks), @@toStringTag, @@species; backed by shared.Buffer
//     (Options.NewBuffer if set).
//   - the typed-array constructors and DataView, replaced by Proxies of
//     goja's (same name, length, prototype, BYTES_PER_ELEMENT, [[Prototype]]
//     %TypedArray%): a SharedArrayBuffer argument makes a host view whose
//     every element access goes through shared.TypedArray or
//     shared.DataView (a plain element out of range reads undefined, and a
//     write converts its value, then does nothing); anything else is
//     goja's own (Reflect.construct with the same new.target).
//     %TypedArray%.prototype's getters (length, byteLength, byteOffset,
//     buffer, @@toStringTag) and methods, DataView.prototype's, and
//     ArrayBuffer.isView dispatch host views to the realm and the rest to
//     goja's originals.
//   - Atomics (25.4, with waitAsync and pause): every method, with
//     ValidateIntegerTypedArray, ValidateAtomicAccess, the value
//     conversions and RevalidateAtomicAccess in order; package atomics on
//     host views (Atomics.wait under the Host's context, waitAsync settled
//     through Host.Post while Host.Hold keeps the loop alive); goja's
//     element get/set on goja's arrays of non-shared buffers, whose bytes
//     never leave this goroutine (wait on those is a TypeError, notify 0).
//
// Errors: a nil runtime, or one whose globals were changed so that the
// shims cannot be installed.
func Install(rt *goja.Runtime, opts Options) (realm *Realm, err error) {
	if rt == nil {
		return nil, errors.New("js.Install: nil runtime")
	}
	if opts.Agent == nil {
		opts.Agent = shared.NewAgent("js")
	}
	r := &Realm{rt: rt, opts: opts}
	impl := &realmImpl{r: r, sabs: map[uint64]*goja.Object{}}
	r.impl = impl
	defer func() {
		if x := recover(); x != nil {
			realm, err = nil, fmt.Errorf("js.Install: %v", x)
		}
	}()
	impl.typeErrorCtor = rt.Get("TypeError").ToObject(rt)
	impl.rangeErrorCtor = rt.Get("RangeError").ToObject(rt)
	impl.errorCtor = rt.Get("Error").ToObject(rt)
	bigInt := rt.Get("BigInt").ToObject(rt)
	impl.asIntN, _ = goja.AssertFunction(bigInt.Get("asIntN"))
	impl.asUintN, _ = goja.AssertFunction(bigInt.Get("asUintN"))
	if err := impl.installSAB(); err != nil {
		return nil, err
	}
	if err := impl.installTypedArrays(); err != nil {
		return nil, err
	}
	if err := impl.installDataView(); err != nil {
		return nil, err
	}
	if err := impl.installAtomics(); err != nil {
		return nil, err
	}
	return r, nil
}

// WrapBuffer returns this realm's SharedArrayBuffer object over b (the
// same object each time for the same buffer memory, whichever agent b is
// bound to, and the object `new SharedArrayBuffer` made if b came from
// this realm). Its accesses are attributed to the realm's agent. A nil
// buffer is a TypeError. The realm keeps every buffer it has wrapped or
// made for as long as it lives.
func (r *Realm) WrapBuffer(b *shared.Buffer) (goja.Value, error) {
	if r == nil || r.impl == nil {
		return nil, errors.New("js: WrapBuffer on a realm not made by Install")
	}
	if b == nil || b.ID() == 0 {
		return nil, shared.Errorf(shared.TypeError, "js.WrapBuffer", "nil or zero buffer")
	}
	return r.impl.wrapSAB(b, nil), nil
}

// BufferOf returns the shared buffer behind a SharedArrayBuffer object of
// any realm, bound to the agent of the realm that made the object (false
// for anything else, including an object that merely inherits from
// SharedArrayBuffer.prototype: the brand check of IsSharedArrayBuffer,
// ECMA-262 25.2.2.2).
func BufferOf(v goja.Value) (*shared.Buffer, bool) {
	o, ok := v.(*goja.Object)
	if !ok || o == nil {
		return nil, false
	}
	s, ok := exported[*sabObject](o)
	if !ok {
		return nil, false
	}
	return s.buf, true
}

// DetachArrayBuffer detaches a non-shared ArrayBuffer (goja's), as
// test262's $262.detachArrayBuffer and a transfer do (ECMA-262 25.1.3.5
// DetachArrayBuffer): its views then have length 0. Errors: a
// *shared.Error of kind TypeError for a SharedArrayBuffer or anything
// that is not an ArrayBuffer. Detaching twice is no error.
func (r *Realm) DetachArrayBuffer(v goja.Value) error {
	if _, ok := BufferOf(v); ok {
		return shared.Errorf(shared.TypeError, "DetachArrayBuffer", "a SharedArrayBuffer cannot be detached")
	}
	o, ok := v.(*goja.Object)
	if !ok || o == nil {
		return shared.Errorf(shared.TypeError, "DetachArrayBuffer", "not an ArrayBuffer: %v", v)
	}
	ab, ok := exported[goja.ArrayBuffer](o)
	if !ok {
		return shared.Errorf(shared.TypeError, "DetachArrayBuffer", "not an ArrayBuffer: %v", v)
	}
	ab.Detach()
	return nil
}

// Throw panics with the JavaScript exception for err, for Go functions
// called from JavaScript (goja turns the panic into a throw): a
// *shared.Error of kind TypeError or NotShareable becomes a TypeError,
// RangeError a RangeError, QueueEmpty and QueueFull an Error whose name
// is the kind's; any other error a goja GoError. The message is
// err.Error(). A nil err does nothing.
func (r *Realm) Throw(err error) {
	if err == nil {
		return
	}
	if r == nil || r.impl == nil {
		panic(fmt.Errorf("js: Throw on a realm not made by Install: %w", err))
	}
	panic(r.impl.exception(err))
}

// exception returns the JS error object for err.
func (m *realmImpl) exception(err error) *goja.Object {
	rt := m.r.rt
	var se *shared.Error
	if !errors.As(err, &se) {
		return rt.NewGoError(err)
	}
	msg := err.Error()
	switch se.Kind {
	case shared.TypeError, shared.NotShareable:
		o, _ := rt.New(m.typeErrorCtor, rt.ToValue(msg))
		return o
	case shared.RangeError:
		o, _ := rt.New(m.rangeErrorCtor, rt.ToValue(msg))
		return o
	default:
		o, _ := rt.New(m.errorCtor, rt.ToValue(msg))
		_ = o.Set("name", se.Kind.String())
		return o
	}
}

func (m *realmImpl) typeError(format string, args ...any) *goja.Object {
	o, _ := m.r.rt.New(m.typeErrorCtor, m.r.rt.ToValue(fmt.Sprintf(format, args...)))
	return o
}

func (m *realmImpl) rangeError(format string, args ...any) *goja.Object {
	o, _ := m.r.rt.New(m.rangeErrorCtor, m.r.rt.ToValue(fmt.Sprintf(format, args...)))
	return o
}

// toIntegerOrInfinity is ECMA-262's ToIntegerOrInfinity (7.1.5).
func toIntegerOrInfinity(v goja.Value) float64 {
	f := v.ToFloat()
	if math.IsNaN(f) {
		return 0
	}
	if math.IsInf(f, 0) {
		return f
	}
	return math.Trunc(f) + 0 // +0 for -0
}

// toIndex is ECMA-262's ToIndex (7.1.22): undefined is 0; a RangeError
// outside [0, 2^53-1].
func (m *realmImpl) toIndex(v goja.Value, what string) int64 {
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	f := toIntegerOrInfinity(v)
	if f < 0 || f > 1<<53-1 {
		panic(m.rangeError("%s: %v is not a valid index", what, v))
	}
	return int64(f)
}

// arg returns call argument i or undefined.
func arg(c goja.FunctionCall, i int) goja.Value {
	if i < len(c.Arguments) {
		return c.Arguments[i]
	}
	return goja.Undefined()
}

// compile runs src, which must evaluate to a function, and returns it.
func (m *realmImpl) compile(name, src string) goja.Callable {
	v, err := m.r.rt.RunProgram(shimProgram(name, src))
	if err != nil {
		panic(err)
	}
	f, ok := goja.AssertFunction(v)
	if !ok {
		panic(name + ": not a function")
	}
	return f
}

// shimPrograms holds the realm's JS shims compiled once per process (by
// name and source: a *goja.Program may be shared by runtimes), so that
// Install, which a scenario makes for every agent of every execution,
// does not parse them again.
var shimPrograms sync.Map // [2]string{name, src} → *goja.Program

func shimProgram(name, src string) *goja.Program {
	key := [2]string{name, src}
	if p, ok := shimPrograms.Load(key); ok {
		return p.(*goja.Program)
	}
	p, _ := shimPrograms.LoadOrStore(key, goja.MustCompile(name, src, false))
	shimNames.Store(name, true)
	return p.(*goja.Program)
}

// shimNames are the source names of the realm's shims: positions in them
// are the realm's, not the program's (userPos skips them).
var shimNames sync.Map

// userPos is the file:line:col of the innermost frame of stack in the
// program's own code ("" if none): errors the realm throws from inside a
// shim (a constructor's RangeError) point at the program's call.
func userPos(stack []goja.StackFrame) string {
	for _, f := range stack {
		if _, shim := shimNames.Load(f.SrcName()); shim {
			continue
		}
		if p := f.Position(); p.Line > 0 {
			return p.String()
		}
	}
	return ""
}

// method makes a non-constructor native function with the given name and
// length.
func (m *realmImpl) method(name string, length int, f func(goja.FunctionCall) goja.Value) *goja.Object {
	rt := m.r.rt
	o := rt.ToValue(f).ToObject(rt)
	_ = o.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = o.DefineDataProperty("length", rt.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return o
}

// exported returns o.Export() if it is a T. It looks at ExportType
// first, since Export panics on goja's typed arrays once detached.
func exported[T any](o *goja.Object) (T, bool) {
	var zero T
	if o == nil || o.ExportType() != reflect.TypeFor[T]() {
		return zero, false
	}
	t, ok := o.Export().(T)
	return t, ok
}

// TypedArrayOf returns the shared.TypedArray behind a typed array over a
// SharedArrayBuffer made by any realm (bound to that realm's agent), or
// false for anything else (goja's own typed arrays included).
func TypedArrayOf(v goja.Value) (*shared.TypedArray, bool) {
	if h := hostView(v); h != nil {
		return h.ta, true
	}
	return nil, false
}

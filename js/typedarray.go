package js

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// taView is a typed array over a SharedArrayBuffer: a goja DynamicObject
// whose prototype is the real %Kind%Array.prototype, every element access
// made through shared.TypedArray (so never a Go data race).
type taView struct {
	expandos
	m   *realmImpl
	ta  *shared.TypedArray // bound to the realm's agent
	sab *goja.Object       // the SharedArrayBuffer object ([[ViewedArrayBuffer]])
	obj *goja.Object
}

// numericKey is CanonicalNumericIndexString (7.1.21): numeric reports
// whether k is one; idx is its value when it is an integer index
// (-1 when it is numeric but no integer index, e.g. "-0", "1.5", "NaN").
func numericKey(k string) (idx int, numeric bool) {
	if k == "" {
		return 0, false
	}
	if k[0] >= '0' && k[0] <= '9' {
		allDigits := true
		for i := 0; i < len(k); i++ {
			if k[i] < '0' || k[i] > '9' {
				allDigits = false
				break
			}
		}
		if allDigits && (k == "0" || k[0] != '0') && len(k) < 16 {
			n, _ := strconv.Atoi(k)
			return n, true
		}
	}
	if k == "-0" {
		return -1, true
	}
	c := k[0]
	if !(c == '-' || c == 'I' || c == 'N' || c == '.' || (c >= '0' && c <= '9')) {
		return 0, false
	}
	var f float64
	switch k {
	case "Infinity":
		f = math.Inf(1)
	case "-Infinity":
		f = math.Inf(-1)
	case "NaN":
		return -1, true
	default:
		var err error
		f, err = strconv.ParseFloat(k, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
	}
	if numberToString(f) != k {
		return 0, false
	}
	if f >= 0 && f == math.Trunc(f) && f < 1<<53 {
		return int(f), true
	}
	return -1, true
}

// numberToString is Number::toString(x) (6.1.6.1.20):
// the shortest round-tripping digits, in decimal notation for
// 1e-6 <= |x| < 1e21 and in exponent notation ("1e+21", "1.5e-7")
// otherwise.
func numberToString(f float64) string {
	switch {
	case f == 0:
		return "0"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1.5e-07
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e" + string(sign) + exp
}

func (v *taView) elem(i int) goja.Value {
	k := v.ta.Kind()
	switch {
	case k == shared.BigInt64:
		x, err := v.ta.GetInt(i)
		if err != nil {
			return goja.Undefined()
		}
		return v.m.r.rt.ToValue(big.NewInt(x))
	case k == shared.BigUint64:
		x, err := v.ta.GetUint(i)
		if err != nil {
			return goja.Undefined()
		}
		return v.m.r.rt.ToValue(new(big.Int).SetUint64(x))
	default:
		x, err := v.ta.GetFloat(i)
		if err != nil {
			return goja.Undefined()
		}
		return v.m.r.rt.ToValue(x)
	}
}

// setElem is TypedArraySetElement: the value is converted first, then
// written if the index is in range (else ignored).
func (v *taView) setElem(i int, val goja.Value) {
	if v.ta.Kind().IsBigInt() {
		bits := v.m.toBigInt64(val)
		if i >= 0 {
			_ = v.ta.SetBits(i, uint64(bits))
		}
		return
	}
	x := val.ToFloat()
	if i >= 0 {
		_ = v.ta.SetFloat(i, x)
	}
}

func (v *taView) Get(k string) goja.Value {
	i, num := numericKey(k)
	if !num {
		return v.get(k)
	}
	if i < 0 || i >= v.ta.Length() {
		return goja.Undefined()
	}
	return v.elem(i)
}

func (v *taView) Set(k string, val goja.Value) bool {
	i, num := numericKey(k)
	if !num {
		return v.set(k, val)
	}
	v.setElem(i, val)
	return true
}

func (v *taView) Has(k string) bool {
	i, num := numericKey(k)
	if !num {
		return v.has(k)
	}
	return i >= 0 && i < v.ta.Length()
}

func (v *taView) Delete(k string) bool {
	i, num := numericKey(k)
	if !num {
		return v.del(k)
	}
	return !(i >= 0 && i < v.ta.Length())
}

func (v *taView) Keys() []string {
	n := v.ta.Length()
	ks := make([]string, 0, n+len(v.keys))
	for i := 0; i < n; i++ {
		ks = append(ks, strconv.Itoa(i))
	}
	return append(ks, v.keys...)
}

// toBigInt64 is ToBigInt64 (ToBigInt, then modulo 2^64), as bits.
func (m *realmImpl) toBigInt64(val goja.Value) int64 {
	r, err := m.asIntN(goja.Undefined(), m.r.rt.ToValue(64), val)
	if err != nil {
		panic(err)
	}
	b, ok := r.Export().(*big.Int)
	if !ok {
		panic(m.typeError("cannot convert %v to a BigInt", val))
	}
	return b.Int64()
}

// hostView returns the taView behind v, or nil.
func hostView(v goja.Value) *taView {
	if o, ok := v.(*goja.Object); ok && o != nil {
		if t, ok := exported[*taView](o); ok {
			return t
		}
	}
	return nil
}

var kinds = []shared.Kind{shared.Int8, shared.Uint8, shared.Uint8Clamped, shared.Int16, shared.Uint16,
	shared.Int32, shared.Uint32, shared.BigInt64, shared.BigUint64, shared.Float16, shared.Float32, shared.Float64}

// makeView is InitializeTypedArrayFromArrayBuffer (23.2.5.1.3) over a
// SharedArrayBuffer, with AllocateTypedArray's prototype lookup first.
func (m *realmImpl) makeView(kind shared.Kind, newTarget, bufV, offV, lenV goja.Value) goja.Value {
	proto := m.getPrototypeFromConstructor(newTarget, m.taProtos[kind])
	s := m.thisSAB(bufV, kind.ArrayName())
	size := int64(kind.Size())
	off := m.toIndex(offV, kind.ArrayName()+": byteOffset")
	if off%size != 0 {
		panic(m.rangeError("%s: start offset %d should be a multiple of %d", kind.ArrayName(), off, size))
	}
	newLen := int64(-1)
	if !goja.IsUndefined(lenV) {
		newLen = m.toIndex(lenV, kind.ArrayName()+": length")
	}
	bl := int64(s.buf.ByteLength())
	var ta *shared.TypedArray
	var err error
	switch {
	case newLen < 0 && s.buf.Growable():
		if off > bl {
			panic(m.rangeError("%s: start offset %d is outside the bounds of the buffer", kind.ArrayName(), off))
		}
		ta, err = shared.NewLengthTrackingArray(s.buf, kind, int(off))
	case newLen < 0:
		if bl%size != 0 {
			panic(m.rangeError("%s: byte length of the buffer should be a multiple of %d", kind.ArrayName(), size))
		}
		if bl-off < 0 {
			panic(m.rangeError("%s: start offset %d is outside the bounds of the buffer", kind.ArrayName(), off))
		}
		ta, err = shared.NewTypedArray(s.buf, kind, int(off), int((bl-off)/size))
	default:
		if off+newLen*size > bl {
			panic(m.rangeError("%s: invalid typed array length %d", kind.ArrayName(), newLen))
		}
		ta, err = shared.NewTypedArray(s.buf, kind, int(off), int(newLen))
	}
	if err != nil {
		m.r.Throw(err)
	}
	v := &taView{m: m, ta: ta.For(m.r.opts.Agent), sab: s.obj}
	v.obj = m.r.rt.NewDynamicObject(v)
	_ = v.obj.SetPrototype(proto)
	return v.obj
}

// ctorShim makes a typed-array constructor or DataView: a Proxy of goja's
// (so that name, length, prototype and BYTES_PER_ELEMENT are the
// original's and new.target reaches the construct trap before any object
// is made); a SharedArrayBuffer argument goes to h.make.
const ctorShim = `(function (h, Orig) {
  var C = new Proxy(Orig, {
    construct: function (t, args, newTarget) {
      if (h.isSAB(args[0])) return h.make(newTarget, args[0], args[1], args[2]);
      return Reflect.construct(Orig, args, newTarget);
    },
    get: function (t, k, r) { return k === Symbol.hasInstance ? h.hasInstance : Reflect.get(t, k, r); },
  });
  Object.defineProperty(Orig.prototype, "constructor", {value: C, writable: true, enumerable: false, configurable: true});
  return C;
})`

const ordinaryHasInstance = `({ [Symbol.hasInstance](o) {
  if (typeof this !== "function") return false;
  if (o === null || (typeof o !== "object" && typeof o !== "function")) return false;
  var p = this.prototype;
  if (p === null || (typeof p !== "object" && typeof p !== "function")) throw new TypeError("prototype is not an object");
  for (o = Object.getPrototypeOf(o); o !== null; o = Object.getPrototypeOf(o)) if (o === p) return true;
  return false;
} })[Symbol.hasInstance]`

// taProtoShim patches %TypedArray%.prototype: each getter and method
// dispatches to the host implementation for a view over a
// SharedArrayBuffer and to goja's original for anything else.
const taProtoShim = `(function (h, TAP, global) {
  "use strict";
  var isView = h.isView;
  function toBig(v) { return BigInt.asUintN(64, v); }
  function conv(ta, v) { return h.isBig(ta) ? toBig(v) : +v; }
  function rel(v, len, def) {
    if (v === undefined) return def;
    var x = Math.trunc(+v); if (x !== x) x = 0;
    if (x < 0) return Math.max(len + x, 0);
    return Math.min(x, len);
  }
  function species(ta) {
    var def = global[h.name(ta)];
    var c = ta.constructor;
    if (c === undefined) return def;
    if (c === null || (typeof c !== "object" && typeof c !== "function")) throw new TypeError("constructor is not an object");
    var s = c[Symbol.species];
    if (s === undefined || s === null) return def;
    if (typeof s !== "function") throw new TypeError("[Symbol.species] is not a constructor");
    return s;
  }
  function create(C, args) {
    var r = Reflect.construct(C, args);
    if (!isView(r) && !ArrayBuffer.isView(r) || r instanceof DataView) throw new TypeError("species constructor did not make a typed array");
    if (args.length === 1 && typeof args[0] === "number" && r.length < args[0]) throw new TypeError("species constructor made a typed array that is too small");
    return r;
  }
  var AP = Array.prototype;
  var impl = {
    at: function (i) { var len = this.length; var k = Math.trunc(+i) || 0; if (k < 0) k += len; return k < 0 || k >= len ? undefined : this[k]; },
    fill: function (v, s, e) { v = conv(this, v); var len = this.length; var k = rel(s, len, 0), f = rel(e, len, len); for (; k < f; k++) this[k] = v; return this; },
    map: function (fn, thisArg) { if (typeof fn !== "function") throw new TypeError("not a function"); var len = this.length; var a = create(species(this), [len]); for (var i = 0; i < len; i++) a[i] = fn.call(thisArg, this[i], i, this); return a; },
    filter: function (fn, thisArg) { if (typeof fn !== "function") throw new TypeError("not a function"); var len = this.length, kept = []; for (var i = 0; i < len; i++) { var x = this[i]; if (fn.call(thisArg, x, i, this)) kept.push(x); } var a = create(species(this), [kept.length]); for (var j = 0; j < kept.length; j++) a[j] = kept[j]; return a; },
    slice: function (s, e) { var len = this.length; var k = rel(s, len, 0), f = rel(e, len, len); var n = Math.max(f - k, 0); var a = create(species(this), [n]); for (var i = 0; k < f && i < n; k++, i++) a[i] = this[k]; return a; },
    subarray: function (s, e) { var buf = h.buffer(this); var len = this.length; var k = rel(s, len, 0); var off = h.byteOffset(this) + k * h.bpe(this); if (h.tracking(this) && e === undefined) return create(species(this), [buf, off]); var f = rel(e, len, len); return create(species(this), [buf, off, Math.max(f - k, 0)]); },
    set: function (src, offset) { var off = offset === undefined ? 0 : Math.trunc(+offset) || 0; if (off < 0) throw new RangeError("offset is out of bounds"); var len = this.length; var vals;
      if (isView(src) || ArrayBuffer.isView(src) && !(src instanceof DataView)) { vals = AP.slice.call(src, 0, src.length); if (h.isBig(this) !== (typeof vals[0] === "bigint") && vals.length > 0) throw new TypeError("cannot mix BigInt and other types"); }
      else { var o = Object(src); var n = Math.min(Math.max(Math.trunc(+o.length) || 0, 0), Number.MAX_SAFE_INTEGER); if (n + off > len) throw new RangeError("offset is out of bounds"); for (var i = 0; i < n; i++) this[off + i] = o[i]; return; }
      if (vals.length + off > len) throw new RangeError("offset is out of bounds"); for (var j = 0; j < vals.length; j++) this[off + j] = vals[j]; },
    sort: function (cmp) { if (cmp !== undefined && typeof cmp !== "function") throw new TypeError("comparator must be a function"); var a = AP.slice.call(this, 0, this.length); a.sort(cmp === undefined ? h.compare : function (x, y) { var v = +cmp(x, y); return v !== v ? 0 : v; }); for (var i = 0; i < a.length && i < this.length; i++) this[i] = a[i]; return this; },
    toSorted: function (cmp) { if (cmp !== undefined && typeof cmp !== "function") throw new TypeError("comparator must be a function"); var a = new global[h.name(this)](this.length); a.set(AP.slice.call(this, 0, this.length)); return a.sort(cmp); },
    toReversed: function () { var len = this.length; var a = new global[h.name(this)](len); for (var i = 0; i < len; i++) a[i] = this[len - 1 - i]; return a; },
    with: function (i, v) { var len = this.length; var k = Math.trunc(+i) || 0; if (k < 0) k += len; v = conv(this, v); if (k < 0 || k >= this.length) throw new RangeError("invalid index"); var a = new global[h.name(this)](len); for (var j = 0; j < len; j++) a[j] = j === k ? v : this[j]; return a; },
  };
  ["copyWithin", "entries", "every", "find", "findIndex", "findLast", "findLastIndex", "forEach", "includes", "indexOf",
   "join", "keys", "lastIndexOf", "reduce", "reduceRight", "reverse", "some", "toLocaleString", "values"].forEach(function (n) { impl[n] = AP[n]; });
  Object.keys(impl).forEach(function (n) {
    var orig = TAP[n]; if (typeof orig !== "function") return;
    var hostImpl = impl[n];
    var w = {[n]() { return isView(this) ? hostImpl.apply(this, arguments) : orig.apply(this, arguments); }}[n];
    Object.defineProperty(w, "length", {value: orig.length, configurable: true});
    Object.defineProperty(TAP, n, {value: w, writable: true, enumerable: false, configurable: true});
  });
  Object.defineProperty(TAP, Symbol.iterator, {value: TAP.values, writable: true, enumerable: false, configurable: true});
  function getter(key, host) {
    var d = Object.getOwnPropertyDescriptor(TAP, key); var orig = d.get;
    var nm = typeof key === "symbol" ? "get [Symbol.toStringTag]" : "get " + key;
    var g = {[nm]() { return isView(this) ? host(this) : orig.call(this); }}[nm];
    Object.defineProperty(g, "name", {value: nm, configurable: true});
    Object.defineProperty(TAP, key, {get: g, set: undefined, enumerable: false, configurable: true});
  }
  getter("length", h.length);
  getter("byteLength", h.byteLength);
  getter("byteOffset", h.byteOffset);
  getter("buffer", h.buffer);
  getter(Symbol.toStringTag, h.name);
  var isViewOrig = ArrayBuffer.isView;
  var iv = {isView(x) { return isView(x) || h.isDataView(x) || isViewOrig(x); }}.isView;
  Object.defineProperty(ArrayBuffer, "isView", {value: iv, writable: true, enumerable: false, configurable: true});
})`

func (m *realmImpl) installTypedArrays() error {
	rt := m.r.rt
	global := rt.GlobalObject()
	h := rt.NewObject()
	_ = h.Set("isSAB", func(c goja.FunctionCall) goja.Value {
		_, ok := BufferOf(arg(c, 0))
		return rt.ToValue(ok)
	})
	_ = h.Set("isView", func(c goja.FunctionCall) goja.Value { return rt.ToValue(hostView(arg(c, 0)) != nil) })
	_ = h.Set("isDataView", func(c goja.FunctionCall) goja.Value { return rt.ToValue(dataView(arg(c, 0)) != nil) })
	view := func(c goja.FunctionCall) *taView {
		v := hostView(arg(c, 0))
		if v == nil {
			panic(m.typeError("not a typed array"))
		}
		return v
	}
	_ = h.Set("isBig", func(c goja.FunctionCall) goja.Value { return rt.ToValue(view(c).ta.Kind().IsBigInt()) })
	_ = h.Set("tracking", func(c goja.FunctionCall) goja.Value { return rt.ToValue(view(c).ta.LengthTracking()) })
	_ = h.Set("bpe", func(c goja.FunctionCall) goja.Value { return rt.ToValue(view(c).ta.Kind().Size()) })
	_ = h.Set("name", func(c goja.FunctionCall) goja.Value { return rt.ToValue(view(c).ta.Kind().ArrayName()) })
	_ = h.Set("length", func(c goja.FunctionCall) goja.Value { return rt.ToValue(view(c).ta.Length()) })
	_ = h.Set("byteLength", func(c goja.FunctionCall) goja.Value { return rt.ToValue(view(c).ta.ByteLength()) })
	_ = h.Set("byteOffset", func(c goja.FunctionCall) goja.Value { return rt.ToValue(view(c).ta.ByteOffset()) })
	_ = h.Set("buffer", func(c goja.FunctionCall) goja.Value { return view(c).sab })
	_ = h.Set("compare", func(c goja.FunctionCall) goja.Value { return rt.ToValue(compareElems(arg(c, 0), arg(c, 1))) })

	// goja's Proxy has no [[HasInstance]] of its own (instanceof on one
	// throws), so the shims answer Symbol.hasInstance with
	// OrdinaryHasInstance.
	hasInstance := m.mustRun(ordinaryHasInstance)
	var taProto *goja.Object
	for _, k := range kinds {
		orig, ok := global.Get(k.ArrayName()).(*goja.Object)
		if !ok {
			continue // Float16Array, if goja lacks it
		}
		kind := k
		hk := rt.NewObject()
		_ = hk.Set("isSAB", h.Get("isSAB"))
		_ = hk.Set("hasInstance", hasInstance)
		_ = hk.Set("make", func(c goja.FunctionCall) goja.Value {
			return m.makeView(kind, arg(c, 0), arg(c, 1), arg(c, 2), arg(c, 3))
		})
		mk := m.compile(k.ArrayName(), ctorShim)
		ctor, err := mk(goja.Undefined(), hk, orig)
		if err != nil {
			return err
		}
		m.taOrigs[k] = orig
		m.taCtors[k] = ctor.ToObject(rt)
		m.taProtos[k] = orig.Get("prototype").ToObject(rt)
		if taProto == nil {
			taProto = m.taProtos[k].Prototype()
		}
		if err := global.DefineDataProperty(k.ArrayName(), ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	if taProto == nil {
		return shared.Errorf(shared.TypeError, "js.Install", "no typed-array constructors in the runtime")
	}
	getDesc, _ := goja.AssertFunction(m.mustRun("(function (o, k) { return Object.getOwnPropertyDescriptor(o, k).get; })"))
	for _, p := range []struct {
		key goja.Value
		dst *goja.Callable
	}{{goja.SymToStringTag, &m.origTag}, {rt.ToValue("length"), &m.origLength}, {rt.ToValue("buffer"), &m.origBuffer}} {
		d, err := getDesc(goja.Undefined(), taProto, p.key)
		if err != nil {
			return err
		}
		fn, ok := goja.AssertFunction(d)
		if !ok {
			return shared.Errorf(shared.TypeError, "js.Install", "%%TypedArray%%.prototype[%v] has no getter", p.key)
		}
		*p.dst = fn
	}
	patch := m.compile("%TypedArray%.prototype", taProtoShim)
	_, err := patch(goja.Undefined(), h, taProto, global)
	return err
}

func (m *realmImpl) mustRun(src string) goja.Value {
	v, err := m.r.rt.RunString(src)
	if err != nil {
		panic(err)
	}
	return v
}

// compareElems is the default comparison of %TypedArray%.prototype.sort
// (23.2.4.7 CompareTypedArrayElements): numeric, -0 before +0, NaN last.
func compareElems(x, y goja.Value) int {
	if bx, ok := x.Export().(*big.Int); ok {
		if by, ok := y.Export().(*big.Int); ok {
			return bx.Cmp(by)
		}
	}
	a, b := x.ToFloat(), y.ToFloat()
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return 1
	case math.IsNaN(b):
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	case a == 0 && b == 0:
		sa, sb := math.Signbit(a), math.Signbit(b)
		if sa && !sb {
			return -1
		}
		if !sa && sb {
			return 1
		}
	}
	return 0
}

package js

import (
	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// expandos holds the ordinary (non-element) own properties of a host
// object, in insertion order.
type expandos struct {
	vals map[string]goja.Value
	keys []string
}

func (e *expandos) get(k string) goja.Value {
	if e.vals == nil {
		return nil
	}
	return e.vals[k]
}

func (e *expandos) set(k string, v goja.Value) bool {
	if e.vals == nil {
		e.vals = map[string]goja.Value{}
	}
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
	return true
}

func (e *expandos) has(k string) bool { _, ok := e.vals[k]; return ok }

func (e *expandos) del(k string) bool {
	if _, ok := e.vals[k]; ok {
		delete(e.vals, k)
		for i, x := range e.keys {
			if x == k {
				e.keys = append(e.keys[:i:i], e.keys[i+1:]...)
				break
			}
		}
	}
	return true
}

func (e *expandos) list() []string { return append([]string(nil), e.keys...) }

// sabObject is a SharedArrayBuffer object: a goja DynamicObject whose
// Export is the *sabObject itself, which is the brand check.
type sabObject struct {
	expandos
	buf *shared.Buffer // bound to the realm's agent
	obj *goja.Object
}

func (s *sabObject) Get(k string) goja.Value         { return s.get(k) }
func (s *sabObject) Set(k string, v goja.Value) bool { return s.set(k, v) }
func (s *sabObject) Has(k string) bool               { return s.has(k) }
func (s *sabObject) Delete(k string) bool            { return s.del(k) }
func (s *sabObject) Keys() []string                  { return s.list() }

// wrapSAB returns this realm's object for b, making it (with prototype
// proto, or %SharedArrayBuffer.prototype% if nil) the first time.
func (m *realmImpl) wrapSAB(b *shared.Buffer, proto *goja.Object) *goja.Object {
	if o, ok := m.sabs[b.ID()]; ok && proto == nil {
		return o
	}
	s := &sabObject{buf: b.For(m.r.opts.Agent)}
	s.obj = m.r.rt.NewDynamicObject(s)
	if proto == nil {
		proto = m.sabProto
	}
	_ = s.obj.SetPrototype(proto)
	if _, ok := m.sabs[b.ID()]; !ok {
		m.sabs[b.ID()] = s.obj
	}
	return s.obj
}

// thisSAB is RequireInternalSlot(O, [[ArrayBufferData]]) plus
// IsSharedArrayBuffer(O).
func (m *realmImpl) thisSAB(v goja.Value, what string) *sabObject {
	if o, ok := v.(*goja.Object); ok {
		if s, ok := exported[*sabObject](o); ok {
			if s.buf.Agent() != m.r.opts.Agent {
				// an object of another realm: bind to ours
				return &sabObject{buf: s.buf.For(m.r.opts.Agent), obj: s.obj}
			}
			return s
		}
	}
	panic(m.typeError("%s called on an object that is not a SharedArrayBuffer", what))
}

// getPrototypeFromConstructor is ECMA-262's GetPrototypeFromConstructor.
func (m *realmImpl) getPrototypeFromConstructor(newTarget goja.Value, def *goja.Object) *goja.Object {
	nt, ok := newTarget.(*goja.Object)
	if !ok {
		return def
	}
	p, ok := nt.Get("prototype").(*goja.Object)
	if !ok {
		return def
	}
	return p
}

// MaxSharedBufferLength is the largest length, and the largest
// maxByteLength, a new SharedArrayBuffer may have in a realm (1 GiB): a
// growable buffer reserves its maximum up front (shared.NewGrowableBuffer),
// and a larger request throws a RangeError, as ECMA-262 lets
// CreateSharedByteDataBlock do when it cannot allocate, rather than risk
// an out-of-memory that kills the process (no recover catches one).
const MaxSharedBufferLength = 1 << 30

func (m *realmImpl) newBuffer(length, max int) (*shared.Buffer, error) {
	a := m.r.opts.Agent
	if length > MaxSharedBufferLength || max > MaxSharedBufferLength {
		return nil, shared.Errorf(shared.RangeError, "SharedArrayBuffer",
			"a length of %d and a maxByteLength of %d: more than the realm allows (js.MaxSharedBufferLength, %d bytes)", length, max, MaxSharedBufferLength)
	}
	if m.r.opts.NewBuffer != nil {
		b, err := m.r.opts.NewBuffer(length, max)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, shared.Errorf(shared.TypeError, "SharedArrayBuffer", "Options.NewBuffer returned a nil buffer")
		}
		// A growable buffer may have grown already (another agent sharing
		// it grew it): its length is then at least the one asked for.
		badLen := b.ByteLength() != length
		if max >= 0 {
			badLen = b.ByteLength() < length
		}
		if badLen || (max >= 0 && (!b.Growable() || b.MaxByteLength() != max)) || (max < 0 && b.Growable()) {
			return nil, shared.Errorf(shared.TypeError, "SharedArrayBuffer",
				"Options.NewBuffer(%d, %d) returned a buffer of length %d, maximum %d, growable %v",
				length, max, b.ByteLength(), b.MaxByteLength(), b.Growable())
		}
		return b.For(a), nil
	}
	if max < 0 {
		return shared.NewBuffer(length, shared.CreatedBy(a))
	}
	return shared.NewGrowableBuffer(length, max, shared.CreatedBy(a))
}

// sabShim makes the constructor: a Proxy, so that [[Construct]] sees
// new.target before any object is made from it (an ordinary function
// would run OrdinaryCreateFromConstructor first, which reads
// new.target.prototype too early).
const sabShim = `(function (h, proto) {
  var target = function SharedArrayBuffer(length) { throw new TypeError("Constructor SharedArrayBuffer requires 'new'"); };
  Object.defineProperty(target, "prototype", {value: proto, writable: false, enumerable: false, configurable: false});
  return new Proxy(target, {
    construct: function (t, args, newTarget) { return h.construct(newTarget, args[0], args[1]); },
    get: function (t, k, r) { return k === Symbol.hasInstance ? h.hasInstance : Reflect.get(t, k, r); },
  });
})`

func (m *realmImpl) installSAB() error {
	rt := m.r.rt
	h := rt.NewObject()
	_ = h.Set("construct", func(c goja.FunctionCall) goja.Value {
		return m.constructSAB(arg(c, 0), arg(c, 1), arg(c, 2))
	})
	_ = h.Set("hasInstance", m.mustRun(ordinaryHasInstance))
	proto := rt.NewObject()
	m.sabProto = proto
	mk := m.compile("SharedArrayBuffer", sabShim)
	ctorV, err := mk(goja.Undefined(), h, proto)
	if err != nil {
		return err
	}
	ctor := ctorV.ToObject(rt)
	m.sabCtor = ctor
	_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	species := m.method("get [Symbol.species]", 0, func(c goja.FunctionCall) goja.Value { return c.This })
	_ = ctor.DefineAccessorPropertySymbol(goja.SymSpecies, species, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	getter := func(name string, f func(s *sabObject) goja.Value) {
		g := m.method("get "+name, 0, func(c goja.FunctionCall) goja.Value {
			return f(m.thisSAB(c.This, "SharedArrayBuffer.prototype."+name))
		})
		_ = proto.DefineAccessorProperty(name, g, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	getter("byteLength", func(s *sabObject) goja.Value { return rt.ToValue(s.buf.ByteLength()) })
	getter("growable", func(s *sabObject) goja.Value { return rt.ToValue(s.buf.Growable()) })
	getter("maxByteLength", func(s *sabObject) goja.Value { return rt.ToValue(s.buf.MaxByteLength()) })
	_ = proto.DefineDataProperty("grow", m.method("grow", 1, func(c goja.FunctionCall) goja.Value {
		s := m.thisSAB(c.This, "SharedArrayBuffer.prototype.grow")
		if !s.buf.Growable() {
			panic(m.typeError("SharedArrayBuffer.prototype.grow: the buffer is not growable"))
		}
		n := m.toIndex(arg(c, 0), "SharedArrayBuffer.prototype.grow")
		if n > int64(s.buf.MaxByteLength()) {
			panic(m.rangeError("SharedArrayBuffer.prototype.grow: %d is above the maximum byte length %d", n, s.buf.MaxByteLength()))
		}
		if err := s.buf.Grow(int(n)); err != nil {
			m.r.Throw(err)
		}
		return goja.Undefined()
	}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty("slice", m.method("slice", 2, func(c goja.FunctionCall) goja.Value {
		return m.sliceSAB(c)
	}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineDataPropertySymbol(goja.SymToStringTag, rt.ToValue("SharedArrayBuffer"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return rt.GlobalObject().DefineDataProperty("SharedArrayBuffer", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// constructSAB is SharedArrayBuffer(length [, options]) (ECMA-262
// 25.2.3.1 with the resizable buffers' maxByteLength option).
func (m *realmImpl) constructSAB(newTarget, length, options goja.Value) goja.Value {
	byteLength := m.toIndex(length, "SharedArrayBuffer")
	max := int64(-1)
	if o, ok := options.(*goja.Object); ok {
		if mv := o.Get("maxByteLength"); mv != nil && !goja.IsUndefined(mv) {
			max = m.toIndex(mv, "SharedArrayBuffer: maxByteLength")
		}
	}
	if max >= 0 && byteLength > max {
		panic(m.rangeError("SharedArrayBuffer: byteLength %d is above maxByteLength %d", byteLength, max))
	}
	proto := m.getPrototypeFromConstructor(newTarget, m.sabProto)
	if byteLength > shared.MaxBufferLength || max > shared.MaxBufferLength {
		panic(m.rangeError("SharedArrayBuffer: cannot allocate %d bytes", max64(byteLength, max)))
	}
	b, err := m.newBuffer(int(byteLength), int(max))
	if err != nil {
		m.r.Throw(err)
	}
	return m.wrapSAB(b, proto)
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// sliceSAB is SharedArrayBuffer.prototype.slice (25.2.5.6).
func (m *realmImpl) sliceSAB(c goja.FunctionCall) goja.Value {
	rt := m.r.rt
	s := m.thisSAB(c.This, "SharedArrayBuffer.prototype.slice")
	l := float64(s.buf.ByteLength())
	rel := func(v goja.Value, def float64) float64 {
		if goja.IsUndefined(v) {
			return def
		}
		x := toIntegerOrInfinity(v)
		if x < 0 {
			if x+l < 0 {
				return 0
			}
			return x + l
		}
		if x > l {
			return l
		}
		return x
	}
	first := rel(arg(c, 0), 0)
	final := rel(arg(c, 1), l)
	newLen := final - first
	if newLen < 0 {
		newLen = 0
	}
	ctor := m.speciesConstructor(c.This.(*goja.Object), m.sabCtor)
	newObj, err := rt.New(ctor, rt.ToValue(int64(newLen)))
	if err != nil {
		panic(err)
	}
	ns, ok := exported[*sabObject](newObj)
	if !ok {
		panic(m.typeError("SharedArrayBuffer.prototype.slice: species constructor did not make a SharedArrayBuffer"))
	}
	if ns.buf.Same(s.buf) {
		panic(m.typeError("SharedArrayBuffer.prototype.slice: species constructor returned the same buffer"))
	}
	if float64(ns.buf.ByteLength()) < newLen {
		panic(m.typeError("SharedArrayBuffer.prototype.slice: species constructor made a buffer that is too small"))
	}
	if newLen > 0 {
		// copy byte by byte through Unordered accesses
		from, err := shared.View(s.buf, shared.Uint8)
		if err != nil {
			m.r.Throw(err)
		}
		to, err := shared.NewTypedArray(ns.buf.For(m.r.opts.Agent), shared.Uint8, 0, int(newLen))
		if err != nil {
			m.r.Throw(err)
		}
		for i := 0; i < int(newLen); i++ {
			bits, _ := from.GetBits(int(first) + i)
			_ = to.SetBits(i, bits)
		}
	}
	return newObj
}

// speciesConstructor is ECMA-262's SpeciesConstructor (7.3.22).
func (m *realmImpl) speciesConstructor(o *goja.Object, def *goja.Object) *goja.Object {
	c := o.Get("constructor")
	if c == nil || goja.IsUndefined(c) {
		return def
	}
	co, ok := c.(*goja.Object)
	if !ok {
		panic(m.typeError("constructor is not an object"))
	}
	s := co.GetSymbol(goja.SymSpecies)
	if s == nil || goja.IsUndefined(s) || goja.IsNull(s) {
		return def
	}
	so, ok := s.(*goja.Object)
	if ok {
		if _, ok := goja.AssertConstructor(so); ok {
			return so
		}
	}
	panic(m.typeError("[Symbol.species] is not a constructor"))
}

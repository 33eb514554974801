package js

import (
	"math/big"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// dvView is a DataView over a SharedArrayBuffer: a goja DynamicObject
// whose prototype is the real DataView.prototype, every access made
// through shared.DataView.
type dvView struct {
	expandos
	dv  *shared.DataView // bound to the realm's agent
	sab *goja.Object
}

func (v *dvView) Get(k string) goja.Value           { return v.get(k) }
func (v *dvView) Set(k string, val goja.Value) bool { return v.set(k, val) }
func (v *dvView) Has(k string) bool                 { return v.has(k) }
func (v *dvView) Delete(k string) bool              { return v.del(k) }
func (v *dvView) Keys() []string                    { return v.list() }

// dataView returns the dvView behind v, or nil.
func dataView(v goja.Value) *dvView {
	if o, ok := v.(*goja.Object); ok && o != nil {
		if d, ok := exported[*dvView](o); ok {
			return d
		}
	}
	return nil
}

// makeDataView is DataView(buffer, byteOffset, byteLength) (25.3.2.1)
// over a SharedArrayBuffer.
func (m *realmImpl) makeDataView(newTarget, bufV, offV, lenV goja.Value) goja.Value {
	s := m.thisSAB(bufV, "DataView")
	off := m.toIndex(offV, "DataView: byteOffset")
	bl := int64(s.buf.ByteLength())
	if off > bl {
		panic(m.rangeError("DataView: start offset %d is outside the bounds of the buffer", off))
	}
	viewLen := int64(-1)
	if !goja.IsUndefined(lenV) {
		viewLen = m.toIndex(lenV, "DataView: byteLength")
		if off+viewLen > bl {
			panic(m.rangeError("DataView: invalid length %d", viewLen))
		}
	}
	proto := m.getPrototypeFromConstructor(newTarget, m.dvProto)
	bl = int64(s.buf.ByteLength())
	if off > bl || (viewLen >= 0 && off+viewLen > bl) {
		panic(m.rangeError("DataView: the view does not fit in the buffer"))
	}
	var dv *shared.DataView
	var err error
	if viewLen < 0 {
		dv, err = shared.NewLengthTrackingDataView(s.buf, int(off))
	} else {
		dv, err = shared.NewDataView(s.buf, int(off), int(viewLen))
	}
	if err != nil {
		m.r.Throw(err)
	}
	v := &dvView{dv: dv.For(m.r.opts.Agent), sab: s.obj}
	o := m.r.rt.NewDynamicObject(v)
	_ = o.SetPrototype(proto)
	return o
}

var dvKinds = []struct {
	name string
	kind shared.Kind
}{
	{"Int8", shared.Int8}, {"Uint8", shared.Uint8}, {"Int16", shared.Int16}, {"Uint16", shared.Uint16},
	{"Int32", shared.Int32}, {"Uint32", shared.Uint32}, {"Float16", shared.Float16}, {"Float32", shared.Float32},
	{"Float64", shared.Float64}, {"BigInt64", shared.BigInt64}, {"BigUint64", shared.BigUint64},
}

func (m *realmImpl) installDataView() error {
	rt := m.r.rt
	global := rt.GlobalObject()
	orig, ok := global.Get("DataView").(*goja.Object)
	if !ok {
		return shared.Errorf(shared.TypeError, "js.Install", "no DataView in the runtime")
	}
	proto := orig.Get("prototype").ToObject(rt)
	m.dvProto = proto
	h := rt.NewObject()
	_ = h.Set("isSAB", func(c goja.FunctionCall) goja.Value {
		_, ok := BufferOf(arg(c, 0))
		return rt.ToValue(ok)
	})
	_ = h.Set("hasInstance", m.mustRun(ordinaryHasInstance))
	_ = h.Set("make", func(c goja.FunctionCall) goja.Value {
		return m.makeDataView(arg(c, 0), arg(c, 1), arg(c, 2), arg(c, 3))
	})
	mk := m.compile("DataView", ctorShim)
	ctor, err := mk(goja.Undefined(), h, orig)
	if err != nil {
		return err
	}
	if err := global.DefineDataProperty("DataView", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return err
	}
	getDesc, _ := goja.AssertFunction(m.mustRun("(function (o, k) { return Object.getOwnPropertyDescriptor(o, k).get; })"))
	for _, name := range []string{"buffer", "byteLength", "byteOffset"} {
		name := name
		d, err := getDesc(goja.Undefined(), proto, rt.ToValue(name))
		if err != nil {
			return err
		}
		og, _ := goja.AssertFunction(d)
		g := m.method("get "+name, 0, func(c goja.FunctionCall) goja.Value {
			v := dataView(c.This)
			if v == nil {
				r, err := og(c.This)
				if err != nil {
					panic(err)
				}
				return r
			}
			switch name {
			case "buffer":
				return v.sab
			case "byteLength":
				n, err := v.dv.ByteLength()
				if err != nil {
					m.r.Throw(err)
				}
				return rt.ToValue(n)
			default:
				n, err := v.dv.ByteOffset()
				if err != nil {
					m.r.Throw(err)
				}
				return rt.ToValue(n)
			}
		})
		if err := proto.DefineAccessorProperty(name, g, nil, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	for _, dk := range dvKinds {
		kind := dk.kind
		if of, ok := goja.AssertFunction(proto.Get("get" + dk.name)); ok {
			l := proto.Get("get" + dk.name).ToObject(rt).Get("length").ToInteger()
			_ = proto.DefineDataProperty("get"+dk.name, m.method("get"+dk.name, int(l), func(c goja.FunctionCall) goja.Value {
				v := dataView(c.This)
				if v == nil {
					r, err := of(c.This, c.Arguments...)
					if err != nil {
						panic(err)
					}
					return r
				}
				i := m.toIndex(arg(c, 0), "DataView: index")
				le := arg(c, 1).ToBoolean()
				bits, err := v.dv.GetBits(kind, int(min(i, 1<<62)), le)
				if err != nil {
					m.r.Throw(err)
				}
				switch kind {
				case shared.BigInt64:
					return rt.ToValue(big.NewInt(kind.Int64(bits)))
				case shared.BigUint64:
					return rt.ToValue(new(big.Int).SetUint64(bits))
				}
				return rt.ToValue(kind.Float64(bits))
			}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		if of, ok := goja.AssertFunction(proto.Get("set" + dk.name)); ok {
			l := proto.Get("set" + dk.name).ToObject(rt).Get("length").ToInteger()
			_ = proto.DefineDataProperty("set"+dk.name, m.method("set"+dk.name, int(l), func(c goja.FunctionCall) goja.Value {
				v := dataView(c.This)
				if v == nil {
					r, err := of(c.This, c.Arguments...)
					if err != nil {
						panic(err)
					}
					return r
				}
				i := m.toIndex(arg(c, 0), "DataView: index")
				var bits uint64
				if kind.IsBigInt() {
					bits = uint64(m.toBigInt64(arg(c, 1)))
				} else {
					bits = kind.FromFloat64(arg(c, 1).ToFloat())
				}
				le := arg(c, 2).ToBoolean()
				if err := v.dv.SetBits(kind, int(min(i, 1<<62)), bits, le); err != nil {
					m.r.Throw(err)
				}
				return goja.Undefined()
			}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	return nil
}

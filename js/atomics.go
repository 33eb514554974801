package js

import (
	"context"
	"math"
	"math/big"
	"reflect"
	"strconv"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// atomicTarget is ValidateIntegerTypedArray's record: a host view over a
// SharedArrayBuffer (host), or one of goja's own typed arrays over a
// non-shared ArrayBuffer (nat), whose bytes never leave this goroutine.
type atomicTarget struct {
	host *taView
	nat  *goja.Object
	kind shared.Kind
}

var kindByName = func() map[string]shared.Kind {
	m := map[string]shared.Kind{}
	for _, k := range kinds {
		m[k.ArrayName()] = k
	}
	return m
}()

// validateIntegerTypedArray is ValidateIntegerTypedArray (25.4.3.1): a
// TypeError for anything but an integer typed array (Int32Array or
// BigInt64Array if waitable), or a detached one.
func (m *realmImpl) validateIntegerTypedArray(v goja.Value, waitable bool) atomicTarget {
	var t atomicTarget
	if h := hostView(v); h != nil {
		t = atomicTarget{host: h, kind: h.ta.Kind()}
	} else {
		o, ok := v.(*goja.Object)
		if !ok {
			panic(m.typeError("Atomics: %s is not a typed array", describe(v)))
		}
		tag, err := m.origTag(o)
		if err != nil {
			panic(err)
		}
		k, ok := kindByName[tag.String()]
		if goja.IsUndefined(tag) || !ok {
			panic(m.typeError("Atomics: %s is not a typed array", describe(v)))
		}
		t = atomicTarget{nat: o, kind: k}
		if m.natDetached(o) {
			panic(m.typeError("Atomics: the typed array's buffer is detached"))
		}
	}
	if waitable {
		if t.kind != shared.Int32 && t.kind != shared.BigInt64 {
			panic(m.typeError("Atomics: %s is not an Int32Array or BigInt64Array", t.kind.ArrayName()))
		}
	} else if !t.kind.IsInteger() {
		panic(m.typeError("Atomics: %s is not an integer typed array", t.kind.ArrayName()))
	}
	return t
}

func (m *realmImpl) natDetached(o *goja.Object) bool {
	b, err := m.origBuffer(o)
	if err != nil {
		panic(err)
	}
	if bo, ok := b.(*goja.Object); ok {
		if ab, ok := exported[goja.ArrayBuffer](bo); ok {
			return ab.Detached()
		}
	}
	return false
}

func (m *realmImpl) length(t atomicTarget) int64 {
	if t.host != nil {
		return int64(t.host.ta.Length())
	}
	l, err := m.origLength(t.nat)
	if err != nil {
		panic(err)
	}
	return l.ToInteger()
}

// validateAtomicAccess is ValidateAtomicAccess (25.4.3.2): ToIndex, then a
// RangeError at or beyond the length.
func (m *realmImpl) validateAtomicAccess(t atomicTarget, index goja.Value) int {
	length := m.length(t)
	i := m.toIndex(index, "Atomics: index")
	if i >= length {
		panic(m.rangeError("Atomics: index %d is out of range", i))
	}
	return int(i)
}

// revalidate is RevalidateAtomicAccess (25.4.3.3): after the value
// conversions, which may run user code.
func (m *realmImpl) revalidate(t atomicTarget, i int) {
	if t.nat != nil && m.natDetached(t.nat) {
		panic(m.typeError("Atomics: the typed array's buffer is detached"))
	}
	if int64(i) >= m.length(t) {
		panic(m.rangeError("Atomics: index %d is out of range", i))
	}
}

// operand is an Atomics value argument after conversion: the JS value
// the operation returns for store (ToIntegerOrInfinity's Number or
// ToBigInt's BigInt) and the bits it contributes.
type operand struct {
	js   goja.Value
	bits int64
}

func (m *realmImpl) convert(t atomicTarget, v goja.Value) operand {
	rt := m.r.rt
	if t.kind.IsBigInt() {
		r, err := m.asIntN(goja.Undefined(), rt.ToValue(128), v)
		if err != nil {
			panic(err)
		}
		b, ok := r.Export().(*big.Int)
		if !ok {
			panic(m.typeError("cannot convert %v to a BigInt", v))
		}
		lo := new(big.Int).And(b, new(big.Int).SetUint64(math.MaxUint64))
		return operand{js: r, bits: int64(lo.Uint64())}
	}
	f := toIntegerOrInfinity(v)
	return operand{js: rt.ToValue(f), bits: modInt64(f)}
}

// modInt64 is an integral Number modulo 2^64, as int64 bits (±Infinity
// gives 0, as ToInt32 does).
func modInt64(f float64) int64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	if f >= -(1<<63) && f < 1<<63 {
		return int64(f)
	}
	r := math.Mod(f, 1<<64)
	if r < 0 {
		r += 1 << 64
	}
	if r >= 1<<63 {
		return int64(uint64(r-(1<<63)) | 1<<63)
	}
	return int64(r)
}

// result makes the JS value of an element read as int64 (Kind.Int64).
func (m *realmImpl) result(k shared.Kind, x int64) goja.Value {
	switch k {
	case shared.BigInt64:
		return m.r.rt.ToValue(big.NewInt(x))
	case shared.BigUint64:
		return m.r.rt.ToValue(new(big.Int).SetUint64(uint64(x)))
	}
	return m.r.rt.ToValue(x)
}

// natRead reads element i of a native array as int64 bits.
func (m *realmImpl) natRead(t atomicTarget, i int) (goja.Value, int64) {
	v := t.nat.Get(strconv.Itoa(i))
	if b, ok := v.Export().(*big.Int); ok {
		lo := new(big.Int).And(b, new(big.Int).SetUint64(math.MaxUint64))
		return v, int64(lo.Uint64())
	}
	return v, modInt64(v.ToFloat())
}

func (m *realmImpl) natWrite(t atomicTarget, i int, bits int64) {
	_ = t.nat.Set(strconv.Itoa(i), m.result(t.kind, t.kind.Int64(t.kind.FromInt64(bits))))
}

type rmwFunc func(old, x int64) int64

var rmwOps = map[string]struct {
	host func(*shared.TypedArray, int, int64) (int64, error)
	nat  rmwFunc
}{
	"add":      {atomics.Add, func(o, x int64) int64 { return o + x }},
	"and":      {atomics.And, func(o, x int64) int64 { return o & x }},
	"exchange": {atomics.Exchange, func(o, x int64) int64 { return x }},
	"or":       {atomics.Or, func(o, x int64) int64 { return o | x }},
	"sub":      {atomics.Sub, func(o, x int64) int64 { return o - x }},
	"xor":      {atomics.Xor, func(o, x int64) int64 { return o ^ x }},
}

func (m *realmImpl) installAtomics() error {
	rt := m.r.rt
	A := rt.NewObject()
	def := func(name string, length int, f func(goja.FunctionCall) goja.Value) {
		_ = A.DefineDataProperty(name, m.method(name, length, f), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	for name, op := range rmwOps {
		name, op := name, op
		def(name, 3, func(c goja.FunctionCall) goja.Value {
			t := m.validateIntegerTypedArray(arg(c, 0), false)
			i := m.validateAtomicAccess(t, arg(c, 1))
			x := m.convert(t, arg(c, 2))
			m.revalidate(t, i)
			if t.host != nil {
				r, err := op.host(t.host.ta, i, x.bits)
				if err != nil {
					m.r.Throw(err)
				}
				return m.result(t.kind, r)
			}
			old, bits := m.natRead(t, i)
			m.natWrite(t, i, op.nat(bits, x.bits))
			return old
		})
	}
	def("load", 2, func(c goja.FunctionCall) goja.Value {
		t := m.validateIntegerTypedArray(arg(c, 0), false)
		i := m.validateAtomicAccess(t, arg(c, 1))
		m.revalidate(t, i)
		if t.host != nil {
			r, err := atomics.Load(t.host.ta, i)
			if err != nil {
				m.r.Throw(err)
			}
			return m.result(t.kind, r)
		}
		v, _ := m.natRead(t, i)
		return v
	})
	def("store", 3, func(c goja.FunctionCall) goja.Value {
		t := m.validateIntegerTypedArray(arg(c, 0), false)
		i := m.validateAtomicAccess(t, arg(c, 1))
		x := m.convert(t, arg(c, 2))
		m.revalidate(t, i)
		if t.host != nil {
			if _, err := atomics.Store(t.host.ta, i, x.bits); err != nil {
				m.r.Throw(err)
			}
		} else {
			m.natWrite(t, i, x.bits)
		}
		return x.js
	})
	def("compareExchange", 4, func(c goja.FunctionCall) goja.Value {
		t := m.validateIntegerTypedArray(arg(c, 0), false)
		i := m.validateAtomicAccess(t, arg(c, 1))
		exp := m.convert(t, arg(c, 2))
		rep := m.convert(t, arg(c, 3))
		m.revalidate(t, i)
		if t.host != nil {
			r, err := atomics.CompareExchange(t.host.ta, i, exp.bits, rep.bits)
			if err != nil {
				m.r.Throw(err)
			}
			return m.result(t.kind, r)
		}
		old, bits := m.natRead(t, i)
		k := t.kind
		if k.FromInt64(bits) == k.FromInt64(exp.bits) {
			m.natWrite(t, i, rep.bits)
		}
		return old
	})
	def("isLockFree", 1, func(c goja.FunctionCall) goja.Value {
		n := toIntegerOrInfinity(arg(c, 0))
		if n != 1 && n != 2 && n != 4 && n != 8 {
			return rt.ToValue(false)
		}
		return rt.ToValue(atomics.IsLockFree(int(n)))
	})
	def("pause", 0, func(c goja.FunctionCall) goja.Value {
		n := arg(c, 0)
		if goja.IsUndefined(n) {
			atomics.Pause()
			return goja.Undefined()
		}
		if !isNumber(n) {
			panic(m.typeError("Atomics.pause: %v is not an integral Number", n))
		}
		if err := atomics.PauseN(n.ToFloat()); err != nil {
			panic(m.typeError("Atomics.pause: %v is not an integral Number", n))
		}
		return goja.Undefined()
	})
	def("notify", 3, func(c goja.FunctionCall) goja.Value {
		t := m.validateIntegerTypedArray(arg(c, 0), true)
		i := m.validateAtomicAccess(t, arg(c, 1))
		count := atomics.All
		if cv := arg(c, 2); !goja.IsUndefined(cv) {
			f := toIntegerOrInfinity(cv)
			switch {
			case f <= 0:
				count = 0
			case f < float64(math.MaxInt32):
				count = int(f)
			}
		}
		if t.host == nil {
			return rt.ToValue(0)
		}
		m.revalidate(t, i)
		n, err := atomics.Notify(t.host.ta, i, count)
		if err != nil {
			m.r.Throw(err)
		}
		return rt.ToValue(n)
	})
	def("wait", 4, func(c goja.FunctionCall) goja.Value { return m.doWait(c, false) })
	def("waitAsync", 4, func(c goja.FunctionCall) goja.Value { return m.doWait(c, true) })
	_ = A.DefineDataPropertySymbol(goja.SymToStringTag, rt.ToValue("Atomics"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return rt.GlobalObject().DefineDataProperty("Atomics", A, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// isNumber reports whether v is a Number value (not an object).
func isNumber(v goja.Value) bool {
	if _, isObj := v.(*goja.Object); isObj || v == nil {
		return false
	}
	t := v.ExportType()
	return t != nil && (t.Kind() == reflect.Int64 || t.Kind() == reflect.Float64)
}

// doWait is DoWait (25.4.3.14) in mode sync (Atomics.wait) or async
// (Atomics.waitAsync).
func (m *realmImpl) doWait(c goja.FunctionCall, async bool) goja.Value {
	rt := m.r.rt
	t := m.validateIntegerTypedArray(arg(c, 0), true)
	if t.host == nil {
		panic(m.typeError("Atomics.wait: the typed array is not over a SharedArrayBuffer"))
	}
	i := m.validateAtomicAccess(t, arg(c, 1))
	v := m.convert(t, arg(c, 2))
	q := arg(c, 3).ToFloat()
	if goja.IsUndefined(arg(c, 3)) {
		q = math.Inf(1)
	}
	timeout := atomics.TimeoutFromMillis(q)
	if math.IsNaN(q) {
		timeout = atomics.TimeoutFromMillis(math.Inf(1))
	}
	ctx := context.Background()
	if m.r.opts.Host != nil {
		ctx = m.r.opts.Host.Context()
	}
	if !async {
		if !m.r.opts.Agent.CanBlock() {
			panic(m.typeError("Atomics.wait: this agent cannot block"))
		}
		r, err := atomics.WaitContext(ctx, t.host.ta, i, v.bits, timeout)
		if err != nil {
			m.r.Throw(err)
		}
		return rt.ToValue(string(r))
	}
	aw, err := atomics.WaitAsyncContext(ctx, t.host.ta, i, v.bits, timeout)
	if err != nil {
		m.r.Throw(err)
	}
	res := rt.NewObject()
	_ = res.Set("async", aw.Async())
	if !aw.Async() {
		val, _ := aw.Value()
		_ = res.Set("value", string(val))
		return res
	}
	host := m.r.opts.Host
	if host == nil {
		aw.Cancel()
		panic(m.typeError("Atomics.waitAsync: this runtime has no event loop to settle the promise"))
	}
	p, resolve, _ := rt.NewPromise()
	m.pending = append(m.pending, &pendingWait{aw: aw, resolve: resolve, release: host.Hold()})
	go func() {
		<-aw.Done()
		if !host.Post(m.settle) {
			aw.Cancel()
		}
	}()
	_ = res.Set("value", p)
	return res
}

// pendingWait is an Atomics.waitAsync promise not yet resolved.
type pendingWait struct {
	aw      *atomics.AsyncWait
	resolve func(any) error
	release func()
}

// settle runs on the realm's goroutine (posted when a wait settles): it
// resolves the promises of every settled wait, in the order the waits
// were made, so that waiters of one location woken by one notify (or by
// successive notifies) resolve in their FIFO order. It takes the settled
// waits out of the pending list before resolving any, so that promise
// jobs a resolve may run (a new waitAsync, a nested settle) see a
// consistent list.
func (m *realmImpl) settle() {
	var settled, kept []*pendingWait
	for _, p := range m.pending {
		if _, ok := p.aw.Value(); ok {
			settled = append(settled, p)
		} else {
			kept = append(kept, p)
		}
	}
	m.pending = kept
	for _, p := range settled {
		v, _ := p.aw.Value()
		_ = p.resolve(string(v))
		p.release()
	}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// WaitAsyncSettled returns a channel that is closed when one of the
// realm's pending Atomics.waitAsync waits settles (notified, timed out or
// released by the host's context) — closed already if one has settled
// and its promise is not yet resolved — or nil if the realm has no
// pending wait. It is the first pending wait's own channel
// (atomics.AsyncWait.Done), which the notify that wakes it closes, so a
// scheduler sees the waiter ready as soon as the notify is made; the
// promise itself is resolved later, by a function posted to the Host. With
// several pending waits and none settled, it is the first's (in the order
// made): a later one settling first shows only when the first settles.
// Call it on the realm's goroutine.
func (r *Realm) WaitAsyncSettled() <-chan struct{} {
	if r == nil || r.impl == nil || len(r.impl.pending) == 0 {
		return nil
	}
	for _, p := range r.impl.pending {
		if _, ok := p.aw.Value(); ok {
			return closedChan
		}
	}
	return r.impl.pending[0].aw.Done()
}

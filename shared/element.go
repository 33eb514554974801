package shared

import "sync/atomic"

// Element is a validated reference to one element of a view: the buffer
// location that ECMA-262's ValidateAtomicAccess yields. It is the layer
// beneath package atomics: its methods are the raw sequentially consistent
// operations on the element's bits (native-endian, in the low Size() bytes),
// with no conversion and no recording. 1- and 2-byte read-modify-writes are
// compare-and-swap loops on the containing aligned 32-bit word; 4- and
// 8-byte ones are native atomic instructions.
//
// An Element stays valid as long as its buffer is not detached; it does not
// re-check detachment, so obtain a fresh one for each operation.
type Element struct {
	blk   *block
	agent *Agent
	index int
	kind  Kind
}

// Element validates index i of the view and returns the element: a TypeError
// if the buffer is detached, a RangeError if i is out of range. op names the
// operation in error messages (e.g. "Atomics.add").
func (v *TypedArray) Element(op string, i int) (Element, error) {
	bi, err := v.byteIndex(op, i)
	return Element{blk: v.blk, agent: v.agent, index: bi, kind: v.kind}, err
}

// Kind returns the element kind.
func (e Element) Kind() Kind { return e.kind }

// ByteIndex returns the element's byte index in its buffer.
func (e Element) ByteIndex() int { return e.index }

// Size returns the element size in bytes.
func (e Element) Size() int { return e.kind.Size() }

// Agent returns the agent the access is attributed to, or nil.
func (e Element) Agent() *Agent { return e.agent }

// Shared reports whether the element is in a shared Buffer.
func (e Element) Shared() bool { return e.blk.shared }

// BufferID returns the ID of the element's buffer: with ByteIndex it names
// the location (a waiter list is per location).
func (e Element) BufferID() uint64 { return e.blk.id }

// Load reads the element's bits atomically.
func (e Element) Load() uint64 { return e.blk.load(e.index, e.kind.Size()) }

// Store writes the element's bits atomically.
func (e Element) Store(bits uint64) { e.blk.store(e.index, e.kind.Size(), bits&e.kind.mask()) }

// Exchange stores bits and returns the previous bits.
func (e Element) Exchange(bits uint64) uint64 {
	bits &= e.kind.mask()
	switch e.kind.Size() {
	case 4:
		return uint64(atomic.SwapUint32(e.blk.word32(e.index), uint32(bits)))
	case 8:
		return atomic.SwapUint64(e.blk.word64(e.index), bits)
	}
	return e.blk.rmwSub(e.index, e.kind.Size(), func(uint64) uint64 { return bits })
}

// Add adds bits (modulo 2^(8·Size)) and returns the previous bits.
func (e Element) Add(bits uint64) uint64 {
	switch e.kind.Size() {
	case 4:
		return uint64(atomic.AddUint32(e.blk.word32(e.index), uint32(bits)) - uint32(bits))
	case 8:
		return atomic.AddUint64(e.blk.word64(e.index), bits) - bits
	}
	return e.blk.rmwSub(e.index, e.kind.Size(), func(old uint64) uint64 { return old + bits })
}

// Sub subtracts bits (modulo 2^(8·Size)) and returns the previous bits.
func (e Element) Sub(bits uint64) uint64 { return e.Add(-bits) }

// And stores the bitwise and of the element and bits; it returns the previous bits.
func (e Element) And(bits uint64) uint64 {
	switch e.kind.Size() {
	case 4:
		return uint64(atomic.AndUint32(e.blk.word32(e.index), uint32(bits)))
	case 8:
		return atomic.AndUint64(e.blk.word64(e.index), bits)
	}
	return e.blk.rmwSub(e.index, e.kind.Size(), func(old uint64) uint64 { return old & bits })
}

// Or stores the bitwise or of the element and bits; it returns the previous bits.
func (e Element) Or(bits uint64) uint64 {
	bits &= e.kind.mask()
	switch e.kind.Size() {
	case 4:
		return uint64(atomic.OrUint32(e.blk.word32(e.index), uint32(bits)))
	case 8:
		return atomic.OrUint64(e.blk.word64(e.index), bits)
	}
	return e.blk.rmwSub(e.index, e.kind.Size(), func(old uint64) uint64 { return old | bits })
}

// Xor stores the bitwise exclusive or of the element and bits; it returns the previous bits.
func (e Element) Xor(bits uint64) uint64 {
	switch e.kind.Size() {
	case 4:
		p := e.blk.word32(e.index)
		for {
			old := atomic.LoadUint32(p)
			if atomic.CompareAndSwapUint32(p, old, old^uint32(bits)) {
				return uint64(old)
			}
		}
	case 8:
		p := e.blk.word64(e.index)
		for {
			old := atomic.LoadUint64(p)
			if atomic.CompareAndSwapUint64(p, old, old^bits) {
				return old
			}
		}
	}
	return e.blk.rmwSub(e.index, e.kind.Size(), func(old uint64) uint64 { return old ^ bits })
}

// CompareExchange stores replacement if the element's bits equal expected,
// and returns the bits it found and whether it stored. A failing
// compare-exchange only reads (tc39/ecma262 PR #2250).
func (e Element) CompareExchange(expected, replacement uint64) (old uint64, swapped bool) {
	m := e.kind.mask()
	expected, replacement = expected&m, replacement&m
	switch e.kind.Size() {
	case 4:
		p := e.blk.word32(e.index)
		for {
			cur := atomic.LoadUint32(p)
			if uint64(cur) != expected {
				return uint64(cur), false
			}
			if atomic.CompareAndSwapUint32(p, cur, uint32(replacement)) {
				return expected, true
			}
		}
	case 8:
		p := e.blk.word64(e.index)
		for {
			cur := atomic.LoadUint64(p)
			if cur != expected {
				return cur, false
			}
			if atomic.CompareAndSwapUint64(p, cur, replacement) {
				return expected, true
			}
		}
	}
	p := e.blk.word32(e.index)
	sh := subShift(e.index, e.kind.Size())
	wm := uint32(m) << sh
	for {
		w := atomic.LoadUint32(p)
		cur := uint64((w & wm) >> sh)
		if cur != expected {
			return cur, false
		}
		if atomic.CompareAndSwapUint32(p, w, w&^wm|uint32(replacement)<<sh) {
			return cur, true
		}
	}
}

// Recorded reports whether an access to this element would be recorded
// (a recorder is attached to its buffer or its agent). It costs one atomic
// load when no recorder is attached anywhere.
func (e Element) Recorded() bool { return wantsRecord(e.blk, e.agent) }

// Record stamps ev with the element's agent, the agent's next sequence
// number, the buffer, and (when ev.Size is 0) the element's byte index and
// size, and appends it to the recorders attached to the buffer and the agent.
// Payloads (Read, Written) are given as native-endian element bits and
// stored little-endian by position (see Event).
func (e Element) Record(ev Event) {
	if ev.Size == 0 {
		ev.ByteIndex, ev.Size = e.index, e.kind.Size()
	}
	ev.Read, ev.Written = toLE(ev.Read, ev.Size), toLE(ev.Written, ev.Size)
	record(e.blk, e.agent, &ev)
}

// ValidateIntegerTypedArray performs ECMA-262's ValidateIntegerTypedArray on
// the view, naming op in its errors: a TypeError if v is nil, if its buffer
// is detached (the view is out of bounds), or if its kind is not one Atomics
// accepts — with waitable, only Int32 and BigInt64 (Atomics.wait, waitAsync
// and notify); otherwise the integer kinds except Uint8Clamped. Validate the
// index afterwards with Element, as ValidateAtomicAccess.
func (v *TypedArray) ValidateIntegerTypedArray(op string, waitable bool) error {
	if v == nil {
		return Errorf(TypeError, op, "not a TypedArray (nil view)")
	}
	if v.blk.detached() {
		return Errorf(TypeError, op, "%s's buffer is detached", v.kind.ArrayName())
	}
	if waitable {
		if v.kind != Int32 && v.kind != BigInt64 {
			return Errorf(TypeError, op, "%s is neither an Int32Array nor a BigInt64Array", v.kind.ArrayName())
		}
	} else if !v.kind.IsInteger() {
		return Errorf(TypeError, op, "%s is not an integer TypedArray (Int8, Uint8, Int16, Uint16, Int32, Uint32, BigInt64 or BigUint64)", v.kind.ArrayName())
	}
	return nil
}

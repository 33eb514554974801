package atomics

import "github.com/sabre-mm/sabre/shared"

// Operation names, as they appear in errors and recorded events.
const (
	opLoad            = "Atomics.load"
	opStore           = "Atomics.store"
	opCompareExchange = "Atomics.compareExchange"
	opWait            = "Atomics.wait"
	opWaitAsync       = "Atomics.waitAsync"
	opNotify          = "Atomics.notify"
	opPause           = "Atomics.pause"
)

// rmwOp is one of the read-modify-write operations of AtomicReadModifyWrite.
type rmwOp uint8

const (
	opAdd rmwOp = iota
	opSub
	opAnd
	opOr
	opXor
	opExchange
)

var rmwNames = [...]string{
	opAdd: "Atomics.add", opSub: "Atomics.sub", opAnd: "Atomics.and",
	opOr: "Atomics.or", opXor: "Atomics.xor", opExchange: "Atomics.exchange",
}

// modify is the operation's ModifyOp on element bits (before masking).
func (op rmwOp) modify(old, x uint64) uint64 {
	switch op {
	case opAdd:
		return old + x
	case opSub:
		return old - x
	case opAnd:
		return old & x
	case opOr:
		return old | x
	case opXor:
		return old ^ x
	}
	return x
}

// element validates v and index i as ECMA-262's
// ValidateAtomicAccessOnIntegerTypedArray: TypeError for a nil view, a
// detached buffer or a kind Atomics does not accept; RangeError for an index
// out of range.
func element(v *shared.TypedArray, i int, op string, waitable bool) (shared.Element, error) {
	if err := v.ValidateIntegerTypedArray(op, waitable); err != nil {
		return shared.Element{}, err
	}
	return v.Element(op, i)
}

// Load returns element i of v, read atomically (Atomics.load). v must be an
// integer view (not Uint8Clamped, not a float kind) of a shared Buffer or
// an ArrayBuffer. The value is decoded as shared.Kind.Int64: sign-extended
// for the signed kinds, zero-extended for the unsigned ones; a BigUint64
// element above math.MaxInt64 comes back as its two's complement bit
// pattern (convert with uint64(result)).
//
// Errors, in ECMA-262's order: a TypeError for a nil view, a detached
// buffer or a kind Atomics does not accept, then a RangeError for an index
// out of range.
func Load(v *shared.TypedArray, i int) (x int64, err error) {
	// The Int32 fast path inlines into the caller; everything else is load.
	x, err = v.LoadInt32(i, load)
	return
}

func load(v *shared.TypedArray, i int) (int64, error) {
	if p, ok := v.Word32(i); ok { // Uint32 (or Int32, if recording stopped meanwhile)
		return v.Kind().Int64(uint64(p.Load())), nil
	}
	if p, ok := v.Word64(i); ok {
		return int64(p.Load()), nil
	}
	if p, sh, ok := v.SubWord(i); ok {
		k := v.Kind()
		return k.Int64(uint64(p.Load() >> sh)), nil
	}
	e, err := element(v, i, opLoad, false)
	if err != nil {
		return 0, err
	}
	k := e.Kind()
	if !e.Recorded() {
		return k.Int64(e.Load()), nil
	}
	t0 := shared.Now()
	bits := e.Load()
	t1 := shared.Now()
	e.Record(shared.Event{Kind: shared.EvRead, Order: shared.SeqCst, Op: opLoad, NoTear: true, Read: bits, Call: t0, Return: t1})
	return k.Int64(bits), nil
}

// Store writes x, converted to v's kind with ECMAScript's modular
// conversion (shared.Kind.FromInt64), to element i atomically
// (Atomics.store), and returns x itself, as Atomics.store returns its
// argument and not the stored element. Errors as Load.
func Store(v *shared.TypedArray, i int, x int64) (r int64, err error) {
	r, err = v.StoreInt32(i, x, store)
	return
}

func store(v *shared.TypedArray, i int, x int64) (int64, error) {
	if p, ok := v.Word32(i); ok { // Uint32 (or Int32, if recording stopped meanwhile)
		p.Store(uint32(x))
		return x, nil
	}
	if p, ok := v.Word64(i); ok {
		p.Store(uint64(x))
		return x, nil
	}
	e, err := element(v, i, opStore, false)
	if err != nil {
		return 0, err
	}
	bits := e.Kind().FromInt64(x)
	if !e.Recorded() {
		e.Store(bits)
		return x, nil
	}
	t0 := shared.Now()
	e.Store(bits)
	t1 := shared.Now()
	e.Record(shared.Event{Kind: shared.EvWrite, Order: shared.SeqCst, Op: opStore, NoTear: true, Written: bits, Call: t0, Return: t1})
	return x, nil
}

// Add adds x to element i atomically, modulo 2^(8·element size), and
// returns the element's previous value (Atomics.add). Values and errors as
// Load and Store.
func Add(v *shared.TypedArray, i int, x int64) (r int64, err error) {
	r, err = v.AddInt32(i, x, add)
	return
}

// add is Add's general path: a specialised loop for 1- and 2-byte elements
// on the fast path, else rmw.
func add(v *shared.TypedArray, i int, x int64) (int64, error) {
	if p, sh, ok := v.SubWord(i); ok {
		return addSubWord(p, sh, v.Kind(), x), nil
	}
	return rmw(v, i, x, opAdd)
}

// Sub subtracts x from element i atomically, modulo 2^(8·element size), and
// returns the previous value (Atomics.sub).
func Sub(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, opSub) }

// And stores the bitwise and of element i and x atomically and returns the
// previous value (Atomics.and).
func And(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, opAnd) }

// Or stores the bitwise or of element i and x atomically and returns the
// previous value (Atomics.or).
func Or(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, opOr) }

// Xor stores the bitwise exclusive or of element i and x atomically and
// returns the previous value (Atomics.xor).
func Xor(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, opXor) }

// Exchange stores x in element i atomically and returns the previous value
// (Atomics.exchange).
func Exchange(v *shared.TypedArray, i int, x int64) (int64, error) {
	return rmw(v, i, x, opExchange)
}

// rmw is AtomicReadModifyWrite: validation, conversion of x to the kind,
// the atomic operation (a native instruction for 4- and 8-byte elements, a
// compare-and-swap loop on the containing 32-bit word for 1- and 2-byte
// ones) and, when recorded, one ReadModifyWriteSharedMemory event.
func rmw(v *shared.TypedArray, i int, x int64, op rmwOp) (int64, error) {
	if p, sh, ok := v.SubWord(i); ok {
		return rmwSubWord(p, sh, v.Kind(), x, op), nil
	}
	e, err := element(v, i, rmwNames[op], false)
	if err != nil {
		return 0, err
	}
	k := e.Kind()
	bits := k.FromInt64(x)
	if !e.Recorded() {
		return k.Int64(apply(e, op, bits)), nil
	}
	t0 := shared.Now()
	old := apply(e, op, bits)
	t1 := shared.Now()
	e.Record(shared.Event{Kind: shared.EvRMW, Order: shared.SeqCst, Op: rmwNames[op], NoTear: true,
		Read: old, Written: k.FromInt64(int64(op.modify(old, bits))), Call: t0, Return: t1})
	return k.Int64(old), nil
}

// apply performs op on e and returns the previous bits.
func apply(e shared.Element, op rmwOp, bits uint64) uint64 {
	switch op {
	case opAdd:
		return e.Add(bits)
	case opSub:
		return e.Sub(bits)
	case opAnd:
		return e.And(bits)
	case opOr:
		return e.Or(bits)
	case opXor:
		return e.Xor(bits)
	}
	return e.Exchange(bits)
}

// CompareExchange stores replacement in element i if the element equals
// expected, both converted to v's kind first (so that, in an Int8 view,
// expected 255 matches an element -1), and returns the element's value
// before the operation whether or not it stored (Atomics.compareExchange).
// A compare-exchange that does not store is a read, not a
// read-modify-write (tc39/ecma262 PR #2250), and is recorded as EvRead.
func CompareExchange(v *shared.TypedArray, i int, expected, replacement int64) (int64, error) {
	if p, ok := v.Word32(i); ok && v.Kind() == shared.Int32 {
		return compareExchange32(p, uint32(expected), uint32(replacement)), nil
	}
	e, err := element(v, i, opCompareExchange, false)
	if err != nil {
		return 0, err
	}
	k := e.Kind()
	exp, rep := k.FromInt64(expected), k.FromInt64(replacement)
	if !e.Recorded() {
		old, _ := e.CompareExchange(exp, rep)
		return k.Int64(old), nil
	}
	t0 := shared.Now()
	old, swapped := e.CompareExchange(exp, rep)
	t1 := shared.Now()
	ev := shared.Event{Kind: shared.EvRead, Order: shared.SeqCst, Op: opCompareExchange, NoTear: true, Read: old, Call: t0, Return: t1}
	if swapped {
		ev.Kind, ev.Written = shared.EvRMW, rep
	}
	e.Record(ev)
	return k.Int64(old), nil
}

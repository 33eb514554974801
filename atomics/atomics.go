package atomics

import (
	"unsafe"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/internal/mutant"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

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

var rmwNames = [...]string{
	mem.OpAdd: "Atomics.add", mem.OpSub: "Atomics.sub", mem.OpAnd: "Atomics.and",
	mem.OpOr: "Atomics.or", mem.OpXor: "Atomics.xor", mem.OpExchange: "Atomics.exchange",
}

// modifyOps is each operation's ModifyOp in the memory model.
var modifyOps = [...]model.ModifyOp{
	mem.OpAdd: model.Add, mem.OpSub: model.Sub, mem.OpAnd: model.And,
	mem.OpOr: model.Or, mem.OpXor: model.Xor, mem.OpExchange: model.Exchange,
}

// arrayOf returns the shape of view v: package shared keeps a mem.Array as
// a TypedArray's first field (it checks that statically), so that the
// operations of this package reach the memory only through package mem's
// bracket, and the Int32 fast paths inline. nil for a nil view.
func arrayOf(v *shared.TypedArray) *mem.Array { return (*mem.Array)(unsafe.Pointer(v)) }

// loc is a validated element: ECMA-262's ValidateAtomicAccess result.
type loc struct {
	blk   *mem.Block
	agent *mem.Agent
	at    int // byte index
	size  int
	kind  shared.Kind
}

// element validates v and index i as ECMA-262's
// ValidateAtomicAccessOnIntegerTypedArray: TypeError for a nil or zero view,
// a detached buffer or a kind Atomics does not accept (with waitable, only
// Int32 and BigInt64: Atomics.wait, waitAsync and notify); RangeError for an
// index out of range.
//
// After it, ECMA-262's operations convert their value arguments (ToBigInt,
// ToIntegerOrInfinity) and then RevalidateAtomicAccess, because a
// conversion may run user code that detaches the buffer. Go's int64 values
// need no conversion that can fail or run code, so that revalidation has no
// counterpart here: nothing runs between the validation and the access.
//
// It fills e in place (returning the struct costs a store-forwarding stall
// on every operation).
func (e *loc) element(v *shared.TypedArray, i int, op string, waitable bool) error {
	a := arrayOf(v)
	if a == nil || a.Blk == nil {
		return shared.Errorf(shared.TypeError, op, "not a TypedArray (nil, or not made by NewTypedArray)")
	}
	k := shared.Kind(a.Kind)
	if a.Blk.Detached() {
		return shared.Errorf(shared.TypeError, op, "%s's buffer is detached", k.ArrayName())
	}
	if waitable {
		if k != shared.Int32 && k != shared.BigInt64 {
			return shared.Errorf(shared.TypeError, op, "%s is neither an Int32Array nor a BigInt64Array", k.ArrayName())
		}
	} else if !k.IsInteger() {
		return shared.Errorf(shared.TypeError, op, "%s is not an integer TypedArray (Int8, Uint8, Int16, Uint16, Int32, Uint32, BigInt64 or BigUint64)", k.ArrayName())
	}
	return e.index(a, k, i, op)
}

// index is ValidateAtomicAccess's index check, after the view checks:
// ToIndex(i) refuses a negative i (a RangeError), and an i ≥ the length is a
// RangeError too (ToIndex's bound, 2^53 − 1, is above any length).
func (e *loc) index(a *mem.Array, k shared.Kind, i int, op string) error {
	bi, n, ok := a.ByteIndex(i)
	if !ok {
		if n < 0 {
			return shared.Errorf(shared.TypeError, op, "%s's buffer is detached", k.ArrayName())
		}
		return shared.Errorf(shared.RangeError, op, "index %d is out of range for %s of length %d", i, k.ArrayName(), n)
	}
	e.blk, e.agent, e.at, e.size, e.kind = a.Blk, a.Agent, bi, 1<<a.Shift, k
	return nil
}

// begin opens the bracket o of an access to e (see mem.Obs.Begin).
func (e *loc) begin(o *mem.Obs, ev *history.Event) (uint64, bool) {
	ev.Order, ev.NoTear, ev.ByteIndex, ev.Size = model.SeqCst, true, e.at, e.size
	return o.Begin(e.blk, e.agent, ev)
}

// le packs element bits as a history payload.
func (e *loc) le(bits uint64) uint64 { return mem.ToLE(bits&mem.Mask(e.size), e.size) }

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
	x, err = arrayOf(v).LoadInt32(i, load)
	return
}

func load(a *mem.Array, i int) (int64, error) {
	if a != nil {
		k := shared.Kind(a.Kind)
		if p, ok := a.Word32(i); ok { // Uint32 (or Int32, if an observer left meanwhile)
			return k.Int64(uint64(p.Load())), nil
		}
		if p, ok := a.Word64(i); ok {
			return int64(p.Load()), nil
		}
		if p, sh, ok := a.SubWord(i); ok {
			return k.Int64(uint64(p.Load() >> sh)), nil
		}
	}
	var e loc
	if err := e.element((*shared.TypedArray)(unsafe.Pointer(a)), i, opLoad, false); err != nil {
		return 0, err
	}
	if !mem.Attached() {
		return e.kind.Int64(e.blk.Load(e.at, e.size)), nil
	}
	var ev history.Event
	ev.Kind = history.EvRead
	ev.Op = opLoad
	var o mem.Obs
	sup, supplied := e.begin(&o, &ev)
	var bits uint64
	if supplied {
		bits = mem.FromLE(sup&mem.Mask(e.size), e.size)
	} else {
		bits = e.blk.Load(e.at, e.size)
		if mutant.Is(mutant.LoadStale) {
			bits = loadStale(e.blk.ID, e.at, bits)
		}
	}
	ev.Read = e.le(bits)
	o.End(&ev)
	return e.kind.Int64(bits), nil
}

// Store writes x, converted to v's kind with ECMAScript's modular
// conversion (shared.Kind.FromInt64), to element i atomically
// (Atomics.store), and returns x itself, as Atomics.store returns its
// argument and not the stored element. Errors as Load.
func Store(v *shared.TypedArray, i int, x int64) (r int64, err error) {
	r, err = arrayOf(v).StoreInt32(i, x, store)
	return
}

func store(a *mem.Array, i int, x int64) (int64, error) {
	if a != nil {
		if p, ok := a.Word32(i); ok { // Uint32 (or Int32, if an observer left meanwhile)
			p.Store(uint32(x))
			return x, nil
		}
		if p, ok := a.Word64(i); ok {
			p.Store(uint64(x))
			return x, nil
		}
	}
	var e loc
	if err := e.element((*shared.TypedArray)(unsafe.Pointer(a)), i, opStore, false); err != nil {
		return 0, err
	}
	bits := e.kind.FromInt64(x)
	if !mem.Attached() {
		e.blk.Store(e.at, e.size, bits)
		return x, nil
	}
	if mutant.Is(mutant.StoreNotSeqCst) {
		storePlain(&e, bits)
		return x, nil
	}
	var ev history.Event
	ev.Kind = history.EvWrite
	ev.Op = opStore
	ev.Written = e.le(bits)
	var o mem.Obs
	e.begin(&o, &ev)
	e.blk.Store(e.at, e.size, bits)
	o.End(&ev)
	return x, nil
}

// Add adds x to element i atomically, modulo 2^(8·element size), and
// returns the element's previous value (Atomics.add). Values and errors as
// Load and Store.
func Add(v *shared.TypedArray, i int, x int64) (r int64, err error) {
	r, err = arrayOf(v).AddInt32(i, x, add)
	return
}

// add is Add's general path: a specialised loop for 1- and 2-byte elements
// on the fast path, else rmw.
func add(a *mem.Array, i int, x int64) (int64, error) {
	if a != nil {
		if p, sh, ok := a.SubWord(i); ok {
			// addSubWord, by hand: the addend, shifted into place, is added to
			// the whole word and the carry out of the element masked off.
			bits := uint(8) << a.Shift
			m := uint32(1)<<bits - 1
			d, mm := (uint32(x)&m)<<sh, m<<sh
			for {
				w := p.Load()
				if p.CompareAndSwap(w, w&^mm|(w+d)&mm) {
					old := w >> sh & m
					if shared.Kind(a.Kind).IsSigned() {
						return int64(int32(old<<(32-bits)) >> (32 - bits)), nil
					}
					return int64(old), nil
				}
			}
		}
	}
	return rmw((*shared.TypedArray)(unsafe.Pointer(a)), i, x, mem.OpAdd)
}

// Sub subtracts x from element i atomically, modulo 2^(8·element size), and
// returns the previous value (Atomics.sub).
func Sub(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, mem.OpSub) }

// And stores the bitwise and of element i and x atomically and returns the
// previous value (Atomics.and).
func And(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, mem.OpAnd) }

// Or stores the bitwise or of element i and x atomically and returns the
// previous value (Atomics.or).
func Or(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, mem.OpOr) }

// Xor stores the bitwise exclusive or of element i and x atomically and
// returns the previous value (Atomics.xor).
func Xor(v *shared.TypedArray, i int, x int64) (int64, error) { return rmw(v, i, x, mem.OpXor) }

// Exchange stores x in element i atomically and returns the previous value
// (Atomics.exchange).
func Exchange(v *shared.TypedArray, i int, x int64) (int64, error) {
	return rmw(v, i, x, mem.OpExchange)
}

// rmw is AtomicReadModifyWrite: validation, conversion of x to the kind,
// the atomic operation (a native instruction for 4- and 8-byte elements, a
// compare-and-swap loop on the containing 32-bit word for 1- and 2-byte
// ones) and, when observed, one ReadModifyWriteSharedMemory event with its
// ModifyOp and operand.
func rmw(v *shared.TypedArray, i int, x int64, op mem.RMWOp) (int64, error) {
	if a := arrayOf(v); a != nil {
		if p, sh, ok := a.SubWord(i); ok {
			return rmwSubWord(p, sh, shared.Kind(a.Kind), x, op), nil
		}
	}
	var e loc
	if err := e.element(v, i, rmwNames[op], false); err != nil {
		return 0, err
	}
	bits := e.kind.FromInt64(x)
	if !mem.Attached() {
		return e.kind.Int64(e.blk.RMW(e.at, e.size, op, bits)), nil
	}
	var ev history.Event
	ev.Kind = history.EvRMW
	ev.Op = rmwNames[op]
	ev.ModifyOp = modifyOps[op]
	ev.Operand = e.le(bits)
	var o mem.Obs
	var old uint64
	if sup, supplied := e.begin(&o, &ev); supplied {
		// The controller chose the bytes read (a simulated weak read): the
		// operation writes what it makes of them.
		old = mem.FromLE(sup&mem.Mask(e.size), e.size)
		e.blk.Store(e.at, e.size, op.Modify(old, bits))
	} else {
		old = e.blk.RMW(e.at, e.size, op, bits)
	}
	ev.Read, ev.Written = e.le(old), e.le(op.Modify(old, bits))
	o.End(&ev)
	return e.kind.Int64(old), nil
}

// CompareExchange stores replacement in element i if the element equals
// expected, both converted to v's kind first (so that, in an Int8 view,
// expected 255 matches an element -1), and returns the element's value
// before the operation whether or not it stored (Atomics.compareExchange).
// A compare-exchange that does not store is a read, not a
// read-modify-write (tc39/ecma262 PR #2250): it is recorded as an EvRead
// with ModifyOp CompareExchange, its Expected and Operand (the
// replacement), and Stored false.
func CompareExchange(v *shared.TypedArray, i int, expected, replacement int64) (int64, error) {
	if a := arrayOf(v); a != nil && shared.Kind(a.Kind) == shared.Int32 {
		if p, ok := a.Word32(i); ok {
			return compareExchange32(p, uint32(expected), uint32(replacement)), nil
		}
	}
	var e loc
	if err := e.element(v, i, opCompareExchange, false); err != nil {
		return 0, err
	}
	exp, rep := e.kind.FromInt64(expected), e.kind.FromInt64(replacement)
	if !mem.Attached() {
		old, _ := e.blk.CompareExchange(e.at, e.size, exp, rep)
		return e.kind.Int64(old), nil
	}
	var ev history.Event
	ev.Kind = history.EvRMW
	ev.Op = opCompareExchange
	ev.ModifyOp = model.CompareExchange
	ev.Expected = e.le(exp)
	ev.Operand = e.le(rep)
	var o mem.Obs
	var old uint64
	var swapped bool
	if sup, supplied := e.begin(&o, &ev); supplied {
		old = mem.FromLE(sup&mem.Mask(e.size), e.size)
		if swapped = old == exp; swapped {
			e.blk.Store(e.at, e.size, rep)
		}
	} else {
		old, swapped = e.blk.CompareExchange(e.at, e.size, exp, rep)
	}
	ev.Read, ev.Stored = e.le(old), swapped
	if swapped {
		ev.Written = e.le(rep)
	} else {
		ev.Kind = history.EvRead
	}
	o.End(&ev)
	return e.kind.Int64(old), nil
}

package shared

import (
	"sync/atomic"
	"unsafe"
)

// Word32 is the fast path for 4-byte integer elements (Int32, Uint32) of a
// fixed-length view over a shared Buffer, while no recorder is attached
// anywhere: it returns element i as an *atomic.Uint32 — so that it can only
// be accessed atomically — and true. Otherwise (another kind, a non-shared or
// length-tracking view, an index out of range, recording on) it returns nil
// and false, and the caller takes the general path (Element), which validates
// and records. A nil view takes the general path too. It is small enough to
// be inlined into its callers.
func (v *TypedArray) Word32(i int) (*atomic.Uint32, bool) {
	if atomic.LoadInt64((*int64)(unsafe.Pointer(&attached))) == 0 && v != nil && v.shift == 2 && uint(i) < uint(v.fast) {
		return (*atomic.Uint32)(unsafe.Add(v.elems, i<<2)), true
	}
	return nil, false
}

// Word64 is Word32 for 8-byte integer elements (BigInt64, BigUint64).
func (v *TypedArray) Word64(i int) (*atomic.Uint64, bool) {
	if atomic.LoadInt64((*int64)(unsafe.Pointer(&attached))) == 0 && v != nil && v.shift == 3 && uint(i) < uint(v.fast) {
		return (*atomic.Uint64)(unsafe.Add(v.elems, i<<3)), true
	}
	return nil, false
}

// SubWord is the fast path for 1- and 2-byte integer elements (Int8, Uint8,
// Int16, Uint16) under the same conditions as Word32: it returns the aligned
// 32-bit word containing element i, the bit shift of the element within the
// word's value, and true. Read-modify-writes on it must compare-and-swap the
// whole word so that neighbouring elements are never disturbed.
func (v *TypedArray) SubWord(i int) (w *atomic.Uint32, shift uint, ok bool) {
	if atomic.LoadInt64((*int64)(unsafe.Pointer(&attached))) == 0 && v != nil && v.shift < 2 && uint(i) < uint(v.fast) {
		bi := v.offset + i<<v.shift
		return (*atomic.Uint32)(unsafe.Add(v.blk.base, bi&^3)), subShift(bi, 1<<v.shift), true
	}
	return nil, 0, false
}

// The fast paths test "no recorder attached anywhere" by loading attached's
// int64 word directly (an atomic.Int64 is exactly that word; the static
// checks at the end of this file verify its size): that costs the Go inliner
// fewer nodes than attached.Load() and keeps them within its budget. The
// Int32 paths fold that test into the bounds check: attached counts in units
// of 2^40, above any element index, so uint64(i)|attached < length holds
// only when i is in range and nothing is recorded (a negative i is huge as
// a uint64) — one compare and one branch.
//
// The Int32 fast paths below serve package atomics, whose Load, Store and Add
// on an Int32 element must inline into their callers: each performs the
// operation directly when the element qualifies for Word32 and v is an Int32
// view, and otherwise returns slow(v, i, ...), which validates, records and
// handles the other kinds. Passing the slow path as a parameter keeps each
// within the Go inliner's budget: it charges a call through a parameter less
// than a direct call.

// LoadInt32 returns element i of an Int32 view, read atomically, or slow(v, i).
func (v *TypedArray) LoadInt32(i int, slow func(*TypedArray, int) (int64, error)) (x int64, err error) {
	if v != nil && uint64(i)|uint64(atomic.LoadInt64((*int64)(unsafe.Pointer(&attached)))) < uint64(v.fastInt32) {
		x = int64(atomic.LoadInt32((*int32)(unsafe.Add(v.elems, i<<2))))
		return
	}
	x, err = slow(v, i)
	return
}

// StoreInt32 stores x (modulo 2^32) in element i of an Int32 view
// atomically and returns x, or returns slow(v, i, x).
func (v *TypedArray) StoreInt32(i int, x int64, slow func(*TypedArray, int, int64) (int64, error)) (r int64, err error) {
	if v != nil && uint64(i)|uint64(atomic.LoadInt64((*int64)(unsafe.Pointer(&attached)))) < uint64(v.fastInt32) {
		atomic.StoreInt32((*int32)(unsafe.Add(v.elems, i<<2)), int32(x))
		r = x
		return
	}
	r, err = slow(v, i, x)
	return
}

// AddInt32 adds x (modulo 2^32) to element i of an Int32 view atomically and
// returns the previous value, or returns slow(v, i, x).
func (v *TypedArray) AddInt32(i int, x int64, slow func(*TypedArray, int, int64) (int64, error)) (r int64, err error) {
	if v != nil && uint64(i)|uint64(atomic.LoadInt64((*int64)(unsafe.Pointer(&attached)))) < uint64(v.fastInt32) {
		r = int64(atomic.AddInt32((*int32)(unsafe.Add(v.elems, i<<2)), int32(x)) - int32(x))
		return
	}
	r, err = slow(v, i, x)
	return
}

// Static check that atomic.Int64 is exactly its int64 word, as quiet assumes.
var _ [8 - unsafe.Sizeof(attached)]struct{}
var _ [unsafe.Sizeof(attached) - 8]struct{}

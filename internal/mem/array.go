package mem

import (
	"sync/atomic"
	"unsafe"
)

// Array is a typed view's shape over a block: package shared's TypedArray
// holds one as its first field, and package atomics reaches it from a
// *shared.TypedArray (see ArrayOf in package atomics).
type Array struct {
	Blk    *Block
	Agent  *Agent
	Kind   uint8 // the element kind (package shared's Kind)
	Shift  uint8 // log2 of the element size
	Offset int   // byte offset
	Length int   // element count; -1 when length-tracking
	// Fast is the length of a fixed-length view of an integer kind over a
	// shared block, and 0 otherwise: such views take the inlined fast paths
	// (Word32, Word64, SubWord) while nothing is attached. FastInt32 is Fast
	// for Int32 views and 0 otherwise, so that the Int32 fast paths test
	// kind and bounds with one compare. Elems is the address of element 0
	// (the memory of a shared block never moves).
	Fast      int
	FastInt32 int
	Elems     unsafe.Pointer
}

// CurrentLength returns the element count, and false if the block is detached.
func (v *Array) CurrentLength() (int, bool) {
	n := v.Blk.Len.Load()
	if n < 0 {
		return 0, false
	}
	if v.Length >= 0 {
		return v.Length, true
	}
	return max(int(n)-v.Offset, 0) >> v.Shift, true
}

// ByteIndex validates element index i and returns its byte index in the
// block, with n the current length; ok is false when i is out of range
// (detached: n is -1). For a fixed-length view over a shared block it is one
// compare.
func (v *Array) ByteIndex(i int) (bi, n int, ok bool) {
	if v.Length >= 0 && v.Blk.Shared {
		if uint(i) < uint(v.Length) {
			return v.Offset + i<<v.Shift, v.Length, true
		}
		return 0, v.Length, false
	}
	n, live := v.CurrentLength()
	if !live {
		return 0, -1, false
	}
	if uint(i) >= uint(n) {
		return 0, n, false
	}
	return v.Offset + i<<v.Shift, n, true
}

// The fast paths below test "nothing attached anywhere" by loading attached's
// int64 word directly (an atomic.Int64 is exactly that word; the static
// checks at the end of this file verify its size): that costs the Go inliner
// fewer nodes than attached.Load() and keeps them within its budget. The
// Int32 paths fold that test into the bounds check: attached counts in units
// of 2^40, above any element index, so uint64(i)|attached < length holds
// only when i is in range and nothing is observed (a negative i is huge as
// a uint64) — one compare and one branch.

// Word32 returns element i of a 4-byte integer view (Int32, Uint32) as an
// *atomic.Uint32 and true, when the view qualifies for the fast path and
// nothing is attached; otherwise nil and false.
func (v *Array) Word32(i int) (*atomic.Uint32, bool) {
	if atomic.LoadInt64((*int64)(unsafe.Pointer(&attached.Int64))) == 0 && v.Shift == 2 && uint(i) < uint(v.Fast) {
		return (*atomic.Uint32)(unsafe.Add(v.Elems, i<<2)), true
	}
	return nil, false
}

// Word64 is Word32 for 8-byte integer elements (BigInt64, BigUint64).
func (v *Array) Word64(i int) (*atomic.Uint64, bool) {
	if atomic.LoadInt64((*int64)(unsafe.Pointer(&attached.Int64))) == 0 && v.Shift == 3 && uint(i) < uint(v.Fast) {
		return (*atomic.Uint64)(unsafe.Add(v.Elems, i<<3)), true
	}
	return nil, false
}

// SubWord is the fast path for 1- and 2-byte integer elements: the aligned
// 32-bit word containing element i, the bit shift of the element within
// the word's value, and true. Read-modify-writes on it must compare-and-swap
// the whole word so that neighbouring elements are never disturbed.
func (v *Array) SubWord(i int) (w *atomic.Uint32, shift uint, ok bool) {
	if atomic.LoadInt64((*int64)(unsafe.Pointer(&attached.Int64))) == 0 && v.Shift < 2 && uint(i) < uint(v.Fast) {
		bi := v.Offset + i<<v.Shift
		return (*atomic.Uint32)(unsafe.Add(v.Blk.Base, bi&^3)), SubShift(bi, 1<<v.Shift), true
	}
	return nil, 0, false
}

// The Int32 fast paths serve package atomics, whose Load, Store and Add on
// an Int32 element must inline into their callers: each performs the
// operation directly when the element qualifies and nothing is attached, and
// otherwise returns slow(...), which validates, observes and handles the
// other kinds. Passing the slow path as a parameter keeps each within the
// Go inliner's budget. v may be nil (the slow path reports it).

// LoadInt32 returns element i of an Int32 view, read atomically, or slow(i).
func (v *Array) LoadInt32(i int, slow func(*Array, int) (int64, error)) (x int64, err error) {
	if v != nil && uint64(i)|uint64(atomic.LoadInt64((*int64)(unsafe.Pointer(&attached.Int64)))) < uint64(v.FastInt32) {
		x = int64(atomic.LoadInt32((*int32)(unsafe.Add(v.Elems, i<<2))))
		return
	}
	x, err = slow(v, i)
	return
}

// StoreInt32 stores x (modulo 2^32) in element i of an Int32 view
// atomically and returns x, or returns slow(v, i, x).
func (v *Array) StoreInt32(i int, x int64, slow func(*Array, int, int64) (int64, error)) (r int64, err error) {
	if v != nil && uint64(i)|uint64(atomic.LoadInt64((*int64)(unsafe.Pointer(&attached.Int64)))) < uint64(v.FastInt32) {
		atomic.StoreInt32((*int32)(unsafe.Add(v.Elems, i<<2)), int32(x))
		r = x
		return
	}
	r, err = slow(v, i, x)
	return
}

// AddInt32 adds x (modulo 2^32) to element i of an Int32 view atomically and
// returns the previous value, or returns slow(v, i, x).
func (v *Array) AddInt32(i int, x int64, slow func(*Array, int, int64) (int64, error)) (r int64, err error) {
	if v != nil && uint64(i)|uint64(atomic.LoadInt64((*int64)(unsafe.Pointer(&attached.Int64)))) < uint64(v.FastInt32) {
		r = int64(atomic.AddInt32((*int32)(unsafe.Add(v.Elems, i<<2)), int32(x)) - int32(x))
		return
	}
	r, err = slow(v, i, x)
	return
}

// Static check that atomic.Int64 is exactly its int64 word, as the fast paths assume.
var _ [8 - unsafe.Sizeof(attached.Int64)]struct{}
var _ [unsafe.Sizeof(attached.Int64) - 8]struct{}

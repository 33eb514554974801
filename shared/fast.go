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
// and records. It is small enough to be inlined into its callers.
func (v *TypedArray) Word32(i int) (*atomic.Uint32, bool) {
	if v.shift == 2 && uint(i) < uint(v.fast) && attached.Load() == 0 {
		return (*atomic.Uint32)(unsafe.Add(v.blk.base, v.offset+i<<2)), true
	}
	return nil, false
}

// Word64 is Word32 for 8-byte integer elements (BigInt64, BigUint64).
func (v *TypedArray) Word64(i int) (*atomic.Uint64, bool) {
	if v.shift == 3 && uint(i) < uint(v.fast) && attached.Load() == 0 {
		return (*atomic.Uint64)(unsafe.Add(v.blk.base, v.offset+i<<3)), true
	}
	return nil, false
}

// SubWord is the fast path for 1- and 2-byte integer elements (Int8, Uint8,
// Int16, Uint16) under the same conditions as Word32: it returns the aligned
// 32-bit word containing element i, the bit shift of the element within the
// word's value, and true. Read-modify-writes on it must compare-and-swap the
// whole word so that neighbouring elements are never disturbed.
func (v *TypedArray) SubWord(i int) (w *atomic.Uint32, shift uint, ok bool) {
	if v.shift < 2 && uint(i) < uint(v.fast) && attached.Load() == 0 {
		bi := v.offset + i<<v.shift
		return (*atomic.Uint32)(unsafe.Add(v.blk.base, bi&^3)), subShift(bi, 1<<v.shift), true
	}
	return nil, 0, false
}

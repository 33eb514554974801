package shared

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// block is a Shared Data Block or a Data Block: the bytes behind a Buffer or
// an ArrayBuffer. Every access to its bytes goes through sync/atomic on the
// aligned 32- or 64-bit word that contains it, so no access is a Go data race,
// aligned accesses never tear, and nothing is undefined behaviour.
//
// The memory is reserved at its maximum length when the block is made, so
// growing never moves it.
type block struct {
	// length is the current byte length, or -1 once the (non-shared) block
	// has been detached. Read on every access: one atomic load serves both the
	// bounds check of length-tracking views and the detach check.
	length atomic.Int64

	base   unsafe.Pointer // &words[0]; 8-byte aligned
	words  []uint64       // keeps the memory alive
	max    int            // maximum byte length
	shared bool           // a Shared Data Block (SharedArrayBuffer)
	grow   bool           // growable (shared) or resizable
	id     uint64         // identity in recorded histories

	rec     atomic.Pointer[Recorder]
	growMu  sync.Mutex // serialises Grow
	creator *Agent
}

var blockIDs atomic.Uint64

func newBlock(length, max int, shared, growable bool) *block {
	n := (max + 7) / 8
	if n == 0 {
		n = 1 // a valid base pointer even for an empty buffer
	}
	words := make([]uint64, n)
	b := &block{base: unsafe.Pointer(&words[0]), words: words, max: max, shared: shared, grow: growable}
	b.length.Store(int64(length))
	b.id = blockIDs.Add(1)
	return b
}

// bigEndianHost is 3 on a big-endian host and 0 on a little-endian one:
// XOR-ing a byte's offset within a 32-bit word with it gives the byte's
// position counted from the least significant end.
var bigEndianHost = func() int {
	x := uint32(1)
	if *(*byte)(unsafe.Pointer(&x)) == 1 {
		return 0
	}
	return 3
}()

func (b *block) word32(i int) *uint32 { return (*uint32)(unsafe.Add(b.base, i&^3)) }
func (b *block) word64(i int) *uint64 { return (*uint64)(unsafe.Add(b.base, i&^7)) }

// subShift returns the bit shift of a size-byte element (1 or 2, aligned)
// at byte i within its containing 32-bit word.
func subShift(i, size int) uint {
	off := i & 3
	if bigEndianHost != 0 {
		off = 4 - size - off
	}
	return uint(off) * 8
}

// load reads the size-byte element at byte index i (aligned to size), as the
// native-endian bits of the element, with one atomic load.
func (b *block) load(i, size int) uint64 {
	switch size {
	case 4:
		return uint64(atomic.LoadUint32(b.word32(i)))
	case 8:
		return atomic.LoadUint64(b.word64(i))
	}
	w := atomic.LoadUint32(b.word32(i))
	return uint64(w>>subShift(i, size)) & (1<<(8*uint(size)) - 1)
}

// store writes the size-byte element at byte index i (aligned to size).
// 8- and 16-bit stores compare-and-swap the containing word so that the
// neighbouring bytes are never disturbed.
func (b *block) store(i, size int, v uint64) {
	switch size {
	case 4:
		atomic.StoreUint32(b.word32(i), uint32(v))
		return
	case 8:
		atomic.StoreUint64(b.word64(i), v)
		return
	}
	b.rmwSub(i, size, func(uint64) uint64 { return v })
}

// rmwSub atomically replaces the 1- or 2-byte element at i by f(old),
// by compare-and-swap on the containing 32-bit word, and returns old.
func (b *block) rmwSub(i, size int, f func(uint64) uint64) uint64 {
	p := b.word32(i)
	sh := subShift(i, size)
	m := uint32(1<<(8*uint(size))-1) << sh
	for {
		w := atomic.LoadUint32(p)
		old := uint64((w & m) >> sh)
		nw := w&^m | uint32(f(old))<<sh&m
		if atomic.CompareAndSwapUint32(p, w, nw) {
			return old
		}
	}
}

// loadByte and storeByte access single bytes (DataView and copies).
func (b *block) loadByte(i int) byte     { return byte(b.load(i, 1)) }
func (b *block) storeByte(i int, v byte) { b.store(i, 1, uint64(v)) }
func (b *block) detached() bool          { return b.length.Load() < 0 }
func (b *block) byteLength() int         { return max(int(b.length.Load()), 0) }
func (b *block) recorder() *Recorder     { return b.rec.Load() }
func (b *block) setRecorder(r *Recorder) { b.rec.Store(r) }

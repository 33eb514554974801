// Package mem is sabre's shared memory beneath packages shared and atomics:
// the raw bytes of a buffer and the atomic operations on them, the agents'
// identities, and the one bracket (Begin / End / Await) through which every
// access passes, where the recorder and the controller attached to the
// buffer or the agent observe it.
//
// It is internal so that no program can reach the raw operations and bypass
// the observers: package shared and package atomics call the bracket around
// every raw operation they make while anything is attached (Attached).
package mem

import (
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mutant"
)

// Block is a Shared Data Block or a Data Block: the bytes behind a Buffer or
// an ArrayBuffer. Every access to its bytes goes through sync/atomic on the
// aligned 32- or 64-bit word that contains it, so no access is a Go data race,
// aligned accesses never tear, and nothing is undefined behaviour.
//
// The memory is reserved at its maximum length when the block is made, so
// growing never moves it.
type Block struct {
	// Len is the current byte length, or -1 once the (non-shared) block
	// has been detached. Read on every access: one atomic load serves both the
	// bounds check of length-tracking views and the detach check.
	Len atomic.Int64

	Base      unsafe.Pointer // &words[0]; 8-byte aligned
	words     []uint64       // keeps the memory alive
	Max       int            // maximum byte length
	Shared    bool           // a Shared Data Block (SharedArrayBuffer)
	Growable  bool           // growable (shared)
	ID        uint64         // identity in recorded histories
	Creator   *Agent
	GrowMu    sync.Mutex // serialises Grow
	observers            // the recorder and controller attached to the block
	// noted are the last two recorders that were told about the block
	// (Recorder.AddBuffer), so that Begin tells each recorder once.
	noted [2]atomic.Pointer[history.Recorder]
}

var blockIDs atomic.Uint64

// NewBlock returns a zeroed block of length bytes that may grow to max.
func NewBlock(length, max int, shared, growable bool) *Block {
	n := (max + 7) / 8
	if n == 0 {
		n = 1 // a valid base pointer even for an empty buffer
	}
	words := make([]uint64, n)
	b := &Block{Base: unsafe.Pointer(&words[0]), words: words, Max: max, Shared: shared, Growable: growable}
	b.Len.Store(int64(length))
	b.ID = blockIDs.Add(1)
	return b
}

// MoveTo returns a new block that owns b's memory (n bytes, no copy), once b
// has been detached: the moving half of a transfer.
func (b *Block) MoveTo(n int64, creator *Agent) *Block {
	nb := &Block{Base: b.Base, words: b.words, Max: int(n), ID: blockIDs.Add(1), Creator: creator}
	nb.Len.Store(n)
	return nb
}

// Detach marks a non-shared block detached and returns the length it had.
// It is a compare-and-swap, so that of two concurrent transfers exactly one
// wins; false if the block was already detached.
func (b *Block) Detach() (int64, bool) {
	n := b.Len.Load()
	if n < 0 || !b.Len.CompareAndSwap(n, -1) {
		return 0, false
	}
	return n, true
}

// Detached reports whether the block was detached.
func (b *Block) Detached() bool { return b.Len.Load() < 0 }

// ByteLength returns the current length (0 once detached).
func (b *Block) ByteLength() int { return max(int(b.Len.Load()), 0) }

// Info describes the block for a history's header.
func (b *Block) Info() history.Buffer {
	return history.Buffer{ID: b.ID, Shared: b.Shared, Length: b.ByteLength(), MaxLength: b.Max}
}

// BigEndianHost is 3 on a big-endian host and 0 on a little-endian one:
// XOR-ing a byte's offset within a 32-bit word with it gives the byte's
// position counted from the least significant end.
var BigEndianHost = func() int {
	x := uint32(1)
	if *(*byte)(unsafe.Pointer(&x)) == 1 {
		return 0
	}
	return 3
}()

func (b *Block) word32(i int) *uint32 { return (*uint32)(unsafe.Add(b.Base, i&^3)) }
func (b *Block) word64(i int) *uint64 { return (*uint64)(unsafe.Add(b.Base, i&^7)) }

// SubShift returns the bit shift of a size-byte element (1 or 2, aligned)
// at byte i within its containing 32-bit word.
func SubShift(i, size int) uint {
	off := i & 3
	if BigEndianHost != 0 {
		off = 4 - size - off
	}
	return uint(off) * 8
}

// Mask returns the mask of a size-byte element's bits.
func Mask(size int) uint64 {
	if size >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*uint(size)) - 1
}

// Load reads the size-byte element at byte index i (aligned to size), as the
// native-endian bits of the element, with one atomic load.
func (b *Block) Load(i, size int) uint64 {
	switch size {
	case 4:
		return uint64(atomic.LoadUint32(b.word32(i)))
	case 8:
		return atomic.LoadUint64(b.word64(i))
	}
	w := atomic.LoadUint32(b.word32(i))
	return uint64(w>>SubShift(i, size)) & (1<<(8*uint(size)) - 1)
}

// Store writes the size-byte element at byte index i (aligned to size).
// 8- and 16-bit stores compare-and-swap the containing word so that the
// neighbouring bytes are never disturbed.
func (b *Block) Store(i, size int, v uint64) {
	switch size {
	case 4:
		atomic.StoreUint32(b.word32(i), uint32(v))
		return
	case 8:
		if mutant.Is(mutant.Store64Halves) {
			b.store64Halves(i, v)
			return
		}
		atomic.StoreUint64(b.word64(i), v)
		return
	}
	b.rmwSub(i, size, func(uint64) uint64 { return v })
}

// rmwSub atomically replaces the 1- or 2-byte element at i by f(old),
// by compare-and-swap on the containing 32-bit word, and returns old.
func (b *Block) rmwSub(i, size int, f func(uint64) uint64) uint64 {
	p := b.word32(i)
	sh := SubShift(i, size)
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

// LoadByte and StoreByte access single bytes (copies).
func (b *Block) LoadByte(i int) byte     { return byte(b.Load(i, 1)) }
func (b *Block) StoreByte(i int, v byte) { b.Store(i, 1, uint64(v)) }

// Snapshot returns a copy of the block's current bytes, read with
// unobserved byte loads (for inspection and tests).
func (b *Block) Snapshot() []byte {
	out := make([]byte, b.ByteLength())
	for i := range out {
		out[i] = b.LoadByte(i)
	}
	return out
}

// RMWOp is a read-modify-write's modification on element bits.
type RMWOp uint8

// The read-modify-write operations of AtomicReadModifyWrite.
const (
	OpAdd RMWOp = iota
	OpSub
	OpAnd
	OpOr
	OpXor
	OpExchange
)

// Modify returns the bits op writes after reading old with operand x (not masked).
func (op RMWOp) Modify(old, x uint64) uint64 {
	switch op {
	case OpAdd:
		return old + x
	case OpSub:
		return old - x
	case OpAnd:
		return old & x
	case OpOr:
		return old | x
	case OpXor:
		return old ^ x
	}
	return x
}

// RMW performs op with operand bits on the size-byte element at i
// atomically and returns the previous bits: a native instruction for 4- and
// 8-byte elements (a compare-and-swap loop for xor, which sync/atomic lacks),
// a compare-and-swap loop on the containing 32-bit word for 1- and 2-byte ones.
func (b *Block) RMW(i, size int, op RMWOp, bits uint64) uint64 {
	if mutant.Is(mutant.SubWordRMWLoadStore) && size < 4 {
		return b.rmwSubLoadStore(i, size, op, bits&Mask(size))
	}
	bits &= Mask(size)
	switch size {
	case 4:
		p := b.word32(i)
		x := uint32(bits)
		switch op {
		case OpAdd:
			return uint64(atomic.AddUint32(p, x) - x)
		case OpSub:
			return uint64(atomic.AddUint32(p, -x) + x)
		case OpAnd:
			return uint64(atomic.AndUint32(p, x))
		case OpOr:
			return uint64(atomic.OrUint32(p, x))
		case OpExchange:
			return uint64(atomic.SwapUint32(p, x))
		}
		for {
			old := atomic.LoadUint32(p)
			if atomic.CompareAndSwapUint32(p, old, old^x) {
				return uint64(old)
			}
		}
	case 8:
		p := b.word64(i)
		switch op {
		case OpAdd:
			return atomic.AddUint64(p, bits) - bits
		case OpSub:
			return atomic.AddUint64(p, -bits) + bits
		case OpAnd:
			return atomic.AndUint64(p, bits)
		case OpOr:
			return atomic.OrUint64(p, bits)
		case OpExchange:
			return atomic.SwapUint64(p, bits)
		}
		for {
			old := atomic.LoadUint64(p)
			if atomic.CompareAndSwapUint64(p, old, old^bits) {
				return old
			}
		}
	}
	return b.rmwSub(i, size, func(old uint64) uint64 { return op.Modify(old, bits) })
}

// CompareExchange stores replacement in the size-byte element at i if its
// bits equal expected, and returns the bits it found and whether it stored.
func (b *Block) CompareExchange(i, size int, expected, replacement uint64) (old uint64, swapped bool) {
	if mutant.Is(mutant.CASWritesOnFailure) {
		return b.compareExchangeWritesOnFailure(i, size, expected, replacement)
	}
	m := Mask(size)
	expected, replacement = expected&m, replacement&m
	switch size {
	case 4:
		p := b.word32(i)
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
		p := b.word64(i)
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
	p := b.word32(i)
	sh := SubShift(i, size)
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

// LoadRange reads bytes [i, i+n) (n ≤ 8) and returns them packed
// little-endian by position: byte i+j is bits 8j..8j+7. An aligned 8-byte
// range is one 64-bit atomic load; otherwise each 32-bit word the range
// touches is read with one atomic load.
func (b *Block) LoadRange(i, n int) uint64 {
	if n == 8 && i&7 == 0 {
		return ToLE(atomic.LoadUint64(b.word64(i)), 8)
	}
	if off := i & 3; off+n <= 4 && BigEndianHost == 0 {
		// Within one word on a little-endian host: the bytes in memory order are the word's bits.
		w := atomic.LoadUint32(b.word32(i))
		return uint64(w>>(8*uint(off))) & (1<<(8*uint(n)) - 1)
	}
	var out uint64
	for k := 0; k < n; {
		wi := (i + k) &^ 3
		w := atomic.LoadUint32(b.word32(wi))
		for ; k < n && (i+k)&^3 == wi; k++ {
			sh := 8 * uint(((i+k)&3)^BigEndianHost)
			out |= uint64(byte(w>>sh)) << (8 * uint(k))
		}
	}
	return out
}

// StoreRange writes bytes [i, i+n) (n ≤ 8) from x, packed as LoadRange
// returns them. An aligned 8-byte range is one 64-bit atomic store; a whole
// 32-bit word is one atomic store; a part of a word is written by
// compare-and-swap of the word, leaving its other bytes as they are.
func (b *Block) StoreRange(i, n int, x uint64) {
	if n == 8 && i&7 == 0 {
		atomic.StoreUint64(b.word64(i), ToLE(x, 8))
		return
	}
	if off := i & 3; off+n <= 4 && BigEndianHost == 0 {
		p := b.word32(i)
		if n == 4 {
			atomic.StoreUint32(p, uint32(x))
			return
		}
		sh := 8 * uint(off)
		mask := uint32(1<<(8*uint(n))-1) << sh
		val := uint32(x) << sh & mask
		for {
			old := atomic.LoadUint32(p)
			if atomic.CompareAndSwapUint32(p, old, old&^mask|val) {
				return
			}
		}
	}
	for k := 0; k < n; {
		wi := (i + k) &^ 3
		var val, mask uint32
		for ; k < n && (i+k)&^3 == wi; k++ {
			sh := 8 * uint(((i+k)&3)^BigEndianHost)
			val |= uint32(byte(x>>(8*uint(k)))) << sh
			mask |= 0xff << sh
		}
		p := b.word32(wi)
		if mask == math.MaxUint32 {
			atomic.StoreUint32(p, val)
			continue
		}
		for {
			old := atomic.LoadUint32(p)
			if atomic.CompareAndSwapUint32(p, old, old&^mask|val) {
				break
			}
		}
	}
}

// ToLE packs the native-endian bits of a size-byte element as the
// little-endian-by-position byte payload history.Event uses; on a
// little-endian host it is the identity. FromLE is its inverse.
func ToLE(bits uint64, size int) uint64 {
	if BigEndianHost == 0 {
		return bits
	}
	var out uint64
	for j := 0; j < size; j++ {
		out |= (bits >> (8 * uint(size-1-j)) & 0xff) << (8 * uint(j))
	}
	return out
}

// FromLE is the inverse of ToLE (byte reversal is its own inverse).
func FromLE(payload uint64, size int) uint64 { return ToLE(payload, size) }

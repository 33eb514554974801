package mem

import (
	"runtime"
	"sync/atomic"
)

// The faulty variants of this file's operations that package mutant's
// hooks select (build tag sabre_mutants; see internal/mutant). Without the
// tag nothing calls them and the linker drops them. Every access is still
// made with sync/atomic, so a mutant is a fault of the memory model, never
// a Go data race.

// rmwSubLoadStore is mutant.SubWordRMWLoadStore: the read-modify-write of
// the 1- or 2-byte element at i done as a load of its 32-bit word, a yield
// (to widen the window), and a store of the whole word — an update another
// agent makes to the word in between is lost, the element's or a
// neighbour's. It returns the bits it read, as rmwSub does.
func (b *Block) rmwSubLoadStore(i, size int, op RMWOp, bits uint64) uint64 {
	p := b.word32(i)
	sh := SubShift(i, size)
	m := uint32(1<<(8*uint(size))-1) << sh
	w := atomic.LoadUint32(p)
	old := uint64((w & m) >> sh)
	runtime.Gosched()
	atomic.StoreUint32(p, w&^m|uint32(op.Modify(old, bits))<<sh&m)
	return old
}

// store64Halves is mutant.Store64Halves: the 8-byte store at i done as two
// 32-bit stores, the lower-addressed word first, with a yield between them:
// a concurrent 8-byte load may see the new first half and the old second.
func (b *Block) store64Halves(i int, v uint64) {
	first, second := uint32(v), uint32(v>>32) // a little-endian host: the low half is at i
	if BigEndianHost != 0 {
		first, second = second, first
	}
	atomic.StoreUint32(b.word32(i), first)
	runtime.Gosched()
	atomic.StoreUint32(b.word32(i+4), second)
}

// compareExchangeWritesOnFailure is mutant.CASWritesOnFailure: a
// compareExchange that stores the replacement whether or not the comparison
// succeeds (an atomic exchange) — and reports that it stored only when it
// found expected, as a correct one would.
func (b *Block) compareExchangeWritesOnFailure(i, size int, expected, replacement uint64) (uint64, bool) {
	m := Mask(size)
	old := b.RMW(i, size, OpExchange, replacement&m)
	return old, old == expected&m
}

package mem

import "unsafe"

// StorePlain writes the size-byte element at byte index i (aligned to
// size) for a plain (Unordered) store: the weakest store the host makes
// safely. Where plainStores is true (amd64 without the race detector) it
// is one ordinary MOV of the element's width, written in assembly: single-
// copy atomic for aligned elements on x86-64, never torn, and without the
// full fence of the XCHG that sync/atomic's store is on amd64 — so real
// runs show the store buffering x86-TSO allows and the model allows
// Unordered accesses (ECMA-262 #sec-memory-model; stress mode relies on
// it). Elsewhere, and under the race detector (which must see every
// cross-agent access as synchronisation-free atomics), it is Store.
func (b *Block) StorePlain(i, size int, v uint64) {
	if !plainStores {
		b.Store(i, size, v)
		return
	}
	p := unsafe.Add(b.Base, i)
	switch size {
	case 1:
		storePlain8(p, uint8(v))
	case 2:
		storePlain16(p, uint16(v))
	case 4:
		storePlain32(p, uint32(v))
	default:
		storePlain64(p, v)
	}
}

package atomics

import (
	"sync/atomic"

	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/shared"
)

// rmwSubWord performs op on the 1- or 2-byte element of kind k at bit
// offset sh of the 32-bit word p, by compare-and-swap on the whole word (so
// neighbouring elements are never disturbed and no update is lost), and
// returns the element's previous value.
func rmwSubWord(p *atomic.Uint32, sh uint, k shared.Kind, x int64, op mem.RMWOp) int64 {
	m := uint32(1)<<(8*uint(k.Size())) - 1
	xb := uint64(uint32(x) & m)
	for {
		w := p.Load()
		old := w >> sh & m
		nv := uint32(op.Modify(uint64(old), xb)) & m
		if p.CompareAndSwap(w, w&^(m<<sh)|nv<<sh) {
			return k.Int64(uint64(old))
		}
	}
}

// compareExchange32 is CompareExchange on an Int32 element.
func compareExchange32(p *atomic.Uint32, expected, replacement uint32) int64 {
	for {
		cur := p.Load()
		if cur != expected || p.CompareAndSwap(cur, replacement) {
			return int64(int32(cur))
		}
	}
}

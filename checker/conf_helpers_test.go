package checker

import (
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// confHist builds histories by hand: one buffer (ID 1) created by agent 1
// with an init event; events get increasing sequence numbers per agent.
// Unless at is used, every event is "wide": called early and returning
// late, so real time rules nothing out.
type confHist struct {
	h     history.History
	seq   map[int]uint64
	tick  int64
	calls *[2]int64
}

func newConfHist(size int) *confHist {
	b := &confHist{seq: map[int]uint64{}}
	b.h.Buffers = []history.Buffer{{ID: 1, Shared: true, Length: size, MaxLength: size}}
	b.add(history.Event{Agent: 1, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: 1, Size: size})
	return b
}

// at makes the next event's call and return instants c and r.
func (b *confHist) at(c, r int64) *confHist {
	b.calls = &[2]int64{c, r}
	return b
}

func (b *confHist) add(e history.Event) int {
	b.seq[e.Agent]++
	e.Seq = b.seq[e.Agent]
	b.tick++
	if b.calls != nil {
		e.Call, e.Return = b.calls[0], b.calls[1]
		b.calls = nil
	} else {
		e.Call, e.Return = b.tick, 1_000_000+b.tick
	}
	b.h.Events = append(b.h.Events, e)
	return len(b.h.Events) - 1
}

func confOrder(sc bool) model.Order {
	if sc {
		return model.SeqCst
	}
	return model.Unordered
}

// store: a write (Atomics.store when sc, else a plain TypedArray set).
func (b *confHist) store(agent int, sc bool, index, size int, v uint64) int {
	op := "Int32Array.set"
	if sc {
		op = "Atomics.store"
	}
	return b.add(history.Event{Agent: agent, Kind: history.EvWrite, Order: confOrder(sc), NoTear: true, Op: op, Buffer: 1,
		ByteIndex: index, Size: size, Written: v})
}

// load: a read that returned v.
func (b *confHist) load(agent int, sc bool, index, size int, v uint64) int {
	op := "Int32Array.get"
	if sc {
		op = "Atomics.load"
	}
	return b.add(history.Event{Agent: agent, Kind: history.EvRead, Order: confOrder(sc), NoTear: true, Op: op, Buffer: 1,
		ByteIndex: index, Size: size, Read: v})
}

// rmw: an Atomics read-modify-write that read v.
func (b *confHist) rmw(agent int, op model.ModifyOp, index, size int, v, operand uint64) int {
	w := confLEuint(op.Apply(confLE(v, size), confLE(operand, size)))
	return b.add(history.Event{Agent: agent, Kind: history.EvRMW, Order: model.SeqCst, NoTear: true, Op: "Atomics." + op.String(),
		ModifyOp: op, Buffer: 1, ByteIndex: index, Size: size, Read: v, Operand: operand, Written: w, Stored: op == model.CompareExchange, Expected: func() uint64 {
			if op == model.CompareExchange {
				return v
			}
			return 0
		}()})
}

// casFail: an Atomics.compareExchange that read v ≠ expected.
func (b *confHist) casFail(agent int, index, size int, v, expected, replacement uint64) int {
	return b.add(history.Event{Agent: agent, Kind: history.EvRead, Order: model.SeqCst, NoTear: true, Op: "Atomics.compareExchange",
		ModifyOp: model.CompareExchange, Buffer: 1, ByteIndex: index, Size: size, Read: v, Operand: replacement, Expected: expected})
}

func confLEuint(b []byte) uint64 {
	var x uint64
	for j, c := range b {
		x |= uint64(c) << (8 * j)
	}
	return x
}

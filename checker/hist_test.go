package checker_test

import (
	"strconv"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// hist builds small histories by hand: events with explicit instants, each
// agent's Seq numbered in the order its events are added.
type hist struct {
	h    history.History
	seqs map[int]uint64
}

func newHist(bufLen int) *hist {
	return &hist{h: history.History{Buffers: []history.Buffer{{ID: 1, Shared: true, Length: bufLen, MaxLength: bufLen}}}, seqs: map[int]uint64{}}
}

func (b *hist) add(e history.Event) *history.Event {
	if e.Kind != history.EvWaitSettle {
		b.seqs[e.Agent]++
		e.Seq = b.seqs[e.Agent]
	}
	b.h.Events = append(b.h.Events, e)
	return &b.h.Events[len(b.h.Events)-1]
}

func (b *hist) init(call, ret int64) {
	n := b.h.Buffers[0].Length
	b.add(history.Event{Agent: 1, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: 1, Size: n, Call: call, Return: ret})
}

func aligned(idx, size int) bool {
	return idx%size == 0 && (size == 1 || size == 2 || size == 4 || size == 8)
}

func (b *hist) store(agent, idx, size int, v uint64, call, ret int64) history.Ref {
	return b.add(history.Event{Agent: agent, Kind: history.EvWrite, Order: model.SeqCst, NoTear: aligned(idx, size), Op: "Atomics.store",
		Buffer: 1, ByteIndex: idx, Size: size, Written: v, Call: call, Return: ret}).Ref()
}

func (b *hist) plainStore(agent, idx, size int, v uint64, call, ret int64) history.Ref {
	return b.add(history.Event{Agent: agent, Kind: history.EvWrite, Order: model.Unordered, NoTear: aligned(idx, size), Op: "Int32Array.set",
		Buffer: 1, ByteIndex: idx, Size: size, Written: v, Call: call, Return: ret}).Ref()
}

func (b *hist) load(agent, idx, size int, v uint64, call, ret int64) history.Ref {
	return b.add(history.Event{Agent: agent, Kind: history.EvRead, Order: model.SeqCst, NoTear: aligned(idx, size), Op: "Atomics.load",
		Buffer: 1, ByteIndex: idx, Size: size, Read: v, Call: call, Return: ret}).Ref()
}

func (b *hist) add1(agent, idx, size int, read uint64, call, ret int64) history.Ref {
	return b.add(history.Event{Agent: agent, Kind: history.EvRMW, Order: model.SeqCst, NoTear: true, Op: "Atomics.add", ModifyOp: model.Add,
		Buffer: 1, ByteIndex: idx, Size: size, Read: read, Operand: 1, Written: (read + 1) & (1<<(8*size) - 1), Call: call, Return: ret}).Ref()
}

func (b *hist) wait(agent, idx int, read, expected uint64, result string, call, ret int64) history.Ref {
	return b.add(history.Event{Agent: agent, Kind: history.EvWait, Order: model.SeqCst, NoTear: true, Op: "Atomics.wait",
		Buffer: 1, ByteIndex: idx, Size: 4, Read: read, Expected: expected, Timeout: 1000, Result: result, Call: call, Return: ret}).Ref()
}

func (b *hist) notify(agent, idx int, count int64, woken []history.Ref, call, ret int64) *history.Event {
	return b.add(history.Event{Agent: agent, Kind: history.EvNotify, Op: "Atomics.notify", Buffer: 1, ByteIndex: idx, Size: 4,
		Count: count, Woken: woken, Result: strconv.Itoa(len(woken)), Call: call, Return: ret})
}

func (b *hist) put(agent int, item uint64, result string, maxsize int64, call, ret int64) {
	e := history.Event{Agent: agent, Kind: history.EvQueuePut, Op: "Queue.put", Peer: 7, Result: result, Count: maxsize, Call: call, Return: ret}
	if result == "ok" {
		e.Item, e.Sync = item, item+1000
	}
	b.add(e)
}

func (b *hist) get(agent int, item uint64, result string, maxsize int64, call, ret int64) {
	e := history.Event{Agent: agent, Kind: history.EvQueueGet, Op: "Queue.get", Peer: 7, Result: result, Count: maxsize, Call: call, Return: ret}
	if result == "ok" {
		e.Item, e.Sync = item, item+1000
	}
	b.add(e)
}

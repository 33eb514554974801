package checker

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// syntheticHistory simulates n events of a program of `agents` agents on
// one shared buffer, one event at a time (so every value read is the one
// the simulated memory held): agent 1 makes the buffer (its Init event),
// starts the others and joins them at the end; in between each agent, at
// random,
//
//   - reads and writes its own 64 bytes with plain Int32 accesses,
//   - Atomics.add, Atomics.load or Atomics.store one of 64 shared counters,
//   - plain-writes a fresh message slot and puts a Queue item to another
//     agent, which gets it and plain-reads the slot,
//   - and, when racy, plain-writes or -reads one of 8 shared words, or
//     Atomics.loads half of a counter (a mixed-size access): data races.
//
// Without racy the history has no data race.
func syntheticHistory(n, agents int, seed uint64, racy bool) *history.History {
	rng := rand.New(rand.NewPCG(seed, 1))
	const (
		private  = 0
		counters = 64 * 8
		racyBase = counters + 64*4
		msgBase  = racyBase + 8*4
	)
	maxMsgs := n/10 + 1
	size := msgBase + 4*maxMsgs
	mem := make([]byte, size)
	h := &history.History{Buffers: []history.Buffer{{ID: 1, Shared: true, Length: size, MaxLength: size}}, Events: make([]history.Event, 0, n+4*agents)}
	seq := make([]uint64, agents+1)
	var t int64
	emit := func(e history.Event) {
		seq[e.Agent]++
		e.Seq = seq[e.Agent]
		t++
		e.Call = t
		t++
		e.Return = t
		h.Events = append(h.Events, e)
	}
	load := func(i, sz int) uint64 {
		var x uint64
		for j := range sz {
			x |= uint64(mem[i+j]) << (8 * j)
		}
		return x
	}
	store := func(i, sz int, x uint64) {
		for j := range sz {
			mem[i+j] = byte(x >> (8 * j))
		}
	}
	access := func(a int, kind history.Kind, order model.Order, idx, sz int, v uint64) {
		e := history.Event{Agent: a, Kind: kind, Order: order, Op: accessOp(order, kind == history.EvWrite, sz), Buffer: 1,
			ByteIndex: idx, Size: sz, NoTear: true}
		if kind == history.EvWrite {
			e.Written = v
			store(idx, sz, v)
		} else {
			e.Read = load(idx, sz)
		}
		emit(e)
	}
	var tok uint64
	emit(history.Event{Agent: 1, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: 1, Size: size})
	for a := 2; a <= agents; a++ {
		tok++
		emit(history.Event{Agent: 1, Kind: history.EvAgentStart, Op: "agent.start", Sync: tok, Peer: uint64(a)})
		emit(history.Event{Agent: a, Kind: history.EvAgentBegin, Op: "agent.begin", Sync: tok})
	}
	type msg struct {
		tok  uint64
		slot int
	}
	inbox := make([][]msg, agents+1)
	msgs := 0
	for len(h.Events) < n-2*agents {
		a := 1 + rng.IntN(agents)
		if len(inbox[a]) > 0 && rng.IntN(2) == 0 {
			m := inbox[a][0]
			inbox[a] = inbox[a][1:]
			emit(history.Event{Agent: a, Kind: history.EvQueueGet, Op: "Queue.get", Sync: m.tok, Item: m.tok, Peer: 1, Result: "ok"})
			access(a, history.EvRead, model.Unordered, m.slot, 4, 0)
			continue
		}
		c := counters + 4*rng.IntN(64)
		switch r := rng.IntN(100); {
		case r < 20:
			access(a, history.EvWrite, model.Unordered, private+64*(a-1)+4*rng.IntN(16), 4, rng.Uint64()&0xffffffff)
		case r < 40:
			access(a, history.EvRead, model.Unordered, private+64*(a-1)+4*rng.IntN(16), 4, 0)
		case r < 60:
			old := load(c, 4)
			w := (old + 1) & 0xffffffff
			store(c, 4, w)
			emit(history.Event{Agent: a, Kind: history.EvRMW, Order: model.SeqCst, Op: "Atomics.add", Buffer: 1, ByteIndex: c, Size: 4,
				NoTear: true, ModifyOp: model.Add, Read: old, Operand: 1, Written: w})
		case r < 75:
			access(a, history.EvRead, model.SeqCst, c, 4, 0)
		case r < 85:
			access(a, history.EvWrite, model.SeqCst, c, 4, rng.Uint64()&0xffffffff)
		case r < 95 && msgs < maxMsgs:
			to := 1 + rng.IntN(agents)
			slot := msgBase + 4*msgs
			msgs++
			access(a, history.EvWrite, model.Unordered, slot, 4, uint64(msgs))
			tok++
			emit(history.Event{Agent: a, Kind: history.EvQueuePut, Op: "Queue.put", Sync: tok, Item: tok, Peer: 1, Result: "ok"})
			inbox[to] = append(inbox[to], msg{tok, slot})
		case racy && r < 98:
			w := racyBase + 4*rng.IntN(8)
			if rng.IntN(2) == 0 {
				access(a, history.EvWrite, model.Unordered, w, 4, rng.Uint64()&0xffffffff)
			} else {
				access(a, history.EvRead, model.Unordered, w, 4, 0)
			}
		case racy:
			access(a, history.EvRead, model.SeqCst, c, 2, 0)
		default:
			access(a, history.EvRead, model.SeqCst, c, 4, 0)
		}
	}
	for a := 2; a <= agents; a++ {
		tok++
		emit(history.Event{Agent: a, Kind: history.EvAgentEnd, Op: "agent.end", Sync: tok, Result: "ok"})
		emit(history.Event{Agent: 1, Kind: history.EvAgentJoin, Op: "agent.join", Sync: tok, Peer: uint64(a)})
	}
	return h
}

// BenchmarkRaces checks a synthetic history of a million events of eight
// agents (syntheticHistory: plain and seq-cst accesses, read-modify-writes,
// Queue messages, agent start and join), without data races and with
// some. Target: 2,000,000 events per second on one core.
func BenchmarkRaces(b *testing.B) {
	for _, racy := range []bool{false, true} {
		name := map[bool]string{false: "race-free", true: "racy"}[racy]
		h := syntheticHistory(1_000_000, 8, 7, racy)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var rep *RaceReport
			for b.Loop() {
				var err error
				if rep, err = Races(context.Background(), h, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			if (rep.Verdict == Ok) == racy {
				b.Fatalf("verdict %v: %s", rep.Verdict, rep.Reason)
			}
			b.ReportMetric(float64(len(h.Events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(rep.Total), "dataraces")
		})
	}
}

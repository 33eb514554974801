package checker

import (
	"context"
	"slices"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"pgregory.net/rapid"
)

// genHistory draws a small history by simulating a run one operation at a
// time (so each value read is what memory held), with instants that let
// operations of different agents overlap (and sometimes share a Call):
// plain and seq-cst reads and writes of 1, 2, 4 and 8 bytes (aligned, or
// for plain ones anywhere, across the 8-byte lines the detector keeps),
// read-modify-writes and failing compareExchanges, Queue put/get pairs
// (some with no matching put), agent starts, woken waits, events of no
// agent, a transfer that moves the bytes to a second buffer, and Init
// events (one of which may come late in its agent's order, or cover what
// another already did).
func genHistory(t *rapid.T) *history.History {
	const size = 16
	nAgents := rapid.IntRange(1, 3).Draw(t, "agents")
	zero := rapid.Bool().Draw(t, "agent0")
	transfer := rapid.Bool().Draw(t, "transfer")
	bufs := []history.Buffer{{ID: 1, Shared: !transfer, Length: size, MaxLength: size}}
	if transfer {
		bufs = append(bufs, history.Buffer{ID: 2, Length: size, MaxLength: size})
	}
	b := newHist(bufs...)
	mem := make([]byte, size)
	var call int64
	lastRet := map[int]int64{}
	waiting := map[int]int{} // agent → its pending wait's event
	instants := func(agent int) (int64, int64) {
		call += int64(rapid.IntRange(0, 1).Draw(t, "gap")) // 0: the same Call as the previous operation
		c := max(call, lastRet[agent]+1)
		call = c
		r := c + int64(rapid.IntRange(0, 3).Draw(t, "span"))
		lastRet[agent] = r
		return c, r
	}
	pickAgent := func(label string) (int, bool) {
		lo := 1
		if zero {
			lo = 0
		}
		a := rapid.IntRange(lo, nAgents).Draw(t, label)
		_, blocked := waiting[a]
		return a, !blocked
	}
	load := func(i, n int) uint64 {
		var x uint64
		for j := range n {
			x |= uint64(mem[i+j]) << (8 * j)
		}
		return x
	}
	store := func(i, n int, x uint64) {
		for j := range n {
			mem[i+j] = byte(x >> (8 * j))
		}
	}
	add := func(e history.Event) int {
		e.Call, e.Return = instants(e.Agent)
		return b.add(e)
	}
	buf := uint64(1)
	initAt := rapid.IntRange(-1, 2).Draw(t, "init at") // the operation before which the Init comes (-1: first)
	doInit := func() {
		a, _ := pickAgent("init agent")
		add(history.Event{Agent: a, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: 1, Size: size})
	}
	if initAt < 0 {
		doInit()
	}
	if nAgents > 1 && rapid.Bool().Draw(t, "start") {
		for a := 2; a <= nAgents; a++ {
			tok := b.newToken()
			add(history.Event{Agent: 1, Kind: history.EvAgentStart, Op: "agent.start", Sync: tok, Peer: uint64(a)})
			add(history.Event{Agent: a, Kind: history.EvAgentBegin, Op: "agent.begin", Sync: tok})
		}
	}
	values := []uint64{0, 1, 2, 0x0101, 0x01010101, 0xffffffff, 0x0101010101010101}
	nOps := rapid.IntRange(1, 14).Draw(t, "ops")
	for op := range nOps {
		if op == initAt {
			doInit()
		}
		a, free := pickAgent("agent")
		if !free {
			continue
		}
		sz := rapid.SampledFrom([]int{1, 2, 4, 8}).Draw(t, "size")
		aligned := sz * rapid.IntRange(0, size/sz-1).Draw(t, "slot")
		anywhere := rapid.IntRange(0, size-sz).Draw(t, "index")
		var v uint64
		if rapid.Bool().Draw(t, "pool") {
			v = rapid.SampledFrom(values).Draw(t, "value")
		} else {
			v = rapid.Uint64().Draw(t, "random")
		}
		if sz < 8 {
			v &= 1<<(8*sz) - 1
		}
		access := func(kind history.Kind, order model.Order, idx int) {
			e := history.Event{Agent: a, Kind: kind, Order: order, Op: accessOp(order, kind == history.EvWrite, sz), Buffer: buf,
				ByteIndex: idx, Size: sz, NoTear: idx%sz == 0 && (sz < 8 || order == model.SeqCst)}
			if kind == history.EvWrite {
				e.Written = v
				store(idx, sz, v)
			} else {
				e.Read = load(idx, sz)
			}
			add(e)
		}
		switch rapid.IntRange(0, 9).Draw(t, "op") {
		case 0:
			access(history.EvWrite, model.Unordered, anywhere)
		case 1:
			access(history.EvWrite, model.SeqCst, aligned)
		case 2:
			access(history.EvRead, model.Unordered, anywhere)
		case 3:
			access(history.EvRead, model.SeqCst, aligned)
		case 4:
			mop := rapid.SampledFrom([]model.ModifyOp{model.Add, model.Exchange, model.Or, model.CompareExchange}).Draw(t, "modify")
			old := load(aligned, sz)
			e := history.Event{Agent: a, Kind: history.EvRMW, Order: model.SeqCst, Op: "Atomics." + mop.String(), Buffer: buf,
				ByteIndex: aligned, Size: sz, NoTear: true, ModifyOp: mop, Read: old, Operand: v}
			if mop == model.CompareExchange {
				if rapid.Bool().Draw(t, "cas fails") && old != v {
					e.Kind, e.Expected, e.Operand = history.EvRead, v, v^1
					add(e)
					break
				}
				e.Expected, e.Stored = old, true
			}
			e.Written = applyOp(mop, old, v, sz)
			store(aligned, sz, e.Written)
			add(e)
		case 5, 6:
			to := rapid.IntRange(0, nAgents).Draw(t, "to")
			tok := b.newToken()
			add(history.Event{Agent: a, Kind: history.EvQueuePut, Op: "Queue.put", Sync: tok, Result: "ok"})
			if rapid.IntRange(0, 4).Draw(t, "lost") == 0 {
				tok = b.newToken() // a get whose put the history lacks
			}
			if _, blocked := waiting[to]; !blocked {
				add(history.Event{Agent: to, Kind: history.EvQueueGet, Op: "Queue.get", Sync: tok, Result: "ok"})
			}
		case 7:
			if a == 0 {
				break
			}
			idx := 4 * rapid.IntRange(0, size/4-1).Draw(t, "wait slot")
			tok := b.newToken()
			w := add(history.Event{Agent: a, Kind: history.EvWait, Order: model.SeqCst, Op: "Atomics.wait", Buffer: buf, ByteIndex: idx,
				Size: 4, NoTear: true, Read: load(idx, 4), Expected: load(idx, 4), Timeout: -1, Result: "ok", Sync: tok})
			waiting[a] = w
		case 8:
			var ws []int
			for _, w := range waiting {
				ws = append(ws, w)
			}
			slices.Sort(ws)
			if len(ws) == 0 {
				break
			}
			w := ws[rapid.IntRange(0, len(ws)-1).Draw(t, "woken")]
			we := &b.h.Events[w]
			n := add(history.Event{Agent: a, Kind: history.EvNotify, Op: "Atomics.notify", Buffer: buf, ByteIndex: we.ByteIndex, Size: 4,
				Count: 1, Result: "1", Woken: []history.Ref{we.Ref()}, Sync: we.Sync})
			we = &b.h.Events[w]
			we.Return = b.h.Events[n].Return + 1
			lastRet[we.Agent] = we.Return
			delete(waiting, we.Agent)
		case 9:
			if transfer && buf == 1 && a != 0 {
				add(history.Event{Agent: a, Kind: history.EvTransfer, Op: "ArrayBuffer.prototype.transfer", Buffer: 1, Peer: 2, Size: size, Stored: true})
				buf = 2
				break
			}
			if rapid.Bool().Draw(t, "second init") {
				lo := rapid.IntRange(0, size-1).Draw(t, "init lo")
				add(history.Event{Agent: a, Kind: history.EvInit, Order: model.Init, Op: "Grow", Buffer: buf, ByteIndex: lo,
					Size: rapid.IntRange(1, size-lo).Draw(t, "init size")})
			}
		}
	}
	// Waits nobody woke time out: no Sync, and they return.
	for _, w := range waiting {
		e := &b.h.Events[w]
		e.Sync, e.Result = 0, "timed-out"
	}
	// The recorder's order: by Call, then agent, then Seq.
	slices.SortStableFunc(b.h.Events, func(x, y history.Event) int {
		switch {
		case x.Call != y.Call:
			return int(x.Call - y.Call)
		case x.Agent != y.Agent:
			return x.Agent - y.Agent
		}
		return int(x.Seq) - int(y.Seq)
	})
	return &b.h
}

// TestRacesDifferential checks the detector against the model on random
// small histories: Races must find exactly the racing pairs (and which are
// data races) that model.Analysis.Races finds in history.Convert's
// candidate execution. The detector chooses reads-bytes-from by Convert's
// rule, so the sets agree whether or not that choice was Unique; the test
// counts how many histories had every read Unique, and requires that most
// did, that races, data races and happens-before cycles all occurred.
func TestRacesDifferential(t *testing.T) {
	var runs, converted, unique, racy, dataRacy, cyclic int
	rapid.Check(t, func(t *rapid.T) {
		h := genHistory(t)
		runs++
		checkPermuted(t, h)
		rep, conv := checkRacesModel(t, h)
		if conv == nil {
			return
		}
		converted++
		if allUniqueReads(conv) {
			unique++
		}
		if rep.Races > 0 {
			racy++
		}
		if rep.Total > 0 {
			dataRacy++
		}
		if rep.Cycles > 0 {
			cyclic++
		}
	})
	t.Logf("%d histories: %d converted, %d with every read's source unique, %d with races, %d with data races, %d with happens-before cycles",
		runs, converted, unique, racy, dataRacy, cyclic)
	if converted < runs*3/4 || unique < converted/3 || racy == 0 || dataRacy == 0 || dataRacy == converted || cyclic == 0 {
		t.Errorf("the generator covers too little: %d runs, %d converted, %d unique, %d racy, %d data-racy, %d cyclic",
			runs, converted, unique, racy, dataRacy, cyclic)
	}
}

// TestRacesDifferentialSlowPaths is TestRacesDifferential with every read's
// source looked up in a byte's value index, every write's stream in a
// slot's index, and clocks two levels deep: the paths that only long or
// wide histories take otherwise.
func TestRacesDifferentialSlowPaths(t *testing.T) {
	defer func(s int, m int32, dp int) { rdScanLimit, rdManyStreams, rdMinTrieDepth = s, m, dp }(rdScanLimit, rdManyStreams, rdMinTrieDepth)
	rdScanLimit, rdManyStreams, rdMinTrieDepth = 0, 0, 2
	rapid.Check(t, func(t *rapid.T) { checkRacesModel(t, genHistory(t)) })
}

// checkPermuted checks that the order of h.Events does not matter: the
// racing pairs of a shuffled copy are those of h (when no two accesses
// share a Call, where the order of events of agent 0 breaks ties).
func checkPermuted(t *rapid.T, h *history.History) {
	calls := map[int64]bool{}
	for _, e := range h.Events {
		if e.Kind.IsMemory() {
			if calls[e.Call] {
				return
			}
			calls[e.Call] = true
		}
	}
	perm := rapid.Permutation(indices(len(h.Events))).Draw(t, "permutation")
	g := &history.History{Buffers: h.Buffers, Events: make([]history.Event, len(h.Events))}
	for newIdx, old := range perm {
		g.Events[newIdx] = h.Events[old]
	}
	collect := func(h *history.History, orig func(int) int) map[[2]int]bool {
		out := map[[2]int]bool{}
		if _, err := races(context.Background(), h, Options{}, func(e, d int, data bool) {
			e, d = orig(e), orig(d)
			out[[2]int{min(e, d), max(e, d)}] = data
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := collect(h, func(i int) int { return i })
	got := collect(g, func(i int) int { return perm[i] })
	if !maps2Equal(got, want) {
		t.Fatalf("shuffled, the races are %s, not %s", pairs(got), pairs(want))
	}
}

func indices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// allUniqueReads reports whether every read of c had one candidate source
// per byte.
func allUniqueReads(c *history.Conversion) bool {
	for id, e := range c.Execution.Events {
		if e.IsRead() && !c.Unique[id] {
			return false
		}
	}
	return true
}

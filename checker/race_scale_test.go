package checker

import (
	"context"
	"runtime"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// raceWork runs the detector on h and returns its work — inner-loop steps
// (write streams and maximal writes visited, reads-from scan steps) plus
// clock trie nodes made — and the bytes it allocated, with the report.
func raceWork(t *testing.T, h *history.History) (work int, alloc uint64, rep *RaceReport) {
	t.Helper()
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	d := newRaceDetector(context.Background(), h)
	d.run()
	runtime.ReadMemStats(&m1)
	if d.stopped != nil {
		t.Fatal(d.stopped)
	}
	return d.steps + d.t.nodes, m1.TotalAlloc - m0.TotalAlloc, d.report(0)
}

// TestRacesHostileScaling builds histories that would make a careless
// detector quadratic, at two sizes, and checks that the work and memory
// per event do not grow with the size (no timing: work is counted).
func TestRacesHostileScaling(t *testing.T) {
	cases := []struct {
		name  string
		build func(n int) *history.History
		check func(t *testing.T, n int, rep *RaceReport)
	}{
		{"value written very often", func(n int) *history.History {
			// One agent writes 1, 2, 1, 2 … to a byte after writing 3 once;
			// another, ordered after it, keeps reading the 3's byte: each
			// read's source is far back among equal bytes.
			b := newHist()
			b.init(1, 1, 16)
			b.write(1, un, 1, 0, 1, 3)
			for i := range n / 2 {
				b.write(1, un, 1, 0, 1, uint64(1+i%2))
			}
			for range n / 2 {
				b.read(2, un, 1, 0, 1, 3)
			}
			return &b.h
		}, func(t *testing.T, n int, rep *RaceReport) {
			if rep.Total != n/2 { // each read races the write of 3
				t.Errorf("%d data races, want %d", rep.Total, n/2)
			}
		}},
		{"many agents one after another", func(n int) *history.History {
			// A parent starts an agent, which adds to a counter and
			// plain-writes a word, and joins it, n/6 times: happens-before
			// spans all of them, and every agent wrote the same bytes.
			b := newHist()
			b.init(1, 1, 16)
			for i := range n / 6 {
				a := 2 + i
				tok := b.newToken()
				b.host(1, history.EvAgentStart, tok)
				b.host(a, history.EvAgentBegin, tok)
				b.rmw(a, model.Add, 1, 0, 4, uint64(i), 1)
				b.write(a, un, 1, 8, 4, uint64(i))
				tok = b.newToken()
				b.host(a, history.EvAgentEnd, tok)
				b.host(1, history.EvAgentJoin, tok)
			}
			return &b.h
		}, func(t *testing.T, n int, rep *RaceReport) {
			if rep.Races != 0 {
				t.Errorf("%d races", rep.Races)
			}
		}},
		{"many agents at once on a counter", func(n int) *history.History {
			// n/4 agents, each started at the beginning, add to one counter
			// in turn (each add synchronizes with the one before) and plain-
			// write their own word; then all are joined.
			b := newHist(history.Buffer{ID: 1, Shared: true, Length: 4 + 4*n, MaxLength: 4 + 4*n})
			b.init(1, 1, 4+4*n)
			k := n / 4
			for i := range k {
				tok := b.newToken()
				b.host(1, history.EvAgentStart, tok)
				b.host(2+i, history.EvAgentBegin, tok)
			}
			for i := range k {
				b.rmw(2+i, model.Add, 1, 0, 4, uint64(i), 1)
				b.write(2+i, un, 1, 4+4*i, 4, 7)
			}
			for i := range k {
				tok := b.newToken()
				b.host(2+i, history.EvAgentEnd, tok)
				b.host(1, history.EvAgentJoin, tok)
			}
			b.read(1, un, 1, 4, 4, 7) // after the joins: no race
			return &b.h
		}, func(t *testing.T, n int, rep *RaceReport) {
			if rep.Races != 0 {
				t.Errorf("%d races", rep.Races)
			}
		}},
		{"a chain of read-modify-writes of no agent", func(n int) *history.History {
			b := newHist()
			b.init(0, 1, 16)
			for i := range n {
				b.rmw(0, model.Add, 1, 0, 4, uint64(i), 1)
			}
			return &b.h
		}, func(t *testing.T, n int, rep *RaceReport) {
			if rep.Races != 0 {
				t.Errorf("%d races", rep.Races)
			}
		}},
		{"plain writes of no agent, all racing", func(n int) *history.History {
			b := newHist()
			b.init(1, 1, 16)
			for i := range n {
				b.write(0, un, 1, 0, 4, uint64(i))
			}
			return &b.h
		}, func(t *testing.T, n int, rep *RaceReport) {
			if want := n * (n - 1) / 2; rep.Total != want {
				t.Errorf("%d data races, want %d", rep.Total, want)
			}
		}},
		{"a notify that wakes many", func(n int) *history.History {
			b := newHist()
			b.init(1, 1, 16)
			tok := b.newToken()
			var woken []history.Ref
			for i := range n / 3 {
				w := b.add(history.Event{Agent: 2 + i, Kind: history.EvWait, Order: sc, Op: "Atomics.wait", Buffer: 1, ByteIndex: 4, Size: 4,
					NoTear: true, Timeout: -1, Result: "ok", Sync: tok, Call: int64(10 + i), Return: int64(10*n + i)})
				woken = append(woken, b.h.Events[w].Ref())
			}
			b.write(1, un, 1, 8, 4, 5)
			b.add(history.Event{Agent: 1, Kind: history.EvNotify, Op: "Atomics.notify", Buffer: 1, ByteIndex: 4, Size: 4, Count: -1,
				Woken: woken, Sync: tok, Call: int64(5 * n), Return: int64(5*n + 1)})
			b.t = int64(20 * n)
			for i := range n / 3 {
				b.read(2+i, un, 1, 8, 4, 5)
			}
			return &b.h
		}, func(t *testing.T, n int, rep *RaceReport) {
			if rep.Races != 0 {
				t.Errorf("%d races", rep.Races)
			}
		}},
		{"a 4 GiB buffer, Init many times over, accessed sparsely", func(n int) *history.History {
			const huge = history.MaxBufferLength
			b := newHist(history.Buffer{ID: 1, Shared: true, Length: huge, MaxLength: huge})
			for range n / 4 {
				b.init(1, 1, huge)
			}
			for i := range n / 2 {
				b.write(1, un, 1, (i*40503)%(huge/4096)*4096+7, 4, uint64(i)|1)
			}
			return &b.h
		}, nil},
		{"a long chain of transfers", func(n int) *history.History {
			bufs := make([]history.Buffer, n/2)
			for i := range bufs {
				bufs[i] = history.Buffer{ID: uint64(1 + i), Length: 8, MaxLength: 8}
			}
			b := newHist(bufs...)
			b.init(1, 1, 8)
			b.write(1, un, 1, 0, 4, 1)
			for i := 1; i < len(bufs); i++ {
				b.add(history.Event{Agent: 1, Kind: history.EvTransfer, Op: "ArrayBuffer.prototype.transfer", Buffer: uint64(i), Peer: uint64(i + 1), Size: 8, Stored: true})
			}
			b.read(2, un, uint64(len(bufs)), 0, 4, 1) // the first write, through every alias
			return &b.h
		}, func(t *testing.T, n int, rep *RaceReport) {
			if rep.Total != 1 {
				t.Errorf("%d data races, want 1", rep.Total)
			}
		}},
	}
	const small, large = 4000, 16000
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var per [2]float64
			var mem [2]float64
			for i, n := range []int{small, large} {
				h := c.build(n)
				work, alloc, rep := raceWork(t, h)
				per[i] = float64(work) / float64(len(h.Events))
				mem[i] = float64(alloc) / float64(len(h.Events))
				if c.check != nil {
					c.check(t, n, rep)
				}
			}
			t.Logf("work per event %.1f → %.1f, bytes per event %.0f → %.0f", per[0], per[1], mem[0], mem[1])
			if per[1] > 1.5*per[0]+2 || per[1] > 200 {
				t.Errorf("work per event grows: %.1f at %d events, %.1f at %d", per[0], small, per[1], large)
			}
			if mem[1] > 1.5*mem[0]+256 || mem[1] > 8192 {
				t.Errorf("memory per event grows: %.0f bytes at %d events, %.0f at %d", mem[0], small, mem[1], large)
			}
		})
	}
}

package checker_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
)

// linAlloc returns the bytes Linearizability allocates on h, and its report.
func linAlloc(t *testing.T, h *history.History) (uint64, *checker.LinReport) {
	t.Helper()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	r, err := checker.Linearizability(context.Background(), h, checker.Options{})
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	return m1.TotalAlloc - m0.TotalAlloc, r
}

// TestLinListsCostLikeMemory: a waiter list or a queue with thousands of
// entries costs the search about what a memory location with as many
// operations costs (porcupine's own bookkeeping), not a copy of the list
// per step: 16,000 waitAsync calls on one location, which one agent makes
// in a millisecond, took 5 GB. No timing: allocated bytes are compared.
func TestLinListsCostLikeMemory(t *testing.T) {
	const n = 8000
	// The baseline: 2n sequential loads of one location.
	b := newHist(8)
	b.init(1, 2)
	for i := 0; i < 2*n; i++ {
		b.load(2, 0, 4, 0, int64(3+2*i), int64(4+2*i))
	}
	base, r := linAlloc(t, &b.h)
	if r.Verdict != checker.Ok || r.Checked != 2*n+1 {
		t.Fatalf("baseline: %v, %d operations", r.Verdict, r.Checked)
	}
	cases := []struct {
		name  string
		build func() *history.History
	}{
		{"waitAsync n times, then notify all", func() *history.History {
			b := newHist(8)
			b.init(1, 2)
			var woken []history.Ref
			for i := 0; i < 2*n-1; i++ {
				woken = append(woken, b.wait(2, 0, 0, 0, "async", int64(3+2*i), int64(4+2*i)))
				b.h.Events[len(b.h.Events)-1].Op = "Atomics.waitAsync"
			}
			t := int64(3 + 4*n)
			b.notify(3, 0, -1, woken, t, t+1).Sync = 5
			return &b.h
		}},
		{"one waiter stays, n wait behind it and time out", func() *history.History {
			b := newHist(8)
			b.init(1, 2)
			first := b.wait(2, 0, 0, 0, "ok", 3, int64(10*n))
			for i := 0; i < n-1; i++ {
				b.wait(3+i, 0, 0, 0, "timed-out", int64(4+i), int64(2*n+i))
			}
			b.notify(4, 0, 1, []history.Ref{first}, int64(4*n), int64(4*n+1))
			return &b.h
		}},
		{"n puts, then n gets", func() *history.History {
			b := newHist(8)
			for i := 0; i < n; i++ {
				b.put(2, uint64(i+1), "ok", 0, int64(3+2*i), int64(4+2*i))
			}
			for i := 0; i < n; i++ {
				b.get(3, uint64(i+1), "ok", 0, int64(3+2*n+2*i), int64(4+2*n+2*i))
			}
			return &b.h
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			alloc, r := linAlloc(t, c.build())
			if r.Verdict != checker.Ok {
				t.Fatalf("%v: %s %v", r.Verdict, r.Reason, r.Findings)
			}
			per, basePer := float64(alloc)/float64(r.Checked), float64(base)/float64(2*n+1)
			t.Logf("%d operations: %.0f bytes each; baseline %.0f", r.Checked, per, basePer)
			if per > 2.5*basePer {
				t.Errorf("%.0f bytes per operation, %.1f times the %.0f of a memory location's", per, per/basePer, basePer)
			}
		})
	}
}

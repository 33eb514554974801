package checker_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// recordAtomics runs agents goroutines that each do ops random seq-cst
// Atomics operations on the Int32 elements 2l (l < locations) of one
// buffer, and returns the recorded history.
func recordAtomics(tb testing.TB, agents, ops, locations int, seed uint64) *history.History {
	tb.Helper()
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	buf, err := shared.NewBuffer(8*locations, shared.CreatedBy(main))
	if err != nil {
		tb.Fatal(err)
	}
	var hs []*shared.Handle
	for a := 0; a < agents; a++ {
		hs = append(hs, main.Start("worker", func(child *shared.Agent) error {
			v, err := shared.View(buf.For(child), shared.Int32)
			if err != nil {
				return err
			}
			r := rand.New(rand.NewPCG(seed, uint64(a)))
			for i := 0; i < ops; i++ {
				l := 2 * r.IntN(locations)
				switch r.IntN(5) {
				case 0:
					_, err = atomics.Add(v, l, 1)
				case 1:
					_, err = atomics.Load(v, l)
				case 2:
					_, err = atomics.Store(v, l, int64(r.IntN(4)))
				case 3:
					_, err = atomics.CompareExchange(v, l, int64(r.IntN(4)), int64(r.IntN(4)))
				default:
					_, err = atomics.Exchange(v, l, int64(r.IntN(4)))
				}
				if err != nil {
					return err
				}
			}
			return nil
		}))
	}
	for _, h := range hs {
		if err := h.Join(main); err != nil {
			tb.Fatal(err)
		}
	}
	return rec.History()
}

// recordEverything runs a workload that uses every linearizable object:
// Atomics of three sizes on overlapping bytes, Wait and Notify, and a
// bounded Queue.
func recordEverything(tb testing.TB, seed uint64) *history.History {
	tb.Helper()
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	buf, err := shared.NewBuffer(64, shared.CreatedBy(main))
	if err != nil {
		tb.Fatal(err)
	}
	q := shared.NewQueue(2).For(main)
	const agents, ops = 4, 150
	var hs []*shared.Handle
	for a := 0; a < agents; a++ {
		hs = append(hs, main.Start("worker", func(child *shared.Agent) error {
			b := buf.For(child)
			i32, _ := shared.View(b, shared.Int32)
			i8, _ := shared.View(b, shared.Int8)
			i64, _ := shared.View(b, shared.BigInt64)
			cq := q.For(child)
			r := rand.New(rand.NewPCG(seed, uint64(a)))
			for i := 0; i < ops; i++ {
				switch r.IntN(9) {
				case 0:
					atomics.Add(i8, r.IntN(4), 1) // bytes 0..3, inside Int32 element 0
				case 1:
					atomics.Add(i32, 0, 1)
				case 2:
					atomics.Load(i32, 0)
				case 3:
					atomics.Store(i64, 1, int64(r.Uint64()))
				case 4:
					atomics.Load(i64, 1)
				case 5:
					atomics.Wait(i32, 8, 0, time.Duration(r.IntN(50))*time.Microsecond)
				case 6:
					atomics.Notify(i32, 8, r.IntN(3))
				case 7:
					cq.PutTimeout(i, time.Duration(r.IntN(50))*time.Microsecond)
				default:
					cq.GetTimeout(time.Duration(r.IntN(50)) * time.Microsecond)
				}
			}
			return nil
		}))
	}
	for _, h := range hs {
		if err := h.Join(main); err != nil {
			tb.Fatal(err)
		}
	}
	return rec.History()
}

func TestLinRecordedRuns(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		h := recordEverything(t, seed)
		r := lin(t, h)
		if r.Verdict != checker.Ok {
			t.Fatalf("seed %d: %v: %s %v", seed, r.Verdict, r.Reason, r.Findings)
		}
		if r.Partitions < 4 || r.Checked < 500 {
			t.Errorf("seed %d: checked %d operations in %d partitions", seed, r.Checked, r.Partitions)
		}
	}
	h := recordAtomics(t, 4, 500, 4, 7)
	if r := lin(t, h); r.Verdict != checker.Ok || r.Partitions != 4 {
		t.Fatalf("atomics: %v in %d partitions: %s", r.Verdict, r.Partitions, r.Reason)
	}
	// The check can fail: a load that returns a value nobody wrote.
	for i := range h.Events {
		if e := &h.Events[i]; e.Op == "Atomics.load" {
			e.Read = 0xdeadbeef
			r := lin(t, h)
			if r.Verdict != checker.Illegal || len(r.Findings) == 0 || r.Findings[0].Events[0].Ref != e.Ref() &&
				!containsRef(r.Findings, e.Ref()) {
				t.Fatalf("a corrupted load: %v %v", r.Verdict, r.Findings)
			}
			break
		}
	}
}

func containsRef(fs []checker.Finding, ref history.Ref) bool {
	for _, f := range fs {
		for _, e := range f.Events {
			if e.Ref == ref {
				return true
			}
		}
	}
	return false
}

func benchLin(b *testing.B, h *history.History) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := checker.Linearizability(context.Background(), h, checker.Options{})
		if err != nil || r.Verdict != checker.Ok {
			b.Fatalf("%v %v: %s", err, r.Verdict, r.Reason)
		}
	}
	b.ReportMetric(float64(len(h.Events)), "events")
}

// BenchmarkLinearizable100k checks 100,000 recorded operations of 8 agents
// on 1,000 locations (target: under 1 s per check).
func BenchmarkLinearizable100k(b *testing.B) {
	benchLin(b, recordAtomics(b, 8, 100_000/8, 1000, 1))
}

// BenchmarkLinearizableHot checks 10,000 recorded operations of 8 agents on
// one location, porcupine's hard case (target: under 1 s).
func BenchmarkLinearizableHot(b *testing.B) {
	benchLin(b, recordAtomics(b, 8, 10_000/8, 1, 1))
}

// overlappingHot is a synthetic history of n operations of 8 agents on one
// Int32 location in which every operation overlaps about eight others: op
// k takes effect at instant 10k (a hidden linearization) within an
// interval of up to 40 instants either side, and stores and exchanges
// draw from four values, so that many orders explain each read — the case
// where porcupine's search has to backtrack.
func overlappingHot(n int, seed uint64) *history.History {
	b := newHist(4)
	b.init(1, 2)
	r := rand.New(rand.NewPCG(seed, 1))
	var cur uint64
	for k := 0; k < n; k++ {
		t := int64(100 + 10*k)
		call, ret := t-int64(r.IntN(40)), t+int64(r.IntN(40))
		agent := 2 + k%8
		switch r.IntN(4) {
		case 0:
			v := uint64(r.IntN(4))
			b.store(agent, 0, 4, v, call, ret)
			cur = v
		case 1:
			b.load(agent, 0, 4, cur, call, ret)
		case 2:
			b.add1(agent, 0, 4, cur, call, ret)
			cur = (cur + 1) & 0xffffffff
		default:
			v := uint64(r.IntN(4))
			b.add(history.Event{Agent: agent, Kind: history.EvRMW, Order: model.SeqCst, NoTear: true, Op: "Atomics.exchange",
				ModifyOp: model.Exchange, Buffer: 1, Size: 4, Read: cur, Operand: v, Written: v, Call: call, Return: ret})
			cur = v
		}
	}
	return &b.h
}

// BenchmarkLinearizableHotOverlapping checks 10,000 synthetic operations of
// 8 agents on one location, each overlapping about eight others.
func BenchmarkLinearizableHotOverlapping(b *testing.B) {
	benchLin(b, overlappingHot(10_000, 1))
}

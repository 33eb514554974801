package checker

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// confBusySpin makes confWorkload's lock spin without yielding: many
// failing compareExchanges.
var confBusySpin = false

// Words of confWorkload's buffer (Int32 indices); then, per agent, its
// published sequence number (Atomics.store / load), its 4 data slots
// (plain, published by the sequence number) and a plain word written by
// its agent and read by the next without synchronization.
const (
	confWLock    = 0 // spin lock: compareExchange(0 → 1), store 0
	confWCounter = 1 // plain counter, under the lock
	confWTicket  = 2 // Atomics.add ticket counter
	confWSeq     = 4
)

// confWorkload records a run of agents that each, iters times: write a
// data slot (plain) and publish it with Atomics.store of a sequence
// number; read the next agent's sequence number (Atomics.load) and, when
// it published, the slot it names (plain); take a ticket (Atomics.add);
// increment a plain counter under a compareExchange spin lock; and write a
// plain word of its own and read the next agent's without any
// synchronization. Started and joined by a main agent, so agent start and
// join are host-synchronizes-with edges. About 10·iters events per agent.
func confWorkload(tb testing.TB, agents, iters int) *history.History {
	tb.Helper()
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	defer main.SetRecorder(nil)
	data, racy := confWSeq+agents, confWSeq+5*agents
	buf, err := shared.NewBuffer(4*(racy+agents), shared.CreatedBy(main))
	if err != nil {
		tb.Fatal(err)
	}
	i32, err := shared.View(buf, shared.Int32)
	if err != nil {
		tb.Fatal(err)
	}
	var hs []*shared.Handle
	for w := 0; w < agents; w++ {
		hs = append(hs, main.Start(fmt.Sprint("worker ", w), func(me *shared.Agent) error {
			v := i32.For(me)
			next := (w + 1) % agents
			for n := 0; n < iters; n++ {
				if err := v.SetInt(data+4*w+n%4, int64(1000*w+n+1)); err != nil {
					return err
				}
				if _, err := atomics.Store(v, confWSeq+w, int64(n+1)); err != nil {
					return err
				}
				s, err := atomics.Load(v, confWSeq+next)
				if err != nil {
					return err
				}
				if s > 0 {
					if _, err := v.GetInt(data + 4*next + int(s-1)%4); err != nil {
						return err
					}
				}
				if _, err := atomics.Add(v, confWTicket, 1); err != nil {
					return err
				}
				for {
					old, err := atomics.CompareExchange(v, confWLock, 0, 1)
					if err != nil {
						return err
					}
					if old == 0 {
						break
					}
					if !confBusySpin {
						runtime.Gosched()
					}
				}
				c, err := v.GetInt(confWCounter)
				if err != nil {
					return err
				}
				if confBusySpin {
					runtime.Gosched() // hold the lock a while: others spin
				}
				if err := v.SetInt(confWCounter, c+1); err != nil {
					return err
				}
				if _, err := atomics.Store(v, confWLock, 0); err != nil {
					return err
				}
				if err := v.SetInt(racy+w, int64(n+1)); err != nil {
					return err
				}
				if _, err := v.GetInt(racy + next); err != nil {
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
	if c, _ := i32.For(main).GetInt(confWCounter); c != int64(agents*iters) {
		tb.Fatalf("the counter is %d, want %d: the lock failed", c, agents*iters)
	}
	return rec.History()
}

// TestConformanceRealRun: a recorded run of the project's own Atomics
// conforms under es2024 and es2017, and the witness is a valid execution
// (the model confirms it for a small run).
func TestConformanceRealRun(t *testing.T) {
	for _, c := range []struct {
		agents, iters int
	}{{2, 3}, {4, 30}, {4, 200}} {
		h := confWorkload(t, c.agents, c.iters)
		for _, v := range []model.Variant{model.ES2024, model.ES2017} {
			rep, err := Conformance(context.Background(), h, Options{Model: v})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d agents × %d: %d events, %s: %s in %v: %s", c.agents, c.iters, len(h.Events), v, rep.Verdict, rep.Elapsed, rep.Reason)
			if rep.Verdict != Ok {
				for _, f := range rep.Findings {
					t.Log(f.Message)
				}
				t.Fatalf("%s: a recorded run does not conform: %s", v, rep.Verdict)
			}
			if len(rep.Witness.Events) <= 2000 {
				if err := model.ValidExecution(rep.Witness, v); err != nil {
					t.Fatalf("%s: witness refused by the model: %v", v, err)
				}
			}
		}
	}
}

// TestConformanceMutatedRun: faults planted in a recorded run are caught
// under every variant, by a rule they break, naming the read: a lost
// update (the last two Atomics.add read the same value: rule (a), or
// coherent reads when the other add happens before), a stale read of
// published data (a value its slot held four publications earlier), and a
// read of a value nobody wrote.
func TestConformanceMutatedRun(t *testing.T) {
	h := confWorkload(t, 4, 40)
	clone := func() *history.History {
		return &history.History{Buffers: h.Buffers, Events: append([]history.Event(nil), h.Events...)}
	}
	data := 4 * (confWSeq + 4)
	check := func(name string, m *history.History, read int, preds ...[]string) {
		t.Helper()
		for i, v := range confVariants {
			rep, err := Conformance(context.Background(), m, Options{Model: v})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != Illegal {
				t.Fatalf("%s, %s: %s: %s", name, v, rep.Verdict, rep.Reason)
			}
			x := rep.Explanation
			if !slices.Contains(preds[i], x.Predicate) {
				t.Fatalf("%s, %s: predicate %q, want one of %q: %s", name, v, x.Predicate, preds[i], x.Message)
			}
			if read >= 0 && x.Read.Index != read {
				t.Fatalf("%s, %s: the explanation is about %v, not the planted read %d: %s", name, v, x.Read, read, x.Message)
			}
			t.Logf("%s, %s: %s", name, v, rep.Reason)
		}
	}
	one := func(p string) []string { return []string{p} }
	// lost update
	last, prev := -1, -1
	for i, e := range h.Events {
		if e.Kind == history.EvRMW && e.ModifyOp == model.Add && e.ByteIndex == 4*confWTicket {
			switch {
			case last < 0 || e.Read > h.Events[last].Read:
				last, prev = i, last
			case prev < 0 || e.Read > h.Events[prev].Read:
				prev = i
			}
		}
	}
	m := clone()
	m.Events[last].Read, m.Events[last].Written = h.Events[prev].Read, h.Events[prev].Written
	weak := []string{model.PredSCAtomics, model.PredCoherentReads}
	check("lost update", m, -1, weak, weak, []string{model.PredSequential, model.PredCoherentReads})
	// stale read of published data
	stale := false
	for i, e := range h.Events {
		if e.Kind == history.EvRead && e.Order == model.Unordered && e.ByteIndex >= data && e.ByteIndex < data+64 && e.Read%1000 >= 9 {
			m := clone()
			m.Events[i].Read = e.Read - 4 // the slot's value four publications before
			check("stale read", m, i, one(model.PredCoherentReads), one(model.PredCoherentReads), one(model.PredCoherentReads))
			stale = true
			break
		}
	}
	if !stale {
		t.Fatal("no published read to make stale")
	}
	// a value nobody wrote
	for i, e := range h.Events {
		if e.Kind == history.EvRead && e.Order == model.Unordered && e.ByteIndex >= data && e.ByteIndex < data+64 {
			m := clone()
			m.Events[i].Read = 0x7777
			p := one(model.PredValidChosenReads)
			check("nobody wrote it", m, i, p, p, p)
			break
		}
	}
}

// confMixedRun records agents using every kind of operation: plain and
// atomic accesses of several sizes (Int32, Int8, BigInt64, DataView),
// sub-word read-modify-writes, compareExchange that fails, wait/notify and
// waitAsync, a Queue passing messages, Grow, and agent start and join.
func confMixedRun(t *testing.T) *history.History {
	t.Helper()
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	defer main.SetRecorder(nil)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	buf, err := shared.NewGrowableBuffer(64, 128, shared.CreatedBy(main))
	must(err)
	i32, err := shared.NewTypedArray(buf, shared.Int32, 0, 8)
	must(err)
	i8, err := shared.NewTypedArray(buf, shared.Int8, 32, 8)
	must(err)
	big, err := shared.NewTypedArray(buf, shared.BigInt64, 40, 2)
	must(err)
	dv, err := shared.NewDataView(buf, 56, 8)
	must(err)
	const workers = 3
	q := shared.NewQueue(workers)
	var hs []*shared.Handle
	for w := 0; w < workers; w++ {
		hs = append(hs, main.Start(fmt.Sprint("worker ", w), func(me *shared.Agent) error {
			v := i32.For(me)
			for n := 0; n < 20; n++ {
				if _, err := atomics.Add(v, 0, 1); err != nil {
					return err
				}
				if err := v.SetInt(1+w, int64(n)); err != nil {
					return err
				}
				if _, err := v.GetInt(1 + (w+1)%workers); err != nil {
					return err
				}
			}
			if _, err := atomics.Sub(i8.For(me), w, 3); err != nil {
				return err
			}
			if _, err := atomics.CompareExchange(big.For(me), 0, int64(w), int64(w+100)); err != nil {
				return err
			}
			if err := dv.For(me).SetUint16(w*2, uint16(w+1), w%2 == 0); err != nil {
				return err
			}
			if _, err := dv.For(me).GetUint16(((w+1)%workers)*2, true); err != nil {
				return err
			}
			if err := q.For(me).Put(context.Background(), w); err != nil {
				return err
			}
			if _, err := atomics.Add(v, 6, 1); err != nil {
				return err
			}
			if _, err := atomics.Notify(v, 6, atomics.All); err != nil {
				return err
			}
			_, err := atomics.Wait(v, 7, 0, 5*time.Second)
			return err
		}))
	}
	for {
		n, err := atomics.Load(i32.For(main), 6)
		must(err)
		if n == workers {
			break
		}
		if _, err := atomics.Wait(i32.For(main), 6, n, 10*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	for k := 0; k < workers; k++ {
		if _, err := q.For(main).Get(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := atomics.WaitAsync(i32.For(main), 5, 0, atomics.Forever)
	must(err)
	if _, err := atomics.Store(i32.For(main), 7, 1); err != nil {
		t.Fatal(err)
	}
	for woken := 0; woken < workers; {
		n, err := atomics.Notify(i32.For(main), 7, atomics.All)
		must(err)
		woken += n
		if woken < workers {
			time.Sleep(time.Millisecond)
			if x, _ := atomics.Load(i32.For(main), 7); x == 1 {
				break
			}
		}
	}
	if _, err := atomics.Notify(i32.For(main), 5, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := pending.Await(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		must(h.Join(main))
	}
	must(buf.For(main).Grow(96))
	if _, err := i32.For(main).GetInt(0); err != nil {
		t.Fatal(err)
	}
	return rec.History()
}

// TestConformanceMixedRun: a recorded run with every kind of event
// conforms, and the witness is valid.
func TestConformanceMixedRun(t *testing.T) {
	h := confMixedRun(t)
	for _, v := range []model.Variant{model.ES2024, model.ES2017} {
		rep, err := Conformance(context.Background(), h, Options{Model: v})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict != Ok {
			t.Fatalf("%s: %s: %s\n%s", v, rep.Verdict, rep.Reason, confFindings(rep))
		}
		if err := model.ValidExecution(rep.Witness, v); err != nil {
			t.Fatalf("%s: the witness: %v", v, err)
		}
		if rep.Skipped == 0 {
			t.Fatalf("%s: waits, notifies and queue events are left to the linearizability check, none counted", v)
		}
		t.Logf("%s: %d events: %s", v, len(h.Events), rep.Reason)
	}
}

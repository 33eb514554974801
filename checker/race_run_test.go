package checker

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/shared"
)

// runRecorded runs a real concurrent program through package shared and
// atomics with a recorder on its main agent (the agents it starts inherit
// it): main makes a buffer of Int32 elements, starts the consumer and then
// the producers, and joins them all. It returns the history.
func runRecorded(t *testing.T, elems, producers int, producer func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue, i int) error,
	consumer func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue) error) *history.History {
	t.Helper()
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	defer main.SetRecorder(nil)
	buf, err := shared.NewBuffer(4*elems, shared.CreatedBy(main))
	if err != nil {
		t.Fatal(err)
	}
	v, err := shared.View(buf, shared.Int32)
	if err != nil {
		t.Fatal(err)
	}
	q := shared.NewQueue(0)
	var hs []*shared.Handle
	hs = append(hs, main.Start("consumer", func(a *shared.Agent) error { return consumer(a, v.For(a), q.For(a)) }))
	for i := range producers {
		hs = append(hs, main.Start(fmt.Sprint("producer", i), func(a *shared.Agent) error { return producer(a, v.For(a), q.For(a), i) }))
	}
	for _, h := range hs {
		if err := h.Join(main); err != nil {
			t.Fatal(err)
		}
	}
	return rec.History()
}

// spin waits until cond holds, for at most 10 s.
func spin(cond func() bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up spinning")
		}
		runtime.Gosched()
	}
	return nil
}

// checkRun checks a recorded run: against the model too when it is small
// enough for the model's dense relations. The history must hold the kinds
// of events the scenario is about.
func checkRun(t *testing.T, h *history.History, kinds ...history.Kind) *RaceReport {
	t.Helper()
	have := map[history.Kind]int{}
	for _, e := range h.Events {
		have[e.Kind]++
	}
	for _, k := range append(kinds, history.EvInit, history.EvAgentStart, history.EvAgentBegin, history.EvAgentEnd, history.EvAgentJoin) {
		if have[k] == 0 {
			t.Fatalf("the run recorded no %v event: %v", k, have)
		}
	}
	t.Logf("%d events: %v", len(h.Events), have)
	if len(h.Events) <= 1500 {
		return checkRaces(t, h)
	}
	rep, err := Races(context.Background(), h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestRacesRecordedRuns records real concurrent runs: producers publish
// plain data to a consumer through a seq-cst flag with wait/notify, through
// a Queue, and through agent start and join — no data race — and through a
// plain flag, which the detector catches: every producer's data write races
// the consumer's read of it.
func TestRacesRecordedRuns(t *testing.T) {
	const producers = 4
	data := func(i int) int { return i }             // element i: producer i's data
	flag := func(i int) int { return producers + i } // element producers+i: its flag
	const counter = 2 * producers

	t.Run("atomics", func(t *testing.T) {
		h := runRecorded(t, 2*producers+1, producers, func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue, i int) error {
			v.SetInt(data(i), int64(100+i))
			atomics.Add(v, counter, 1)
			atomics.Store(v, flag(i), 1)
			_, err := atomics.Notify(v, flag(i), atomics.All)
			return err
		}, func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue) error {
			for i := range producers {
				for {
					if x, _ := atomics.Load(v, flag(i)); x == 1 {
						break
					}
					atomics.Wait(v, flag(i), 0, 10*time.Millisecond)
				}
				if x, _ := v.GetInt(data(i)); x != int64(100+i) {
					return fmt.Errorf("data %d = %d", i, x)
				}
			}
			return nil
		})
		rep := checkRun(t, h, history.EvRMW, history.EvWrite, history.EvRead, history.EvNotify)
		if rep.Verdict != Ok || rep.Checked < 4*producers {
			t.Fatalf("%v: %s\n%v", rep.Verdict, rep.Reason, rep.Findings)
		}
	})

	t.Run("queue", func(t *testing.T) {
		h := runRecorded(t, 2*producers+1, producers, func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue, i int) error {
			v.SetInt(data(i), int64(100+i))
			return q.Put(context.Background(), int64(i))
		}, func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue) error {
			for range producers {
				x, err := q.Get(context.Background())
				if err != nil {
					return err
				}
				i := int(x.(int64))
				if y, _ := v.GetInt(data(i)); y != int64(100+i) {
					return fmt.Errorf("data %d = %d", i, y)
				}
				v.SetInt(data(i), 0) // the consumer owns it now
			}
			return nil
		})
		rep := checkRun(t, h, history.EvQueuePut, history.EvQueueGet)
		if rep.Verdict != Ok || rep.Checked != 3*producers {
			t.Fatalf("%v (%d checked): %s\n%v", rep.Verdict, rep.Checked, rep.Reason, rep.Findings)
		}
	})

	t.Run("start-join", func(t *testing.T) {
		rec := history.NewRecorder()
		main := shared.NewAgent("main")
		main.SetRecorder(rec)
		defer main.SetRecorder(nil)
		buf, _ := shared.NewBuffer(4*producers, shared.CreatedBy(main))
		v, _ := shared.View(buf, shared.Int32)
		for i := range producers {
			v.SetInt(i, 7) // before the start: seen by the agent
		}
		var hs []*shared.Handle
		for i := range producers {
			hs = append(hs, main.Start("worker", func(a *shared.Agent) error {
				w := v.For(a)
				if x, _ := w.GetInt(i); x != 7 {
					return fmt.Errorf("read %d", x)
				}
				return w.SetInt(i, int64(i+10))
			}))
		}
		for _, h := range hs {
			h.Join(main)
		}
		for i := range producers {
			if x, _ := v.GetInt(i); x != int64(i+10) { // after the join: sees the agent's write
				t.Fatalf("element %d = %d", i, x)
			}
		}
		rep := checkRun(t, rec.History())
		if rep.Verdict != Ok || rep.Checked != 4*producers {
			t.Fatalf("%v (%d checked): %s\n%v", rep.Verdict, rep.Checked, rep.Reason, rep.Findings)
		}
	})

	t.Run("plain-flag", func(t *testing.T) {
		h := runRecorded(t, 2*producers+1, producers, func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue, i int) error {
			v.SetInt(data(i), int64(100+i))
			return v.SetInt(flag(i), 1) // a plain store: publishes nothing
		}, func(a *shared.Agent, v *shared.TypedArray, q *shared.Queue) error {
			for i := range producers {
				if err := spin(func() bool { x, _ := v.GetInt(flag(i)); return x == 1 }); err != nil {
					return err
				}
				if x, _ := v.GetInt(data(i)); x != int64(100+i) {
					return fmt.Errorf("data %d = %d", i, x)
				}
			}
			return nil
		})
		checkRun(t, h, history.EvWrite, history.EvRead)
		var pairs [][2]int
		rep, err := races(context.Background(), h, Options{}, func(e, d int, data bool) {
			if data {
				pairs = append(pairs, [2]int{e, d})
			}
		})
		if err != nil || rep.Verdict != Illegal {
			t.Fatalf("%v %v: %s", err, rep.Verdict, rep.Reason)
		}
		// Every producer's data write races the consumer's read of it.
		for i := range producers {
			found := false
			for _, p := range pairs {
				e, d := &h.Events[p[0]], &h.Events[p[1]]
				found = found || e.Kind == history.EvWrite && e.ByteIndex == 4*data(i) && d.Kind == history.EvRead && d.ByteIndex == 4*data(i)
			}
			if !found {
				t.Errorf("no race on producer %d's data among %d data races", i, rep.Total)
			}
		}
		for _, x := range rep.DataRaces {
			if x.ReadsFrom && !strings.Contains(x.Missing, "make the write (or a later write) Atomics.store and read it with Atomics.load") {
				t.Errorf("missing edge: %s", x.Missing)
			}
		}
	})
}

package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// sb is store buffering with plain accesses: each agent stores its flag
// and reads the other's.
func sb() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "SB+na",
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			for i, name := range []string{"P0", "P1"} {
				w.Agent(name, func(a *shared.Agent) error {
					v, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					if err := v.SetInt(i, 1); err != nil {
						return err
					}
					r, err := v.GetInt(1 - i)
					w.Report(a, "r0", r)
					return err
				})
			}
			return nil
		},
	}
}

func run(t *testing.T, sc *scenarios.Scenario, opt scenarios.Options) *scenarios.Report {
	t.Helper()
	rep, err := scenarios.Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func keys(rep *scenarios.Report) []string {
	var ks []string
	for _, o := range rep.Outcomes {
		ks = append(ks, o.Key())
	}
	slices.Sort(ks)
	return ks
}

// TestStoreBuffering: the weak outcome (both read 0) is reached under
// es2024 and es2017 and not under sc; exhaustive exploration is complete
// and every outcome's schedule replays it.
func TestStoreBuffering(t *testing.T) {
	weak := "P0:r0=0 P1:r0=0 m[0100000001000000]"
	for _, v := range []model.Variant{model.ES2024, model.ES2017, model.SC} {
		rep := run(t, sb(), scenarios.Options{Model: v})
		if !rep.Complete || len(rep.Failures) > 0 {
			t.Fatalf("%s: complete %v, failures %v", v.Name(), rep.Complete, rep.Failures)
		}
		got := keys(rep)
		want := 4
		if v == model.SC {
			want = 3
		}
		if len(got) != want || slices.Contains(got, weak) != (v != model.SC) {
			t.Errorf("%s: outcomes %q", v.Name(), got)
		}
		for _, o := range rep.Outcomes {
			again := run(t, sb(), scenarios.Options{Model: v, Strategy: scenarios.Replay(o.Schedule)})
			if len(again.Outcomes) != 1 || again.Outcomes[0].Key() != o.Key() {
				t.Errorf("%s: replaying %s gave %q, want %s", v.Name(), o.Schedule, keys(again), o.Key())
			}
		}
	}
}

// mpWait is message passing through Atomics.wait and Atomics.notify.
func mpWait(notifyFirst bool) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "MP+wait",
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			w.Agent("P0", func(a *shared.Agent) error {
				v, _ := shared.View(buf.For(a), shared.Int32)
				v.SetInt(1, 42)
				if notifyFirst {
					atomics.Notify(v, 0, 1)
					atomics.Store(v, 0, 1)
					return nil
				}
				atomics.Store(v, 0, 1)
				atomics.Notify(v, 0, 1)
				return nil
			})
			w.Agent("P1", func(a *shared.Agent) error {
				v, _ := shared.View(buf.For(a), shared.Int32)
				for {
					if x, _ := atomics.Load(v, 0); x == 1 {
						break
					}
					atomics.Wait(v, 0, 0, atomics.Forever)
				}
				r, _ := v.GetInt(1)
				w.Report(a, "data", r)
				return nil
			})
			return nil
		},
	}
}

// TestWaitNotify: done right, message passing through wait and notify
// always delivers the data and never deadlocks (a wait after the notify
// reads the flag the notify published: the waiter list's critical
// sections synchronize); notifying before storing the flag loses the
// wake-up, which the explorer reports as a deadlock that replays.
func TestWaitNotify(t *testing.T) {
	for _, v := range []model.Variant{model.ES2024, model.ES2017, model.SC} {
		rep := run(t, mpWait(false), scenarios.Options{Model: v})
		if !rep.Complete || len(rep.Failures) > 0 || !slices.Equal(keys(rep), []string{"P1:data=42 m[010000002a000000]"}) {
			t.Errorf("%s: complete %v, failures %v, outcomes %q", v.Name(), rep.Complete, rep.Failures, keys(rep))
		}
	}
	rep := run(t, mpWait(true), scenarios.Options{})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailDeadlock {
		t.Fatalf("the lost wake-up was not reported as a deadlock: %v", rep.Failures)
	}
	f := rep.Failures[0]
	if !strings.Contains(f.Message, "P1 is blocked in Atomics.wait") {
		t.Errorf("deadlock message %q does not name the waiter", f.Message)
	}
	s, err := scenarios.ParseSchedule(f.Schedule.String())
	if err != nil {
		t.Fatal(err)
	}
	again := run(t, mpWait(true), scenarios.Options{Strategy: scenarios.Replay(s)})
	if len(again.Failures) != 1 || again.Failures[0].Kind != f.Kind || again.Failures[0].Message != f.Message ||
		again.Failures[0].Schedule.String() != f.Schedule.String() {
		t.Errorf("replaying %s gave %v, want %v", f.Schedule, again.Failures, f)
	}
}

// TestLivelock: a spin loop on a flag nobody sets runs into the step
// budget, reported as a livelock.
func TestLivelock(t *testing.T) {
	sc := &scenarios.Scenario{Name: "spin", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 4)
		w.Agent("P0", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			for {
				if x, _ := v.GetInt(0); x == 1 {
					return nil
				}
			}
		})
		return nil
	}}
	rep := run(t, sc, scenarios.Options{MaxSteps: 100})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailLivelock || !strings.Contains(rep.Failures[0].Message, "100 steps") {
		t.Fatalf("failures %v, want a livelock after 100 steps", rep.Failures)
	}
}

// TestQueueTimeout: a get with a timeout on an empty queue times out only
// when the strategy chooses it; both outcomes are reached.
func TestQueueTimeout(t *testing.T) {
	sc := &scenarios.Scenario{Name: "queue", Setup: func(w *scenarios.World) error {
		q := w.Queue(1)
		w.Agent("P0", func(a *shared.Agent) error {
			return q.For(a).Put(context.Background(), int64(1))
		})
		w.Agent("P1", func(a *shared.Agent) error {
			q := q.For(a)
			x, err := q.GetTimeout(time.Hour)
			if errors.Is(err, shared.QueueEmpty) {
				w.Report(a, "timedOut", 1)
				x, err = q.Get(context.Background())
			}
			if err != nil {
				return err
			}
			w.Report(a, "got", x.(int64))
			return nil
		})
		return nil
	}}
	rep := run(t, sc, scenarios.Options{})
	want := []string{"P1:got=1", "P1:got=1 P1:timedOut=1"}
	if !rep.Complete || len(rep.Failures) > 0 || !slices.Equal(keys(rep), want) {
		t.Errorf("complete %v, failures %v, outcomes %q, want %q", rep.Complete, rep.Failures, keys(rep), want)
	}
}

// TestNondeterminismReported: an agent that behaves differently when the
// explorer replays a prefix is reported, not explored.
func TestNondeterminismReported(t *testing.T) {
	var runs atomic.Int64
	sc := &scenarios.Scenario{Name: "nondeterministic", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 8)
		w.Agent("P0", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			v.SetInt(0, 1)
			atomics.Notify(v, 0, 1)
			return nil
		})
		w.Agent("P1", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			if runs.Add(1)%2 == 0 { // a Go-level counter: not allowed
				atomics.Notify(v, 1, 1)
			} else {
				atomics.Store(v, 1, 1)
			}
			atomics.Notify(v, 0, 1)
			return nil
		})
		return nil
	}}
	rep := run(t, sc, scenarios.Options{})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailNondeterminism {
		t.Fatalf("failures %v, want one nondeterminism", rep.Failures)
	}
}

// TestSetupAndAgentErrors: errors are reported as failures, never panics.
func TestSetupAndAgentErrors(t *testing.T) {
	bad := &scenarios.Scenario{Name: "bad buffer", Setup: func(w *scenarios.World) error {
		w.Buffer("m", -1)
		return nil
	}}
	if rep := run(t, bad, scenarios.Options{}); len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailSetup {
		t.Errorf("bad buffer: %v", rep.Failures)
	}
	panics := &scenarios.Scenario{Name: "agent panics", Setup: func(w *scenarios.World) error {
		w.Agent("P0", func(a *shared.Agent) error { panic("boom") })
		return nil
	}}
	if rep := run(t, panics, scenarios.Options{}); len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailAgent || !strings.Contains(rep.Failures[0].Message, "boom") {
		t.Errorf("agent panic: %v", rep.Failures)
	}
	dup := &scenarios.Scenario{Name: "duplicate agents", Setup: func(w *scenarios.World) error {
		w.Agent("P0", func(a *shared.Agent) error { return nil })
		w.Agent("P0", func(a *shared.Agent) error { return nil })
		return nil
	}}
	if rep := run(t, dup, scenarios.Options{}); len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailSetup {
		t.Errorf("duplicate agents: %v", rep.Failures)
	}
	if _, err := scenarios.Run(context.Background(), nil, scenarios.Options{}); err == nil {
		t.Error("a nil scenario is not an error")
	}
}

// TestCheckFailure: Scenario.Check is called on allowed executions only,
// and its error is a failure with the outcome.
func TestCheckFailure(t *testing.T) {
	sc := sb()
	sc.Check = func(o *scenarios.Outcome) error {
		if o.Values["P0:r0"] == 0 && o.Values["P1:r0"] == 0 {
			return fmt.Errorf("both read 0")
		}
		return nil
	}
	if rep := run(t, sc, scenarios.Options{Model: model.SC}); len(rep.Failures) != 0 {
		t.Errorf("sc: %v", rep.Failures)
	}
	rep := run(t, sc, scenarios.Options{})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailCheck || rep.Failures[0].Outcome == nil {
		t.Fatalf("es2024: %v", rep.Failures)
	}
}

// TestExhaustiveLimit: a read with more values than Exhaustive's limit
// makes the exploration incomplete, and says so.
func TestExhaustiveLimit(t *testing.T) {
	sc := &scenarios.Scenario{Name: "three values", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 4)
		for i, name := range []string{"W1", "W2"} {
			w.Agent(name, func(a *shared.Agent) error {
				v, _ := shared.View(buf.For(a), shared.Int32)
				return v.SetInt(0, int64(i+1))
			})
		}
		w.Agent("R", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			x, err := v.GetInt(0)
			w.Report(a, "r", x)
			return err
		})
		return nil
	}}
	if rep := run(t, sc, scenarios.Options{Strategy: scenarios.Exhaustive(1)}); rep.Complete {
		t.Errorf("with a limit of one other value per read, the exploration says it is complete: %+v", rep.Stats)
	}
	rep := run(t, sc, scenarios.Options{Strategy: scenarios.Exhaustive(0)})
	if !rep.Complete || len(rep.Outcomes) != 6 {
		t.Errorf("complete %v, outcomes %q: want the reads 0, 1 and 2 with either final value", rep.Complete, keys(rep))
	}
}

// TestExpectations: a forbidden outcome that is reached fails the
// execution that reaches it; an expected one that a complete exploration
// never reaches fails the exploration.
func TestExpectations(t *testing.T) {
	bothZero := func(o *scenarios.Outcome) bool { return o.Values["P0:r0"] == 0 && o.Values["P1:r0"] == 0 }
	forbid := sb()
	forbid.Expect = []scenarios.Expectation{{Name: "both read 0", Match: bothZero, Forbidden: true}}
	if rep := run(t, forbid, scenarios.Options{Model: model.SC}); len(rep.Failures) != 0 {
		t.Errorf("sc: %v", rep.Failures)
	}
	rep := run(t, forbid, scenarios.Options{})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailCheck || !strings.Contains(rep.Failures[0].Message, "both read 0") {
		t.Errorf("es2024: %v", rep.Failures)
	}
	want := sb()
	want.Expect = []scenarios.Expectation{{Name: "both read 0", Match: bothZero}}
	if rep := run(t, want, scenarios.Options{}); len(rep.Failures) != 0 {
		t.Errorf("es2024: %v", rep.Failures)
	}
	rep = run(t, want, scenarios.Options{Model: model.SC})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailExpect {
		t.Errorf("sc: %v", rep.Failures)
	}
	if rep := run(t, want, scenarios.Options{Model: model.SC, Strategy: scenarios.Random(1), Executions: 20}); len(rep.Failures) != 0 {
		t.Errorf("sc, random (cannot show unreachability): %v", rep.Failures)
	}
}

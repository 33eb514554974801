package scenarios_test

import (
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// abaPublish: P0 publishes plain data through a seq-cst flag; P1 reads the
// flag, then the data if the flag is set, and then stores the same flag
// value again. In the first execution (canonical order, every read the
// latest write) P1's load reads P0's store and synchronizes with it: no
// data race. Its history must say so: with every instant neutralized,
// history.Convert took P1's own later store (the last write of that value)
// as the load's source, a cycle in happens-before, and checker.Race
// reported the plain accesses as a data race.
func abaPublish() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "ABA+publish",
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			w.Agent("P0", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				if err := v.SetInt(1, 42); err != nil {
					return err
				}
				_, err = atomics.Store(v, 0, 1)
				return err
			})
			w.Agent("P1", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				f, err := atomics.Load(v, 0)
				if err != nil {
					return err
				}
				if f == 1 {
					d, err := v.GetInt(1)
					if err != nil {
						return err
					}
					w.Report(a, "data", d)
				}
				_, err = atomics.Store(v, 0, 1)
				return err
			})
			return nil
		},
	}
}

// TestHistoryInstantsWithoutWeakReads: an execution whose reads all
// returned the latest write keeps its schedule's instants, so the race
// check sees the synchronization that happened (regression: a false data
// race through an ABA value).
func TestHistoryInstantsWithoutWeakReads(t *testing.T) {
	rep := run(t, abaPublish(), scenarios.Options{Strategy: scenarios.Exhaustive(0), Executions: 1})
	if len(rep.Outcomes) != 1 || rep.Outcomes[0].Values["P1:data"] != 42 {
		t.Fatalf("outcomes %d, failures %v: want the first execution, P1 reading the data 42", len(rep.Outcomes), rep.Failures)
	}
	if rep.Stats.WeakReads != 0 {
		t.Fatalf("the first execution made %d weak reads", rep.Stats.WeakReads)
	}
	for _, f := range rep.Failures {
		t.Errorf("failure %v", f)
	}
	h := rep.Outcomes[0].History()
	for i := 1; i < len(h.Events); i++ {
		if h.Events[i].Call < h.Events[i-1].Call {
			t.Errorf("event %d's call instant %d precedes event %d's %d: not in schedule order", i, h.Events[i].Call, i-1, h.Events[i-1].Call)
		}
	}
}

// TestDeadlockPrefixKeepsWaitOrder: two waiters sleep on x while it is 0;
// the notifier stores 1 and wakes one of them. The other sleeps forever:
// a deadlock, with every read the latest write. The deadlock's prefix
// check used to append the blocked wait after every recorded event, which
// (instants by position) put its critical section after the notify's, so
// that the store happened before its value check and the 0 it read had no
// source: the prefix was rejected, and the deadlock never reported.
func TestDeadlockPrefixKeepsWaitOrder(t *testing.T) {
	sc := &scenarios.Scenario{
		Name: "wait+wait+store-notify-one",
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 4)
			for _, name := range []string{"W1", "W2"} {
				w.Agent(name, func(a *shared.Agent) error {
					v, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					_, err = atomics.Wait(v, 0, 0, atomics.Forever)
					return err
				})
			}
			w.Agent("N", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				if _, err := atomics.Store(v, 0, 1); err != nil {
					return err
				}
				_, err = atomics.Notify(v, 0, 1)
				return err
			})
			return nil
		},
	}
	rep := run(t, sc, scenarios.Options{Strategy: scenarios.Exhaustive(0), Executions: 1000})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailDeadlock {
		t.Fatalf("failures %v (%+v): want the deadlock of the waiter left asleep", rep.Failures, rep.Stats)
	}
}

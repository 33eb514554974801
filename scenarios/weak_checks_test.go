package scenarios_test

// Regression tests of bugs found while writing the ring buffer, seqlock
// and reader-writer lock examples (issue 9): checks on outcomes whose
// instants did not order what the execution ordered (the race check on
// executions without weak reads: history_instants_test.go), and the
// SCDRF strategy.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// registerSpec is a one-word register's sequential specification: a
// write (input the value) returns nothing, a read (input nil) returns the
// value.
var registerSpec = porcupine.Model{
	Init: func() any { return int64(0) },
	Step: func(state, input, output any) (bool, any) {
		if x, ok := input.(int64); ok {
			return true, x
		}
		return output.(int64) == state.(int64), state
	},
	DescribeOperation: func(input, output any) string {
		if x, ok := input.(int64); ok {
			return fmt.Sprintf("write(%d)", x)
		}
		return fmt.Sprintf("read() → %v", output)
	},
}

// TestCallClockWeakReads: World.Call's instants follow the
// schedule, but the explorer lets a seq-cst read return a value a write
// earlier in the schedule overwrote (the model allows it: nothing orders
// the store before the load, so memory-order may put the load first). The
// operations then look as if the load began after the store returned, and
// CheckLinearizable reported an Atomics.store and an Atomics.load — the
// textbook linearizable register — as not linearizable: a false alarm.
// CheckLinearizable now checks a Weak outcome for sequential consistency.
func TestCallClockWeakReads(t *testing.T) {
	weak := 0 // weak executions checked
	sc := &scenarios.Scenario{
		Name: "register",
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 4)
			w.Agent("writer", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				done := w.Call(a, int64(1))
				_, err = atomics.Store(v, 0, 1)
				done(nil)
				return err
			})
			w.Agent("reader", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				done := w.Call(a, nil)
				x, err := atomics.Load(v, 0)
				done(x)
				return err
			})
			return nil
		},
		Check: func(o *scenarios.Outcome) error {
			if o.Weak {
				weak++
			}
			return scenarios.CheckLinearizable(o, registerSpec, 0)
		},
	}
	rep := run(t, sc, scenarios.Options{Strategy: scenarios.Exhaustive(0), MaxFailures: 10})
	for _, f := range rep.Failures {
		t.Errorf("%v", f)
	}
	if weak == 0 || !rep.Complete {
		t.Fatalf("complete %v, %d weak outcomes: the test needs the stale load", rep.Complete, weak)
	}
}

// storeBuffering is SB with Atomics (sc) or plain (na) accesses, its
// history checked for data races on every allowed execution.
func storeBuffering(sc bool) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "SB",
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			for i, name := range []string{"P0", "P1"} {
				w.Agent(name, func(a *shared.Agent) error {
					v, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					var r int64
					if sc {
						if _, err = atomics.Store(v, i, 1); err == nil {
							r, err = atomics.Load(v, 1-i)
						}
					} else if err = v.SetInt(i, 1); err == nil {
						r, err = v.GetInt(1 - i)
					}
					w.Report(a, "r", r)
					return err
				})
			}
			return nil
		},
	}
}

// TestRaceCheckWeakExecutions: on executions with weak reads the race
// check takes reads-bytes-from from the witness: SB with Atomics has weak
// executions (a load memory-ordered before a store the schedule ran
// first) and no race in any; SB with plain accesses races in every
// execution, weak ones included.
func TestRaceCheckWeakExecutions(t *testing.T) {
	sbsc, weakSC := storeBuffering(true), 0
	sbsc.Check = func(o *scenarios.Outcome) error {
		if o.Weak {
			weakSC++
		}
		return nil
	}
	rep := run(t, sbsc, scenarios.Options{Strategy: scenarios.Exhaustive(0), MaxFailures: 10})
	if len(rep.Failures) != 0 || !rep.Complete || weakSC == 0 {
		t.Fatalf("SB+sc: complete %v, %d weak executions, failures %v", rep.Complete, weakSC, rep.Failures)
	}
	rep = run(t, storeBuffering(false), scenarios.Options{Strategy: scenarios.Exhaustive(0), MaxFailures: 100})
	weak := 0
	for _, f := range rep.Failures {
		if f.Kind != scenarios.FailCheck || !strings.Contains(f.Message, "race") {
			t.Errorf("SB+na: failure %v: %s", f.Kind, f.Message)
		}
		if f.Outcome != nil && f.Outcome.Weak {
			weak++
			if !strings.Contains(f.Message, "by the witness's reads-bytes-from") {
				t.Errorf("SB+na, weak: %s", f.Message)
			}
		}
	}
	if weak == 0 {
		t.Fatalf("SB+na: no weak execution reported a race (%d failures)", len(rep.Failures))
	}
}

// mpData is message passing with plain data and a seq-cst flag (racy:
// the flag is plain too), the reader reading the data only after it sees
// the flag, with checker.Race on every execution.
func mpData(racy bool) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "MP",
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			w.Agent("writer", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				if err := v.SetInt(1, 42); err != nil {
					return err
				}
				if racy {
					return v.SetInt(0, 1)
				}
				_, err = atomics.Store(v, 0, 1)
				return err
			})
			w.Agent("reader", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				var f int64
				if racy {
					f, err = v.GetInt(0)
				} else {
					f, err = atomics.Load(v, 0)
				}
				if err != nil || f == 0 {
					return err
				}
				d, err := v.GetInt(1)
				w.Report(a, "data", d)
				return err
			})
			return nil
		},
	}
}

// TestSCDRF: on a data-race-free program SCDRF is Complete under es2024
// and sc and reaches exactly Exhaustive's outcomes; it is not Complete
// under es2017 (no SC-DRF there), without a race check, or when an
// execution races (the racy program's races are found).
func TestSCDRF(t *testing.T) {
	for _, v := range []model.Variant{model.ES2024, model.SC} {
		ex := run(t, mpData(false), scenarios.Options{Model: v, Strategy: scenarios.Exhaustive(0)})
		drf := run(t, mpData(false), scenarios.Options{Model: v, Strategy: scenarios.SCDRF()})
		if !ex.Complete || !drf.Complete || len(drf.Failures) != 0 {
			t.Fatalf("%s: Exhaustive complete %v, SCDRF complete %v, failures %v", v.Name(), ex.Complete, drf.Complete, drf.Failures)
		}
		if a, b := keys(ex), keys(drf); !slices.Equal(a, b) {
			t.Errorf("%s: Exhaustive reached %v, SCDRF %v", v.Name(), a, b)
		}
	}
	if rep := run(t, mpData(false), scenarios.Options{Model: model.ES2017, Strategy: scenarios.SCDRF()}); rep.Complete {
		t.Error("es2017: SCDRF claimed completeness without SC-DRF")
	}
	noRace := mpData(false)
	noRace.Checks = nil
	if rep := run(t, noRace, scenarios.Options{Strategy: scenarios.SCDRF()}); rep.Complete {
		t.Error("SCDRF claimed completeness with no race check")
	}
	rep := run(t, mpData(true), scenarios.Options{Strategy: scenarios.SCDRF(), MaxFailures: 100})
	if rep.Complete || len(rep.Failures) == 0 || !strings.Contains(rep.Failures[0].Message, "race") {
		t.Fatalf("racy MP: complete %v, failures %v", rep.Complete, rep.Failures)
	}
	// LatestReads: every read the latest write, so no execution is weak.
	weak := 0
	sc := mpData(false)
	sc.Check = func(o *scenarios.Outcome) error {
		if o.Weak {
			weak++
		}
		return nil
	}
	rep = run(t, sc, scenarios.Options{Strategy: scenarios.LatestReads(scenarios.Random(1)), Executions: 50})
	if weak != 0 || rep.Strategy != "random+latest" || len(rep.Failures) != 0 {
		t.Fatalf("LatestReads(Random): %d weak executions, strategy %q, failures %v", weak, rep.Strategy, rep.Failures)
	}
}

package scenarios_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// counterSpec is a counter's sequential specification: an increment
// returns the value before it.
var counterSpec = porcupine.Model{
	Init: func() any { return int64(0) },
	Step: func(state, input, output any) (bool, any) {
		n := state.(int64)
		return output.(int64) == n, n + 1
	},
	DescribeOperation: func(input, output any) string { return fmt.Sprintf("inc() → %v", output) },
}

// counter has two agents increment a shared counter once each, with
// Atomics.add, or (racy) with a plain read and a plain write.
func counter(racy bool) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "counter",
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 4)
			for _, name := range []string{"P0", "P1"} {
				w.Agent(name, func(a *shared.Agent) error {
					v, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					done := w.Call(a, nil)
					var old int64
					if racy {
						if old, err = v.GetInt(0); err == nil {
							err = v.SetInt(0, old+1)
						}
					} else {
						old, err = atomics.Add(v, 0, 1)
					}
					done(old)
					return err
				})
			}
			return nil
		},
		Check: func(o *scenarios.Outcome) error { return scenarios.CheckLinearizable(o, counterSpec, 0) },
	}
}

func TestCheckLinearizable(t *testing.T) {
	rep := run(t, counter(false), scenarios.Options{Strategy: scenarios.Exhaustive(0)})
	if !rep.Complete || len(rep.Failures) != 0 || len(rep.Outcomes) == 0 {
		t.Fatalf("the atomic counter: complete %v, failures %v, %d outcomes", rep.Complete, rep.Failures, len(rep.Outcomes))
	}
	for _, o := range rep.Outcomes {
		if len(o.Operations) != 2 || o.Operations[0].Return == 0 || o.Operations[1].Return == 0 {
			t.Fatalf("outcome %s: operations %+v, want two returned", o.Key(), o.Operations)
		}
	}
	// The racy counter loses an increment (both read 0): caught, with the
	// operations named.
	rep = run(t, counter(true), scenarios.Options{Strategy: scenarios.Exhaustive(0)})
	if len(rep.Failures) == 0 {
		t.Fatal("the racy counter's lost increment was not caught")
	}
	f := rep.Failures[0]
	if f.Kind != scenarios.FailCheck || !strings.Contains(f.Message, "are not ") || !strings.Contains(f.Message, "inc() → 0") {
		t.Fatalf("failure %v: %s", f.Kind, f.Message)
	}
	if _, err := scenarios.ParseSchedule(f.Schedule.String()); err != nil {
		t.Fatal(err)
	}
}

func TestCheckLinearizableBadSpec(t *testing.T) {
	if err := scenarios.CheckLinearizable(&scenarios.Outcome{}, porcupine.Model{}, 0); err == nil {
		t.Fatal("a specification with no Step was accepted")
	}
}

package examples

import (
	"context"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// mpStoreAgain is message passing whose reader stores the flag's value
// again after reading it (the shape that makes checker.Race on the
// neutral Outcome.History invent a race: see scenarios'
// TestRaceCheckInstants); racy moves the writer's flag
// store before its data write.
func mpStoreAgain(racy bool) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "MP+store-again",
		Checks: primitiveChecks,
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			w.Agent("Q", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				if racy {
					if _, err := atomics.Store(v, 0, 1); err != nil {
						return err
					}
				}
				if err := v.SetInt(1, 5); err != nil {
					return err
				}
				if !racy {
					_, err = atomics.Store(v, 0, 1)
				}
				return err
			})
			w.Agent("P", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				f, err := atomics.Load(v, 0)
				if err != nil {
					return err
				}
				if f == 1 {
					if _, err := v.GetInt(1); err != nil {
						return err
					}
				}
				_, err = atomics.Store(v, 0, 1)
				return err
			})
			return nil
		},
	}
}

// TestCheckRaces: primitiveChecks find no race in MP+store-again, in its
// sequentially consistent executions and in those with weak reads (the
// reader's plain read returning the stale 0 is no race), and finds the
// race once the writer publishes before writing the data — both in an
// execution in schedule order (checker.Race) and in one with weak reads
// (the witness).
func TestCheckRaces(t *testing.T) {
	weak := 0
	sc0 := mpStoreAgain(false)
	sc0.Check = func(o *scenarios.Outcome) error {
		if o.Weak {
			weak++
		}
		return nil
	}
	rep, err := scenarios.Run(context.Background(), sc0, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Complete || len(rep.Failures) != 0 || weak == 0 {
		t.Errorf("race-free MP+store-again: complete %v, failures %v, %d executions with weak reads checked (want some)", rep.Complete, rep.Failures, weak)
	}
	rep, err = scenarios.Run(context.Background(), mpStoreAgain(true), scenarios.Options{MaxFailures: 100})
	if err != nil {
		t.Fatal(err)
	}
	var sc, witness bool
	for _, f := range rep.Failures {
		if f.Kind != scenarios.FailCheck || !strings.Contains(f.Message, "race") {
			t.Errorf("unexpected failure %v", f)
			continue
		}
		if f.Outcome != nil && f.Outcome.Weak {
			witness = true
		} else {
			sc = true
		}
	}
	if !sc || !witness {
		t.Errorf("racy MP+store-again: a race found in an execution in schedule order %v, in one with weak reads %v; want both (%d failures)", sc, witness, len(rep.Failures))
	}
}

// TestCheckSequential: on a Weak outcome, CheckLinearizable checks
// sequential consistency: per-agent order is kept, other orders are free,
// and a value no order explains is refused with the longest legal prefix.
func TestCheckSequential(t *testing.T) {
	spec := RegisterSpec(1)
	op := func(agent string, write bool, x int64, call, ret int64) scenarios.Operation {
		if write {
			return scenarios.Operation{Agent: agent, Input: RegisterOp{Write: true, Value: []int64{x}}, Output: RegisterResult{}, Call: call, Return: ret}
		}
		return scenarios.Operation{Agent: agent, Input: RegisterOp{}, Output: RegisterResult{Value: []int64{x}}, Call: call, Return: ret}
	}
	// The read of 0 returned after the write returned (in the instants), and
	// sequential consistency ignores instants across agents: legal.
	if err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{op("w", true, 1, 1, 2), op("r", false, 0, 3, 4)}}, spec, 0); err != nil {
		t.Errorf("stale across agents: %v", err)
	}
	// Within one agent the order holds: 1 then 0 with no second write.
	err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{op("w", true, 1, 1, 2), op("r", false, 1, 3, 4), op("r", false, 0, 5, 6)}}, spec, 0)
	if err == nil || !strings.Contains(err.Error(), "not sequentially consistent") {
		t.Errorf("1 then 0 in one agent: %v", err)
	}
	// An invented value.
	if err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{op("r", false, 7, 1, 2)}}, spec, 0); err == nil {
		t.Errorf("invented value accepted")
	}
	// Operations that never returned are left out.
	if err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{{Agent: "r", Input: RegisterOp{}}}}, spec, 0); err != nil {
		t.Errorf("a pending operation: %v", err)
	}
}

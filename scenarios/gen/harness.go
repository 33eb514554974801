package gen

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
	"pgregory.net/rapid"
)

// Harness says how Check explores a program for a property.
type Harness struct {
	// Model is the variant explored (zero: model.ES2024).
	Model model.Variant
	// Check is the property, run on every allowed outcome (Conforms,
	// Linearizable, RacesAgree, …); CheckExpr is the same as Go source,
	// for the printed test ("gen.Conforms(model.ES2024)").
	Check     func(*scenarios.Outcome) error
	CheckExpr string
	// Warm is the number of executions of the seeded random warm-up (0:
	// 20), which also learns the values writes write; Draws the number of
	// executions whose every choice is a rapid draw (0: 3).
	Warm, Draws int
}

// Check explores p for a property inside a rapid test case: a warm-up of
// h.Warm executions under scenarios.Random(1), then h.Draws executions
// under scenarios.Rapid(t), every scheduling and read choice a draw, so
// that rapid shrinks the schedule along with the program. Every allowed
// outcome is checked with h.Check (with Options.CheckAll); any failure of
// an execution — the check's, or an agent's error, a deadlock, an internal
// error — ends the test case (t.Fatalf) with a message that ends with the
// program printed (FailureMessage) and the replay line.
func Check(t *rapid.T, p *Program, h Harness) {
	if h.Check == nil {
		t.Fatalf("gen.Check: the Harness has no Check")
		return
	}
	if h.Model == (model.Variant{}) {
		h.Model = model.ES2024
	}
	if h.Warm == 0 {
		h.Warm = 20
	}
	if h.Draws == 0 {
		h.Draws = 3
	}
	sc := p.Scenario()
	sc.Check = h.Check
	know := &scenarios.Knowledge{}
	opt := scenarios.Options{Model: h.Model, CheckAll: true, Knowledge: know, Strategy: scenarios.Random(1), Executions: h.Warm}
	rep, err := scenarios.Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatalf("gen.Check: %v", err)
	}
	if f := firstFailure(rep); f != nil {
		t.Fatalf("%s", FailureMessage(p, h.Model, h.CheckExpr, f))
	}
	know.Freeze()
	for range h.Draws {
		strat := scenarios.Rapid(t)
		opt.Strategy, opt.Executions = strat, 1
		rep, err := scenarios.Run(context.Background(), sc, opt)
		if pn := scenarios.Panicked(strat); pn != nil {
			panic(pn) // rapid's end of the test case, raised on its goroutine
		}
		if err != nil {
			t.Fatalf("gen.Check: %v", err)
		}
		if f := firstFailure(rep); f != nil {
			t.Fatalf("%s", FailureMessage(p, h.Model, h.CheckExpr, f))
		}
	}
}

func firstFailure(rep *scenarios.Report) *scenarios.Failure {
	for _, f := range rep.Failures {
		if f.Kind != scenarios.FailStrategy {
			return f
		}
	}
	return nil
}

// FailureMessage is the message of a property's failure f on program p
// under model v: the failure, then the program printed as a runnable
// scenario — its litmus text when it is StraightLine (`sabre explore
// --replay` replays it), and the Go source of a test (GoSource in package
// shrunk_test with the check checkExpr) — and last the replay line of that
// test (scenarios.ReplayLine for TestShrunk).
func FailureMessage(p *Program, v model.Variant, checkExpr string, f *scenarios.Failure) string {
	var b strings.Builder
	sched := scenarios.Schedule(nil)
	if f != nil {
		fmt.Fprintf(&b, "%s failure in execution %d: %s\n", f.Kind, f.Execution, f.Message)
		sched = f.Schedule
	}
	if src, err := p.Litmus(); err == nil {
		fmt.Fprintf(&b, "the program as a litmus test (save as shrunk.litmus; sabre explore --model=%s --replay='%s' shrunk.litmus replays the execution):\n%s", v.Name(), sched, src)
	}
	b.WriteString("the program as a Go test (save as shrunk_test.go in a new directory):\n")
	b.WriteString(p.GoSource("shrunk_test", checkExpr, modelExpr(v)))
	b.WriteString(scenarios.ReplayLine("TestShrunk", v.Name(), sched))
	return b.String()
}

func modelExpr(v model.Variant) string {
	switch v {
	case model.ES2017:
		return "model.ES2017"
	case model.SC:
		return "model.SC"
	}
	return "model.ES2024"
}

// States returns the final states the enumerator allows for straight-line
// p under model v (litmus.Run), each as herd7's text (litmus.Test.
// FormatState: every register, then every element of every view).
func States(ctx context.Context, p *Program, v model.Variant) (map[string]bool, error) {
	t, err := p.LitmusTest()
	if err != nil {
		return nil, err
	}
	obs, err := litmus.RunContext(ctx, t, v.Name())
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for i := range obs.States {
		out[t.FormatState(&obs.States[i].Final)] = true
	}
	return out, nil
}

// ExploredStates returns the final states the explorer reaches for
// straight-line p under model v with options opt (litmus.Explore: the
// scenario of p's litmus test, which has p.Scenario()'s agents, registers
// and schedules), each (as States formats it) with the schedule of the
// first execution that reached it; an error for a failure of an execution
// or, when complete is asked, for an exploration that was not Complete.
func ExploredStates(ctx context.Context, p *Program, v model.Variant, opt scenarios.Options, complete bool) (map[string]scenarios.Schedule, error) {
	t, err := p.LitmusTest()
	if err != nil {
		return nil, err
	}
	_, rep, err := litmus.Explore(ctx, t, v.Name(), opt)
	if err != nil {
		return nil, err
	}
	if f := firstFailure(rep); f != nil {
		return nil, fmt.Errorf("%s failure of %s exploration: %s\n%s", f.Kind, rep.Strategy, f.Message, scenarios.ReplayLine("TestShrunk", v.Name(), f.Schedule))
	}
	if complete && !rep.Complete {
		return nil, fmt.Errorf("%w: the %s exploration is not complete (%d executions, truncated %v, undecided %d)", ErrIncomplete, rep.Strategy, rep.Stats.Executions, rep.Truncated, rep.Stats.Undecided)
	}
	out := map[string]scenarios.Schedule{}
	for _, o := range rep.Outcomes {
		fs, err := t.FinalState(o)
		if err != nil {
			return nil, err
		}
		if k := t.FormatState(&fs); !has(out, k) {
			out[k] = o.Schedule
		}
	}
	return out, nil
}

// ErrIncomplete is wrapped by the errors of ExploredStates and DRF when an
// exhaustive exploration did not complete (ExhaustiveBudget ran out, or a
// read had more values than the explorer's limit): the property is then
// undecided for that program, not false.
var ErrIncomplete = errors.New("gen: exploration incomplete")

// ExhaustiveBudget bounds DRF's exhaustive exploration, and the
// properties' (ExploredStates with Options.Duration). Small programs take
// milliseconds; a few (several read-modify-writes of one location with a
// plain read of it) take the explorer tens of seconds (its per-byte value
// product), and are left undecided rather than slowing every run.
var ExhaustiveBudget = time.Second

// EnumerateBudget bounds the enumerator in the properties (States under
// a context with this timeout): a program it cannot enumerate in time is
// left undecided.
var EnumerateBudget = 5 * time.Second

// DRF reports whether every execution of p that model v allows is free of
// data races: an exhaustive exploration with Options.CheckAll, each allowed
// execution's witness (Outcome.Witness, a valid execution under v) judged
// by model.Analysis.DataRaces. An incomplete exploration is an error. It
// returns the outcome of a racy execution when there is one.
func DRF(ctx context.Context, p *Program, v model.Variant) (bool, *scenarios.Outcome, error) {
	sc := p.Scenario()
	var racy *scenarios.Outcome
	sc.Check = func(o *scenarios.Outcome) error {
		if racy != nil {
			return nil
		}
		if o.Witness == nil {
			return errors.New("gen.DRF: an allowed execution has no witness although CheckAll is set")
		}
		an, err := model.Analyze(o.Witness)
		if err != nil {
			return err
		}
		if len(an.DataRaces()) > 0 {
			racy = o
		}
		return nil
	}
	rep, err := scenarios.Run(ctx, sc, scenarios.Options{Model: v, CheckAll: true, Strategy: scenarios.Exhaustive(0), Duration: ExhaustiveBudget})
	if err != nil {
		return false, nil, err
	}
	if f := firstFailure(rep); f != nil {
		return false, nil, fmt.Errorf("gen.DRF: %s failure: %s", f.Kind, f.Message)
	}
	if !rep.Complete {
		return false, nil, fmt.Errorf("%w: gen.DRF: the exhaustive exploration under %s is not complete", ErrIncomplete, v.Name())
	}
	return racy == nil, racy, nil
}

func has[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

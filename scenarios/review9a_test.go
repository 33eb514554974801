package scenarios_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// Review of issue 9 (branch review9a): failing tests that show bugs.

// registerSpec is a one-register sequential specification: input
// "w<n>" writes n, input "r" reads (output the value).
type regIn struct {
	write bool
	v     int
}

func regSpec() porcupine.Model {
	return porcupine.Model{
		Init: func() any { return 0 },
		Step: func(state, in, out any) (bool, any) {
			i := in.(regIn)
			if i.write {
				return true, i.v
			}
			return out.(int) == state.(int), state
		},
	}
}

// TestReviewBug_CheckLinearizableNilOutcome: house rule "bad input gets a
// clear error, never a panic". CheckLinearizable(nil, …) panics with a nil
// dereference (o.Weak) instead of returning an error.
func TestReviewBug_CheckLinearizableNilOutcome(t *testing.T) {
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("CheckLinearizable(nil outcome) panicked: %v; want an error", p)
		}
	}()
	if err := scenarios.CheckLinearizable(nil, regSpec(), 0); err == nil {
		t.Fatal("CheckLinearizable(nil outcome) = nil; want an error")
	}
}

// TestReviewBug_CheckLinearizablePanickingStep: a specification whose
// Step panics (a type assertion on an unexpected Input — the commonest
// mistake writing a spec) crashes the caller; Scenario.Check panics are
// turned into errors elsewhere, the spec's should be too (with the
// operation named).
func TestReviewBug_CheckLinearizablePanickingStep(t *testing.T) {
	// The panic happens on a goroutine of porcupine's and kills the whole
	// test binary, so the check runs in a child process.
	if os.Getenv("SABRE_REVIEW_CHILD") == "1" {
		o := &scenarios.Outcome{Operations: []scenarios.Operation{
			{Agent: "a", Input: "not a regIn", Output: 1, Call: 1, Return: 2},
		}}
		for _, weak := range []bool{false, true} {
			o.Weak = weak
			if err := scenarios.CheckLinearizable(o, regSpec(), time.Second); err == nil {
				t.Errorf("weak=%v: no error", weak)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReviewBug_CheckLinearizablePanickingStep$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SABRE_REVIEW_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		first := string(out)
		if i := strings.Index(first, "\n\ngoroutine"); i > 0 {
			first = first[:i]
		}
		t.Fatalf("CheckLinearizable with a spec whose Step panics crashed the process (%v):\n%s\nwant an error naming the operation", err, first)
	}
}

// TestReviewBug_CheckLinearizablePendingOperation: Herlihy and Wing's
// definition lets a pending operation (called, never returned) take
// effect: a history is linearizable if SOME completion of it is. sabre
// drops pending operations, so a read that saw a pending write's value is
// reported "not linearizable" — a false alarm (e.g. an agent that wrote
// and then blocked forever, the stress watchdog's case, or an agent that
// returned an error mid-operation).
func TestReviewBug_CheckLinearizablePendingOperation(t *testing.T) {
	t.Skip("documented limitation: operations that never returned are left out (a generic specification cannot say what a pending operation with no output did); in the explorer and under stress an outcome with one is an agent's error (FailAgent) before Check runs")
	o := &scenarios.Outcome{Operations: []scenarios.Operation{
		{Agent: "writer", Input: regIn{write: true, v: 7}, Call: 1},      // never returned
		{Agent: "reader", Input: regIn{}, Output: 7, Call: 2, Return: 3}, // saw it
	}}
	for _, weak := range []bool{false, true} {
		o.Weak = weak
		if err := scenarios.CheckLinearizable(o, regSpec(), time.Second); err != nil {
			t.Errorf("weak=%v: %v; want linearizable (the pending write may have taken effect)", weak, err)
		}
	}
}

// renamed is a sampling strategy that happens to be called "exhaustive"
// (or "sc-drf"): Run decides Report.Complete by the strategy's NAME, so a
// user-written Strategy with one of those names — Name's doc only says
// "as -sabre.strategy spells it" — makes a one-execution sample Complete,
// and Complete also fires Expect's "no allowed execution reached" failures
// as if the sample were the whole space.
type renamed struct {
	scenarios.Strategy
	name string
}

func (r renamed) Name() string     { return r.name }
func (r renamed) Start(n int) bool { r.Strategy.Start(n); return n < 1 }

func TestReviewBug_CompleteByStrategyName(t *testing.T) {
	sc := sbAtomic()
	full := run(t, sc, scenarios.Options{Strategy: scenarios.Exhaustive(0)})
	for _, name := range []string{"exhaustive", "sc-drf"} {
		rep := run(t, sc, scenarios.Options{Strategy: renamed{scenarios.Random(1), name}})
		if rep.Complete {
			t.Errorf("a 1-execution random sample named %q is reported Complete (%d outcomes; Exhaustive reaches %d)",
				name, len(rep.Outcomes), len(full.Outcomes))
		}
	}
}

// sbAtomic is store buffering with seq-cst accesses and a race check.
func sbAtomic() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "SB+sc",
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			for i, name := range []string{"P0", "P1"} {
				w.Agent(name, func(a *shared.Agent) error {
					v, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					if _, err := atomics.Store(v, i, 1); err != nil {
						return err
					}
					r, err := atomics.Load(v, 1-i)
					w.Report(a, "r", r)
					return err
				})
			}
			return nil
		},
	}
}

// TestReviewBug_StressPanickingMatch: a Forbidden Expectation whose Match
// panics crashes the goroutine calling Stress (Scenario.Check's panics are
// recovered; Match's are not). Expected: a failure of the iteration.
func TestReviewBug_StressPanickingMatch(t *testing.T) {
	sc := sbAtomic()
	sc.Expect = []scenarios.Expectation{{Name: "boom", Forbidden: true, Match: func(o *scenarios.Outcome) bool {
		return o.Values["missing"] == 0 && o.Errors["x"] == "" && []int{}[len(o.Values)] == 0
	}}}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Stress panicked: %v; want a failed iteration", p)
		}
	}()
	_, err := scenarios.Stress(context.Background(), sc, scenarios.StressOptions{Iterations: 10})
	if err != nil {
		t.Logf("err %v", err)
	}
}

// TestReviewBug_RunPanickingMatch: the same under the explorer.
func TestReviewBug_RunPanickingMatch(t *testing.T) {
	sc := sbAtomic()
	sc.Expect = []scenarios.Expectation{{Name: "boom", Match: func(o *scenarios.Outcome) bool {
		return []int{}[len(o.Values)] == 0
	}}}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Run panicked: %v; want a failure", p)
		}
	}()
	_, _ = scenarios.Run(context.Background(), sc, scenarios.Options{})
}

// TestReviewBug_StressGradingModelMismatch: a Grading made for one model
// given with StressOptions.Model another is accepted silently and the
// report says the run was graded under opt.Model.
func TestReviewBug_StressGradingModelMismatch(t *testing.T) {
	g, err := scenarios.StressGrade(context.Background(), sbAtomic(), model.SC, 0)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scenarios.Stress(context.Background(), sbAtomic(), scenarios.StressOptions{Iterations: 10, Model: model.ES2017, Grading: g})
	if err == nil && rep.Model != g.Model {
		t.Errorf("Stress accepted a Grading for %q under model %q (report says %q); want an error", g.Model, "es2017", rep.Model)
	}
}

// strQueue is a FIFO queue of strings: input "put:<s>" appends s, "get"
// removes the oldest (output it), "len" outputs the length. Its state is a
// []string, as a user would write it.
func strQueue() porcupine.Model {
	return porcupine.Model{
		Init: func() any { return []string{} },
		Step: func(state, in, out any) (bool, any) {
			q := state.([]string)
			switch s := in.(string); {
			case strings.HasPrefix(s, "put:"):
				return true, append(slices.Clone(q), strings.TrimPrefix(s, "put:"))
			case s == "get":
				return len(q) > 0 && q[0] == out.(string), q[min(1, len(q)):]
			case s == "len":
				return len(q) == out.(int), q
			}
			return false, q
		},
		Equal: func(a, b any) bool { return slices.Equal(a.([]string), b.([]string)) },
	}
}

// TestReviewBug_SequentialCheckMemoCollision: for a Weak outcome
// CheckLinearizable searches for a sequentially consistent order and
// remembers failed (positions, state) pairs keyed by fmt.Sprint(state),
// ignoring spec.Equal. Distinct states that print alike — here the queues
// ["a", "a a"] and ["a a", "a"], both "[a a a]" — are confused: the first
// order (A's put, then B's) fails, and the second (B's, then A's), which
// is legal, is pruned as already failed. Expected: nil (put "a a"; put
// "a"; len → 2; get → "a a"; get → "a" is legal and keeps each agent's
// order).
func TestReviewBug_SequentialCheckMemoCollision(t *testing.T) {
	o := &scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{
		{Agent: "A", Input: "put:a", Output: true, Call: 1, Return: 2},
		{Agent: "B", Input: "put:a a", Output: true, Call: 3, Return: 4},
		{Agent: "C", Input: "len", Output: 2, Call: 5, Return: 6},
		{Agent: "C", Input: "get", Output: "a a", Call: 7, Return: 8},
		{Agent: "C", Input: "get", Output: "a", Call: 9, Return: 10},
	}}
	if err := scenarios.CheckLinearizable(o, strQueue(), time.Second); err != nil {
		t.Errorf("a sequentially consistent history is rejected: %v", err)
	}
}

// TestReviewBug_SequentialCheckIgnoresBudget: CheckLinearizable's doc says
// "a search cut short by the budget is an error too (the verdict is
// unknown, never a guess)", but for a Weak outcome the budget is not
// passed to the sequential-consistency search at all: a history of 4
// agents × 6 operations over a spec whose state records the order
// (so the memo never hits) and that no order satisfies runs for minutes
// with a budget of 100 ms. Expected: an "undecided" error soon after the
// budget. (Run in a child process, killed after 10 s.)
func TestReviewBug_SequentialCheckIgnoresBudget(t *testing.T) {
	if os.Getenv("SABRE_REVIEW_CHILD") == "budget" {
		spec := porcupine.Model{
			Init: func() any { return "" },
			Step: func(state, in, out any) (bool, any) {
				s := state.(string) + in.(string)
				return !strings.HasSuffix(in.(string), "!"), s
			},
		}
		o := &scenarios.Outcome{Weak: true}
		clock := int64(0)
		for a := range 4 {
			for i := range 6 {
				in := fmt.Sprintf("%c%d,", 'A'+a, i)
				if a == 3 && i == 5 {
					in = "never!"
				}
				clock += 2
				o.Operations = append(o.Operations, scenarios.Operation{Agent: fmt.Sprint(a), Input: in, Output: 0, Call: clock - 1, Return: clock})
			}
		}
		err := scenarios.CheckLinearizable(o, spec, 100*time.Millisecond)
		fmt.Println("returned:", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestReviewBug_SequentialCheckIgnoresBudget$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SABRE_REVIEW_CHILD=budget")
	start := time.Now()
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("CheckLinearizable(weak outcome, budget 100ms) had not returned after %v", time.Since(start).Round(time.Second))
	}
	if !strings.Contains(string(out), "returned:") {
		t.Fatalf("child: %s", out)
	}
}

// TestReviewBug_StressCancelIsNotADeadlock: cancelling the context of a
// stress run while an iteration's agents are still running (Ctrl-C, a
// caller's deadline) records a FailDeadlock failure ("had not ended when
// the run was cancelled"), so StressReport.Failed() is true and the run
// looks like it found a deadlock. Stress's doc: "ctx's end stops the run
// early, reported" — a cancelled run of a correct scenario should not
// fail. Expected: no failure (or at least one Failed ignores).
func TestReviewBug_StressCancelIsNotADeadlock(t *testing.T) {
	sc := &scenarios.Scenario{
		Name: "busy",
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			for _, name := range []string{"P0", "P1"} {
				w.Agent(name, func(a *shared.Agent) error {
					v, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					for range 300_000 { // some tens of milliseconds of work
						if _, err := atomics.Add(v, 0, 1); err != nil {
							return err
						}
					}
					return nil
				})
			}
			return nil
		},
	}
	g := &scenarios.Grading{Model: "es2024", Allowed: map[string]bool{}, SC: map[string]bool{}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	rep, err := scenarios.Stress(ctx, sc, scenarios.StressOptions{Iterations: 3, Grading: g})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		for _, f := range rep.Failures {
			t.Errorf("cancelled run of a correct scenario reports a failure: %v", f)
		}
	}
}

// TestReviewBug_OutcomeKeyCollides: Outcome.Key is what explorations
// deduplicate outcomes by and what stress runs grade by, but it is not
// injective: report keys are written unescaped ("%s=%d "), so a key
// holding "=" and a space makes two different outcomes print alike, and a
// stressed outcome the model forbids can be graded by an allowed one's
// key. Expected: different Values give different Keys (quote the keys,
// as Errors' values are quoted).
func TestReviewBug_OutcomeKeyCollides(t *testing.T) {
	a := &scenarios.Outcome{Values: map[string]int64{"P0:a": 1, "P0:b": 2}}
	b := &scenarios.Outcome{Values: map[string]int64{"P0:a=1 P0:b": 2}}
	if a.Key() == b.Key() {
		t.Errorf("different outcomes share the key %q", a.Key())
	}
}

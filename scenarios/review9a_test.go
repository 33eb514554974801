package scenarios_test

import (
	"context"
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

// sbMixed is store buffering with seq-cst accesses of mixed sizes: P0
// stores x as an Int32 and P1 loads x as an Int16 (bytes 0–1), and the
// same on y. ECMA-262 (Data Races, 29.7.x) makes two seq-cst events with
// overlapping but unequal ranges a data race, so SC-DRF does not apply.
func sbMixed() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "SB+sc+mixed",
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 8)
			for i, name := range []string{"P0", "P1"} {
				w.Agent(name, func(a *shared.Agent) error {
					v32, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					v16, err := shared.View(buf.For(a), shared.Int16)
					if err != nil {
						return err
					}
					if _, err := atomics.Store(v32, i, 1); err != nil {
						return err
					}
					r, err := atomics.Load(v16, 2*(1-i))
					w.Report(a, "r", r)
					return err
				})
			}
			return nil
		},
	}
}

// TestReviewBug_SCDRFMixedSizes: SCDRF must not claim Complete for a
// program whose seq-cst accesses of mixed sizes race, unless it reaches
// every outcome Exhaustive does.
func TestReviewBug_SCDRFMixedSizes(t *testing.T) {
	ex := run(t, sbMixed(), scenarios.Options{Strategy: scenarios.Exhaustive(0), MaxFailures: 1000})
	drf := run(t, sbMixed(), scenarios.Options{Strategy: scenarios.SCDRF(), MaxFailures: 1000})
	t.Logf("exhaustive: complete %v, %d outcomes %v, %d failures; sc-drf: complete %v, %d outcomes %v, %d failures",
		ex.Complete, len(ex.Outcomes), keys(ex), len(ex.Failures), drf.Complete, len(drf.Outcomes), keys(drf), len(drf.Failures))
	if drf.Complete && !slices.Equal(keys(ex), keys(drf)) {
		t.Errorf("SCDRF claims Complete with outcomes %v, but Exhaustive reaches %v", keys(drf), keys(ex))
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

// TestReviewBug_StressCancelledContext: Stress's doc says "ctx's end stops
// the run early, reported" and "Errors are for bad arguments only"; with
// ctx already cancelled it should return a report (0 iterations), not an
// error.
func TestReviewBug_StressCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := scenarios.Stress(ctx, sbAtomic(), scenarios.StressOptions{Iterations: 10})
	if err != nil {
		t.Fatalf("Stress with a cancelled context: error %v; want a report", err)
	}
	if rep.Grading != nil && rep.Grading.AllowedComplete {
		t.Errorf("grading under a cancelled context claims a complete allowed set: %s", rep.Grading.Note)
	}
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

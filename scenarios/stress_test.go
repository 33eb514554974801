package scenarios_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/shared"
)

func stress(t *testing.T, sc *scenarios.Scenario, opt scenarios.StressOptions) *scenarios.StressReport {
	t.Helper()
	rep, err := scenarios.Stress(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func rowSum(rep *scenarios.StressReport) int {
	n := 0
	for _, r := range rep.Rows {
		n += r.Count
	}
	return n
}

// TestStressLitmusScenario stresses a litmus test's Go scenario graded by
// exhaustive explorations: complete sets, no failure, every outcome
// ACCEPTABLE or INTERESTING and in the explorer's set, counts adding up.
func TestStressLitmusScenario(t *testing.T) {
	sc := catalogueTest(t, "SB+na").Scenario()
	rep := stress(t, sc, scenarios.StressOptions{Iterations: 300, Jitter: 50, Affinity: true})
	g := rep.Grading
	if !g.AllowedComplete || !g.SCComplete || len(g.Allowed) != 4 || len(g.SC) != 3 {
		t.Fatalf("grading: %+v", g)
	}
	if rep.Failed() || len(rep.Failures) > 0 || rep.Iterations != 300 || rowSum(rep) != 300 {
		t.Fatalf("failed %v, failures %v, %d iterations, rows count %d", rep.Failed(), rep.Failures, rep.Iterations, rowSum(rep))
	}
	for _, r := range rep.Rows {
		if !g.Allowed[r.Key] || (r.Grade != scenarios.Acceptable && r.Grade != scenarios.Interesting) || r.Outcome == nil {
			t.Errorf("row %+v", r)
		}
	}
}

// TestStressForbiddenIsReported: with a deliberately wrong grading (a
// complete allowed set holding one outcome the scenario never produces),
// every outcome seen is FORBIDDEN, with the iteration that first produced
// it, and the run fails.
func TestStressForbiddenIsReported(t *testing.T) {
	sc := catalogueTest(t, "MP+na").Scenario()
	g := &scenarios.Grading{Allowed: map[string]bool{"P1:r0=7": true}, AllowedComplete: true, Note: "a wrong set"}
	rep := stress(t, sc, scenarios.StressOptions{Iterations: 50, Grading: g})
	if !rep.Failed() || rep.Count(scenarios.Forbidden) != 50 {
		t.Fatalf("failed %v, %d forbidden", rep.Failed(), rep.Count(scenarios.Forbidden))
	}
	for _, r := range rep.Rows {
		if r.First < 0 || r.First >= 50 || !strings.Contains(r.Note, "a wrong set") {
			t.Errorf("row %+v", r)
		}
	}
	// Grading by the sets alone.
	cases := []struct {
		g    *scenarios.Grading
		want scenarios.Grade
	}{
		{&scenarios.Grading{Allowed: map[string]bool{"k": true}, SC: map[string]bool{}, SCComplete: true}, scenarios.Interesting},
		{&scenarios.Grading{Allowed: map[string]bool{"k": true}, SC: map[string]bool{}}, scenarios.Acceptable},
		{&scenarios.Grading{Allowed: map[string]bool{"k": true}, SC: map[string]bool{"k": true}, SCComplete: true}, scenarios.Acceptable},
		{&scenarios.Grading{AllowedComplete: true}, scenarios.Forbidden},
		{&scenarios.Grading{}, scenarios.Unknown},
		{&scenarios.Grading{SC: map[string]bool{"k": true}}, scenarios.Acceptable},
		{nil, scenarios.Unknown},
	}
	for i, c := range cases {
		if got := c.g.Grade("k"); got != c.want {
			t.Errorf("case %d: %s, want %s", i, got, c.want)
		}
	}
}

// TestStressCheckFailure: an outcome the scenario's Check rejects is
// FORBIDDEN and a FailCheck failure of the iteration that produced it;
// when the scenario exists to show that failure (Fails), it is expected
// and the run does not fail.
func TestStressCheckFailure(t *testing.T) {
	for _, fails := range []scenarios.FailureKind{"", scenarios.FailCheck} {
		sc := catalogueTest(t, "MP+na").Scenario()
		sc.Fails = fails
		sc.Check = func(o *scenarios.Outcome) error {
			if o.Values["P1:r0"] == o.Values["P1:r1"] {
				return errors.New("the two reads agree")
			}
			return nil
		}
		g := &scenarios.Grading{Allowed: map[string]bool{}} // incomplete: the Check decides
		rep := stress(t, sc, scenarios.StressOptions{Iterations: 200, Grading: g})
		if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailCheck || rep.Failures[0].Outcome == nil ||
			!strings.Contains(rep.Failures[0].Message, "agree") {
			t.Fatalf("fails %q: failures %v", fails, rep.Failures)
		}
		f := rep.Failures[0]
		if f.Expected != (fails != "") || rep.Failed() != (fails == "") {
			t.Errorf("fails %q: expected %v, run failed %v", fails, f.Expected, rep.Failed())
		}
		if rep.Iterations != f.Iteration+1 {
			t.Errorf("the run went on after its failure: %d iterations, failure at %d", rep.Iterations, f.Iteration)
		}
		var found bool
		for _, r := range rep.Rows {
			if r.Key == f.Outcome.Key() {
				found = true
				if r.Grade != scenarios.Forbidden || r.Expected != (fails != "") || !strings.Contains(r.Note, "agree") {
					t.Errorf("row %+v", r)
				}
			}
		}
		if !found {
			t.Errorf("no row for the failed outcome")
		}
	}
}

// TestStressOperations: operations recorded with World.Call are in each
// stressed outcome, so Check can run CheckLinearizable on every iteration.
func TestStressOperations(t *testing.T) {
	sc := counter(false)
	checked := 0
	check := sc.Check
	sc.Check = func(o *scenarios.Outcome) error {
		checked++
		if len(o.Operations) != 2 {
			return errors.New("not two operations")
		}
		for _, op := range o.Operations {
			if op.Call <= 0 || op.Return <= op.Call || op.Output == nil {
				return errors.New("an operation without its instants or output")
			}
		}
		return check(o)
	}
	g, err := scenarios.StressGrade(context.Background(), sc, model.ES2024, 0)
	if err != nil || !g.AllowedComplete {
		t.Fatalf("grading %+v, %v", g, err)
	}
	checked = 0 // the explorations checked their outcomes too
	rep := stress(t, sc, scenarios.StressOptions{Iterations: 200, Grading: g})
	if len(rep.Failures) > 0 || checked != 200 {
		t.Fatalf("failures %v, %d checked", rep.Failures, checked)
	}
	if len(rep.Rows) == 0 || rep.Rows[0].Outcome == nil || len(rep.Rows[0].Outcome.Operations) != 2 {
		t.Fatalf("rows %+v", rep.Rows)
	}
}

// TestStressSampledChecks: sampled iterations are recorded and checked;
// conformance holds on MP+na, and the race check (asked for) finds the
// data races of 2+2W+na (both agents write both locations with plain
// stores: a race whatever the order) — a failure of the first sampled
// iteration.
func TestStressSampledChecks(t *testing.T) {
	sc := catalogueTest(t, "MP+na").Scenario()
	g := &scenarios.Grading{Allowed: map[string]bool{}}
	rep := stress(t, sc, scenarios.StressOptions{Iterations: 20, Sample: 5, Grading: g})
	if rep.Sampled != 4 || len(rep.Failures) > 0 {
		t.Fatalf("sampled %d, failures %v", rep.Sampled, rep.Failures)
	}
	sc = catalogueTest(t, "2+2W+na").Scenario()
	rep = stress(t, sc, scenarios.StressOptions{Iterations: 20, Sample: 5, Grading: g, Checks: []checker.Check{checker.Race}})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailCheck || rep.Failures[0].Iteration != 0 ||
		!strings.Contains(rep.Failures[0].Message, "race") {
		t.Fatalf("failures %v", rep.Failures)
	}
}

// TestStressWatchdog: an agent that waits forever is reported as a
// deadlock of its iteration (with the agent's name), the run ends, and the
// runner's notifications unwind the agent (goleak checks it ended).
func TestStressWatchdog(t *testing.T) {
	sc := &scenarios.Scenario{Name: "sleeper", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 8)
		w.Agent("sleeper", func(a *shared.Agent) error {
			v, err := shared.View(buf.For(a), shared.Int32)
			if err != nil {
				return err
			}
			_, err = atomics.Wait(v, 1, 0, atomics.Forever)
			return err
		})
		return nil
	}}
	rep := stress(t, sc, scenarios.StressOptions{Iterations: 1000, IterationTimeout: 50 * time.Millisecond, Grading: &scenarios.Grading{}})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailDeadlock || !strings.Contains(rep.Failures[0].Message, "sleeper") {
		t.Fatalf("failures %v", rep.Failures)
	}
	if rep.Iterations != 1 || rep.Abandoned || !rep.Failed() {
		t.Fatalf("%d iterations, abandoned %v, failed %v", rep.Iterations, rep.Abandoned, rep.Failed())
	}
}

// TestStressAbandoned: an agent no notification unwinds (a Queue get that
// nothing feeds) is abandoned, and said to be.
func TestStressAbandoned(t *testing.T) {
	var q *shared.Queue
	sc := &scenarios.Scenario{Name: "getter", Setup: func(w *scenarios.World) error {
		q = w.Queue(1)
		w.Agent("getter", func(a *shared.Agent) error {
			_, err := q.For(a).Get(context.Background())
			return err
		})
		return nil
	}}
	rep := stress(t, sc, scenarios.StressOptions{Iterations: 10, IterationTimeout: 20 * time.Millisecond, Grading: &scenarios.Grading{}})
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailDeadlock || !rep.Abandoned {
		t.Fatalf("failures %v, abandoned %v", rep.Failures, rep.Abandoned)
	}
	if err := q.PutNowait(1); err != nil { // let the getter end (goleak)
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
}

// TestStressSetupAndMisuse: a Setup error, a panic in Setup and a World
// call from an agent are failures (FailSetup) that end the run.
func TestStressSetupAndMisuse(t *testing.T) {
	for name, setup := range map[string]func(w *scenarios.World) error{
		"error": func(w *scenarios.World) error { return errors.New("no world today") },
		"panic": func(w *scenarios.World) error { panic("boom") },
		"late": func(w *scenarios.World) error {
			w.Agent("P0", func(a *shared.Agent) error {
				if w.Buffer("late", 4) != nil {
					return errors.New("a buffer after Setup")
				}
				return nil
			})
			return nil
		},
		"two buffers": func(w *scenarios.World) error {
			w.Buffer("m", 4)
			w.Buffer("m", 4)
			return nil
		},
	} {
		rep := stress(t, &scenarios.Scenario{Name: name, Setup: setup}, scenarios.StressOptions{Iterations: 10, Grading: &scenarios.Grading{}})
		if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailSetup || rep.Iterations != 1 {
			t.Errorf("%s: %d iterations, failures %v", name, rep.Iterations, rep.Failures)
		}
	}
}

// TestStressBadInput: bad arguments are errors, not panics or hangs.
func TestStressBadInput(t *testing.T) {
	ok := catalogueTest(t, "MP+na").Scenario()
	for _, c := range []struct {
		sc   *scenarios.Scenario
		opt  scenarios.StressOptions
		want string
	}{
		{nil, scenarios.StressOptions{}, "nil Scenario"},
		{&scenarios.Scenario{Name: "x"}, scenarios.StressOptions{}, "nil Scenario or Setup"},
		{ok, scenarios.StressOptions{Iterations: -1}, "Iterations -1"},
		{ok, scenarios.StressOptions{Duration: -1}, "Duration -1ns"},
		{ok, scenarios.StressOptions{Jitter: -1}, "Jitter -1"},
		{ok, scenarios.StressOptions{IterationTimeout: -1}, "IterationTimeout"},
		{ok, scenarios.StressOptions{MaxFailures: -1}, "MaxFailures"},
		{ok, scenarios.StressOptions{Sample: -1}, "Sample"},
		{ok, scenarios.StressOptions{ExploreBudget: -1}, "ExploreBudget"},
		{ok, scenarios.StressOptions{Checks: []checker.Check{"nope"}}, `unknown check "nope"`},
		{&scenarios.Scenario{Setup: ok.Setup, Expect: []scenarios.Expectation{{Name: "e"}}}, scenarios.StressOptions{}, "no Match"},
	} {
		rep, err := scenarios.Stress(context.Background(), c.sc, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Stress(%+v): %v, %v; want an error containing %q", c.opt, rep, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := scenarios.Stress(ctx, ok, scenarios.StressOptions{Iterations: 1 << 30, Grading: &scenarios.Grading{}})
	if err != nil || rep.Iterations != 0 {
		t.Fatalf("a cancelled run: %+v, %v", rep, err)
	}
}

// TestStressGradeStepBudget: an exploration whose executions reached the
// step budget (a spin loop) grades with an incomplete set, even when the
// explorer calls it complete, so that longer spins are UNKNOWN rather than
// FORBIDDEN; a loop-free scenario's sets are complete.
func TestStressGradeStepBudget(t *testing.T) {
	g, err := scenarios.StressGrade(context.Background(), examples.SpinSCFlag(), model.ES2024, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.AllowedComplete || g.SCComplete || !strings.Contains(g.Note, "reached the step budget") {
		t.Errorf("Spin+sc-flag: %+v", g)
	}
	rep, err := scenarios.Run(context.Background(), examples.SpinSCFlag(), scenarios.Options{})
	if err != nil || !rep.Complete || rep.Stats.StepBudget == 0 {
		t.Errorf("Spin+sc-flag's exploration: complete %v, %d executions at the step budget, %v", rep.Complete, rep.Stats.StepBudget, err)
	}
	g, err = scenarios.StressGrade(context.Background(), examples.MPWaitNotify(), model.ES2024, 0)
	if err != nil || !g.AllowedComplete || !g.SCComplete {
		t.Errorf("MP+wait-notify: %+v, %v", g, err)
	}
}

//go:build unix

package main

import (
	"path/filepath"
	"testing"
	"time"
)

// Endless JS code outside an agent's function must be stopped by a budget
// and reported, never hang (issue 10: "an agent over its budget is
// interrupted … and reported"; docs/js.md: a busy loop is interrupted
// after ScenarioOptions.AgentBudget, default 30 s). Agents' loops are
// (the explorer's stall timeout, 10 s), but two other places run the
// user's JS with no budget at all. The real program runs in a subprocess
// (killed when over the limit), since the looping goroutine cannot be
// stopped from outside. The limit, 150 s, is five times the default
// agent budget: the point is "ends at all", not a speed.

// TestReviewRun_TopLevelLoopHangs: js.Scenario's probe evaluates the
// top-level code (js/scenario.go probe: newEvaluation, e.run) with no
// interrupt: "for(;;){}" at top level makes sabre run hang forever.
// Expected: the probe is interrupted after the budget and sabre run exits
// 2 (bad input: a top-level exception) saying so.
func TestReviewRun_TopLevelLoopHangs(t *testing.T) {
	t.Parallel()
	bin := reviewBinary(t)
	f := writeFile(t, t.TempDir(), "top.js", "for (;;) {}\nsabre.agent(\"a\", () => {});\n")
	cmd, out, errb, wait := reviewStart(t, bin, "run", f)
	if !wait(150 * time.Second) {
		t.Fatalf("sabre run %s: a top-level busy loop is never interrupted: still running after 150 s (killed); stdout %q stderr %q", filepath.Base(f), out, errb)
	}
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("exit %d, want 2; stderr %q", code, errb)
	}
}

// TestReviewRun_PredicateLoopHangs: sabre.forbid/allow/require predicates
// run in the judge runtime (js/scenario.go judge) with no interrupt, under
// a mutex: a predicate that loops makes sabre run hang forever (and would
// block every other judging goroutine behind the mutex). Expected: the
// predicate is interrupted after a budget and reported as a failure (exit
// 1) or bad input (exit 2).
func TestReviewRun_PredicateLoopHangs(t *testing.T) {
	t.Parallel()
	bin := reviewBinary(t)
	f := writeFile(t, t.TempDir(), "pred.js", "sabre.agent(\"a\", () => { sabre.observe({ x: 1 }); });\nsabre.forbid(o => { for (;;) {} }, \"loops\");\n")
	cmd, out, errb, wait := reviewStart(t, bin, "run", f)
	if !wait(150 * time.Second) {
		t.Fatalf("sabre run %s: a looping forbid predicate is never interrupted: still running after 150 s (killed); stdout %q stderr %q", filepath.Base(f), out, errb)
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 && code != 2 {
		t.Fatalf("exit %d, want 1 or 2; stderr %q", code, errb)
	}
}

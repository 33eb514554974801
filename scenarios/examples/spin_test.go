package examples_test

import (
	"bytes"
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// spinSteps is the step budget of the spin tests: enough for dozens of
// stale reads. Exhaustive exploration of a spin loop takes about
// 2·MaxSteps executions of up to MaxSteps steps, each weak read checked
// against the model, so the budget is kept small.
const spinSteps = 64

// The spin scenarios' agent slots (main is 0; agents in declared order).
const (
	spinWriter  = 1
	spinSpinner = 2
)

// staleSpin checks that f, a livelock of a spin scenario, is the spinner
// reading the stale 0 on and on after the writer has run to its end: the
// writer's three steps (begin, store, end) come first, then at least
// spinSteps/2 reads of the spinner that each returned 0 where the default
// — the latest write in the schedule, the writer's 1 — was overridden.
func staleSpin(t *testing.T, f *scenarios.Failure) {
	t.Helper()
	writerSteps, writerDone, stale := 0, -1, 0
	for i, st := range f.Schedule {
		switch st.Agent {
		case spinWriter:
			writerSteps++
			writerDone = i
		case spinSpinner:
			if st.Value != nil && bytes.Equal(st.Value, []byte{0, 0, 0, 0}) && writerDone >= 0 && writerSteps == 3 {
				stale++
			}
		}
	}
	if writerSteps != 3 {
		t.Errorf("livelock schedule %s: the writer took %d steps, want 3 (begin, store, end): the schedule is not fair to it", f.Schedule, writerSteps)
	}
	if stale < spinSteps/2 {
		t.Errorf("livelock schedule %s: %d reads of the stale 0 after the writer's end, want at least %d", f.Schedule, stale, spinSteps/2)
	}
}

// TestSpinNAFlagLivelock: the explorer reports Spin+na-flag's spin loop
// on a plain flag as a livelock — an allowed prefix in which the writer has
// stored 1 and ended, and every one of the spinner's plain reads still
// returns 0 — and replaying the failure reproduces it.
func TestSpinNAFlagLivelock(t *testing.T) {
	opt := scenarios.Options{Model: model.ES2024, MaxSteps: spinSteps}
	rep := explore(t, examples.SpinNAFlag(), opt)
	f := onlyFailure(t, rep, scenarios.FailLivelock)
	t.Logf("%s: %+v; %v", rep.Scenario, rep.Stats, f.Kind)
	staleSpin(t, f)
	// The executions that end are reached too, with any number of spins.
	spins := map[int64]bool{}
	for _, o := range rep.Outcomes {
		if s, ok := o.Values["spinner:spins"]; ok {
			spins[s] = true
		}
	}
	if !spins[0] || !spins[1] {
		t.Errorf("the outcomes with 0 and 1 spins are not both reached: %v", spins)
	}
	mustReplay(t, examples.SpinNAFlag, opt, f)
}

// TestSpinSCFlagEnds: with Atomics.load the model's liveness clause
// forbids spinning forever (ECMA-262's memory model, "Sequentially
// Consistent Atomics"), and the explorer applies it: no livelock, the
// exploration is complete, and the loop ends after any number of stale
// reads the step budget allows — the stale reads are reached, not ruled out.
func TestSpinSCFlagEnds(t *testing.T) {
	opt := scenarios.Options{Model: model.ES2024, MaxSteps: spinSteps}
	rep := explore(t, examples.SpinSCFlag(), opt)
	if len(rep.Failures) != 0 || !rep.Complete {
		t.Fatalf("failures %v, complete %v", rep.Failures, rep.Complete)
	}
	most := int64(0)
	for _, o := range rep.Outcomes {
		most = max(most, o.Values["spinner:spins"])
	}
	if most < 10 {
		t.Errorf("at most %d stale reads before the loop ended: the stale reads are not explored", most)
	}
}

package examples_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// stressIterations is the primitives' stress runs' length:
// SABRE_PRIM_STRESS iterations each if set, else a few hundred (go test
// -race stays short).
func stressIterations(t *testing.T) int {
	if s := os.Getenv("SABRE_PRIM_STRESS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("SABRE_PRIM_STRESS=%q: want a positive number of iterations", s)
		}
		return n
	}
	return 300
}

// TestPrimitivesUnderStress runs every correct primitive on real
// goroutines (scenarios.Stress): every iteration's operations must be
// linearizable against the primitive's specification (its Check, by
// World.Call's instants, which are real time here), every tenth
// iteration is recorded and checked for data races and model
// conformance, and no iteration may deadlock (the watchdog: a lost
// wake-up leaves an agent asleep).
func TestPrimitivesUnderStress(t *testing.T) {
	n := stressIterations(t)
	for _, sc := range []*scenarios.Scenario{
		examples.MutexCounter(3, 2),
		examples.ConditionQueue(2, 2),
		examples.ConditionBroadcast(3),
		examples.BarrierPhases(3, 3),
		examples.RingSPSCSized(2, 6, true),
		examples.RingSPSCSized(2, 6, false),
		examples.SeqlockSized(2, 3, 2),
		examples.RWLockSized(2, 1, 2),
	} {
		t.Run(sc.Name, func(t *testing.T) {
			if sc.Check == nil || len(sc.Checks) == 0 {
				t.Fatalf("%s: no Check (linearizability) or no Checks (races): the run would check nothing", sc.Name)
			}
			rep, err := scenarios.Stress(context.Background(), sc, scenarios.StressOptions{
				Iterations: n,
				Jitter:     64,
				Sample:     10,
				// Grading by exhaustive exploration does not finish on
				// these loops: outcomes are judged by Check and the
				// sampled checks only.
				Grading: &scenarios.Grading{Model: "es2024", Note: "not graded: checked by linearizability, races and conformance"},
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Failures {
				t.Errorf("%s: iteration %d: %v: %s", sc.Name, f.Iteration, f.Kind, f.Message)
			}
			if rep.Iterations != n || rep.Sampled == 0 {
				t.Fatalf("%s: %d iterations (want %d), %d sampled", sc.Name, rep.Iterations, n, rep.Sampled)
			}
		})
	}
}

// TestBuggyPrimitivesUnderStress: stress catches the buggy primitives
// whose bug is a data race in every execution (the sampled iterations'
// race check finds it whatever the timing) within a short run. With
// SABRE_PRIM_STRESS set it runs every buggy variant that long and logs
// the iteration that caught each (timing-dependent bugs — lost wake-ups,
// torn reads — show only when the real interleaving hits them).
func TestBuggyPrimitivesUnderStress(t *testing.T) {
	always := []*scenarios.Scenario{examples.RingIndexBeforeData(), examples.RingPlainIndex()}
	n := 100
	if os.Getenv("SABRE_PRIM_STRESS") != "" {
		n = stressIterations(t)
		always = append(always, examples.SeqlockPlainData(), examples.MutexForgetsContended(), examples.MutexUnlockCheckThenStore(),
			examples.MutexTestThenSet(), examples.ConditionSeqAfterUnlock(), examples.BarrierNoGeneration(),
			examples.BarrierWakeBeforeReset(), examples.SeqlockPlainNoRecheck(), examples.RWLockNoDrain(),
			examples.RWLockLostWakeup())
	}
	for i, sc := range always {
		rep, err := scenarios.Stress(context.Background(), sc, scenarios.StressOptions{
			Iterations: n, Jitter: 64, Sample: 10, IterationTimeout: 200 * time.Millisecond,
			Grading: &scenarios.Grading{Model: "es2024"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Failures) == 0 {
			if i < 2 {
				t.Errorf("%s: not caught in %d stressed iterations", sc.Name, rep.Iterations)
			} else {
				t.Logf("%s: not caught in %d stressed iterations", sc.Name, rep.Iterations)
			}
			continue
		}
		f := rep.Failures[0]
		if !f.Expected {
			t.Errorf("%s: failure %v not marked expected (Scenario.Fails is %v): %s", sc.Name, f.Kind, sc.Fails, f.Message)
		}
		t.Logf("%s: caught at iteration %d: %v", sc.Name, f.Iteration, f.Kind)
	}
}

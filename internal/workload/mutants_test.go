//go:build sabre_mutants

package workload

import (
	"testing"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mutant"
)

// currentMutant is the mutant in force.
func currentMutant() mutant.Mutant { return mutant.Current() }

// maxRuns bounds how often a workload is repeated under its mutant before
// the test gives up on seeing the symptom.
const maxRuns = 200

// TestMutantsShowTheirFault runs each mutant's workload with the mutant in
// force until its history shows the mutant's symptom (Case.Expose: at most
// maxRuns runs, seeds 1, 2, …), and logs how many runs it took. The history must
// still be valid (Validate): a mutant corrupts what the core does, never
// how it is recorded. This proves the hooks work before the checkers
// exist.
func TestMutantsShowTheirFault(t *testing.T) {
	for _, c := range Cases() {
		t.Run(string(c.Mutant), func(t *testing.T) {
			start := time.Now()
			h, runs, msg, err := c.Expose(Config{}, maxRuns)
			if err != nil {
				t.Fatal(err)
			}
			if err := h.Validate(); err != nil {
				t.Fatalf("the history is invalid: %v", err)
			}
			if got, bad := c.Symptom(h); !bad || got != msg {
				t.Fatalf("Expose's history: symptom %q, %v; Expose said %q", got, bad, msg)
			}
			if mutant.Current() != "" {
				t.Fatalf("Expose left %s in force", mutant.Current())
			}
			t.Logf("%s: symptom in run %d (%v, %d events): %s", c.Mutant, runs, time.Since(start), len(h.Events), msg)
		})
	}
}

// TestExposeErrors: Expose refuses an incomplete Case and maxRuns < 1.
func TestExposeErrors(t *testing.T) {
	c, _ := ForMutant(mutant.LoadStale)
	for _, bad := range []struct {
		c    Case
		runs int
	}{{Case{Name: "empty"}, 1}, {c, 0}, {Case{Name: "unknown", Run: c.Run, Symptom: c.Symptom, Mutant: "NoSuchMutant"}, 1}} {
		if _, _, _, err := bad.c.Expose(Config{}, bad.runs); err == nil {
			t.Errorf("Expose(%q, %d) did not fail", bad.c.Name, bad.runs)
		}
	}
	// A symptom that never shows: an error after maxRuns runs, and the mutant restored.
	never := c
	never.Symptom = func(*history.History) (string, bool) { return "", false }
	if _, runs, _, err := never.Expose(Config{Iterations: 2}, 3); err == nil || runs != 3 {
		t.Errorf("Expose with a symptom that never shows: %d runs, %v", runs, err)
	}
	if mutant.Current() != "" {
		t.Errorf("%s left in force", mutant.Current())
	}
}

// TestEveryWorkloadTerminatesUnderEveryMutant runs every workload once
// under every mutant: each must return (bounded spins, timeouts) with a
// valid history, well within a few seconds.
func TestEveryWorkloadTerminatesUnderEveryMutant(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every workload under every mutant")
	}
	seen := map[string]bool{}
	for _, m := range mutant.All() {
		for _, c := range Cases() {
			if seen[c.Name+"/"+string(m)] {
				continue
			}
			seen[c.Name+"/"+string(m)] = true
			restore := mutant.Set(m)
			start := time.Now()
			h, err := c.Run(Config{})
			d := time.Since(start)
			restore()
			if err != nil {
				t.Errorf("%s under %s: %v", c.Name, m, err)
				continue
			}
			if err := h.Validate(); err != nil {
				t.Errorf("%s under %s: invalid history: %v", c.Name, m, err)
			}
			if d > 5*time.Second {
				t.Errorf("%s under %s took %v", c.Name, m, d)
			}
		}
	}
}

// TestCleanAfterRestore: once a mutant is restored, the workloads are
// clean again.
func TestCleanAfterRestore(t *testing.T) {
	for _, c := range Cases() {
		mutant.Set(c.Mutant)()
		h, err := c.Run(Config{})
		if err != nil {
			t.Fatal(err)
		}
		checkClean(t, c.Name, h)
	}
}

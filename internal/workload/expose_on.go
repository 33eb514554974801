//go:build sabre_mutants

package workload

import (
	"fmt"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mutant"
)

// Expose puts c.Mutant in force (mutant.Set; it restores the previous one
// before it returns) and runs c's workload with cfg (zero fields: c's
// defaults), seeds cfg.Seed, cfg.Seed+1, …, until a history shows c's
// symptom, at most maxRuns times. It returns that history, the number of
// runs it took and the symptom's description; an error if no run showed
// it, or a run failed. Built without the tag sabre_mutants it returns
// ErrNoMutants.
//
// The mutant is in force process-wide while Expose runs: it must not run
// in parallel with anything that expects the real core.
func (c Case) Expose(cfg Config, maxRuns int) (*history.History, int, string, error) {
	if c.Run == nil || c.Symptom == nil || !c.Mutant.Known() {
		return nil, 0, "", fmt.Errorf("workload: Expose of an incomplete Case %q (Run, Symptom and a known Mutant are needed)", c.Name)
	}
	if maxRuns < 1 {
		return nil, 0, "", fmt.Errorf("workload: Expose of %s with maxRuns %d: at least one run is needed", c.Name, maxRuns)
	}
	restore := mutant.Set(c.Mutant)
	defer restore()
	cfg = cfg.With(c.Default)
	for run := 1; run <= maxRuns; run++ {
		h, err := c.Run(cfg)
		if err != nil {
			return nil, run, "", fmt.Errorf("workload: %s under %s, run %d: %w", c.Name, c.Mutant, run, err)
		}
		if msg, bad := c.Symptom(h); bad {
			return h, run, msg, nil
		}
		cfg.Seed++
	}
	return nil, maxRuns, "", fmt.Errorf("workload: %s under %s showed no symptom in %d runs", c.Name, c.Mutant, maxRuns)
}

//go:build !sabre_mutants

package workload

import "github.com/sabre-mm/sabre/history"

// Expose runs c's workload under c.Mutant until its history shows c's
// symptom (see the build with the tag sabre_mutants). Built without the
// tag it returns ErrNoMutants.
func (c Case) Expose(cfg Config, maxRuns int) (*history.History, int, string, error) {
	return nil, 0, "", ErrNoMutants
}

//go:build !sabre_mutants

package mutant

import "testing"

// TestOff: without the build tag no mutant is ever in force.
func TestOff(t *testing.T) {
	if Enabled {
		t.Fatal("Enabled without the build tag")
	}
	for _, m := range all {
		if Is(m) || !m.Known() {
			t.Errorf("%s: Is %v, Known %v", m, Is(m), m.Known())
		}
	}
}

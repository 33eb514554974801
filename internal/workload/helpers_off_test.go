//go:build !sabre_mutants

package workload

import (
	"testing"

	"github.com/sabre-mm/sabre/internal/mutant"
)

// currentMutant is the mutant in force: none without the build tag.
func currentMutant() mutant.Mutant { return "" }

// TestExposeWithoutTag: without the build tag Expose says so.
func TestExposeWithoutTag(t *testing.T) {
	for _, c := range Cases() {
		if h, _, _, err := c.Expose(Config{}, 1); h != nil || err != ErrNoMutants {
			t.Errorf("%s: %v, %v", c.Name, h, err)
		}
	}
}

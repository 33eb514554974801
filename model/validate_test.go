package model

import (
	"errors"
	"strings"
	"testing"
)

// TestValidateLimits checks that Validate itself (not only Enumerate)
// enforces MaxOps and MaxCompareExchanges, and that the error names the
// first operation over the limit.
func TestValidateLimits(t *testing.T) {
	casOps := func(n int) []Op {
		ops := make([]Op, n)
		for i := range ops {
			ops[i] = cas("", 0, 0, 1)
			ops[i].Line = 100 + i
		}
		return ops
	}
	// at the limit: accepted
	if err := prog("cas12", 1, casOps(6), casOps(MaxCompareExchanges-6)).Validate(); err != nil {
		t.Fatalf("%d compareExchanges refused: %v", MaxCompareExchanges, err)
	}
	// one more: refused, naming the agent and op of compareExchange number 13
	err := prog("cas13", 1, casOps(6), casOps(MaxCompareExchanges-5)).Validate()
	var pe *ProgramError
	if !errors.As(err, &pe) {
		t.Fatalf("%d compareExchanges: got %v, want a *ProgramError", MaxCompareExchanges+1, err)
	}
	if pe.Agent != "P1" || pe.Op != MaxCompareExchanges-6 || pe.Line != 100+MaxCompareExchanges-6 ||
		!strings.Contains(pe.Msg, "compareExchange number 13") || !strings.Contains(pe.Msg, "MaxCompareExchanges") {
		t.Fatalf("error does not name the 13th compareExchange: %+v (%v)", pe, err)
	}
	// Enumerate reports Validate's error
	if _, err := Enumerate(prog("cas13", 1, casOps(MaxCompareExchanges+1)), ES2024); !errors.As(err, &pe) {
		t.Fatalf("Enumerate with %d compareExchanges: %v", MaxCompareExchanges+1, err)
	}

	loads := func(n int) []Op {
		ops := make([]Op, n)
		for i := range ops {
			ops[i] = ld("", 0, na)
		}
		return ops
	}
	if err := prog("ops64", 1, loads(MaxOps/2), loads(MaxOps/2)).Validate(); err != nil {
		t.Fatalf("%d operations refused: %v", MaxOps, err)
	}
	err = prog("ops65", 1, loads(MaxOps/2), loads(MaxOps/2+1)).Validate()
	if !errors.As(err, &pe) || pe.Agent != "P1" || pe.Op != MaxOps/2 || !strings.Contains(pe.Msg, "MaxOps") {
		t.Fatalf("%d operations: got %v, want a *ProgramError naming P1 op %d", MaxOps+1, err, MaxOps/2)
	}
}

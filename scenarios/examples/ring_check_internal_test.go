package examples

import (
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
)

// TestCheckSequential: on a Weak outcome, CheckLinearizable checks
// sequential consistency: per-agent order is kept, other orders are free,
// and a value no order explains is refused with the longest legal prefix.
func TestCheckSequential(t *testing.T) {
	spec := RegisterSpec(1)
	op := func(agent string, write bool, x int64, call, ret int64) scenarios.Operation {
		if write {
			return scenarios.Operation{Agent: agent, Input: RegisterOp{Write: true, Value: []int64{x}}, Output: RegisterResult{}, Call: call, Return: ret}
		}
		return scenarios.Operation{Agent: agent, Input: RegisterOp{}, Output: RegisterResult{Value: []int64{x}}, Call: call, Return: ret}
	}
	// The read of 0 returned after the write returned (in the instants), and
	// sequential consistency ignores instants across agents: legal.
	if err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{op("w", true, 1, 1, 2), op("r", false, 0, 3, 4)}}, spec, 0); err != nil {
		t.Errorf("stale across agents: %v", err)
	}
	// Within one agent the order holds: 1 then 0 with no second write.
	err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{op("w", true, 1, 1, 2), op("r", false, 1, 3, 4), op("r", false, 0, 5, 6)}}, spec, 0)
	if err == nil || !strings.Contains(err.Error(), "not sequentially consistent") {
		t.Errorf("1 then 0 in one agent: %v", err)
	}
	// An invented value.
	if err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{op("r", false, 7, 1, 2)}}, spec, 0); err == nil {
		t.Errorf("invented value accepted")
	}
	// Operations that never returned are left out.
	if err := scenarios.CheckLinearizable(&scenarios.Outcome{Weak: true, Operations: []scenarios.Operation{{Agent: "r", Input: RegisterOp{}}}}, spec, 0); err != nil {
		t.Errorf("a pending operation: %v", err)
	}
}

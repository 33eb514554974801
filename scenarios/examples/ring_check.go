package examples

import (
	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/scenarios"
)

// primitiveChecks are the checks every primitive's scenario runs on each
// allowed execution: data races (ECMA-262 #sec-data-races), by the
// execution's own reads-bytes-from (the schedule's, or the witness's for
// an execution with weak reads).
var primitiveChecks = []checker.Check{checker.Race}

// checkPrimitive is the ring buffer's, the seqlock's and the
// reader-writer lock's Check: their operations (recorded with
// scenarios.World.Call) against spec, the primitive's sequential
// specification — linearizability on executions in schedule order,
// sequential consistency on those with weak reads (see
// scenarios.CheckLinearizable).
func checkPrimitive(o *scenarios.Outcome, spec porcupine.Model) error {
	return scenarios.CheckLinearizable(o, spec, linBudget)
}

package examples

import (
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// SpinNAFlag returns "Spin+na-flag": a spin loop on an Unordered (plain)
// flag, which the memory model allows to spin forever, however fairly the
// agents are scheduled.
//
// Shape (buffer "m", one Int32 element, 0 at first):
//
//	writer:  m[0] = 1                             // plain store
//	spinner: spins = 0
//	         while m[0] != 1 { spins++ }          // plain reads
//
// Reports: "spinner:spins", the reads that returned 0 before one returned
// 1 (only in executions that end).
//
// Why spinning forever is allowed: an Unordered read's value is
// constrained only through happens-before (ECMA-262's memory model, Valid
// Executions: coherent reads forbid a read to take its bytes from a write
// it happens before, or from one that a later write to those bytes
// separates from it in happens-before). Nothing orders the writer's plain
// store before any of the spinner's reads — plain accesses never
// synchronize — so every read may return the initial 0, and so may the
// next: there is no coherence between reads of an Unordered location (a
// read may return 1 and the next 0 again), and the liveness clause of
// "Sequentially Consistent Atomics" (only finitely many equal-range reads
// memory-order-before a seq-cst write) speaks only of seq-cst writes. The
// spec's Shared Memory Guidelines say it outright: "hoisting non-atomic
// reads out of loops even if that affects termination" is a valid
// transformation, after which the loop never sees the store. The explorer
// reports the execution in which the writer has stored 1 and ended and
// every read still returns 0 as a livelock (scenarios.FailLivelock) once it
// reaches Options.MaxSteps: that prefix is allowed at every length.
//
// Its Scenario.MaxSteps is SpinMaxSteps: the exhaustive search reaches
// the livelock only after the executions that end after 0, 1, 2, … spins —
// about 2·MaxSteps executions of up to MaxSteps steps, every stale read
// checked against the model — so with the default 10,000 steps it would
// run for a very long time.
//
// Contrast SpinSCFlag, the same loop with Atomics.load: there the model's
// liveness clause forbids spinning forever, but the explorer, which
// checks finite prefixes only, cannot tell the two apart.
func SpinNAFlag() *scenarios.Scenario {
	return &scenarios.Scenario{
		Fails: scenarios.FailLivelock,
		Name:  "Spin+na-flag",
		Doc: "A spin loop on a plain (Unordered) flag: the memory model lets every plain read return the stale 0 " +
			"even when the writer's store has run (no happens-before, no coherence or progress guarantee for " +
			"Unordered reads), so the loop may spin forever under a fair schedule; the explorer reports a livelock.",
		MaxSteps: SpinMaxSteps,
		Setup:    func(w *scenarios.World) error { return spinSetup(w, false) },
	}
}

// spinSetup builds the spin world: the flag is read with Atomics.load if
// seqCst, with plain reads otherwise (the writer stores it the same way).
func spinSetup(w *scenarios.World, seqCst bool) error {
	buf := w.Buffer("m", 4)
	w.Agent("writer", func(a *shared.Agent) error {
		m, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return err
		}
		if seqCst {
			_, err = atomics.Store(m, 0, 1)
			return err
		}
		return m.SetInt(0, 1)
	})
	w.Agent("spinner", func(a *shared.Agent) error {
		m, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return err
		}
		var spins int64
		for {
			var f int64
			if seqCst {
				f, err = atomics.Load(m, 0)
			} else {
				f, err = m.GetInt(0)
			}
			if err != nil {
				return err
			}
			if f == 1 {
				break
			}
			spins++
		}
		w.Report(a, "spins", spins)
		return nil
	})
	return nil
}

// SpinMaxSteps is the step budget (Scenario.MaxSteps) of the spin
// examples' executions.
const SpinMaxSteps = 64

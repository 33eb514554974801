package examples

import "github.com/sabre-mm/sabre/scenarios"

// SpinSCFlag returns "Spin+sc-flag": SpinNAFlag with the flag stored by
// Atomics.store and read by Atomics.load.
//
// Shape (buffer "m", one Int32 element, 0 at first):
//
//	writer:  Atomics.store(m, 0, 1)
//	spinner: spins = 0
//	         while Atomics.load(m, 0) != 1 { spins++ }
//
// Reports: "spinner:spins" (in executions that end).
//
// The model forbids spinning forever here: the liveness clause of
// ECMA-262's "Sequentially Consistent Atomics" lets only finitely many
// equal-range reads be memory-order-before a seq-cst write, which "together
// with the forward progress guarantee on agents" makes the store visible
// to the loads in finite time. Every finite prefix that reads 0 is allowed
// (all its loads memory-order-before the store), so a bounded explorer
// cannot refute the infinite execution by its prefixes; it applies the
// clause instead: an execution cut at the step budget whose last weak
// reads are all seq-cst is no livelock (scenarios' notLivelock). The
// exhaustive exploration therefore ends without a failure, reaching every
// number of spins below the budget — where SpinNAFlag, whose plain reads
// the clause does not cover, is a livelock.
func SpinSCFlag() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "Spin+sc-flag",
		Doc: "SpinNAFlag's loop with Atomics.store/Atomics.load: the model's liveness clause makes it end, " +
			"and the explorer, which applies the clause to executions cut at the step budget, reports no livelock.",
		MaxSteps: SpinMaxSteps,
		Setup:    func(w *scenarios.World) error { return spinSetup(w, true) },
	}
}

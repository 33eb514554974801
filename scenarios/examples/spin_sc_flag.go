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
// to the loads in finite time. The explorer does
// not check that clause — it judges finite prefixes, and every finite
// prefix that reads 0 (all its loads memory-order-before the store) is
// allowed (docs/memory-model.md, "Liveness"; model's Limitations) — so it
// reports this scenario as a livelock too, just as SpinNAFlag: a livelock
// report means "the step budget ran out on an allowed prefix", not "the
// model allows this loop to run forever". Telling the two apart takes a
// fairness argument over infinite executions that a bounded explorer
// cannot make. Explore it with a small Options.MaxSteps, as SpinNAFlag.
func SpinSCFlag() *scenarios.Scenario {
	return &scenarios.Scenario{
		Fails: scenarios.FailLivelock,
		Name:  "Spin+sc-flag",
		Doc: "SpinNAFlag's loop with Atomics.store/Atomics.load: the model's liveness clause makes it end, " +
			"but the explorer, which judges finite prefixes only, reports a livelock here too (a limitation, not the model's verdict).",
		MaxSteps: SpinMaxSteps,
		Setup:    func(w *scenarios.World) error { return spinSetup(w, true) },
	}
}

// Package checker reads recorded histories (package history) and says
// whether the implementation kept its promises, and if not, why, in words a
// developer can act on. It reads histories, never live memory: it imports
// history, model and porcupine (github.com/anishathalye/porcupine), and
// nothing from shared or atomics. docs/checker.md says what each check
// proves and what it does not; `sabre check` runs them from the command
// line.
//
// # Results
//
//   - [Verdict]: [Ok], [Illegal] (with findings), [Unknown] (the budget or
//     the context ended first; never a guess).
//   - [Check]: [Lin], [Conf], [Race]; [Checks]; [ParseChecks];
//     [Check.Valid].
//   - [Result]: Check, Verdict, Reason, Findings, Checked, Skipped,
//     Elapsed; [Finding]: Message and Events; [EventRef] (agent, position
//     in agent-order, index, operation, bytes), [RefOf].
//   - [Options]: Model (the variant conformance checks against; zero is
//     model.ES2024) and Budget (per check).
//   - [Run]: the named checks on one history, in the order of Checks.
//
// # Linearizability
//
//   - [Linearizability]: porcupine over three models — memory components
//     (maximal runs of bytes that seq-cst accesses overlap), waiter lists
//     (FIFO, at the exact instants taken in their critical section) and
//     queues (FIFO, maxsize) — plus the checks that need no search.
//     [LinReport]: the Result, Partitions, SkippedParts;
//     [LinReport.WriteHTML] writes porcupine's visualisation.
//
// # Model conformance
//
//   - [Conformance](ctx, history, [Options]) → [*ConformanceReport]: whether
//     a candidate execution valid under Options.Model (model.ES2024 when
//     zero, model.ES2017, model.SC) explains every value read; Unknown past
//     the budget or the step bound. docs/checker.md says which histories it
//     decides exactly.
//   - [ConformanceReport]: the [Result] plus Model, Witness (a
//     model.Execution with reads-bytes-from and memory-order), Source, Reads
//     ([ConfReadSource]) on Ok, and Explanation ([ConfExplanation] with
//     [ConfRuledOut] per possible source) on Illegal.
//   - [ConfRealTime], [ConfOwnWrite]: the reasons, beside the model's
//     predicates, that rule a source out.
//
// # Data races
//
//   - [Races]: the data races of a history by the model's definitions
//     (ECMA-262 es2024 #sec-races, #sec-data-races; model.Analysis.Races):
//     vector clocks over agent-order, synchronizes-with,
//     host-synchronizes-with and init writes, in one pass in an order
//     consistent with happens-before; reads-bytes-from as history.Convert
//     chooses it. [RaceReport]: the Result (Check Race) with DataRaces,
//     Total, Omitted, Races, Cycles, Unsourced; [DataRace]: E, D, ESeqCst,
//     DSeqCst, ReadsFrom, the bytes both touch, Missing (the missing edge
//     in words); [RaceListLimit].
//
// # Mutants
//
// Every check is shown to fail. Built with the tag sabre_mutants,
// internal/mutant puts a faulty variant of the core in force (a sub-word
// read-modify-write done as a load and a store, a 64-bit store in two
// halves, a compareExchange that writes on failure, a notify that wakes the
// newest waiter first or loses a wake-up, a stale Atomics.load, a queue
// that drops an item, Atomics.store done as a plain store, a stale plain
// read), internal/workload runs a real concurrent workload for each, and
// TestMutantTable asserts that the checks reject it
// (`go test -race -tags sabre_mutants ./checker`). checker/testdata holds an
// ok and a bad history of each workload (<case>-ok.jsonl, <case>-bad.jsonl),
// written by `go run -tags sabre_mutants ./internal/workload/gentestdata`.
package checker

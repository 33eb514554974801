// Package litmus reads herd-style JavaScript litmus tests, runs them on the
// executable ECMAScript memory model (package model) and reports herd7's
// observation for each model variant. The format is described in
// docs/litmus-format.md; the built-in catalogue lives in catalogue/ and is
// embedded in the binary.
//
// # Parsing
//
//   - [Parse], [ParseFile], [ParsePath] (a file or every *.litmus file of a
//     directory) and [ParseFS] turn litmus text into a [*Test]; every parse
//     error is an [*Error] naming file:line:col ([Pos]). The last three read
//     only regular files of at most [MaxFileSize] bytes (1 MiB), and name
//     every file they cannot or will not read by its path (an
//     [*fs.PathError]).
//   - [Test] holds the views ([View]: [Kind], Length, ByteOffset, Init,
//     [View.End]), the agents ([Agent], [Agent.Registers]) and their
//     statements ([Stmt], [Stmt.String]; a [Method]: [PlainLoad],
//     [PlainStore], [Load], [Store], [Add], [Sub], [And], [Or], [Xor],
//     [Exchange], [CompareExchange]), the [Condition], the expectations
//     ([Expectation]) and the [model.Program] the enumerator runs.
//   - [Test.Format] prints a test back as canonical litmus text.
//   - [MaxBlockSize], [MaxAgents] and [MaxStmts] bound what a file may
//     declare; with [model.MaxCompareExchanges] they are the model's limits,
//     so a test that parses is one the model runs, and one beyond them is a
//     positioned parse error.
//
// # Values
//
//   - [Kind] ([Int8], [Uint8], [Int16], [Uint16], [Int32], [Uint32],
//     [BigInt64], [BigUint64]), an alias of [shared.Kind], with
//     [shared.Kind.Size], [shared.Kind.IsSigned], [shared.Kind.IsBigInt] and
//     [shared.Kind.NoTear] (ECMA-262's IsNoTearConfiguration for TypedArray
//     accesses).
//   - [Number]: an integer literal (sign and 64-bit magnitude) with
//     [Number.Cmp] and [Number.String].
//
// # Conditions
//
//   - [Condition]: [Quantifier] ([Exists], [NotExists], [Forall]) and a
//     [Prop] built from [RegTerm] (P:r=n), [MemTerm] (v[i]=n), [Not],
//     [AndProp], [OrProp] and [Const].
//   - [Condition.Holds] is herd7's Ok/No verdict; [ResultOf] gives the
//     observation word, a [Result] ([Never], [Sometimes], [Always]), from the
//     positive/negative counts.
//   - [Test.RegisterValue] and [Test.MemoryValue] read a [model.FinalState]
//     the way the condition does; [Test.FormatState] prints a state as herd7
//     does.
//
// # Running
//
//   - [Run] ([RunContext], with a context for a time budget; [RunLimit], also
//     with a limit on the number of final states, for a memory budget)
//     enumerates a test under a model variant ([model.VariantNames]) and
//     returns an [*Observation]: Result, Positive, Negative, the final
//     states (each a [State], with [State.Text], its herd7 text formatted on
//     each call, and [State.Witness], its witness execution) and
//     [Observation.Line], herd7's "Observation <name> <Result> <pos> <neg>";
//     [Observation.Ok] is herd7's verdict. [Observe] does the counting for
//     outcomes computed elsewhere.
//   - [Test.Expected], [Observation.Expectation] and
//     [Observation.Failed] check the file's "expect <model>: <Result>" lines.
//
// # Exploring
//
//   - [Test.Scenario] lowers a test to a scenarios.Scenario (one buffer,
//     named [Block] in outcomes; each operation through the real shared and
//     atomics API) for the controlled explorer; [Test.FinalState] turns
//     one of its outcomes into the enumerator's model.FinalState.
//   - [Explore] runs the explorer on a test under a model and observes the
//     final states it reached as [Run] observes the enumerator's: with the
//     exhaustive strategy both give the same states and Observation line
//     (a test checks it on the whole catalogue under every model).
//
// # Stress
//
//   - [Stress] runs a test on real goroutines many times, in jcstress's
//     manner — batches of instances over one shared buffer, one pinned
//     goroutine per agent running its operations through the shared and
//     atomics API over the whole batch, meeting every SyncEvery instances —
//     under [StressOptions] (Iterations, Duration, Batch, Stride, SyncEvery,
//     Affinity, Grading, GradeBudget, Progress; [DefaultStressIterations],
//     [DefaultBatch], [DefaultSyncEvery], [MaxStressBuffer]) and returns a
//     scenarios.StressReport whose rows are keyed by herd7 state texts
//     (Satisfies: the condition holds). [StressGrading] grades by the
//     enumerator's states under the model and under sc, each within a
//     time budget and 65,536 states (a set cut short is incomplete).
//
// # Catalogue
//
//   - [Catalogue] is the embedded catalogue as an [fs.FS]; [CatalogueTests]
//     parses it.
//
// # Limitations
//
//   - Programs are straight-line: no branches, loops, waits or notifies, and
//     operands are constants.
//   - Views are integer TypedArrays only: no Uint8Clamped, Float32/Float64 or
//     DataView accesses (whose NoTear is false).
//   - Positive and negative count distinct final states (every register and
//     every byte of memory), whereas herd7 counts executions, so the numbers
//     can differ from herd7's; the observation word is the same.
//   - Final memory is what plain reads that happen after every event read, one
//     per cell of bytes connected by the program's accesses, as package model
//     defines it (see docs/litmus-format.md).
package litmus

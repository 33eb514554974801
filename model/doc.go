// Package model is ECMA-262's memory model ("Memory Model", the chapter
// from #sec-memory-model to #sec-shared-memory-guidelines) as executable Go:
// Shared Data Block events, candidate executions and their relations, the
// validity predicates, races, three variants of the model, and an
// enumerator that lists every final state a small straight-line program may
// reach under a variant, with a witness execution for each — what herd7 does
// for hardware models, for a model herd7 does not ship.
//
// The package imports only the standard library. docs/memory-model.md
// explains the model in plain words with these names, the readings this
// package takes of ambiguous spec text, and the counterexample separating
// the variants; docs/litmus-format.md describes the litmus files that the
// scenarios/litmus package lowers to a Program.
//
// # Events
//
//   - [Event], [EventID], [EventKind]: [ReadSharedMemory],
//     [WriteSharedMemory], [ReadModifyWriteSharedMemory], and [HostEvent]
//     (agent start/finish, Queue send/receive, transfer: events that take
//     part in agent-order and host-synchronizes-with only).
//   - [Order]: [SeqCst], [Unordered], [Init].
//   - [ModifyOp] ([Add], [Sub], [And], [Or], [Xor], [Exchange],
//     [CompareExchange]) and [ModifyOp.Apply] on little-endian bytes;
//     [Event.Modify] for an event, with the 2017 compareExchange's
//     [Event.Expected].
//   - [Range]: [Range.Equal], [Range.Overlapping], [Range.Disjoint],
//     [Range.Intersects], [Range.Contains].
//
// # Candidate executions and relations
//
//   - [Execution]: events per agent in agent-order, reads-bytes-from,
//     chosen values, host-synchronizes-with, an optional memory-order
//     witness; [Execution.Check] for well-formedness.
//   - [Builder] assembles an Execution event by event ([NewBuilder],
//     [Builder.Agent], [Builder.Init], [Builder.Write], [Builder.Read],
//     [Builder.ReadModifyWrite], [Builder.Host],
//     [Builder.HostSynchronizesWith], [Builder.Execution]);
//     [Execution.String] prints one.
//   - [Analyze] derives an [Analysis]: agent-order, reads-from,
//     synchronizes-with and happens-before as [Relation] values (bitset
//     rows shared by copies, like a slice's elements; [NewRelation],
//     [Relation.Has], [Relation.Add], [Relation.Clone], [Relation.Pairs],
//     [Relation.TransitiveClosure], [Relation.Irreflexive]).
//   - [Analysis.ValueOfReadEvent] (ValueOfReadEvent / ComposeWriteEventBytes).
//
// # Validity predicates
//
// Each returns an error: nil when it holds, else a [*Violation] (get it with
// errors.As) naming the predicate, the events that break it, and a
// sentence. The error is never a nil *Violation. On an Analysis not made
// by Analyze that lacks what Analyze gives it (nil, zero, a malformed X)
// the error says so and is no *Violation; see [Analysis].
//
//   - [Analysis.HostSynchronizesWithValid]
//   - [Analysis.HappensBeforeStrictPartialOrder]
//   - [Analysis.ValidChosenReads]
//   - [Analysis.CoherentReads]
//   - [Analysis.TearFreeReads]
//   - [Analysis.SequentiallyConsistentAtomics] (checks a given memory-order
//     or searches for one)
//   - [Analysis.ValidExecution], and [ValidExecution] for an Execution
//     (which also returns [Execution.Check]'s error for a malformed one).
//
// # Races
//
//   - [Analysis.Races], [Analysis.DataRaces], [Analysis.DataRaceFree]; [Race].
//
// # Variants
//
//   - [ES2024] (current text, after tc39/ecma262 PR #1511), [ES2017] (the
//     2017 text: its memory-order rule, init synchronization, and a failing
//     compareExchange as a read-modify-write), [SC] (byte-accurate
//     sequential consistency). docs/memory-model.md tabulates the axes on
//     which they differ.
//   - [VariantByName], [VariantNames], [Variant.Name], [Variant.Description].
//   - The zero Variant names no model: every function that takes a Variant
//     refuses it with an error wrapping [ErrNoVariant].
//
// # Programs and the enumerator
//
//   - [Program], [ProgramAgent], [Op], [AccessKind] ([AccessLoad],
//     [AccessStore], [AccessRMW]): the contract with scenarios/litmus.
//   - [Program.Validate], [ProgramError], [MaxBlockSize], [MaxAgents],
//     [MaxOps], [MaxCompareExchanges].
//   - [Enumerate], [EnumerateContext] (stops when its context is done),
//     [EnumerateLimit] (also gives up with a [*TooManyStatesError] past a
//     number of final states) → [][Outcome]{[FinalState],
//     [Outcome.Witness]}.
//   - [Program.FinalCells] and [FinalCellsOf] ([Cell]): the ranges of the
//     final reads, for a scheduler that reads final memory as the
//     enumerator does.
//   - [FinalState]: Regs, and the final memory stored compactly (a base
//     shared by the states of one call plus each state's bytes of the
//     cells its program touches), read with [FinalState.MemoryLen],
//     [FinalState.AppendMemory] and [FinalState.Memory];
//     [NewFinalState] builds one by hand; [FinalState.Key].
//   - [SortFuncContext]: the cancellable sort the enumerator (and the litmus
//     front end) use for large state sets.
//
// # Degenerate input
//
// No input makes this package panic. Methods of nil or zero values, and
// functions given nil, invalid enum values (an Order, ModifyOp or
// EventKind that is none of the constants) or hostile integers, return an
// error where they return one, naming what was nil or invalid and never a
// *Violation, and otherwise a zero value or their documented result: a
// nil *Event neither reads nor writes, a nil *Builder builds nothing (its
// methods return -1 and Execution an error), [ModifyOp.Apply] of an
// invalid op is nil, [NewRelation] of n ≤ 0 is the zero Relation,
// [Relation.Add] of a pair out of range reports false, and the predicates
// of an [Analysis] that lacks what Analyze gives it (a nil or zero one,
// one without its relations, one with a malformed X) return an error.
// Resources are the limit: Analyze's relations take n²/8 bytes each for n
// events (see [NewRelation]). TestAPIDegenerateInput checks all this for
// every exported function and method.
//
// # Examples
//
// The package's examples, checked by go test: building an execution and
// checking it (Example_checkExecution), enumerating store buffering's
// outcomes (ExampleEnumerate), a race report (ExampleAnalysis_Races),
// Relation's sharing (ExampleRelation) and the zero Variant
// (ExampleVariantByName).
//
// # Limitations
//
//   - The enumerator takes straight-line programs over one shared block:
//     no branches, loops, Atomics.wait/notify, or host events (Queue,
//     postMessage) inside programs; the Execution API and the predicates do
//     handle host events and several blocks.
//   - The liveness clause of Sequentially Consistent Atomics (no seq-cst
//     write is preceded in memory-order by infinitely many reads) is not
//     checked: every execution here is finite, where it always holds.
//   - A candidate execution whose read-modify-write values depend on each
//     other in a cycle (possible only between seq-cst read-modify-writes of
//     different sizes on overlapping bytes) is rejected: ValueOfReadEvent's
//     recursion does not terminate for it, so this package gives it no value.
//   - Synchronize events and [[AgentSynchronizesWith]] of the current text
//     are not modelled separately; host events with host-synchronizes-with
//     pairs play their role.
//   - Enumeration is exponential in the worst case (the number of allowed
//     final states can be); Validate refuses blocks over [MaxBlockSize]
//     bytes, programs over [MaxAgents] agents or [MaxOps] operations, and
//     more than [MaxCompareExchanges] compareExchange operations (the
//     search runs once per combination of their successes);
//     [EnumerateContext] stops promptly when its context is done (every
//     stage checks it every thousand or so steps), and [EnumerateLimit]
//     bounds the number of final states, hence memory.
//     A few accesses can have millions of states: a plain BigInt64 load
//     racing two plain stores has 1.7 million (each byte from either store
//     or init, times the final memory), about 200 bytes each in the
//     result. What a state costs does not grow with the block's size:
//     keys, final states and witness records hold only the bytes of the
//     cells the program touches (a 1,024-byte block costs no more per
//     state than a 64-byte one).
//     Register values are int64: a BigUint64 value above 2^63-1 appears as
//     its two's-complement int64.
//   - Analyze's relations are dense (n²/64 words for n events) and the
//     memory-order search branches on constraints propagation cannot
//     decide, so it is exponential in the worst case; the predicates suit
//     executions of up to a few thousand events, such as litmus witnesses
//     and short recorded runs.
//   - Outcomes keep a compact record of each witness, and
//     [Outcome.Witness] builds the Execution on each call. The executions
//     of one Enumerate call share their Events, AgentOrder and
//     HostSynchronizesWith slices, and its outcomes share register maps
//     (one per distinct per-agent assignment) and the base of their final
//     memory; treat them as read-only.
package model

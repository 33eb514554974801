// Package scenarios is sabre's controlled explorer: it runs concurrent Go
// programs over the real shared and atomics API — scenarios — one agent at
// a time through the controller seam (shared.Controller), lets every read
// return any value the memory model may allow (also one its peers write
// only later: load buffering), judges each execution with the model, and
// reports what it reached and what failed, each with a one-line replay.
// docs/scenarios.md explains how to write a scenario, read a failure and
// replay it, and what the explorer can and cannot decide.
//
// # Scenarios
//
//   - [Scenario]: Name, Doc, Setup (builds one execution's [World]), Check
//     (an assertion on each allowed outcome), Expect (outcomes to reach or
//     never reach: [Expectation]), MaxSteps, Checks (checker's checks on
//     each allowed history).
//   - [World]: [World.Buffer], [World.GrowableBuffer], [World.Queue],
//     [World.Agent], [World.Report], [World.Call], [World.Main].
//   - [Outcome]: Values, Memory, Errors, Schedule, Operations, Witness,
//     Weak (some read was not the schedule's latest write: instants then
//     order only each agent's events), [Outcome.History], [Outcome.Key].
//   - [Operation]: an operation of a concurrent object built on shared
//     memory, recorded with [World.Call] (call and return instants of a
//     logical clock); [CheckLinearizable] checks an outcome's operations
//     against a sequential specification (a porcupine.Model):
//     linearizability, or sequential consistency for a Weak outcome.
//
// # Exploring
//
//   - [Run] explores a scenario under [Options] (Model, Strategy,
//     Executions, Duration, MaxSteps — else Scenario.MaxSteps, else
//     [DefaultMaxSteps] —, CheckBudget, MaxFailures, CheckAll,
//     Knowledge) and returns a [Report]: distinct Outcomes, Failures
//     ([Failure], [FailureKind]: [FailDeadlock], [FailLivelock],
//     [FailAgent], [FailCheck], [FailExpect], [FailSetup], [FailNondeterminism],
//     [FailReplay], [FailStrategy], [FailInternal]), [Stats], Complete.
//   - [Explore] does it in a go test: options from -sabre.strategy,
//     -sabre.budget, -sabre.seed, -sabre.depth, -sabre.replay and
//     -sabre.model (or SABRE_* variables), [DefaultDuration] and
//     [DefaultExecutions]; each failure fails the test with a message ending
//     in its [ReplayLine], saved in a failfile under [FailDir]
//     ([ReadReplay] reads one back). [TB] is what it needs of testing.TB.
//
// # Stress
//
//   - [Stress] runs a scenario on real goroutines (no controller) many
//     times under [StressOptions] (Model, Iterations, Duration, Jitter,
//     Seed, Affinity, IterationTimeout — [DefaultIterationTimeout] —,
//     MaxFailures, Sample, Checks, CheckBudget, Grading, ExploreBudget,
//     Progress; [DefaultStressIterations]) and returns a [StressReport]:
//     Rows ([StressRow]: Key, Count, [Grade], First iteration, Note,
//     Outcome), Failures ([StressFailure]), Grading, Sampled, Undecided,
//     Abandoned; [StressReport.Count], [StressReport.Failed],
//     [StressReport.Rate]; [SortRows].
//   - [Grade]: [Acceptable], [Interesting], [Forbidden], [Unknown];
//     [Grading] (the allowed and sc sets by key, each complete or not;
//     [Grading.Grade]); [StressGrade] makes one from exhaustive
//     explorations within [DefaultExploreBudget] ([Stats].StepBudget marks
//     a set cut at the step budget incomplete).
//
// # Strategies
//
//   - [Strategy]: Name, Start, Schedule ([SchedChoice], [Option]), Read
//     ([ReadChoice], [Loc], [ReadChoice.Values], [ReadChoice.Knowledge]),
//     Finish ([Execution], [Status]: [Allowed], [Rejected], [Failed],
//     [Undecided], [Redundant]).
//   - [Exhaustive] (every execution the model allows; local steps in a
//     canonical order, sleep sets on the others), [SCDRF] (every
//     sequentially consistent interleaving of the synchronizing
//     operations: complete for data-race-free programs under es2024 and
//     sc, by SC-DRF, when the scenario checks races), [LatestReads] (a
//     strategy's schedules with every read the latest write),
//     [PlainDFS] (the same without reduction, for comparison), [Random]
//     (seeded), [PCT] (depth d), [Replay] (a [Schedule]), [Rapid] (every
//     choice a rapid draw, so that rapid shrinks a failing schedule;
//     [Panicked] gives back rapid's panics).
//   - [Metered] ([Meter]) counts a strategy's executions, steps, branches,
//     reads, weak reads and speculations.
//   - [Knowledge] is what an exploration learned of the values writes
//     write ([Knowledge.Freeze] stops it learning), [Alternatives] the
//     values a read may return.
//
// # Schedules
//
//   - [Schedule] ([Step]) with its replay string ([Schedule.String],
//     [ParseSchedule], [MaxScheduleSteps]).
//
// # Limitations
//
//   - Agents must be deterministic given the values they read; an agent
//     doing something else on a replayed prefix is reported (when the
//     difference shows at a choice point), not explored.
//   - Values come from writes of allowed executions (or of this one), so
//     out-of-thin-air executions are never reached; see docs/scenarios.md.
//   - A pending Atomics.waitAsync never times out under the explorer (the
//     settlement is not an agent it schedules); a notify settles it.
//   - Only reads of the World's buffers get weak values; reads of other
//     buffers (an agent's own ArrayBuffers) return the latest write.
//   - Model checks cost what checker.Conformance costs: exhaustive
//     exploration suits small programs (litmus-sized, or loops of a few
//     iterations); random and pct check only executions with weak reads.
package scenarios

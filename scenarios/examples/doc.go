// Package examples is sabre's built-in catalogue of Go scenarios: programs
// the litmus format cannot express (loops, branches, Wait/Notify, the
// Queue, growable buffers), run by the controlled explorer (package
// scenarios) and by `sabre explore`.
//
//   - [Catalogue]: every example scenario, sorted by name; new values on
//     each call.
//   - [MPWaitNotify] ("MP+wait-notify"): message passing with
//     Atomics.wait/Atomics.notify done right; never stale, never deadlocks.
//   - [MPWaitNotifyLostWakeup] ("MP+wait-notify+lost-wakeup"): the notify
//     before the flag's store; the explorer finds the lost wake-up as a
//     deadlock.
//   - [GrowRace] ("Grow+race"): a Grow of a growable SharedArrayBuffer
//     racing with a plain read (undefined before the grow) and an
//     Atomics.store (RangeError before the grow) beyond its old length.
//   - [QueueTransfer] ("Queue+transfer"): an ArrayBuffer transferred
//     through a Queue: the sender's is detached, the receiver sees the
//     bytes.
//   - [SpinNAFlag] ("Spin+na-flag"): a spin loop on a plain flag, which
//     the model allows to spin forever; the explorer reports a livelock
//     (its Scenario.MaxSteps is [SpinMaxSteps], so that it is found quickly).
//   - [SpinSCFlag] ("Spin+sc-flag"): the same loop with Atomics.load,
//     which the model's liveness clause makes end; the explorer applies
//     the clause to executions cut at the step budget: no livelock.
//
// Each constructor's doc gives the program's shape, what it reports
// (Outcome.Values keys "agent:key"), what is expected (its Check) and the
// spec sections it rests on.
package examples

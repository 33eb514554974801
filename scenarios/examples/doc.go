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
// Shared-memory primitives on Atomics.wait/notify (issue 9), each a Go type
// over one agent's view, so that the same code runs under the explorer and
// on real goroutines, with a sequential specification (a porcupine.Model)
// and scenarios that record operations with World.Call:
//
//   - [Locker]; [Mutex] ([NewMutex], Lock, Unlock, Woken): Drepper's
//     futex mutex (0 unlocked, 1 locked, 2 contended). [MutexSpec] over
//     [MutexOp]; [MutexCounter] ("Mutex+AxR"); buggy:
//     [MutexForgetsContended] ("Mutex+forgets-contended": deadlock),
//     [MutexUnlockCheckThenStore] ("Mutex+unlock-check-then-store":
//     deadlock), [MutexTestThenSet] ("Mutex+test-then-set": check).
//   - [Condition] ([NewCondition], Wait, Signal, Broadcast, Woken): a futex
//     condition variable with a sequence counter. [QueueSpec] over
//     [QueueOp] (the blocking queue it guards); [GateSpec] over [GateOp];
//     [ConditionQueue] ("Condition+queue+CxR"), [ConditionBroadcast]
//     ("Condition+broadcast+N"); buggy: [ConditionSeqAfterUnlock]
//     ("Condition+seq-after-unlock": deadlock).
//   - [Barrier] ([NewBarrier], Await, Woken): a reusable barrier (count and
//     generation). [BarrierSpec] over [BarrierOp] (each Await an arrival and
//     a departure), [MaxBarrierParties]; [BarrierPhases] ("Barrier+NxK");
//     buggy: [BarrierNoGeneration] ("Barrier+no-generation": check),
//     [BarrierWakeBeforeReset] ("Barrier+wake-before-reset": deadlock).
//
// Of these, only Mutex+unlock-check-then-store, Mutex+test-then-set and
// Condition+seq-after-unlock are in the Catalogue: exhaustive exploration
// with weak reads (sabre explore's default) finds their bugs in
// milliseconds, but does not end on the others' retry loops; their tests
// explore sequentially consistent interleavings (SC-DRF with checker.Race
// covers the rest under es2024) and PCT.
//
// Each constructor's doc gives the program's shape, what it reports
// (Outcome.Values keys "agent:key"), what is expected (its Check) and the
// spec sections it rests on.
package examples

package examples

import "github.com/sabre-mm/sabre/scenarios"

// MPWaitNotifyLostWakeup returns "MP+wait-notify+lost-wakeup": MPWaitNotify
// with a bug, the writer notifying before it stores the flag.
//
// Shape (buffer "m" as MPWaitNotify's):
//
//	writer:  m[1] = 42
//	         woke = Atomics.notify(m, 0, 1)   // too early
//	         Atomics.store(m, 0, 1)
//	reader:  loop { if Atomics.load(m, 0) == 1 break
//	                r = Atomics.wait(m, 0, 0) }
//	         data = m[1]
//
// Reports and Check are MPWaitNotify's. The bug: when the reader loads the
// flag (0), then the writer notifies (nobody waits yet: it wakes 0), then
// the reader's Atomics.wait checks the flag — still 0, the store has not
// happened — and sleeps, the store that follows wakes nobody: the reader
// sleeps forever and main waits forever to join it. The explorer reports it
// as a deadlock (scenarios.FailDeadlock) with the schedule that replays it;
// the executions where the reader does not sleep, or sleeps before the
// notify, read 42.
func MPWaitNotifyLostWakeup() *scenarios.Scenario {
	return &scenarios.Scenario{
		Fails: scenarios.FailDeadlock,
		Name:  "MP+wait-notify+lost-wakeup",
		Doc: "MP+wait-notify with the writer's Atomics.notify moved before its Atomics.store of the flag: " +
			"a reader that waits between the two is never woken (a lost wake-up), which the explorer reports as a deadlock.",
		Setup: func(w *scenarios.World) error { return mpWaitSetup(w, true) },
		Check: checkMPData,
	}
}

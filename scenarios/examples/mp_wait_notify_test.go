package examples_test

import (
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// TestMPWaitNotify explores MP+wait-notify exhaustively under each model:
// complete, no failure (no deadlock: no lost wake-up; no failed Check: no
// stale read), every outcome reads 42, and both ways of getting there are
// reached — the reader finding the flag set, and the reader asleep in
// Atomics.wait and woken by the writer's notify — so the claims are not
// vacuous.
func TestMPWaitNotify(t *testing.T) {
	for _, v := range models {
		t.Run(v.Name(), func(t *testing.T) {
			rep := explore(t, examples.MPWaitNotify(), scenarios.Options{Model: v})
			logReport(t, rep)
			mustComplete(t, rep)
			var slept, direct bool
			for _, o := range rep.Outcomes {
				if d, ok := o.Values["reader:data"]; !ok || d != 42 {
					t.Errorf("outcome %s: the reader read data %d (reported: %v), want 42", o.Key(), d, ok)
				}
				ok, woke := o.Values["reader:ok"], o.Values["writer:woke"]
				if ok != woke {
					t.Errorf("outcome %s: the reader's waits woken (%d) differ from the waiters the notify woke (%d)", o.Key(), ok, woke)
				}
				slept = slept || ok == 1
				direct = direct || (ok == 0 && o.Values["reader:not-equal"] == 0)
			}
			if !slept {
				t.Errorf("no outcome has the reader asleep in Atomics.wait and woken by the notify")
			}
			if !direct {
				t.Errorf("no outcome has the reader find the flag set without waiting")
			}
		})
	}
}

// TestMPWaitNotifyCheck shows the scenario's Check can fail: a stale
// read, or no read at all, is reported.
func TestMPWaitNotifyCheck(t *testing.T) {
	sc := examples.MPWaitNotify()
	for _, vals := range []map[string]int64{{"reader:data": 0}, {}} {
		if err := sc.Check(&scenarios.Outcome{Values: vals}); err == nil {
			t.Errorf("Check(%v) = nil, want an error", vals)
		}
	}
	if err := sc.Check(&scenarios.Outcome{Values: map[string]int64{"reader:data": 42}}); err != nil {
		t.Errorf("Check(data 42) = %v, want nil", err)
	}
}

// TestBuggyMPWaitNotifyLostWakeup explores the lost-wake-up variant under
// each model: the explorer finds the deadlock (the reader asleep in
// Atomics.wait, nobody left to wake it), and replaying the failure's
// schedule — as a Schedule and through its replay string — reproduces it.
func TestBuggyMPWaitNotifyLostWakeup(t *testing.T) {
	for _, v := range models {
		t.Run(v.Name(), func(t *testing.T) {
			opt := scenarios.Options{Model: v}
			rep := explore(t, examples.MPWaitNotifyLostWakeup(), opt)
			logReport(t, rep)
			f := onlyFailure(t, rep, scenarios.FailDeadlock)
			if want := "reader is blocked in Atomics.wait"; !contains(f.Message, want) {
				t.Errorf("deadlock message %q does not say %q", f.Message, want)
			}
			if rep.Complete {
				t.Errorf("an exploration that stopped at a failure is reported Complete")
			}
			mustReplay(t, examples.MPWaitNotifyLostWakeup, opt, f)
		})
	}
}

package examples_test

import (
	"context"
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/shared"
)

// Review of issue 9 (branch review9a): failing tests that show bugs.

// TestReviewBug_NonSharedViewAccepted: NewRingProducer, NewSeqlockWriter
// and NewRWLock reject a view over a non-shared ArrayBuffer, but
// NewMutex, NewCondition and NewBarrier accept one. Such a Mutex works
// while uncontended and throws Atomics.wait's TypeError only when two
// agents contend — a misuse found late, under load, instead of at
// construction. Expected: an error from the constructor, as the other
// primitives give.
func TestReviewBug_NonSharedViewAccepted(t *testing.T) {
	ab, err := shared.NewArrayBuffer(16)
	if err != nil {
		t.Fatal(err)
	}
	v, err := shared.View(ab, shared.Int32)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := examples.NewRWLock(v, 0); err == nil {
		t.Fatal("precondition: NewRWLock accepts a non-shared view too")
	}
	if _, err := examples.NewMutex(v, 0); err == nil {
		t.Error("NewMutex accepts a view over a non-shared ArrayBuffer; want an error as NewRWLock's")
	}
	if _, err := examples.NewCondition(v, 0); err == nil {
		t.Error("NewCondition accepts a view over a non-shared ArrayBuffer; want an error")
	}
	if _, err := examples.NewBarrier(v, 0, 2); err == nil {
		t.Error("NewBarrier accepts a view over a non-shared ArrayBuffer; want an error")
	}
}

// TestReviewBug_MutexUnlockUnlockedLosesWakeup: Mutex.Unlock's doc says
// "Unlocking a Mutex that is not locked is an error (the cell is left
// unlocked)", suggesting the misuse is contained. It is not: the misuser's
// Atomics.sub makes the cell -1 for a moment; a concurrent Lock then sees
// a non-zero cell, exchanges in 2 and sleeps in Atomics.wait(x, 2), and
// the misuser's repair, Atomics.store(x, 0), notifies nobody: the correct
// agent sleeps forever (a deadlock the explorer finds). Expected: the
// misuser gets its error and the other agent still takes the lock (e.g.
// the repair notifies, or Unlock checks with compareExchange first).
func TestReviewBug_MutexUnlockUnlockedLosesWakeup(t *testing.T) {
	sc := &scenarios.Scenario{
		Name: "Mutex+unlock-unlocked",
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 4)
			w.Agent("misuser", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				m, err := examples.NewMutex(v, 0)
				if err != nil {
					return err
				}
				_ = m.Unlock() // an error, or (if user holds it) a stolen unlock: not what this test is about
				return nil
			})
			w.Agent("user", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err != nil {
					return err
				}
				m, err := examples.NewMutex(v, 0)
				if err != nil {
					return err
				}
				if err := m.Lock(); err != nil {
					return err
				}
				return m.Unlock()
			})
			return nil
		},
	}
	rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{Strategy: scenarios.SCDRF(), MaxFailures: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		if f.Kind == scenarios.FailDeadlock {
			t.Errorf("%s: %s (schedule %v)", f.Kind, f.Message, f.Schedule)
		}
	}
}

// TestReviewBug_ConditionWaitNilLocker: house rule: bad input (nil) gets a
// clear error, never a panic. Condition.Wait(nil) loads the counter and
// then panics calling Unlock on the nil Locker. Expected: an error naming
// the nil Locker, before anything is done.
func TestReviewBug_ConditionWaitNilLocker(t *testing.T) {
	buf, err := shared.NewBuffer(8)
	if err != nil {
		t.Fatal(err)
	}
	v, err := shared.View(buf, shared.Int32)
	if err != nil {
		t.Fatal(err)
	}
	c, err := examples.NewCondition(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Condition.Wait(nil) panicked: %v; want an error", p)
		}
	}()
	if err := c.Wait(nil); err == nil {
		t.Fatal("Condition.Wait(nil) returned no error")
	}
}

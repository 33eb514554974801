package examples

import (
	"fmt"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// The layout of the message-passing examples' shared buffer "m": two
// Int32 elements.
const (
	mpFlag = 0 // element 0: the flag, 0 until the data is published, then 1
	mpData = 1 // element 1: the data, written with a plain store
	// mpValue is the data the writer publishes.
	mpValue = 42
)

// MPWaitNotify returns "MP+wait-notify": message passing whose reader
// sleeps with Atomics.wait until the writer publishes, done right.
//
// Shape (buffer "m", two Int32 elements: flag at index 0, data at index 1,
// both 0 at first):
//
//	writer:  m[1] = 42                      // plain (Unordered) store
//	         Atomics.store(m, 0, 1)
//	         woke = Atomics.notify(m, 0, 1)
//	reader:  loop { if Atomics.load(m, 0) == 1 break
//	                r = Atomics.wait(m, 0, 0) }   // sleeps only while m[0] is 0
//	         data = m[1]                    // plain read
//
// Reports: "writer:woke" (the waiters the notify woke: 0 or 1),
// "reader:data" (the data read), "reader:ok" and "reader:not-equal" (how
// many of the reader's waits returned "ok" — woken by the notify — or
// "not-equal" — the flag was already set when the wait checked it).
//
// Expected (Check): data is 42 in every execution, and no execution
// deadlocks. Not stale: the reader leaves its loop only after an
// Atomics.load that reads 1, which synchronizes-with the writer's
// Atomics.store; the data's plain store is agent-order before that store
// and the plain read agent-order after that load, so the write
// happens-before the read (ECMA-262's memory model), under es2024, es2017
// and sc. No wake-up lost: Atomics.wait (DoWait) checks the flag and
// enqueues the waiter inside the waiter list's critical section, and
// Atomics.notify takes its waiters inside it too; those critical sections
// are ordered, each synchronizing with the next. If the wait's comes
// first, the notify finds the reader and wakes it; if the notify's comes
// first, the writer's store happens-before the wait's check, which then
// reads 1 and returns "not-equal".
// MPWaitNotifyLostWakeup is the same program with the notify moved before
// the store, and it does lose the wake-up.
func MPWaitNotify() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "MP+wait-notify",
		Doc: "Message passing with Atomics.wait/Atomics.notify done right: the writer stores the data (plain), " +
			"stores the flag (Atomics.store) and then notifies; the reader loops on Atomics.load of the flag and " +
			"Atomics.wait(flag, 0). Every execution reads the data (42) and none deadlocks.",
		Setup: func(w *scenarios.World) error { return mpWaitSetup(w, false) },
		Check: checkMPData,
	}
}

// mpWaitSetup builds the message-passing world; notifyFirst makes the
// writer notify before it stores the flag (the lost wake-up).
func mpWaitSetup(w *scenarios.World, notifyFirst bool) error {
	buf := w.Buffer("m", 8)
	w.Agent("writer", func(a *shared.Agent) error {
		m, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return err
		}
		if err := m.SetInt(mpData, mpValue); err != nil {
			return err
		}
		notify := func() error {
			n, err := atomics.Notify(m, mpFlag, 1)
			w.Report(a, "woke", int64(n))
			return err
		}
		if notifyFirst {
			if err := notify(); err != nil {
				return err
			}
		}
		if _, err := atomics.Store(m, mpFlag, 1); err != nil {
			return err
		}
		if !notifyFirst {
			return notify()
		}
		return nil
	})
	w.Agent("reader", func(a *shared.Agent) error {
		m, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return err
		}
		var ok, notEqual int64
		for {
			f, err := atomics.Load(m, mpFlag)
			if err != nil {
				return err
			}
			if f == 1 {
				break
			}
			r, err := atomics.Wait(m, mpFlag, 0, atomics.Forever)
			if err != nil {
				return err
			}
			switch r {
			case atomics.OK:
				ok++
			case atomics.NotEqual:
				notEqual++
			}
		}
		d, err := m.GetInt(mpData)
		if err != nil {
			return err
		}
		w.Report(a, "data", d)
		w.Report(a, "ok", ok)
		w.Report(a, "not-equal", notEqual)
		return nil
	})
	return nil
}

// checkMPData is the message-passing examples' expectation: the reader
// read the data the writer published.
func checkMPData(o *scenarios.Outcome) error {
	d, ok := o.Values["reader:data"]
	switch {
	case !ok:
		return fmt.Errorf("the reader reported no data")
	case d != mpValue:
		return fmt.Errorf("stale read: the reader read data %d after seeing the flag, not %d", d, mpValue)
	}
	return nil
}

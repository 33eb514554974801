package examples

import (
	"fmt"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// The layout of the reader-writer lock examples' buffer "rw" (Int32
// elements): the lock's state, then the data words it guards.
const (
	rwState = 0
	rwData  = 1
)

// rwShape is a reader-writer lock scenario: the data words, the writers
// (each writes once), the readers (each reads once), and the variant.
type rwShape struct {
	name, doc string
	words     int
	writers   int
	readers   int
	bug       rwBug
	fails     scenarios.FailureKind
}

// RWLockScenario returns "RWLock": a reader-writer lock (RWLock) guarding
// a register of two words written and read with plain accesses, with one
// writer writing once and two readers reading once.
//
// Shape (buffer "rw", Int32 elements: state, word 0, word 1):
//
//	writer:  Lock(); w0 = 101; w1 = 102; Unlock()          // plain data writes
//	reader1: RLock(); d0 = w0; d1 = w1; RUnlock()          // plain data reads
//	reader2: the same
//
// Reports: "readerN:w0", "readerN:w1" (the value read), "writer:slept" and
// "readerN:slept" (waits woken by a notify).
//
// Expected (Check): the operations (World.Call around each locked
// section) are linearizable with respect to RegisterSpec(2) — a reader
// sees [0 0] or [101 102], never a mix — and (Checks) there is no data
// race on the plain data (checker.Race): the lock's acquisitions
// synchronize-with its releases; and no deadlock (no lost wake-up).
// RWLock's doc gives the argument.
func RWLockScenario() *scenarios.Scenario {
	return rwScenario(rwShape{
		name: "RWLock",
		doc: "A writer-preferring reader-writer lock on Atomics.wait/notify guarding two plain words: one writer, " +
			"two readers; reads are snapshots (linearizable register), no data race, no deadlock.",
		words: 2, writers: 1, readers: 2,
	})
}

// RWLockSized returns a reader-writer lock scenario with words data
// words, writers writers writing once each (writer k writes 100·k+1,
// 100·k+2, …) and readers readers reading once each; its name is
// "RWLock(words,writers,readers)". Larger instances are for pct and
// random exploration. Arguments below 1 are taken as 1.
func RWLockSized(words, writers, readers int) *scenarios.Scenario {
	words, writers, readers = max(words, 1), max(writers, 1), max(readers, 1)
	return rwScenario(rwShape{
		name:  fmt.Sprintf("RWLock(%d,%d,%d)", words, writers, readers),
		doc:   fmt.Sprintf("A reader-writer lock guarding %d words: %d writers, %d readers.", words, writers, readers),
		words: words, writers: writers, readers: readers,
	})
}

// RWLockNoDrain returns "RWLock+no-drain": RWLock whose Lock returns as
// soon as it has set the writer bit, without waiting for the readers
// inside to leave; one writer and one reader.
//
// Shape: RWLock's, with Lock's second loop gone:
//
//	writer: loop { s = Atomics.load(st); … Atomics.compareExchange(st, s, s|W) }   // no drain
//	        w0 = 101; w1 = 102; Unlock()
//	reader: RLock(); d0 = w0; d1 = w1; RUnlock()
//
// The bug: a reader that took the lock before the writer set its bit is
// still reading when the writer writes: it may read [101 0] (a torn
// value, not linearizable), and its plain reads race with the writer's
// plain writes (checker.Race). The explorer finds a failed check
// (scenarios.FailCheck) with a replayable schedule.
func RWLockNoDrain() *scenarios.Scenario {
	return rwScenario(rwShape{
		name: "RWLock+no-drain",
		doc: "A reader-writer lock whose writer does not wait for the readers inside to leave: a reader can see a " +
			"half-written value, racing with the writer; the explorer finds the failed check.",
		words: 2, writers: 1, readers: 1, bug: rwNoDrain, fails: scenarios.FailCheck,
	})
}

// RWLockLostWakeup returns "RWLock+lost-wakeup": RWLock whose RUnlock
// notifies only when the state drops to 0 — it forgets the writer bit —
// with one writer and one reader.
//
// Shape: RWLock's, with RUnlock
//
//	RUnlock: if Atomics.sub(st, 1) == 1 { Atomics.notify(st, all) }   // never true while W is set
//
// The bug: when the reader is inside, the writer sets its bit and sleeps
// until the readers drain (Atomics.wait(st, W+1)); the reader's RUnlock
// takes the state to W, which is no 0, and notifies nobody: the writer
// sleeps forever and main waits forever to join it. The explorer reports
// the deadlock (scenarios.FailDeadlock) with the schedule that replays it.
func RWLockLostWakeup() *scenarios.Scenario {
	return rwScenario(rwShape{
		name: "RWLock+lost-wakeup",
		doc: "A reader-writer lock whose last reader out notifies only when the state drops to 0, forgetting the " +
			"writer bit: a writer asleep waiting for the readers to drain is never woken; the explorer finds the deadlock.",
		words: 2, writers: 1, readers: 1, bug: rwLostWake, fails: scenarios.FailDeadlock,
	})
}

func rwScenario(s rwShape) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:     s.name,
		Doc:      s.doc,
		Fails:    s.fails,
		MaxSteps: rwMaxSteps,
		Setup:    func(w *scenarios.World) error { return rwSetup(w, s) },
		Check:    func(o *scenarios.Outcome) error { return checkPrimitive(o, RegisterSpec(s.words)) },
		Checks:   primitiveChecks,
	}
}

// rwMaxSteps is the reader-writer lock scenarios' step budget: a lock
// call whose Atomics.load keeps returning a stale state loops (see
// ringMaxSteps).
const rwMaxSteps = 120

// rwName names agent k (from 1) of n of a role.
func rwName(role string, k, n int) string {
	if n == 1 {
		return role
	}
	return fmt.Sprintf("%s%d", role, k)
}

func rwSetup(w *scenarios.World, s rwShape) error {
	buf := w.Buffer("rw", 4*(rwData+s.words))
	open := func(a *shared.Agent) (*RWLock, *shared.TypedArray, error) {
		v, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return nil, nil, err
		}
		l, err := newRWLock(v, rwState, s.bug)
		return l, v, err
	}
	for k := 1; k <= s.writers; k++ {
		w.Agent(rwName("writer", k, s.writers), func(a *shared.Agent) error {
			l, v, err := open(a)
			if err != nil {
				return err
			}
			vals := make([]int64, s.words)
			for i := range vals {
				vals[i] = seqlockValue(k, i)
			}
			done := w.Call(a, RegisterOp{Write: true, Value: vals})
			if err := l.Lock(); err != nil {
				return err
			}
			for i, x := range vals {
				if err := v.SetInt(rwData+i, x); err != nil {
					return err
				}
			}
			if err := l.Unlock(); err != nil {
				return err
			}
			done(RegisterResult{})
			w.Report(a, "slept", int64(l.Slept()))
			return nil
		})
	}
	for k := 1; k <= s.readers; k++ {
		w.Agent(rwName("reader", k, s.readers), func(a *shared.Agent) error {
			l, v, err := open(a)
			if err != nil {
				return err
			}
			done := w.Call(a, RegisterOp{})
			if err := l.RLock(); err != nil {
				return err
			}
			vals := make([]int64, s.words)
			for i := range vals {
				if vals[i], err = v.GetInt(rwData + i); err != nil {
					return err
				}
			}
			if err := l.RUnlock(); err != nil {
				return err
			}
			done(RegisterResult{Value: vals})
			for i, x := range vals {
				w.Report(a, fmt.Sprintf("w%d", i), x)
			}
			w.Report(a, "slept", int64(l.Slept()))
			return nil
		})
	}
	return nil
}

package examples

import (
	"encoding/binary"
	"fmt"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// MutexOp is an operation of the Mutex scenarios, as they record it with
// World.Call: Kind "lock" (Output nil), "inc" (the critical section: a
// plain read of the counter and a plain write of one more; Output the
// int64 read) or "unlock" (Output nil), by the agent numbered Agent
// (0, 1, …).
type MutexOp struct {
	Kind  string
	Agent int
}

// mutexState is MutexSpec's state: who holds the lock (-1: nobody) and
// the counter the critical sections increment.
type mutexState struct {
	holder int
	count  int64
}

// MutexSpec is the sequential specification of a lock guarding a counter,
// over MutexOp inputs: "lock" by agent a is allowed only when nobody holds
// the lock, and then a does; "inc" by a only while a holds it, returning
// the counter (which it then increments); "unlock" by a only while a holds
// it, and then nobody does. A history linearizable against it has mutual
// exclusion (no two lock intervals both return before either holder's
// unlock is called), and critical sections that see each other's writes:
// each "inc" returns the number of earlier ones.
var MutexSpec = porcupine.Model{
	Init: func() any { return mutexState{holder: -1} },
	Step: func(state, input, output any) (bool, any) {
		s, op := state.(mutexState), input.(MutexOp)
		switch op.Kind {
		case "lock":
			if s.holder != -1 {
				return false, s
			}
			s.holder = op.Agent
		case "inc":
			if s.holder != op.Agent || output != s.count {
				return false, s
			}
			s.count++
		case "unlock":
			if s.holder != op.Agent {
				return false, s
			}
			s.holder = -1
		default:
			return false, s
		}
		return true, s
	},
	DescribeOperation: func(input, output any) string {
		op := input.(MutexOp)
		if op.Kind == "inc" {
			return fmt.Sprintf("P%d: inc() → %v", op.Agent, output)
		}
		return fmt.Sprintf("P%d: %s()", op.Agent, op.Kind)
	},
}

// The layout of the Mutex scenarios' buffer "m": two Int32 elements.
const (
	mutexCell    = 0 // the Mutex's state
	mutexCounter = 1 // the counter the critical sections increment (plain accesses)
)

// MutexCounter returns "Mutex+AxR": agents P0 … P(A-1) each take a
// futex-style Mutex R times, and in each critical section increment a
// plain counter.
//
// Shape (buffer "m", two Int32 elements: the lock at index 0, the counter
// at index 1, both 0 at first):
//
//	Pi, R times:  mutex.Lock()
//	              c = m[1]; m[1] = c + 1    // plain read and write
//	              mutex.Unlock()
//
// Each Lock, critical section ("inc", returning c) and Unlock is an
// operation recorded with World.Call (MutexOp). Reports nothing: every
// execution has the one outcome m = [0, A·R].
//
// Expected, in every execution the model allows (Check and Checks): the
// operations are linearizable against MutexSpec (mutual exclusion, and
// each critical section reads the count of those before it); the final
// counter is A·R; no data race (checker.Race: the plain accesses of
// different critical sections are ordered by happens-before, through the
// lock's synchronizing read-modify-writes); and no deadlock or livelock
// (the explorer reports those as failures: a lost wake-up is a waiter
// asleep forever). Errors: A or R below 1 fails the setup.
//
// Small instances (2x1, 2x2, 3x1) are explored exhaustively; larger ones
// with PCT.
func MutexCounter(agents, rounds int) *scenarios.Scenario {
	return mutexScenario(fmt.Sprintf("Mutex+%dx%d", agents, rounds),
		fmt.Sprintf("%d agents each take a futex-style mutex (Drepper's, on Atomics.wait/notify) %d times and increment a plain counter inside: "+
			"mutual exclusion (linearizable against a lock spec), no data race, no deadlock, the counter ends at %d.", agents, rounds, agents*rounds),
		agents, rounds, "", func(x *shared.TypedArray) (Locker, error) { return NewMutex(x, mutexCell) })
}

// MutexForgetsContended returns "Mutex+forgets-contended": MutexCounter
// with three agents taking the lock once each, and a bug in Lock: a waiter
// that wakes and finds the lock free takes it with the state 1 (locked, no
// waiters) instead of 2.
//
// Shape: as MutexCounter(3, 1), with Lock's loop
//
//	while c != 0 {
//	    Atomics.wait(x, 2)
//	    c = Atomics.compareExchange(x, 0, 1)   // the bug: 1, not 2
//	    if c != 0 { c = Atomics.exchange(x, 2) }
//	}
//
// The bug (the one Drepper's paper warns against when it has the woken
// waiter store 2): P0 holds the lock; P1 and P2 mark it contended and
// sleep; P0's Unlock stores 0 and wakes one of them, P1, which takes the
// lock as 1. P1's Unlock then sees 1 — no waiters — and notifies nobody:
// P2 sleeps forever, a lost wake-up, which the explorer reports as a
// deadlock (scenarios.FailDeadlock). It needs three agents: with two, the
// woken waiter is the only one.
func MutexForgetsContended() *scenarios.Scenario {
	return mutexScenario("Mutex+forgets-contended",
		"A futex mutex whose woken waiter takes the lock as 1 (locked, no waiters) instead of 2: with three agents its unlock "+
			"skips the notify the third one, still asleep, needs — a lost wake-up, found as a deadlock.",
		3, 1, scenarios.FailDeadlock, func(x *shared.TypedArray) (Locker, error) {
			m, err := NewMutex(x, mutexCell)
			if err != nil {
				return nil, err
			}
			return &forgetfulMutex{*m}, nil
		})
}

// MutexUnlockCheckThenStore returns "Mutex+unlock-check-then-store":
// MutexCounter(2, 1) with a bug in Unlock: it reads the state and then
// stores 0, two steps where Mutex has one read-modify-write.
//
// Shape: as MutexCounter(2, 1), with
//
//	Unlock:  if Atomics.load(x) == 2 { Atomics.store(x, 0); Atomics.notify(x, 1) }
//	         else { Atomics.store(x, 0) }     // the bug: x may be 2 by now
//
// The bug: P0 holds the lock and its Unlock loads 1; P1's Lock then
// exchanges 2 into the cell and sleeps; P0 stores 0 without a notify. P1
// sleeps forever (its Atomics.wait checked 2 before the store), a lost
// wake-up the explorer reports as a deadlock (scenarios.FailDeadlock).
func MutexUnlockCheckThenStore() *scenarios.Scenario {
	return mutexScenario("Mutex+unlock-check-then-store",
		"A futex mutex whose unlock loads the state and then stores 0 (not one read-modify-write): a waiter that marks it "+
			"contended in between is never notified — a lost wake-up, found as a deadlock.",
		2, 1, scenarios.FailDeadlock, func(x *shared.TypedArray) (Locker, error) {
			m, err := NewMutex(x, mutexCell)
			if err != nil {
				return nil, err
			}
			return &checkThenStoreMutex{*m}, nil
		})
}

// MutexTestThenSet returns "Mutex+test-then-set": MutexCounter(2, 1) with
// a lock that tests the cell with Atomics.load and sets it with
// Atomics.store, two steps where Mutex has one compare-exchange.
//
// Shape: as MutexCounter(2, 1), with
//
//	Lock:    loop { c = Atomics.load(x); if c == 0 { Atomics.store(x, 1); return }
//	                Atomics.wait(x, c) }
//	Unlock:  Atomics.store(x, 0); Atomics.notify(x, 1)
//
// The bug: both agents load 0 and both store 1; both are in the critical
// section at once. Their operations are not linearizable against
// MutexSpec (two locks without an unlock between them; both read the
// counter 0, which ends at 1), and their plain accesses race; the explorer
// reports a failed check (scenarios.FailCheck).
func MutexTestThenSet() *scenarios.Scenario {
	return mutexScenario("Mutex+test-then-set",
		"A lock that tests its cell with Atomics.load and sets it with Atomics.store: two agents both see it free and both "+
			"enter the critical section — not linearizable against the lock's specification, found as a failed check.",
		2, 1, scenarios.FailCheck, func(x *shared.TypedArray) (Locker, error) {
			m, err := NewMutex(x, mutexCell)
			if err != nil {
				return nil, err
			}
			return &testThenSetMutex{*m}, nil
		})
}

// mutexScenario builds a Mutex scenario: agents × rounds critical
// sections over the lock mk makes of each agent's view.
func mutexScenario(name, doc string, agents, rounds int, fails scenarios.FailureKind, mk func(*shared.TypedArray) (Locker, error)) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   name,
		Doc:    doc,
		Fails:  fails,
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			if agents < 1 || rounds < 1 {
				return fmt.Errorf("%s: %d agents and %d rounds, want at least 1 of each", name, agents, rounds)
			}
			buf := w.Buffer("m", 8)
			for p := range agents {
				w.Agent(fmt.Sprintf("P%d", p), func(a *shared.Agent) error {
					x, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					mu, err := mk(x)
					if err != nil {
						return err
					}
					for range rounds {
						if err := lockedInc(w, a, p, mu, x); err != nil {
							return err
						}
					}
					return nil
				})
			}
			return nil
		},
		Check: func(o *scenarios.Outcome) error {
			if err := scenarios.CheckLinearizable(o, MutexSpec, 0); err != nil {
				return err
			}
			return checkCounter(o, int64(agents*rounds))
		},
	}
}

// lockedInc is one critical section of agent number p: lock, increment
// the counter with plain accesses, unlock, each recorded.
func lockedInc(w *scenarios.World, a *shared.Agent, p int, mu Locker, x *shared.TypedArray) error {
	done := w.Call(a, MutexOp{"lock", p})
	if err := mu.Lock(); err != nil {
		return err
	}
	done(nil)
	done = w.Call(a, MutexOp{"inc", p})
	c, err := x.GetInt(mutexCounter)
	if err != nil {
		return err
	}
	if err := x.SetInt(mutexCounter, c+1); err != nil {
		return err
	}
	done(c)
	done = w.Call(a, MutexOp{"unlock", p})
	if err := mu.Unlock(); err != nil {
		return err
	}
	done(nil)
	return nil
}

// checkCounter checks the final memory of buffer "m": the lock free and
// the counter at want.
func checkCounter(o *scenarios.Outcome, want int64) error {
	m := o.Memory["m"]
	if len(m) != 8 {
		return fmt.Errorf("buffer m's final memory is %d bytes, want 8", len(m))
	}
	lock, count := int32(binary.LittleEndian.Uint32(m[0:])), int32(binary.LittleEndian.Uint32(m[4:]))
	switch {
	case lock != mutexUnlocked:
		return fmt.Errorf("the lock's cell ends at %d, want 0 (unlocked)", lock)
	case int64(count) != want:
		return fmt.Errorf("the counter ends at %d, want %d (an increment was lost)", count, want)
	}
	return nil
}

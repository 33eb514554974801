package examples

import (
	"fmt"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// Locker is a lock whose operations can fail (on a bad view: a TypeError
// or a RangeError from package atomics), as sync.Locker without errors.
// Condition waits with one.
type Locker interface {
	Lock() error
	Unlock() error
}

// The states of a Mutex's cell (Drepper's).
const (
	mutexUnlocked  = 0 // nobody holds the lock
	mutexLocked    = 1 // held, and nobody waits (as far as the holder knows)
	mutexContended = 2 // held, and agents may be asleep in Atomics.wait
)

// Mutex is a futex-style lock on one Int32 element of a shared buffer,
// used through one agent's view of it: Ulrich Drepper's mutex from
// "Futexes Are Tricky" (2011, section 6, "mutex3"), with Atomics.wait and
// Atomics.notify as the futex.
//
// Shape (the element x holds 0 unlocked, 1 locked, 2 locked with waiters):
//
//	Lock:    c = Atomics.compareExchange(x, 0, 1)
//	         if c != 0 {
//	             if c != 2 { c = Atomics.exchange(x, 2) }
//	             while c != 0 {
//	                 Atomics.wait(x, 2)          // sleeps only while x is 2
//	                 c = Atomics.exchange(x, 2)
//	             }
//	         }
//	Unlock:  c = Atomics.compareExchange(x, 1, 0)
//	         if c == 2 {                         // someone may sleep
//	             Atomics.store(x, 0)
//	             Atomics.notify(x, 1)
//	         }                                   // c == 0: not locked, an error
//
// An uncontended Lock and Unlock are one read-modify-write each. A waiter
// that wakes takes the lock with the state 2, never 1: it cannot know
// whether others still sleep, and taking it as 1 would let its Unlock skip
// the notify they need (see MutexForgetsContended). Atomics.wait's check
// of x and its enqueueing are one critical section with respect to
// Atomics.notify on x (ECMA-262's DoWait and Atomics.notify, the waiter
// list's critical section), so an Unlock's store-and-notify cannot slip
// between a waiter's check and its sleep.
//
// Every access is seq-cst: Lock's successful read-modify-write reads from
// the previous Unlock's Atomics.store or Atomics.compareExchange (equal ranges), which
// synchronizes-with it, so the critical sections are ordered by
// happens-before and plain accesses inside them do not race (ECMA-262's
// memory model, "Races" and "Data Races").
//
// A Mutex is a handle of one agent: each agent makes its own over its own
// view (shared.View(buf.For(agent), shared.Int32)) of the same element.
// It works the same under the controlled explorer (package scenarios) and
// on real goroutines.
type Mutex struct {
	x     *shared.TypedArray
	i     int
	woken int
}

// NewMutex returns a Mutex on element i of x, an Int32 view; the element
// must hold 0 (unlocked) before any agent locks it. A nil view, another
// kind or an index out of range is an error.
func NewMutex(x *shared.TypedArray, i int) (*Mutex, error) {
	if err := checkCells("NewMutex", x, i, 1); err != nil {
		return nil, err
	}
	return &Mutex{x: x, i: i}, nil
}

// Lock takes the lock, sleeping in Atomics.wait while another agent holds
// it. The error is package atomics' (a bad view); the lock is then not
// held.
func (m *Mutex) Lock() error {
	c, err := atomics.CompareExchange(m.x, m.i, mutexUnlocked, mutexLocked)
	if err != nil || c == mutexUnlocked {
		return err
	}
	if c != mutexContended {
		if c, err = atomics.Exchange(m.x, m.i, mutexContended); err != nil {
			return err
		}
	}
	for c != mutexUnlocked {
		if err := m.sleep(); err != nil {
			return err
		}
		if c, err = atomics.Exchange(m.x, m.i, mutexContended); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits on the cell while it holds 2, counting the wake-ups.
func (m *Mutex) sleep() error {
	r, err := atomics.Wait(m.x, m.i, mutexContended, atomics.Forever)
	if r == atomics.OK {
		m.woken++
	}
	return err
}

// Unlock releases the lock and, if agents may be asleep waiting for it,
// wakes one: Atomics.compareExchange of 1 (locked, no waiters) for 0;
// finding 2 (waiters), it stores 0 and notifies one. (Drepper's unlock is
// an atomic decrement; the compareExchange is the same on a locked
// mutex and, on one that is not locked, changes nothing.) Unlocking a
// Mutex that is not locked is an error and leaves the cell as it was —
// a decrement would make it -1 for a moment, and a Lock then would
// sleep with nobody to wake it.
func (m *Mutex) Unlock() error {
	old, err := atomics.CompareExchange(m.x, m.i, mutexLocked, mutexUnlocked)
	switch {
	case err != nil:
		return err
	case old == mutexLocked:
		return nil
	case old == mutexContended:
		if _, err := atomics.Store(m.x, m.i, mutexUnlocked); err != nil {
			return err
		}
		_, err := atomics.Notify(m.x, m.i, 1)
		return err
	}
	return fmt.Errorf("Mutex.Unlock: the mutex was not locked (its cell held %d)", old)
}

// Woken is how many times this handle's Lock slept in Atomics.wait and
// was woken by a notify ("ok").
func (m *Mutex) Woken() int { return m.woken }

// checkCells reports whether x is an Int32 view of a shared buffer
// (Atomics.wait needs one) whose elements i … i+n-1 exist, as what's
// error. Every primitive's constructor checks its view with it.
func checkCells(what string, x *shared.TypedArray, i, n int) error {
	switch {
	case x == nil:
		return fmt.Errorf("%s: a nil view", what)
	case x.Kind() != shared.Int32:
		return fmt.Errorf("%s: a %s view, want an Int32Array", what, x.Kind().ArrayName())
	case !x.IsShared():
		return fmt.Errorf("%s: the view is not over a shared buffer", what)
	case i < 0 || i+n > x.Length():
		return fmt.Errorf("%s: elements %d … %d are out of the view's range [0, %d)", what, i, i+n-1, x.Length())
	}
	return nil
}

// forgetfulMutex is Mutex with the bug of MutexForgetsContended: a waiter
// that wakes and finds the lock free takes it as 1 (locked, no waiters),
// forgetting that others may still sleep.
type forgetfulMutex struct{ Mutex }

func (m *forgetfulMutex) Lock() error {
	c, err := atomics.CompareExchange(m.x, m.i, mutexUnlocked, mutexLocked)
	if err != nil || c == mutexUnlocked {
		return err
	}
	if c != mutexContended {
		if c, err = atomics.Exchange(m.x, m.i, mutexContended); err != nil {
			return err
		}
	}
	for c != mutexUnlocked {
		if err := m.sleep(); err != nil {
			return err
		}
		// The bug: 1, not 2, when the lock is free.
		if c, err = atomics.CompareExchange(m.x, m.i, mutexUnlocked, mutexLocked); err != nil || c == mutexUnlocked {
			return err
		}
		if c, err = atomics.Exchange(m.x, m.i, mutexContended); err != nil {
			return err
		}
	}
	return nil
}

// checkThenStoreMutex is Mutex with the bug of MutexUnlockCheckThenStore:
// Unlock reads the state with Atomics.load and then stores 0, two steps
// where Mutex has one read-modify-write, so a waiter that marks the lock
// contended between them is not woken.
type checkThenStoreMutex struct{ Mutex }

func (m *checkThenStoreMutex) Unlock() error {
	old, err := atomics.Load(m.x, m.i)
	if err != nil {
		return err
	}
	if old == mutexContended {
		if _, err := atomics.Store(m.x, m.i, mutexUnlocked); err != nil {
			return err
		}
		_, err := atomics.Notify(m.x, m.i, 1)
		return err
	}
	// The bug: a waiter may have stored 2 and gone to sleep since the load.
	_, err = atomics.Store(m.x, m.i, mutexUnlocked)
	return err
}

// testThenSetMutex is a lock with the bug of MutexTestThenSet: Lock
// tests the cell with Atomics.load and sets it with Atomics.store, two
// steps, so two agents may both see it free and both take it.
type testThenSetMutex struct{ Mutex }

func (m *testThenSetMutex) Lock() error {
	for {
		c, err := atomics.Load(m.x, m.i)
		if err != nil {
			return err
		}
		if c == mutexUnlocked {
			// The bug: another agent may have loaded 0 too.
			_, err := atomics.Store(m.x, m.i, mutexLocked)
			return err
		}
		if _, err := atomics.Wait(m.x, m.i, c, atomics.Forever); err != nil {
			return err
		}
	}
}

func (m *testThenSetMutex) Unlock() error {
	if _, err := atomics.Store(m.x, m.i, mutexUnlocked); err != nil {
		return err
	}
	_, err := atomics.Notify(m.x, m.i, 1)
	return err
}

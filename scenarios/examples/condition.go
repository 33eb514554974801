package examples

import (
	"fmt"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// Condition is a condition variable on one Int32 element of a shared
// buffer (a sequence counter), used with a Locker (a Mutex), through one
// agent's view: the futex condition variable of Drepper's "Futexes Are
// Tricky" (section 7), with Atomics.wait and Atomics.notify.
//
// Shape (the element s counts the signals, wrapping at 2^32):
//
//	Wait(L):      seq = Atomics.load(s)     // while L is held
//	              L.Unlock()
//	              Atomics.wait(s, seq)      // sleeps only while s is seq
//	              L.Lock()
//	Signal():     Atomics.add(s, 1); Atomics.notify(s, 1)
//	Broadcast():  Atomics.add(s, 1); Atomics.notify(s, +∞)
//
// A waiter reads the counter while it holds the lock, so a signal made
// after it tested its predicate (under the lock) and before it sleeps
// changes the counter: its Atomics.wait returns "not-equal" instead of
// sleeping, and the wake-up is not lost (see ConditionSeqAfterUnlock for
// what reading it after the unlock does). As with any condition variable,
// Wait may return without a signal of its own (another waiter's, or a
// signal before it slept): callers test their predicate in a loop,
//
//	L.Lock(); for !predicate { c.Wait(L) }; …; L.Unlock()
//
// and signalers change the predicate's state under L before they signal.
// The counter wraps: a waiter that sleeps through exactly 2^32 signals
// between its load and its wait would miss them (Drepper's caveat).
type Condition struct {
	s *shared.TypedArray
	i int
	// woken counts this handle's waits woken by a notify.
	woken int
}

// NewCondition returns a Condition on element i of s, an Int32 view. A
// nil view, another kind or an index out of range is an error.
func NewCondition(s *shared.TypedArray, i int) (*Condition, error) {
	if err := checkCells("NewCondition", s, i, 1); err != nil {
		return nil, err
	}
	return &Condition{s: s, i: i}, nil
}

// Wait releases l, sleeps until a Signal or Broadcast (or returns at once
// if one came since it was called), and takes l again. l must be held.
// On an error from l.Unlock Wait returns it with l in that state; on any
// later error l is not held.
func (c *Condition) Wait(l Locker) error {
	if l == nil {
		return fmt.Errorf("Condition.Wait: a nil Locker")
	}
	seq, err := atomics.Load(c.s, c.i)
	if err != nil {
		return err
	}
	if err := l.Unlock(); err != nil {
		return err
	}
	return c.sleep(l, seq)
}

// sleep waits on the counter while it holds seq, and takes l.
func (c *Condition) sleep(l Locker, seq int64) error {
	r, err := atomics.Wait(c.s, c.i, seq, atomics.Forever)
	if err != nil {
		return err
	}
	if r == atomics.OK {
		c.woken++
	}
	return l.Lock()
}

// Signal wakes one waiter, if any.
func (c *Condition) Signal() error { return c.bump(1) }

// Broadcast wakes every waiter.
func (c *Condition) Broadcast() error { return c.bump(atomics.All) }

func (c *Condition) bump(n int) error {
	if _, err := atomics.Add(c.s, c.i, 1); err != nil {
		return err
	}
	_, err := atomics.Notify(c.s, c.i, n)
	return err
}

// Woken is how many of this handle's waits slept and were woken by a
// notify ("ok").
func (c *Condition) Woken() int { return c.woken }

// lateSeqCondition is Condition with the bug of ConditionSeqAfterUnlock:
// Wait reads the counter after it releases the lock.
type lateSeqCondition struct{ Condition }

func (c *lateSeqCondition) Wait(l Locker) error {
	if err := l.Unlock(); err != nil {
		return err
	}
	// The bug: a signal between the unlock and this load is not seen.
	seq, err := atomics.Load(c.s, c.i)
	if err != nil {
		return err
	}
	return c.sleep(l, seq)
}

// waiter is what the Condition scenarios need of a condition variable.
type waiter interface {
	Wait(l Locker) error
	Signal() error
	Broadcast() error
}

package examples

import (
	"errors"
	"fmt"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// rwWriter is the writer bit of a reader-writer lock's state word: set
// while a writer holds the lock or waits for the readers to drain; the
// bits below it count the readers inside.
const rwWriter = 1 << 30

// rwBug selects a deliberately broken reader-writer lock (the buggy
// examples).
type rwBug int

const (
	rwCorrect  rwBug = iota
	rwNoDrain        // Lock returns once the writer bit is set, without waiting for the readers inside to leave
	rwLostWake       // RUnlock wakes the writer only when the count drops to 0, forgetting the writer bit
)

// RWLock is a writer-preferring reader-writer lock on one Int32 element
// of a shared buffer (the state, 0 at first), built directly on Atomics
// and Atomics.wait/notify: the state counts the readers inside, plus
// rwWriter (2^30) while a writer holds the lock or waits for the readers
// to leave.
//
//	RLock:   loop { s = Atomics.load(st)
//	                if s has no writer bit { if Atomics.compareExchange(st, s, s+1) == s return }
//	                else Atomics.wait(st, s) }
//	RUnlock: if Atomics.sub(st, 1) − 1 == W { Atomics.notify(st, all) }   // the last reader out wakes the writer
//	Lock:    loop { s = Atomics.load(st)
//	                if s has no writer bit { if Atomics.compareExchange(st, s, s|W) == s break }
//	                else Atomics.wait(st, s) }
//	         loop { s = Atomics.load(st); if s == W return; Atomics.wait(st, s) }   // the readers drain
//	Unlock:  Atomics.store(st, 0); Atomics.notify(st, all)
//
// Writer-preferring: once a writer has set the bit, new readers wait, so a
// stream of readers cannot starve it. No wake-up is lost: an agent sleeps
// only in Atomics.wait(st, s), which sleeps only if the state still is s
// (checked and enqueued in one critical section with respect to notify),
// and every change that can let a sleeper through — the state dropping to
// W (the writer may proceed) or to 0 (anyone may) — is followed by a
// notify of all waiters.
//
// Data under the lock may be read and written with plain accesses: each
// acquisition's Atomics.compareExchange or Atomics.load reads the value
// the previous release's Atomics.store or Atomics.sub wrote (or a chain of
// read-modify-writes from it), and a seq-cst read of an equal range
// reading a seq-cst write synchronizes-with it, so everything before a
// release happens-before everything after the acquisition that follows
// it: no data race, and readers see the last write (ECMA-262's memory
// model, synchronizes-with and happens-before).
//
// An RWLock value belongs to one agent (its view's); every agent makes its
// own over the same element. The same code runs under the explorer and on
// real goroutines.
type RWLock struct {
	v     *shared.TypedArray
	at    int
	bug   rwBug
	slept int
}

var errRWLock = errors.New("examples: reader-writer lock")

// NewRWLock returns the reader-writer lock whose state is element at of v
// (an Int32 view of a shared buffer, bound to the agent that will use
// it). A bad view or index is an error.
func NewRWLock(v *shared.TypedArray, at int) (*RWLock, error) {
	return newRWLock(v, at, rwCorrect)
}

func newRWLock(v *shared.TypedArray, at int, bug rwBug) (*RWLock, error) {
	if err := checkCells("NewRWLock", v, at, 1); err != nil {
		return nil, fmt.Errorf("%w: %w", errRWLock, err)
	}
	return &RWLock{v: v, at: at, bug: bug}, nil
}

// wait sleeps while the state is s, counting the wake-ups.
func (l *RWLock) wait(s int64) error {
	r, err := atomics.Wait(l.v, l.at, s, atomics.Forever)
	if r == atomics.OK {
		l.slept++
	}
	return err
}

// RLock takes the lock for reading: it waits while a writer holds it or
// waits for it.
func (l *RWLock) RLock() error {
	for {
		s, err := atomics.Load(l.v, l.at)
		if err != nil {
			return err
		}
		if s&rwWriter != 0 {
			if err := l.wait(s); err != nil {
				return err
			}
			continue
		}
		if old, err := atomics.CompareExchange(l.v, l.at, s, s+1); err != nil || old == s {
			return err
		}
	}
}

// RUnlock releases a read lock; the last reader out wakes a writer
// waiting for the readers to drain.
func (l *RWLock) RUnlock() error {
	old, err := atomics.Sub(l.v, l.at, 1)
	if err != nil {
		return err
	}
	last := old-1 == rwWriter
	if l.bug == rwLostWake {
		last = old == 1 // the bug: forgets the writer bit, so a waiting writer is never woken
	}
	if last {
		_, err = atomics.Notify(l.v, l.at, atomics.All)
	}
	return err
}

// Lock takes the lock for writing: it sets the writer bit (waiting while
// another writer has it), then waits until the readers inside have left.
func (l *RWLock) Lock() error {
	for {
		s, err := atomics.Load(l.v, l.at)
		if err != nil {
			return err
		}
		if s&rwWriter != 0 {
			if err := l.wait(s); err != nil {
				return err
			}
			continue
		}
		old, err := atomics.CompareExchange(l.v, l.at, s, s|rwWriter)
		if err != nil {
			return err
		}
		if old == s {
			break
		}
	}
	if l.bug == rwNoDrain {
		return nil // the bug: the readers inside are still reading
	}
	for {
		s, err := atomics.Load(l.v, l.at)
		if err != nil || s == rwWriter {
			return err
		}
		if err := l.wait(s); err != nil {
			return err
		}
	}
}

// Unlock releases the write lock and wakes every waiter.
func (l *RWLock) Unlock() error {
	if _, err := atomics.Store(l.v, l.at, 0); err != nil {
		return err
	}
	_, err := atomics.Notify(l.v, l.at, atomics.All)
	return err
}

// Slept is the number of times this agent's lock calls slept in
// Atomics.wait and were woken by a notify.
func (l *RWLock) Slept() int { return l.slept }

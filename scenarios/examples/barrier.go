package examples

import (
	"fmt"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// Barrier is a reusable barrier for a fixed number of parties on two Int32
// elements of a shared buffer — an arrival count and a generation — used
// through one agent's view: a cyclic barrier (POSIX pthread_barrier_wait,
// Java's CyclicBarrier) with Atomics.wait and Atomics.notify.
//
// Shape (element c counts the arrivals of the current generation, element
// g numbers the generations, both 0 at first):
//
//	Await():  gen = Atomics.load(g)
//	          if Atomics.add(c, 1) + 1 == parties {   // the last to arrive
//	              Atomics.store(c, 0)                 // reset for the next
//	              Atomics.add(g, 1)                   // then release
//	              Atomics.notify(g, +∞)
//	              return serial = true
//	          }
//	          while Atomics.load(g) == gen { Atomics.wait(g, gen) }
//	          return serial = false
//
// The generation is read before the arrival is counted, so an agent
// always waits for the generation it arrived in, and the last arrival
// resets the count before it bumps the generation, so an agent released
// early and arriving again counts in the next generation: none is let
// through a generation before every party has arrived in it
// (BarrierNoGeneration shows what waiting on the count instead does). The
// generation wraps at 2^32 (an agent asleep through 2^32 generations would
// miss its release).
//
// Every access is seq-cst: the last arrival's Atomics.add(g) is read by
// each waiter's Atomics.load(g) (or its wait's check), which
// synchronizes-with it, and every arrival's Atomics.add(c) is read by the
// next, so everything each party did before it arrived happens-before
// everything every party does after it leaves.
type Barrier struct {
	x       *shared.TypedArray
	i       int
	parties int
	woken   int
}

// NewBarrier returns a Barrier for parties agents on elements i (the
// count) and i+1 (the generation) of x, an Int32 view; both must hold 0
// before any agent arrives. parties below 1, a nil view, another kind or
// an index out of range is an error.
func NewBarrier(x *shared.TypedArray, i, parties int) (*Barrier, error) {
	if parties < 1 {
		return nil, fmt.Errorf("NewBarrier: %d parties, want at least 1", parties)
	}
	if err := checkCells("NewBarrier", x, i, 2); err != nil {
		return nil, err
	}
	return &Barrier{x: x, i: i, parties: parties}, nil
}

// Await arrives at the barrier and returns once every party has arrived
// in this generation; serial is true for exactly one party of each
// generation, the last to arrive.
func (b *Barrier) Await() (serial bool, err error) {
	gen, err := atomics.Load(b.x, b.i+1)
	if err != nil {
		return false, err
	}
	n, err := atomics.Add(b.x, b.i, 1)
	if err != nil {
		return false, err
	}
	if int(n)+1 == b.parties {
		if _, err := atomics.Store(b.x, b.i, 0); err != nil {
			return false, err
		}
		return true, b.release()
	}
	for {
		g, err := atomics.Load(b.x, b.i+1)
		if err != nil || g != gen {
			return false, err
		}
		r, err := atomics.Wait(b.x, b.i+1, gen, atomics.Forever)
		if err != nil {
			return false, err
		}
		if r == atomics.OK {
			b.woken++
		}
	}
}

// release starts the next generation and wakes its waiters.
func (b *Barrier) release() error {
	if _, err := atomics.Add(b.x, b.i+1, 1); err != nil {
		return err
	}
	_, err := atomics.Notify(b.x, b.i+1, atomics.All)
	return err
}

// Woken is how many of this handle's waits slept and were woken by a
// notify ("ok").
func (b *Barrier) Woken() int { return b.woken }

// awaiter is what the Barrier scenarios need of a barrier.
type awaiter interface {
	Await() (bool, error)
}

// countBarrier is a barrier with the bug of BarrierNoGeneration: no
// generation; a waiter waits for the count to change from what its own
// arrival made it, taking any change for its release.
type countBarrier struct{ Barrier }

func (b *countBarrier) Await() (bool, error) {
	n, err := atomics.Add(b.x, b.i, 1)
	if err != nil {
		return false, err
	}
	if int(n)+1 == b.parties {
		if _, err := atomics.Store(b.x, b.i, 0); err != nil {
			return false, err
		}
		_, err := atomics.Notify(b.x, b.i, atomics.All)
		return true, err
	}
	// The bug: the count also changes when another party arrives.
	if _, err := atomics.Wait(b.x, b.i, n+1, atomics.Forever); err != nil {
		return false, err
	}
	return false, nil
}

// wakeFirstBarrier is Barrier with the bug of BarrierWakeBeforeReset: the
// last arrival releases the generation before it resets the count.
type wakeFirstBarrier struct{ Barrier }

func (b *wakeFirstBarrier) Await() (bool, error) {
	gen, err := atomics.Load(b.x, b.i+1)
	if err != nil {
		return false, err
	}
	n, err := atomics.Add(b.x, b.i, 1)
	if err != nil {
		return false, err
	}
	if int(n)+1 == b.parties {
		if err := b.release(); err != nil {
			return false, err
		}
		// The bug: a released party may have arrived again already.
		_, err := atomics.Store(b.x, b.i, 0)
		return true, err
	}
	for {
		g, err := atomics.Load(b.x, b.i+1)
		if err != nil || g != gen {
			return false, err
		}
		if _, err := atomics.Wait(b.x, b.i+1, gen, atomics.Forever); err != nil {
			return false, err
		}
	}
}

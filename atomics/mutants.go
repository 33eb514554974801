package atomics

import (
	"sync"
	"sync/atomic"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/model"
)

// The faulty variants that package mutant's hooks in this package select
// (build tag sabre_mutants; see internal/mutant). Without the tag nothing
// calls them.

// staleKey names a location for mutant.LoadStale's cache.
type staleKey struct {
	buf uint64
	at  int
}

// staleEntry is what mutant.LoadStale remembers of a location: how many
// Atomics.loads it served, and the bits the last real one returned.
type staleEntry struct {
	n    atomic.Uint64
	bits atomic.Uint64
}

var staleCache sync.Map // staleKey → *staleEntry

// loadStale is mutant.LoadStale: given the bits an Atomics.load of byte
// index at of buffer buf has just read, it returns them on the location's
// odd-numbered loads (and remembers them), and on its even-numbered ones
// the bits the location's previous real load returned: a stale cached value.
func loadStale(buf uint64, at int, bits uint64) uint64 {
	v, _ := staleCache.LoadOrStore(staleKey{buf, at}, new(staleEntry))
	c := v.(*staleEntry)
	if c.n.Add(1)%2 == 0 {
		return c.bits.Load()
	}
	c.bits.Store(bits)
	return bits
}

// storePlain is mutant.StoreNotSeqCst: Atomics.store done as a plain
// store, and recorded as the Unordered write it is (still NoTear: an
// aligned element store, made with one atomic instruction as every plain
// store in sabre is).
func storePlain(e *loc, bits uint64) {
	var ev history.Event
	ev.Kind = history.EvWrite
	ev.Op = opStore
	ev.Order, ev.NoTear, ev.ByteIndex, ev.Size = model.Unordered, true, e.at, e.size
	ev.Written = e.le(bits)
	var o mem.Obs
	o.Begin(e.blk, e.agent, &ev)
	e.blk.Store(e.at, e.size, bits)
	o.End(&ev)
}

// lostWakeups counts the synchronous waiters that notifies removed while
// mutant.NotifyLosesWakeup was in force.
var lostWakeups atomic.Uint64

// loseWakeup reports whether mutant.NotifyLosesWakeup loses the wake-up of
// the waiter a notify is removing: every second one (the first, the third, …).
func loseWakeup() bool { return lostWakeups.Add(1)%2 == 1 }

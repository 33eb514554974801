package shared

import (
	"sync"
	"sync/atomic"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/model"
)

// The faulty variants that package mutant's hooks in this package's
// TypedArray select (build tag sabre_mutants; see internal/mutant).
// Without the tag nothing calls them and the linker drops them.

// plainStaleKey names a location as one agent reads it, for
// mutant.PlainLoadStale's cache: buffer, agent, byte index and size.
type plainStaleKey struct {
	buf      uint64
	agent    int
	at, size int
}

// plainStaleEntry is what mutant.PlainLoadStale remembers of an agent's
// plain reads of a location: how many it made, and the bytes the last real
// one returned.
type plainStaleEntry struct {
	n     atomic.Uint64
	bytes atomic.Uint64
}

var plainStaleCache sync.Map // plainStaleKey → *plainStaleEntry

// plainReadStale is plainRead under mutant.PlainLoadStale: on an agent's
// odd-numbered plain reads of a location it reads memory (and remembers the
// bytes), on its even-numbered ones it reads nothing and returns the bytes
// its previous read returned. The event is recorded as plainRead records
// it, an Unordered read of the bytes returned; bytes a controller supplies
// are returned as they are.
func plainReadStale(blk *block, ag *mem.Agent, op string, i, size int, noTear bool) uint64 {
	var ev history.Event
	ev.Kind = history.EvRead
	ev.Order = model.Unordered
	ev.Op = op
	ev.ByteIndex = i
	ev.Size = size
	ev.NoTear = noTear
	var o mem.Obs
	if sup, supplied := o.Begin(blk, ag, &ev); supplied {
		ev.Read = sup & mem.Mask(size)
	} else {
		id := 0
		if ag != nil {
			id = ag.ID
		}
		v, _ := plainStaleCache.LoadOrStore(plainStaleKey{blk.ID, id, i, size}, new(plainStaleEntry))
		c := v.(*plainStaleEntry)
		if c.n.Add(1)%2 == 0 {
			ev.Read = c.bytes.Load()
		} else {
			ev.Read = blk.LoadRange(i, size)
			c.bytes.Store(ev.Read)
		}
	}
	o.End(&ev)
	return ev.Read
}

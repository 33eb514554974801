package shared

import (
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/model"
)

// plainRead passes an Unordered read of size bytes at byte index i of blk,
// by agent ag, through the bracket, and returns the bytes read packed
// little-endian by position (a controller may supply them). Callers test
// mem.Attached first; unobserved reads skip the bracket.
func plainRead(blk *block, ag *mem.Agent, op string, i, size int, noTear bool) uint64 {
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
		ev.Read = blk.LoadRange(i, size)
	}
	o.End(&ev)
	return ev.Read
}

// plainWrite passes an Unordered write of the size bytes x (packed
// little-endian by position) at byte index i of blk through the bracket.
// An aligned access of 1, 2, 4 or 8 bytes is one atomic operation, as
// Block.Store makes it.
func plainWrite(blk *block, ag *mem.Agent, op string, i, size int, noTear bool, x uint64) {
	var ev history.Event
	ev.Kind = history.EvWrite
	ev.Order = model.Unordered
	ev.Op = op
	ev.ByteIndex = i
	ev.Size = size
	ev.NoTear = noTear
	ev.Written = x
	var o mem.Obs
	o.Begin(blk, ag, &ev)
	blk.StoreRange(i, size, x)
	o.End(&ev)
}

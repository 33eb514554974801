package checker

import "sort"

// The race detector's vector clocks. A clock dimension is a chain: a set of
// events that happens-before orders totally — an agent's agent-order, or a
// virtual chain of events of no agent that other events synchronize with.
// A clock maps each chain to the highest position in it known to happen
// before (or be) the event the clock belongs to, so E happens-before D iff
// D's clock holds E's chain at E's position or later (FastTrack's epoch
// comparison, Flanagan and Freund, PLDI 2009).
//
// Clocks are sparse, sorted by chain: an event's past usually spans few
// chains, and a history may have very many (one per agent). A clock once
// shared by a snapshot is never changed: an agent copies its clock before
// the next join that changes it.

// rdNoDim is the chain of an event that no other event can know about: an
// event of no agent that nothing synchronizes with.
const rdNoDim = ^uint32(0)

// rdClock is a sparse vector clock: entries chain<<32 | position, sorted by
// chain, positions ≥ 1.
type rdClock []uint64

func rdEntry(dim, pos uint32) uint64 { return uint64(dim)<<32 | uint64(pos) }

// get returns the position of chain dim the clock knows (0: none).
func (c rdClock) get(dim uint32) uint32 {
	if len(c) <= 16 {
		for _, x := range c {
			if d := uint32(x >> 32); d >= dim {
				if d == dim {
					return uint32(x)
				}
				return 0
			}
		}
		return 0
	}
	i := sort.Search(len(c), func(i int) bool { return uint32(c[i]>>32) >= dim })
	if i < len(c) && uint32(c[i]>>32) == dim {
		return uint32(c[i])
	}
	return 0
}

// rdMerge appends to out[:0] the join (entry-wise maximum) of a and b.
func rdMerge(out, a, b rdClock) rdClock {
	out = out[:0]
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		da, db := a[i]>>32, b[j]>>32
		switch {
		case da < db:
			out = append(out, a[i])
			i++
		case db < da:
			out = append(out, b[j])
			j++
		default:
			out = append(out, max(a[i], b[j]))
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// rdSnap is the clock of one event: base, plus its own epoch (dim, pos),
// which may be missing from base or stale in it.
type rdSnap struct {
	base rdClock
	dim  uint32
	pos  uint32
}

// get returns the position of chain dim the snapshot knows.
func (s *rdSnap) get(dim uint32) uint32 {
	if dim == s.dim {
		return s.pos
	}
	return s.base.get(dim)
}

// rdAgentClock is the running clock of a chain that events are added to
// one at a time (an agent): its base, whether a snapshot shares the base,
// and the position of the chain's latest event.
type rdAgentClock struct {
	rdSnap
	shared bool
}

// join adds what s knows to c. If c already knows s's own epoch it knows
// everything s does (a clock only learns an epoch together with the whole
// past of that event), and nothing changes: the common case costs one
// look-up.
func (c *rdAgentClock) join(s *rdSnap, scratch *rdClock) {
	if s.pos == 0 || c.get(s.dim) >= s.pos {
		return
	}
	m := rdMerge(*scratch, c.base, s.base)
	m = rdSet(m, s.dim, s.pos)
	*scratch = m
	if !c.shared && cap(c.base) >= len(m) {
		c.base = append(c.base[:0], m...)
	} else {
		c.base = append(rdClock(nil), m...)
		c.shared = false
	}
}

// snapshot returns c's current clock; c copies its base before changing it
// again.
func (c *rdAgentClock) snapshot() rdSnap {
	c.shared = true
	return c.rdSnap
}

// rdSet returns c with chain dim's position raised to at least pos (in
// place when c has the chain; otherwise by inserting, which may reallocate).
func rdSet(c rdClock, dim, pos uint32) rdClock {
	if dim == rdNoDim || pos == 0 {
		return c
	}
	i := sort.Search(len(c), func(i int) bool { return uint32(c[i]>>32) >= dim })
	if i < len(c) && uint32(c[i]>>32) == dim {
		if uint32(c[i]) < pos {
			c[i] = rdEntry(dim, pos)
		}
		return c
	}
	c = append(c, 0)
	copy(c[i+1:], c[i:])
	c[i] = rdEntry(dim, pos)
	return c
}

package model

import (
	"math"
	"math/bits"
)

// bitset is a set of small non-negative integers (event IDs).
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (s bitset) has(i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }
func (s bitset) set(i int)      { s[i>>6] |= 1 << (uint(i) & 63) }
func (s bitset) or(o bitset) {
	for i := range s {
		s[i] |= o[i]
	}
}
func (s bitset) intersects(o bitset) bool {
	for i := range s {
		if s[i]&o[i] != 0 {
			return true
		}
	}
	return false
}
func (s bitset) count() int {
	c := 0
	for _, w := range s {
		c += bits.OnesCount64(w)
	}
	return c
}

// Relation is a binary relation on the events of one execution, stored as
// one bitset row per event (n²/64 words for n events). A Relation value is
// a handle on its bits, like a slice: copying it (assignment, passing it,
// the fields of Analysis) shares the bits, so Add through one copy shows
// in all of them. Clone makes an independent copy. The zero Relation is
// the empty relation on no events.
type Relation struct {
	n, words int
	bits     []uint64
}

// maxRelationLen is the most events a Relation is over: its bits take
// n²/8 bytes, 128 GiB at this size (and the transitive closure n³/64
// word operations), so no larger relation is of use.
const maxRelationLen = 1 << 20

// NewRelation returns the empty relation on n events, whose bits take
// n·⌈n/64⌉ words (n²/8 bytes: 112 MB for n = 30,000). For n ≤ 0 it
// returns the zero Relation, the empty relation on no events; so it does
// for an n too large to be of use: over 2^20 (1,048,576), or whose n²/8
// bytes an int cannot count (over about 131,000 on 32-bit platforms).
// Len tells which; Analyze refuses executions with that many events.
func NewRelation(n int) Relation {
	if !relationFits(n) {
		return Relation{}
	}
	w := (n + 63) / 64
	return Relation{n: n, words: w, bits: make([]uint64, n*w)}
}

// relationFits reports whether NewRelation(n) is a relation on n > 0
// events.
func relationFits(n int) bool {
	return n > 0 && n <= maxRelationLen && n <= math.MaxInt/8/((n+63)/64)
}

// Len is the number of events the relation is over.
func (r Relation) Len() int { return r.n }

func (r Relation) row(i int) bitset { return bitset(r.bits[i*r.words : (i+1)*r.words]) }

// Has reports whether a is related to b.
func (r Relation) Has(a, b EventID) bool {
	if a < 0 || b < 0 || int(a) >= r.n || int(b) >= r.n {
		return false
	}
	return r.row(int(a)).has(int(b))
}

// Add relates a to b, in place (every copy of r sees it), and reports
// true. When a or b is not an event of the relation (negative, or not
// below Len) it changes nothing and reports false.
func (r Relation) Add(a, b EventID) bool {
	if uint(a) >= uint(r.n) || uint(b) >= uint(r.n) {
		return false
	}
	r.set(int(a), int(b))
	return true
}

// set is Add for events known to be in range (Analyze's and the
// enumerator's loops).
func (r Relation) set(a, b int) { r.row(a).set(b) }

// Clone returns a copy with bits of its own.
func (r Relation) Clone() Relation {
	c := Relation{n: r.n, words: r.words, bits: make([]uint64, len(r.bits))}
	copy(c.bits, r.bits)
	return c
}

func (r Relation) copyFrom(o Relation) { copy(r.bits, o.bits) }

// Pairs lists the related pairs in increasing order.
func (r Relation) Pairs() [][2]EventID {
	var out [][2]EventID
	for a := 0; a < r.n; a++ {
		row := r.row(a)
		for b := 0; b < r.n; b++ {
			if row.has(b) {
				out = append(out, [2]EventID{EventID(a), EventID(b)})
			}
		}
	}
	return out
}

// TransitiveClosure returns the least transitive relation containing r.
func (r Relation) TransitiveClosure() Relation {
	c := r.Clone()
	for k := 0; k < c.n; k++ {
		rk := c.row(k)
		for i := 0; i < c.n; i++ {
			if i != k && c.row(i).has(k) {
				c.row(i).or(rk)
			}
		}
	}
	return c
}

// Irreflexive reports whether no event is related to itself; for a
// transitive relation that means it is a strict partial order. When it is
// not, it returns one event on a cycle.
func (r Relation) Irreflexive() (bool, EventID) {
	for i := 0; i < r.n; i++ {
		if r.row(i).has(i) {
			return false, EventID(i)
		}
	}
	return true, -1
}

// addClosed adds a→b to a transitively closed relation and keeps it closed.
// It reports false (leaving r unchanged) when the edge would close a cycle.
func (r Relation) addClosed(a, b int) bool {
	if a == b || r.row(b).has(a) {
		return false
	}
	if r.row(a).has(b) {
		return true
	}
	rb := r.row(b)
	for i := 0; i < r.n; i++ {
		if i == a || r.row(i).has(a) {
			ri := r.row(i)
			ri.or(rb)
			ri.set(b)
		}
	}
	return true
}

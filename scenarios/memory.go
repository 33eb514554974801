package scenarios

import (
	"math/bits"
	"slices"

	"github.com/sabre-mm/sabre/model"
)

// byteSet is a set of byte values.
type byteSet [4]uint64

func (s *byteSet) add(v byte) bool {
	w, m := v>>6, uint64(1)<<(v&63)
	if s[w]&m != 0 {
		return false
	}
	s[w] |= m
	return true
}

func (s *byteSet) has(v byte) bool { return s[v>>6]&(1<<(v&63)) != 0 }

func (s *byteSet) union(o *byteSet) {
	for i := range s {
		s[i] |= o[i]
	}
}

// appendTo appends the set's values, ascending.
func (s *byteSet) appendTo(dst []byte) []byte {
	for w, x := range s {
		for x != 0 {
			b := bits.TrailingZeros64(x)
			dst = append(dst, byte(w<<6+b))
			x &= x - 1
		}
	}
	return dst
}

// Knowledge is what an exploration has learned across executions: the
// values that writes of allowed executions wrote to each byte of each
// buffer (buffers by creation order), and which writes (by agent and
// agent-order position) wrote each byte in any execution. A read may return any of them — also
// before the write that makes it in this execution has happened — and the
// model decides whether the execution is allowed: this is how the
// explorer reaches load buffering without GenMC's backward revisits.
// Values are learned only from allowed executions, so no value comes out
// of thin air.
type Knowledge struct {
	frozen  bool
	version uint64
	bufs    [][]knownByte
	// writers of each byte: the writes (agent slot and agent-order
	// position) that wrote it in allowed executions.
	writers map[byteAt][]writeID
	known   map[writerAt]struct{}
}

type writerAt struct {
	byteAt
	writeID
}

type byteAt struct{ buf, i int }

type byteValue struct {
	buf, i int
	v      byte
}

type writeID struct {
	slot int
	seq  uint64
}

type knownByte struct {
	set byteSet
	ver uint64 // the version at which the set last grew
}

// Freeze stops k learning: explorations that use it afterwards see the
// same values whatever they run (rapid needs its test cases independent).
func (k *Knowledge) Freeze() { k.frozen = true }

// Version counts the values learned so far.
func (k *Knowledge) Version() uint64 { return k.version }

// ChangedSince reports whether a value was learned for a byte of l after
// version v.
func (k *Knowledge) ChangedSince(l Loc, v uint64) bool {
	if l.Buf >= len(k.bufs) {
		return false
	}
	b := k.bufs[l.Buf]
	for i := l.ByteIndex; i < l.ByteIndex+l.Size && i < len(b); i++ {
		if b[i].ver > v {
			return true
		}
	}
	return false
}

// learnWriter records that the write (slot, seq) wrote byte i of buffer
// buf in some execution (allowed or not: agents are deterministic, so
// whatever they did they may do again).
func (k *Knowledge) learnWriter(buf, i int, slot int, seq uint64) {
	if k.frozen {
		return
	}
	if k.writers == nil {
		k.writers = map[byteAt][]writeID{}
	}
	key := byteAt{buf, i}
	w := writeID{slot, seq}
	if k.known == nil {
		k.known = map[writerAt]struct{}{}
	}
	if _, ok := k.known[writerAt{key, w}]; ok {
		return
	}
	k.known[writerAt{key, w}] = struct{}{}
	k.writers[key] = append(k.writers[key], w)
	k.version++
	for len(k.bufs) <= buf {
		k.bufs = append(k.bufs, nil)
	}
	if len(k.bufs[buf]) <= i {
		k.bufs[buf] = slices.Grow(k.bufs[buf], i+1-len(k.bufs[buf]))[:i+1]
	}
	k.bufs[buf][i].ver = k.version
}

func (k *Knowledge) learn(buf, i int, v byte) {
	if k.frozen {
		return
	}
	for len(k.bufs) <= buf {
		k.bufs = append(k.bufs, nil)
	}
	if len(k.bufs[buf]) <= i {
		k.bufs[buf] = slices.Grow(k.bufs[buf], i+1-len(k.bufs[buf]))[:i+1]
	}
	if kb := &k.bufs[buf][i]; kb.set.add(v) {
		k.version++
		kb.ver = k.version
	}
}

func (k *Knowledge) at(buf, i int) *byteSet {
	if buf < len(k.bufs) && i < len(k.bufs[buf]) {
		return &k.bufs[buf][i].set
	}
	return nil
}

// bufState is one buffer of an execution as the explorer sees it.
type bufState struct {
	id       uint64 // the shared Buffer's ID
	name     string
	tracked  bool // a shared buffer of the scenario: the explorer chooses what its reads return
	growable bool
	shadow   []byte             // each byte's latest write in the schedule
	written  []byteSet          // the values written to each byte in this execution (with the initial 0)
	wrote0   []bool             // a write (not the initial contents) wrote 0 to the byte
	shapes   map[shape]struct{} // the accesses made, for the final cells
}

// shape is an access as the final cells see it (model.FinalCellsOf).
type shape struct {
	kind   model.AccessKind
	at     int
	size   int
	noTear bool
}

// access records an access's shape.
func (b *bufState) access(kind model.AccessKind, at, size int, noTear bool) {
	if b.shapes == nil {
		b.shapes = map[shape]struct{}{}
	}
	b.shapes[shape{kind, at, size, noTear}] = struct{}{}
}

func (b *bufState) ensure(n int) {
	for len(b.shadow) < n {
		b.shadow = append(b.shadow, 0)
		var s byteSet
		s.add(0)
		b.written = append(b.written, s)
	}
}

// write records a write of v (size bytes, little-endian by position) at i.
func (b *bufState) write(i, size int, v uint64) {
	b.ensure(i + size)
	for k := range size {
		x := byte(v >> (8 * k))
		b.shadow[i+k] = x
		b.written[i+k].add(x)
		if x == 0 {
			for len(b.wrote0) < len(b.shadow) {
				b.wrote0 = append(b.wrote0, false)
			}
			b.wrote0[i+k] = true
		}
	}
}

// initialize records the initial zeros of bytes [i, i+size).
func (b *bufState) initialize(i, size int) {
	b.ensure(i + size)
	for k := range size {
		b.shadow[i+k] = 0
	}
}

// load returns the shadow bytes [i, i+size), packed little-endian.
func (b *bufState) load(i, size int) uint64 {
	b.ensure(i + size)
	var v uint64
	for k := range size {
		v |= uint64(b.shadow[i+k]) << (8 * k)
	}
	return v
}

// valuesAt returns the values byte i of buffer buf may take (see
// ReadChoice.Values).
func (x *execution) valuesAt(buf, i int) []byte {
	var s byteSet
	s.add(0)
	if buf < len(x.bufs) && i < len(x.bufs[buf].written) {
		s.union(&x.bufs[buf].written[i])
	}
	if k := x.k.at(buf, i); k != nil {
		s.union(k)
	}
	return s.appendTo(nil)
}

// pack and unpack convert between bytes and little-endian payloads.
func pack(b []byte) uint64 {
	var v uint64
	for k, x := range b {
		v |= uint64(x) << (8 * k)
	}
	return v
}

func unpack(v uint64, size int) []byte {
	b := make([]byte, size)
	for k := range b {
		b[k] = byte(v >> (8 * k))
	}
	return b
}

// Alternatives returns every value the read c may return other than its
// default, as the product of Values, in lexicographic order of the bytes;
// at most limit of them (0: no limit), and whether it stopped at the limit.
func Alternatives(c *ReadChoice, limit int) (alts [][]byte, truncated bool) {
	truncated = !product(c.Values(), func(v []byte) bool {
		if slices.Equal(v, c.Default) {
			return true
		}
		if limit > 0 && len(alts) == limit {
			return false
		}
		alts = append(alts, v)
		return true
	})
	return alts, truncated
}

// product calls yield with each combination of one value per byte of
// vals, in lexicographic order (a new slice each time), until yield
// returns false; it reports whether it went through them all.
func product(vals [][]byte, yield func([]byte) bool) bool {
	idx := make([]int, len(vals))
	for {
		v := make([]byte, len(vals))
		for k := range vals {
			v[k] = vals[k][idx[k]]
		}
		if !yield(v) {
			return false
		}
		k := len(idx) - 1
		for k >= 0 {
			idx[k]++
			if idx[k] < len(vals[k]) {
				break
			}
			idx[k] = 0
			k--
		}
		if k < 0 {
			return true
		}
	}
}

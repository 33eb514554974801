package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sabre-mm/sabre/history"
)

// memSmall is the state of a memory component of at most 8 bytes: its
// bytes (byte j of the component in bits 8j..8j+7) and which of them are
// known (bit j): bytes no Init covers are unknown until read.
type memSmall struct {
	v uint64
	k uint8
}

// memBig is the state of a larger component: bytes, and 1 where known.
type memBig struct {
	v, k string
}

func (s memSmall) String() string {
	var b strings.Builder
	for j := 0; j < 8 && s.k>>j != 0; j++ {
		if s.k&(1<<j) != 0 {
			fmt.Fprintf(&b, "%02x", byte(s.v>>(8*j)))
		} else {
			b.WriteString("??")
		}
	}
	return b.String()
}

func (s memBig) String() string {
	var b strings.Builder
	for j := 0; j < len(s.v); j++ {
		if s.k[j] != 0 {
			fmt.Fprintf(&b, "%02x", s.v[j])
		} else {
			b.WriteString("??")
		}
	}
	return b.String()
}

// memStep applies a memory operation. A read must find, in every known
// byte, the byte it returned; an unknown byte becomes what it returned.
func memStep(s any, op *linOp) (bool, any) {
	if op.span <= 8 {
		st, _ := s.(memSmall)
		return memSmallStep(st, op)
	}
	st, ok := s.(memBig)
	if !ok {
		st = memBig{v: strings.Repeat("\x00", op.span), k: strings.Repeat("\x00", op.span)}
	}
	return memBigStep(st, op)
}

func byteMask(size int) uint64 {
	if size >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*size) - 1
}

func memSmallStep(st memSmall, op *linOp) (bool, any) {
	shift := 8 * op.off
	mask := byteMask(op.size) << shift
	kbits := uint8((1<<op.size - 1) << op.off)
	switch op.sub {
	case memInit:
		return true, memSmall{v: st.v &^ mask, k: st.k | kbits}
	case memStore:
		return true, memSmall{v: st.v&^mask | op.written<<shift&mask, k: st.k | kbits}
	}
	// load or RMW: the known bytes must match.
	var known uint64
	for j := 0; j < op.size; j++ {
		if st.k&(1<<(op.off+j)) != 0 {
			known |= 0xff << (8 * (op.off + j))
		}
	}
	got := op.read << shift & mask
	if st.v&known != got&known {
		return false, st
	}
	v := st.v&^mask | got
	if op.sub == memRMW {
		v = st.v&^mask | op.written<<shift&mask
	}
	return true, memSmall{v: v, k: st.k | kbits}
}

func memBigStep(st memBig, op *linOp) (bool, any) {
	v, k := []byte(st.v), []byte(st.k)
	switch op.sub {
	case memInit:
		for j := op.off; j < op.off+op.size; j++ {
			v[j], k[j] = 0, 1
		}
		return true, memBig{string(v), string(k)}
	case memStore:
		for j := 0; j < op.size; j++ {
			v[op.off+j], k[op.off+j] = byte(op.written>>(8*j)), 1
		}
		return true, memBig{string(v), string(k)}
	}
	for j := 0; j < op.size; j++ {
		b := byte(op.read >> (8 * j))
		if k[op.off+j] != 0 && v[op.off+j] != b {
			return false, st
		}
		v[op.off+j], k[op.off+j] = b, 1
		if op.sub == memRMW {
			v[op.off+j] = byte(op.written >> (8 * j))
		}
	}
	return true, memBig{string(v), string(k)}
}

// bytesOf returns the known bytes of a memory state at [off, off+size),
// as a little-endian value, and whether all were known.
func bytesOf(s any, off, size int) (uint64, bool) {
	var v uint64
	all := true
	for j := 0; j < size; j++ {
		var b byte
		var known bool
		switch st := s.(type) {
		case memSmall:
			b, known = byte(st.v>>(8*(off+j))), st.k&(1<<(off+j)) != 0
		case memBig:
			b, known = st.v[off+j], st.k[off+j] != 0
		}
		all = all && known
		v |= uint64(b) << (8 * j)
	}
	return v, all
}

// waitEntry is one waiter on a list.
type waitEntry struct {
	ref   history.Ref
	agent int
	async bool
	woken bool // an async waiter a notify woke (not one a settlement may remove)
}

// waitState is a waiter list, oldest first: a persistent treap of its
// waiters keyed by rank, their place in the list's enqueue order (a
// waiter list keeps its waiters in the order they enqueued, which is the
// order of their Call instants, ties broken by event index). A step copies
// O(log n) nodes, not the list, and the state's hash is kept in its
// nodes: a list of n waiters costs the search O(log n) per step (it cost
// O(n), and memory O(n²) along a search path). The zero waitState (or a
// nil one) is the empty list.
type waitState struct{ root *wnode }

// wnode is a node of a waitState's treap, with its subtree's aggregates.
type wnode struct {
	e      waitEntry
	rank   int32
	pri    uint32
	l, r   *wnode
	size   int32
	hash   uint64 // the sum of rankHash over the subtree
	free   int32  // async waiters no notify woke (settlements remove these)
	agents uint64 // bit agent%64 for each of them
}

func rankHash(r int32) uint64 {
	x := uint64(r) + 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (e *waitEntry) free() bool { return e.async && !e.woken }

func wsize(t *wnode) int32 {
	if t == nil {
		return 0
	}
	return t.size
}

// wmk returns a new node holding t's waiter with children l and r.
func wmk(t *wnode, l, r *wnode) *wnode {
	n := &wnode{e: t.e, rank: t.rank, pri: t.pri, l: l, r: r, size: 1, hash: rankHash(t.rank)}
	if t.e.free() {
		n.free, n.agents = 1, 1<<(uint(t.e.agent)%64)
	}
	for _, c := range [2]*wnode{l, r} {
		if c != nil {
			n.size += c.size
			n.hash += c.hash
			n.free += c.free
			n.agents |= c.agents
		}
	}
	return n
}

// wsplit splits t into the ranks below k and the others.
func wsplit(t *wnode, k int32) (*wnode, *wnode) {
	if t == nil {
		return nil, nil
	}
	if t.rank < k {
		a, b := wsplit(t.r, k)
		return wmk(t, t.l, a), b
	}
	a, b := wsplit(t.l, k)
	return a, wmk(t, b, t.r)
}

// wsplitN splits t into its first n waiters and the others.
func wsplitN(t *wnode, n int32) (*wnode, *wnode) {
	if t == nil {
		return nil, nil
	}
	if ls := wsize(t.l); n <= ls {
		a, b := wsplitN(t.l, n)
		return a, wmk(t, b, t.r)
	} else {
		a, b := wsplitN(t.r, n-ls-1)
		return wmk(t, t.l, a), b
	}
}

// wmerge joins a and b, every rank of a below every rank of b.
func wmerge(a, b *wnode) *wnode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.pri > b.pri:
		return wmk(a, a.l, wmerge(a.r, b))
	}
	return wmk(b, wmerge(a, b.l), b.r)
}

func winsert(t, n *wnode) *wnode {
	if t == nil {
		return n
	}
	if n.pri > t.pri {
		a, b := wsplit(t, n.rank)
		return wmk(n, a, b)
	}
	if n.rank < t.rank {
		return wmk(t, winsert(t.l, n), t.r)
	}
	return wmk(t, t.l, winsert(t.r, n))
}

// wdelete removes the waiter of rank k, and reports whether t held it.
func wdelete(t *wnode, k int32) (*wnode, bool) {
	switch {
	case t == nil:
		return nil, false
	case k == t.rank:
		return wmerge(t.l, t.r), true
	case k < t.rank:
		l, ok := wdelete(t.l, k)
		if !ok {
			return t, false
		}
		return wmk(t, l, t.r), true
	}
	r, ok := wdelete(t.r, k)
	if !ok {
		return t, false
	}
	return wmk(t, t.l, r), true
}

// wfirstFree returns the rank of the oldest free waiter of agent.
func wfirstFree(t *wnode, agent int) (int32, bool) {
	if t == nil || t.free == 0 || t.agents&(1<<(uint(agent)%64)) == 0 {
		return 0, false
	}
	if k, ok := wfirstFree(t.l, agent); ok {
		return k, true
	}
	if t.e.free() && t.e.agent == agent {
		return t.rank, true
	}
	return wfirstFree(t.r, agent)
}

// each calls f on t's waiters in order while f returns true.
func (t *wnode) each(f func(*wnode) bool) bool {
	return t == nil || t.l.each(f) && f(t) && t.r.each(f)
}

// list returns the waiters, oldest first.
func (s *waitState) list() []waitEntry {
	var out []waitEntry
	if s != nil {
		s.root.each(func(n *wnode) bool { out = append(out, n.e); return true })
	}
	return out
}

func (s *waitState) size() int32 {
	if s == nil {
		return 0
	}
	return wsize(s.root)
}

func (s *waitState) hash() uint64 {
	if s == nil || s.root == nil {
		return 0
	}
	return s.root.hash*0x9e3779b97f4a7c15 ^ uint64(s.root.size)
}

// equal reports whether two lists hold the same waiters (a rank names one
// waiter, and the ranks give the order).
func (s *waitState) equal(o *waitState) bool {
	if s.size() != o.size() || s.hash() != o.hash() {
		return false
	}
	if s == nil || o == nil || s.root == o.root {
		return true
	}
	var a, b []int32
	s.root.each(func(n *wnode) bool { a = append(a, n.rank); return true })
	o.root.each(func(n *wnode) bool { b = append(b, n.rank); return true })
	return slices.Equal(a, b)
}

func waitStep(s any, op *linOp) (bool, any) {
	st, _ := s.(*waitState)
	if st == nil {
		st = &waitState{}
	}
	switch op.sub {
	case waitEnqueue:
		n := &wnode{e: waitEntry{op.ref, op.agent, op.async, op.ok}, rank: op.rank, pri: uint32(rankHash(op.rank) >> 32)}
		return true, &waitState{winsert(st.root, wmk(n, nil, nil))}
	case waitNotify:
		n := st.size()
		if op.count >= 0 && int64(n) > op.count {
			n = int32(op.count)
		}
		if int32(len(op.woken)) != n {
			return false, st
		}
		first, rest := wsplitN(st.root, n)
		i := 0
		if !first.each(func(w *wnode) bool { i++; return w.e.ref == op.woken[i-1] }) {
			return false, st
		}
		return true, &waitState{rest}
	case waitLeave:
		t, ok := wdelete(st.root, op.rank)
		if !ok {
			return false, st
		}
		return true, &waitState{t}
	default: // waitLeaveAsync: the oldest async waiter of the agent that no notify woke
		k, ok := wfirstFree(st.root, op.agent)
		if !ok {
			return false, st
		}
		t, _ := wdelete(st.root, k)
		return true, &waitState{t}
	}
}

// queueState is a queue's items, head first: the window [lo, hi) of an
// append-only log that the states of one search path share. A put appends
// to the log in place when the state ends where the log does (or finds
// its item already there, as when the search tries it again), and copies
// the window only where the search branches; the hash of a window comes
// from the log's prefix hashes. So a step costs O(1), not a copy of the
// queue (which cost O(n) per step and O(n²) memory along a search path).
// The zero queueState (or a nil one) is the empty queue.
type queueState struct {
	log    *queueLog
	lo, hi int
}

type queueLog struct {
	items []uint64
	pre   []uint64 // pre[i]: the hash of items[:i]
}

const queueHashBase = 0x100000001b3 // odd: powers of it never vanish mod 2^64

func (s *queueState) len() int {
	if s == nil {
		return 0
	}
	return s.hi - s.lo
}

func (s *queueState) at(i int) uint64 { return s.log.items[s.lo+i] }

func (s *queueState) items() []uint64 {
	if s.len() == 0 {
		return nil
	}
	return s.log.items[s.lo:s.hi]
}

func (s *queueState) hash() uint64 {
	if s.len() == 0 {
		return 0
	}
	p, b := uint64(1), uint64(queueHashBase)
	for k := s.hi - s.lo; k > 0; k >>= 1 {
		if k&1 != 0 {
			p *= b
		}
		b *= b
	}
	return s.log.pre[s.hi] - s.log.pre[s.lo]*p
}

func (s *queueState) push(x uint64) *queueState {
	l := s.log
	switch {
	case l == nil:
		l = &queueLog{pre: []uint64{0}}
	case s.hi < len(l.items) && l.items[s.hi] == x:
		return &queueState{l, s.lo, s.hi + 1}
	case s.hi < len(l.items):
		// Another branch of the search appended here: copy the window.
		n := s.hi - s.lo
		c := &queueLog{items: make([]uint64, 0, 2*n+1), pre: make([]uint64, 1, 2*n+2)}
		for _, it := range l.items[s.lo:s.hi] {
			c.items = append(c.items, it)
			c.pre = append(c.pre, c.pre[len(c.pre)-1]*queueHashBase+mixItem(it))
		}
		s, l = &queueState{c, 0, n}, c
	}
	l.items = append(l.items, x)
	l.pre = append(l.pre, l.pre[s.hi]*queueHashBase+mixItem(x))
	return &queueState{l, s.lo, s.hi + 1}
}

func mixItem(x uint64) uint64 { return rankHash(int32(x)) ^ x>>32*0x9e3779b97f4a7c15 ^ x }

func (s *queueState) equal(o *queueState) bool {
	n := s.len()
	if n != o.len() {
		return false
	}
	if n == 0 || s.log == o.log && s.lo == o.lo {
		return true
	}
	if s.hash() != o.hash() {
		return false
	}
	return slices.Equal(s.items(), o.items())
}

func queueStep(s any, op *linOp) (bool, any) {
	st, _ := s.(*queueState)
	if st == nil {
		st = &queueState{}
	}
	n := int64(st.len())
	bounded := op.maxsize > 0
	switch {
	case op.sub == queuePut && op.ok:
		if bounded && n >= op.maxsize {
			return false, st
		}
		return true, st.push(op.item)
	case op.sub == queuePut:
		return bounded && n >= op.maxsize, st
	case op.ok:
		if n == 0 || st.at(0) != op.item {
			return false, st
		}
		return true, &queueState{st.log, st.lo + 1, st.hi}
	default:
		return n == 0, st
	}
}

// whyNot says why op cannot be the next operation after state s.
func (op *linOp) whyNot(s any, h *history.History) string {
	switch op.kind {
	case linMem:
		switch op.sub {
		case memLoad, memRMW:
			have, all := bytesOf(s, op.off, op.size)
			kind := "it read"
			if op.sub == memRMW {
				kind = "its read-modify-write read"
			}
			known := ""
			if !all {
				known = " (where known)"
			}
			return fmt.Sprintf("%s %s but the bytes held %s%s", kind, hexBytes(op.read, op.size), hexBytes(have, op.size), known)
		}
		return "a write can always come next, so the operations it must precede cannot"
	case linWait:
		st, _ := s.(*waitState)
		if st == nil {
			st = &waitState{}
		}
		switch op.sub {
		case waitNotify:
			return fmt.Sprintf("it woke %v but the list held %s, and it removes the oldest min(count %d, waiting) first", op.woken, describeState(st), op.count)
		case waitLeave:
			return fmt.Sprintf("it returned %q but was no longer waiting (a notify had removed it)", h.Events[op.ev].Result)
		case waitLeaveAsync:
			return "no async waiter of that agent was left to time out"
		}
		return "an enqueue can always come next"
	}
	st, _ := s.(*queueState)
	if st == nil {
		st = &queueState{}
	}
	switch {
	case op.sub == queuePut && op.ok:
		return fmt.Sprintf("it put item %d into a full queue (maxsize %d)", op.item, op.maxsize)
	case op.sub == queuePut:
		return fmt.Sprintf("it failed \"full\" but the queue held %d of maxsize %d", st.len(), op.maxsize)
	case op.ok:
		if st.len() == 0 {
			return fmt.Sprintf("it took item %d from an empty queue", op.item)
		}
		return fmt.Sprintf("it took item %d but item %d was at the head", op.item, st.at(0))
	}
	return fmt.Sprintf("it failed \"empty\" but the queue held %s", describeState(st))
}

// hexBytes spells the size bytes of v in memory order, as history files do.
func hexBytes(v uint64, size int) string {
	var b strings.Builder
	for j := 0; j < size && j < 8; j++ {
		fmt.Fprintf(&b, "%02x", byte(v>>(8*j)))
	}
	return b.String()
}

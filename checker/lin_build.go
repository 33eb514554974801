package checker

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"github.com/anishathalye/porcupine"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

type linKind uint8

const (
	linMem linKind = iota
	linWait
	linQueue
)

// Sub-kinds of operation.
const (
	memLoad uint8 = iota
	memStore
	memRMW
	memInit

	waitEnqueue
	waitNotify
	waitLeave      // a sync wait that timed out or was cancelled: it leaves the list
	waitLeaveAsync // a waitAsync's timed-out or cancelled settlement

	queuePut
	queueGet
)

// linOp is one porcupine operation's input (its output is nil: the
// operation carries what it returned).
type linOp struct {
	kind  linKind
	sub   uint8
	ev    int // index in History.Events, -1 for none
	label string

	// memory: the component (its block, first byte and length) and the
	// access within it.
	block, base, span int
	off, size         int
	read, written     uint64

	// waiter lists
	ref   history.Ref // the wait that enqueues or leaves
	rank  int32       // its place in its list's enqueue order
	agent int
	count int64         // notify's count, -1 for all
	woken []history.Ref // the waiters a notify woke, in order
	async bool

	// queues
	ok      bool
	item    uint64
	maxsize int64 // ≤ 0: unbounded
	queue   uint64
	wait    *waitKey
}

type waitKey struct {
	buf   uint64
	index int
}

type linBuilder struct {
	h          *history.History
	ops        []porcupine.Operation
	parts      [][]porcupine.Operation
	skipped    []string
	skippedOps int
	findings   []Finding
	clients    map[int]int
	root       func(uint64) uint64
	instants   []int64 // the history's Call and Return instants, sorted, distinct
}

func newLinBuilder(h *history.History) *linBuilder {
	b := &linBuilder{h: h, clients: map[int]int{0: 0}}
	b.root = bufferRoots(h)
	agents := []int{}
	for i := range h.Events {
		if a := h.Events[i].Agent; a != 0 {
			if _, ok := b.clients[a]; !ok {
				b.clients[a] = -1
				agents = append(agents, a)
			}
		}
	}
	slices.Sort(agents)
	for i, a := range agents {
		b.clients[a] = i + 1
	}
	b.instants = make([]int64, 0, 2*len(h.Events))
	for i := range h.Events {
		b.instants = append(b.instants, h.Events[i].Call, h.Events[i].Return)
	}
	slices.Sort(b.instants)
	b.instants = slices.Compact(b.instants)
	return b
}

// bufferRoots returns the function that maps a buffer ID to the ID of the
// buffer whose memory it is: an ArrayBuffer transfer that moved the bytes
// (Event.Stored) makes the new buffer the same memory as the old one.
func bufferRoots(h *history.History) func(uint64) uint64 {
	alias := map[uint64]uint64{}
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind == history.EvTransfer && e.Stored && e.Peer != 0 && e.Peer != e.Buffer {
			alias[e.Peer] = e.Buffer
		}
	}
	memo := map[uint64]uint64{}
	return func(id uint64) uint64 {
		if r, ok := memo[id]; ok {
			return r
		}
		var path []uint64
		seen := map[uint64]bool{}
		r := id
		for {
			if m, ok := memo[r]; ok {
				r = m
				break
			}
			next, ok := alias[r]
			if !ok || seen[r] {
				break
			}
			seen[r] = true
			path = append(path, r)
			r = next
		}
		for _, p := range path {
			memo[p] = r
		}
		memo[id] = r
		return r
	}
}

// at maps an instant to porcupine's time: twice its rank among the
// history's instants, so that order and equality are kept, there is room
// for the odd instants derived operations need (porcupine orders calls
// before returns at equal times), and no instant overflows (instants are
// any int64s; doubling one would wrap).
func (b *linBuilder) at(t int64) int64 {
	r, _ := slices.BinarySearch(b.instants, t)
	return 2 * int64(r)
}

func (b *linBuilder) add(part []porcupine.Operation, op *linOp, agent int, call, ret int64) []porcupine.Operation {
	return append(part, porcupine.Operation{ClientId: b.clients[agent], Input: op, Call: call, Return: ret})
}

func (b *linBuilder) finding(msg string, events ...int) {
	f := Finding{Message: msg}
	for _, i := range events {
		f.Events = append(f.Events, RefOf(b.h, i))
	}
	b.findings = append(b.findings, f)
}

func (b *linBuilder) build() {
	wokenBy := b.buildWaiters()
	b.buildMemory(wokenBy)
	b.buildQueues()
	for _, p := range b.parts {
		b.ops = append(b.ops, p...)
	}
}

type span struct {
	block, start, end int
	skip              bool
	ops               []porcupine.Operation
	// uncovered is a union-find over the component's bytes (and one past
	// them) whose roots are the bytes no Init has covered yet; left counts
	// them.
	uncovered []int32
	left      int
}

// identity returns [0, 1, …, n-1]: a union-find of n singletons.
func identity(n int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	return p
}

// ufFind returns x's root in the union-find p (each root is the first
// element at or after x that is its own parent), halving paths.
func ufFind(p []int32, x int32) int32 {
	for int(x) < len(p) && p[x] != x {
		p[x] = p[p[x]]
		x = p[x]
	}
	return x
}

// buildMemory makes one partition per component of seq-cst accesses.
func (b *linBuilder) buildMemory(wokenBy map[history.Ref]int) {
	h := b.h
	type acc struct{ start, end int }
	byBlock := map[uint64][]acc{}
	for i := range h.Events {
		e := &h.Events[i]
		if isSCAccess(e) {
			r := b.root(e.Buffer)
			byBlock[r] = append(byBlock[r], acc{e.ByteIndex, e.ByteIndex + e.Size})
		}
	}
	comps := map[uint64][]*span{}
	var blocks []uint64
	for blk, accs := range byBlock {
		blocks = append(blocks, blk)
		slices.SortFunc(accs, func(x, y acc) int { return cmp.Compare(x.start, y.start) })
		var cs []*span
		for _, a := range accs {
			if n := len(cs); n > 0 && a.start < cs[n-1].end {
				cs[n-1].end = max(cs[n-1].end, a.end)
				continue
			}
			cs = append(cs, &span{start: a.start, end: a.end})
		}
		comps[blk] = cs
	}
	slices.Sort(blocks)
	// find returns the components of blk overlapping [s, e).
	find := func(blk uint64, s, e int) []*span {
		cs := comps[blk]
		i := sort.Search(len(cs), func(i int) bool { return cs[i].end > s })
		j := i
		for j < len(cs) && cs[j].start < e {
			j++
		}
		return cs[i:j]
	}
	// Per block, a union-find over its components that skips those every
	// byte of which an Init has covered.
	openComps := map[uint64][]int32{}
	for i := range h.Events {
		e := &h.Events[i]
		if !e.Kind.IsMemory() {
			continue
		}
		blk := b.root(e.Buffer)
		switch {
		case e.Kind == history.EvInit:
			// Each byte's zero is its first Init's (in the history's
			// order), as the race check has it: ECMA-262 has one init
			// write per byte, and Inits that cover bytes again add
			// nothing. So an Init costs the components whose bytes it is
			// the first to cover, not every component under it (a buffer
			// initialised k times over m components cost k·m operations).
			cs := comps[blk]
			s, end := e.ByteIndex, e.ByteIndex+e.Size
			open := openComps[blk]
			if open == nil && len(cs) > 0 {
				open = identity(len(cs) + 1)
				openComps[blk] = open
			}
			for ci := ufFind(open, int32(sort.Search(len(cs), func(i int) bool { return cs[i].end > s }))); int(ci) < len(cs) && cs[ci].start < end; ci = ufFind(open, ci+1) {
				c := cs[ci]
				if c.uncovered == nil {
					c.uncovered = identity(c.end - c.start + 1)
					c.left = c.end - c.start
				}
				lo, hi := int32(max(c.start, s)-c.start), int32(min(c.end, end)-c.start)
				for j := ufFind(c.uncovered, lo); j < hi; j = ufFind(c.uncovered, j) {
					k := j
					for k < hi && ufFind(c.uncovered, k) == k {
						c.uncovered[k] = k + 1
						k++
					}
					op := &linOp{kind: linMem, sub: memInit, ev: i, off: int(j), size: int(k - j)}
					op.label = fmt.Sprintf("init %s[%d:%d]", bufName(blk), c.start+int(j), c.start+int(k))
					c.ops = b.add(c.ops, op, e.Agent, b.at(e.Call), b.at(e.Return))
					c.left -= int(k - j)
				}
				if c.left == 0 {
					open[ci] = ci + 1
				}
			}
		case e.Order == model.Unordered:
			for _, c := range find(blk, e.ByteIndex, e.ByteIndex+e.Size) {
				c.skip = true
			}
		default:
			c := find(blk, e.ByteIndex, e.ByteIndex+e.Size)[0]
			op := &linOp{kind: linMem, ev: i, off: e.ByteIndex - c.start, size: e.Size, read: e.Read, written: e.Written}
			ret := b.at(e.Return)
			switch e.Kind {
			case history.EvWrite:
				op.sub = memStore
			case history.EvRMW:
				op.sub = memRMW
			default:
				op.sub = memLoad
				if e.Kind == history.EvWait {
					// The value check happened before the notify that woke it.
					if n, ok := wokenBy[e.Ref()]; ok {
						ret = min(ret, b.at(h.Events[n].Call))
					}
				}
			}
			op.label = e.String()
			c.ops = b.add(c.ops, op, e.Agent, b.at(e.Call), ret)
		}
	}
	for _, blk := range blocks {
		for _, c := range comps[blk] {
			if c.skip {
				b.skipped = append(b.skipped, fmt.Sprintf("%s[%d:%d]: unordered accesses (see the conformance check)", bufName(blk), c.start, c.end))
				b.skippedOps += len(c.ops)
				continue
			}
			for _, o := range c.ops {
				op := o.Input.(*linOp)
				op.block, op.base, op.span = int(blk), c.start, c.end-c.start
			}
			if len(c.ops) > 0 {
				b.parts = append(b.parts, c.ops)
			}
		}
	}
}

func bufName(id uint64) string { return fmt.Sprintf("b%d", id) }

// isSCAccess reports whether e is a seq-cst access of memory (not Init).
func isSCAccess(e *history.Event) bool {
	switch e.Kind {
	case history.EvRead, history.EvWrite, history.EvRMW, history.EvWait:
		return e.Order == model.SeqCst
	}
	return false
}

// buildWaiters makes one partition per waiter list, and returns, for each
// wait a notify woke, the notify's index.
func (b *linBuilder) buildWaiters() map[history.Ref]int {
	h := b.h
	wokenBy := map[history.Ref]int{}
	waits := map[history.Ref]int{}
	lists := map[waitKey][]porcupine.Operation{}
	incomplete := map[waitKey]string{}
	var keys []waitKey
	keyOf := func(e *history.Event) waitKey {
		k := waitKey{b.root(e.Buffer), e.ByteIndex}
		if _, ok := lists[k]; !ok {
			keys = append(keys, k)
			lists[k] = nil
		}
		return k
	}
	for i := range h.Events {
		if e := &h.Events[i]; e.Kind == history.EvWait {
			waits[e.Ref()] = i
		}
	}
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind != history.EvNotify {
			continue
		}
		k := keyOf(e)
		if n, err := parseCount(e.Result); err != nil || n != len(e.Woken) {
			incomplete[k] = fmt.Sprintf("notify %v woke %s waiters but names %d (waits not recorded)", e.Ref(), e.Result, len(e.Woken))
		}
		for _, w := range e.Woken {
			if j, ok := wokenBy[w]; ok {
				b.finding(fmt.Sprintf("wait %v was woken twice: by notify %v and by notify %v", w, h.Events[j].Ref(), e.Ref()), j, i)
			}
			wokenBy[w] = i
			if _, ok := waits[w]; !ok {
				incomplete[k] = fmt.Sprintf("notify %v woke wait %v, which the history does not hold", e.Ref(), w)
			}
		}
		op := &linOp{kind: linWait, sub: waitNotify, ev: i, count: e.Count, woken: e.Woken, label: e.String()}
		lists[k] = b.add(lists[k], op, e.Agent, b.at(e.Call), b.at(e.Call))
	}
	asyncWoken := map[history.Ref]bool{}
	// For the "ok" settlements: the notify that sent each token, and how
	// many async waits of each agent each notify woke and no settlement
	// has yet claimed.
	notifyBySync := map[uint64]int{}
	asyncLeft := map[settleKey]int{}
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind != history.EvNotify {
			continue
		}
		if e.Sync != 0 {
			notifyBySync[e.Sync] = i
		}
		for _, w := range e.Woken {
			if j, ok := waits[w]; ok && h.Events[j].Op == "Atomics.waitAsync" && h.Events[j].Result == "async" {
				asyncLeft[settleKey{i, w.Agent}]++
			}
		}
	}
	for i := range h.Events {
		e := &h.Events[i]
		switch e.Kind {
		case history.EvWait:
			eq := e.Read == e.Expected
			switch {
			case e.Result == "not-equal" && eq:
				b.finding(fmt.Sprintf("wait %v returned \"not-equal\" but read %#x, the value it expected", e.Ref(), e.Read), i)
			case e.Result != "not-equal" && !eq:
				b.finding(fmt.Sprintf("wait %v returned %q but read %#x where it expected %#x: it should have returned \"not-equal\" without waiting", e.Ref(), e.Result, e.Read, e.Expected), i)
			}
			async := e.Op == "Atomics.waitAsync"
			enqueued := e.Result != "not-equal" && (!async || e.Result == "async")
			if !enqueued {
				continue
			}
			k := keyOf(e)
			op := &linOp{kind: linWait, sub: waitEnqueue, ev: i, ref: e.Ref(), agent: e.Agent, async: async, label: e.String()}
			lists[k] = b.add(lists[k], op, e.Agent, b.at(e.Call), b.at(e.Call))
			_, woken := wokenBy[e.Ref()]
			switch e.Result {
			case "ok":
				if !woken {
					b.finding(fmt.Sprintf("wait %v returned \"ok\", but no notify in the history woke it", e.Ref()), i)
				}
			case "timed-out", "cancelled":
				if e.Result == "timed-out" && e.Timeout < 0 {
					b.finding(fmt.Sprintf("wait %v returned \"timed-out\" but had no timeout", e.Ref()), i)
				}
				leave := &linOp{kind: linWait, sub: waitLeave, ev: i, ref: e.Ref(), agent: e.Agent, label: e.Ref().String() + " leaves (" + e.Result + ")"}
				// After it enqueued, by its return (a wait whose Call and
				// Return are one instant left at that instant too).
				lists[k] = b.add(lists[k], leave, e.Agent, b.at(e.Call)+1, max(b.at(e.Return), b.at(e.Call)+1))
			case "async":
				asyncWoken[e.Ref()] = woken
			}
		case history.EvWaitSettle:
			k := keyOf(e)
			if e.Result == "ok" {
				// The notify that removed it names its wait; the settlement
				// carries that notify's token.
				b.checkSettleOK(i, k, notifyBySync, waits, asyncLeft)
				continue
			}
			op := &linOp{kind: linWait, sub: waitLeaveAsync, ev: i, agent: e.Agent, label: fmt.Sprintf("a%d waitAsync settles (%s)", e.Agent, e.Result)}
			lists[k] = b.add(lists[k], op, e.Agent, b.at(e.Call), b.at(e.Return))
		}
	}
	// An async waiter a notify woke is not the one a timed-out settlement
	// of the same agent removed: mark them. Rank each list's waits by
	// their enqueue instants (ties by event index): a list keeps its
	// waiters in that order.
	for _, ops := range lists {
		var enq []*linOp
		for _, o := range ops {
			if op := o.Input.(*linOp); op.sub == waitEnqueue {
				if op.async {
					op.ok = asyncWoken[op.ref]
				}
				enq = append(enq, op)
			}
		}
		slices.SortFunc(enq, func(x, y *linOp) int {
			return cmp.Or(cmp.Compare(h.Events[x.ev].Call, h.Events[y.ev].Call), cmp.Compare(x.ev, y.ev))
		})
		rank := make(map[history.Ref]int32, len(enq))
		for i, op := range enq {
			op.rank = int32(i)
			rank[op.ref] = int32(i)
		}
		for _, o := range ops {
			if op := o.Input.(*linOp); op.sub == waitLeave {
				op.rank = rank[op.ref]
			}
		}
	}
	for _, k := range keys {
		ops := lists[k]
		key := k
		if why, ok := incomplete[k]; ok {
			b.skipped = append(b.skipped, fmt.Sprintf("waiter list %s[%d]: %s", bufName(k.buf), k.index, why))
			b.skippedOps += len(ops)
			continue
		}
		for _, o := range ops {
			o.Input.(*linOp).wait = &key
		}
		if len(ops) > 0 {
			b.parts = append(b.parts, ops)
		}
	}
	return wokenBy
}

type settleKey struct{ notify, agent int }

// checkSettleOK checks that the waitAsync settlement h.Events[i], "ok" on
// waiter list k, was woken by a notify of that list (the one that sent its
// Sync token) which woke an async wait of the same agent not already
// claimed by another settlement.
func (b *linBuilder) checkSettleOK(i int, k waitKey, notifyBySync map[uint64]int, waits map[history.Ref]int, asyncLeft map[settleKey]int) {
	e := &b.h.Events[i]
	who := fmt.Sprintf("a waitAsync of a%d on %s[%d] settled \"ok\"", e.Agent, bufName(k.buf), k.index)
	j, ok := notifyBySync[e.Sync]
	if e.Sync == 0 || !ok {
		b.finding(who+", but no notify in the history woke it (its sync token names none)", i)
		return
	}
	n := &b.h.Events[j]
	if b.root(n.Buffer) != k.buf || n.ByteIndex != k.index {
		b.finding(fmt.Sprintf("%s, but notify %v, whose token it carries, notified %s[%d]", who, n.Ref(), bufName(b.root(n.Buffer)), n.ByteIndex), i, j)
		return
	}
	key := settleKey{j, e.Agent}
	if asyncLeft[key] == 0 {
		b.finding(fmt.Sprintf("%s, but notify %v, whose token it carries, woke no (other) async wait of a%d", who, n.Ref(), e.Agent), i, j)
		return
	}
	asyncLeft[key]--
}

func parseCount(s string) (int, error) {
	var n int
	_, err := fmt.Sscanf(s, "%d", &n)
	return n, err
}

// buildQueues makes one partition per queue.
func (b *linBuilder) buildQueues() {
	h := b.h
	queues := map[uint64][]porcupine.Operation{}
	var ids []uint64
	puts := map[uint64]map[uint64]int{} // queue → item → put
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind == history.EvQueuePut && e.Result == "ok" {
			if puts[e.Peer] == nil {
				puts[e.Peer] = map[uint64]int{}
			}
			if j, ok := puts[e.Peer][e.Item]; ok {
				b.finding(fmt.Sprintf("queue %d: item %d was put twice, by %v and %v", e.Peer, e.Item, h.Events[j].Ref(), e.Ref()), j, i)
			}
			puts[e.Peer][e.Item] = i
		}
	}
	got := map[[2]uint64]int{}
	broken := map[uint64]bool{}
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind != history.EvQueuePut && e.Kind != history.EvQueueGet {
			continue
		}
		q := e.Peer
		if _, ok := queues[q]; !ok {
			ids = append(ids, q)
			queues[q] = nil
		}
		op := &linOp{kind: linQueue, ev: i, ok: e.Result == "ok", item: e.Item, maxsize: e.Count, queue: q, label: e.String()}
		if e.Kind == history.EvQueuePut {
			op.sub = queuePut
		} else {
			op.sub = queueGet
			if op.ok {
				key := [2]uint64{q, e.Item}
				if j, ok := got[key]; ok {
					b.finding(fmt.Sprintf("queue %d: item %d was taken twice, by %v and by %v", q, e.Item, h.Events[j].Ref(), e.Ref()), j, i)
					broken[q] = true
				}
				got[key] = i
				if _, ok := puts[q][e.Item]; !ok && len(puts[q]) > 0 {
					b.finding(fmt.Sprintf("queue %d: get %v took item %d, which no put in the history enqueued", q, e.Ref(), e.Item), i)
					broken[q] = true
				}
			}
		}
		queues[q] = b.add(queues[q], op, e.Agent, b.at(e.Call), b.at(e.Return))
	}
	for _, q := range ids {
		ops := queues[q]
		switch {
		case broken[q]:
			// Already illegal; porcupine would only say so again.
		case len(puts[q]) == 0 && hasGetOK(ops):
			b.skipped = append(b.skipped, fmt.Sprintf("queue %d: its gets took items but the history holds none of its puts", q))
			b.skippedOps += len(ops)
		default:
			b.parts = append(b.parts, ops)
		}
	}
}

func hasGetOK(ops []porcupine.Operation) bool {
	for _, o := range ops {
		if op := o.Input.(*linOp); op.sub == queueGet && op.ok {
			return true
		}
	}
	return false
}

// partName names the partition op belongs to.
func (op *linOp) partName(h *history.History) string {
	switch op.kind {
	case linMem:
		return fmt.Sprintf("memory %s[%d:%d]", bufName(uint64(op.block)), op.base, op.base+op.span)
	case linWait:
		if op.wait != nil {
			return fmt.Sprintf("waiter list %s[%d]", bufName(op.wait.buf), op.wait.index)
		}
		return "a waiter list"
	}
	return fmt.Sprintf("queue %d", op.queue)
}

func (op *linOp) describe(h *history.History) string {
	if op.ev >= 0 && op.sub != waitLeave && op.sub != waitLeaveAsync && op.sub != memInit {
		return h.Events[op.ev].Ref().String() + " " + h.Events[op.ev].Op
	}
	return op.label
}

package checker

import (
	"cmp"
	"context"
	"math/bits"
	"slices"
	"sort"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// maxRaceEvents bounds the events Races takes, so that every index the
// detector keeps fits an int32: events and wake-up nodes, byte slots (at
// most 16 per access), bytes read and written (at most 8 per access).
const maxRaceEvents = 1 << 26

// raceDetector finds the races of one history in four steps:
//
//  1. setup, one pass over the events: a compact record of each (the
//     history's events are large, and every later step reads them in
//     bulk), agents and agent-order positions, blocks (a transfer that
//     moves bytes aliases two buffers), a slot for each byte accessed (a
//     buffer of any declared length costs only the 8-byte lines touched),
//     host-synchronizes-with senders and receivers; then the Init event
//     whose zero each slot holds;
//  2. readsFrom: one sweep through the accesses by instant chooses, for
//     each byte of each read, the write it read from (history.Convert's
//     rule), and so the synchronizes-with edges; then each event's
//     happens-before predecessors other than agent-order, deduplicated;
//  3. order: Tarjan's algorithm over those predecessors emits the events
//     in an order consistent with happens-before — a strongly connected
//     component at a time, whose members all happen before each other, as
//     the model's transitive closure has it;
//  4. process, on each emission: the event's vector clock (its agent's
//     running clock joined with the snapshots of its other predecessors),
//     then the race checks: a write against the earlier writes that
//     share a byte with it (kept per first byte, chain and class, in chain
//     order, so that the racing ones — those past what the clock knows of
//     their chain — are a suffix, found by binary search and counted
//     without being listed), a read against the writes it read from
//     (deferred to the write when the write is processed later).
type raceDetector struct {
	ctx     context.Context
	h       *history.History
	ev      []history.Event
	e       []rdEv
	n       int32 // events; nodes n.. are woken waits' wake-ups
	collect func(e, d int, data bool)
	tick    int

	blocks []rdBlock

	agents   [][]int32 // per agent index (by ID): its events in agent-order
	dim      []uint32  // per event: its chain (rdNoDim: none)
	cpos     []uint32  // per event: its position in the chain
	chainLen []uint32  // per virtual chain (dimension len(agents)+i): its length
	noDimSeq uint32

	inits     []int32
	accesses  []int32
	accSorted bool // the accesses' Calls increase with their index
	recvs     []int32
	senders   map[uint64]int32
	wBytes    int
	rBytes    int

	rfOff    []int32  // per read: offset of its sources in rf; -1 otherwise
	rf       []int32  // per byte read: the write it read from; -1 none
	sender   []int32  // per receiver: the sending event (of an agent); -1 none
	csPrev   []int32  // per wait or notify: the previous critical section of its waiter list; -1 none
	wakeOf   []int32  // per woken wait: its wake-up node; -1 none
	wakeWait []int32  // per wake-up node: its wait
	hasSucc  []bool   // per event: another event synchronizes with it
	predOff  []int32  // per event: its predecessors other than agent-order,
	preds    []int32  // preds[predOff[v]:predOff[v+1]]
	snapOf   []int32  // per event with hasSucc: its clock in snaps
	snaps    []rdSnap //
	done     []bool   // per event: processed

	initOwner  []int32 // per slot: the Init event whose zero it holds; -1 none
	logHead    []int32 // per slot: the latest write the sweep registered (rdIndexed: see logIndex)
	log        []rdLog
	logIndex   map[int32]map[uint8][2]int32
	slots      []rdSlot // per slot: the writes that begin there
	streamMask []uint8  // per line: the bytes at which writes begin
	streams    []rdStream
	byKey      map[rdKey]int32 // the streams of slots with many
	slab       []rdEnt
	pendHead   []int32 // per write: reads that read from it, processed before it
	pend       []rdPend

	t         rdTrie
	ag        []rdSnap // per agent: its running clock
	agOwned   []bool   // per agent: no snapshot shares its clock's root
	sccMark   []int32
	sccSerial int32
	steps     int // inner-loop steps, for the tests' accounting of work

	checked, unsourced, total, nraces, cycles int
	listed                                    []DataRace
	stopped                                   error
	processed, nodes                          int
}

// rdEv is the compact record of one event.
type rdEv struct {
	kind   history.Kind
	seqcst bool
	size   uint8  // an access's size; 0 for other events
	agent  int32  // agent index; -1 outside agent-order
	blk    int32  // an access's block
	start  uint32 // an access's first byte
	slotA  int32  // an access's first line's slot (line id × 8)
	slotB  int32  // the next line's slot, when the access reaches into it; else -1
	slotP  int32  // a write's line before its first (-1: none touched)
}

// rdBlock maps a block's touched 8-byte lines to line ids: a table for
// small blocks, a map for large ones.
type rdBlock struct {
	maxLen int
	dense  []int32 // line → id+1
	sparse map[uint32]int32
	lines  []uint32 // touched lines, in order of first touch
	ids    []int32
}

type rdLog struct {
	ev, prev int32
	val      uint8
}

// rdIndexed in logHead marks a slot whose writes are in logIndex.
const rdIndexed = -2

// rdSlot holds the writes that begin at one byte: their streams, and the
// maximal ones — every write that begins here happens before one of them,
// or is one — so that a later write that all of them happen before races
// none (the common case costs a look-up per maximal write). At most one
// write that nothing can happen after (rdNoDim) is kept among them: one
// is enough to send every later write to the streams.
type rdSlot struct {
	head    int32
	nstream int32
	anti    []rdAnti
}

type rdAnti struct{ chain, pos uint32 }

type rdKey struct {
	slot  int32
	chain uint32
	class uint8
}

// rdStream holds the writes that begin at one byte, of one chain and one
// class (seq-cst<<4 | size), in chain order.
type rdStream struct {
	next  int32
	chain uint32
	class uint8
	ents  []rdEnt
}

type rdEnt struct {
	pos uint32
	ev  int32
}

type rdPend struct{ r, next int32 }

func newRaceDetector(ctx context.Context, h *history.History) *raceDetector {
	return &raceDetector{ctx: ctx, h: h, ev: h.Events, n: int32(len(h.Events))}
}

func (d *raceDetector) stop() bool {
	if d.stopped != nil {
		return true
	}
	d.tick++
	if d.tick&4095 == 0 && d.ctx.Err() != nil {
		d.stopped = context.Cause(d.ctx)
		return true
	}
	return false
}

func (d *raceDetector) run() {
	if d.ctx.Err() != nil {
		d.stopped = context.Cause(d.ctx)
		return
	}
	d.prepare()
	if d.stopped != nil {
		return
	}
	d.order()
}

// prepare runs the steps before the order: setup, reads-from and the
// predecessor lists.
func (d *raceDetector) prepare() {
	d.setup()
	d.setupInit()
	d.setupSync()
	d.readsFrom()
	if d.stopped == nil {
		d.predecessors()
	}
}

func isWrite(k history.Kind) bool { return k == history.EvWrite || k == history.EvRMW }
func isRead(k history.Kind) bool {
	return k == history.EvRead || k == history.EvRMW || k == history.EvWait
}
func isAccess(k history.Kind) bool { return k.IsMemory() && k != history.EvInit }

// setupBlocks gives each buffer (by its index in History.Buffers) its
// block: a buffer whose bytes a transfer moved (Stored) is the block of the
// buffer they came from, as in history.Convert.
func (d *raceDetector) setupBlocks(transfers []int32) []int32 {
	alias := map[uint64]uint64{}
	for _, i := range transfers {
		alias[d.ev[i].Peer] = d.ev[i].Buffer
	}
	// root follows a buffer's aliases to the buffer whose memory it is,
	// remembering every answer; a cycle ends where it closes (as in
	// Convert). Each buffer is walked once.
	roots := map[uint64]uint64{}
	onPath := map[uint64]bool{}
	root := func(id uint64) uint64 {
		var path []uint64
		r := id
		for {
			if known, ok := roots[r]; ok {
				r = known
				break
			}
			d.steps++
			p, ok := alias[r]
			if !ok || onPath[r] {
				break
			}
			path = append(path, r)
			onPath[r] = true
			r = p
		}
		for _, x := range path {
			roots[x] = r
			delete(onPath, x)
		}
		return r
	}
	blockOf := make(map[uint64]int32, len(d.h.Buffers))
	out := make([]int32, len(d.h.Buffers))
	for j, b := range d.h.Buffers {
		r := root(b.ID)
		blk, ok := blockOf[r]
		if !ok {
			blk = int32(len(d.blocks))
			blockOf[r] = blk
			d.blocks = append(d.blocks, rdBlock{})
		}
		out[j] = blk
		d.blocks[blk].maxLen = max(d.blocks[blk].maxLen, b.MaxLength)
	}
	return out
}

// setup makes the compact records in one pass: agents (numbered by ID) and
// agent-order positions (by Seq), each access's block and slots.
func (d *raceDetector) setup() {
	n := d.n
	d.e = make([]rdEv, n)
	idx := map[int]int32{}                        // agent ID → first-seen number, for large IDs
	small := make([]int32, min(len(d.ev), 1<<16)) // the same for small IDs, +1
	var ids []int
	var lastSeq []uint64 // per agent (first-seen numbering): the last Seq met
	var unsorted []bool  // per agent: its Seqs do not increase with the index
	lastID, lastIdx := 0, int32(-1)
	d.sender = make([]int32, n)
	d.wakeOf = make([]int32, n)
	var senders map[uint64]int32
	var recvs []int32
	bufIdx := make(map[uint64]int32, len(d.h.Buffers))
	for j, b := range d.h.Buffers {
		bufIdx[b.ID] = int32(j)
	}
	var lastBuf uint64
	lastBufIdx := int32(-1)
	var transfers []int32
	d.accSorted = true
	lastCall := int64(0)
	budget := 1<<16 + 4*len(d.ev) // lines of dense tables, in all
	for i := range d.ev {
		ev, r := &d.ev[i], &d.e[i]
		r.kind, r.agent, r.slotA, r.slotB, r.slotP = ev.Kind, -1, -1, -1, -1
		d.sender[i], d.wakeOf[i] = -1, -1
		if ev.Agent != 0 && ev.Kind != history.EvWaitSettle {
			if ev.Agent != lastID {
				var a int32
				var ok bool
				if ev.Agent < len(small) {
					a, ok = small[ev.Agent]-1, small[ev.Agent] > 0
				} else {
					a, ok = idx[ev.Agent]
				}
				if !ok {
					a = int32(len(ids))
					if ev.Agent < len(small) {
						small[ev.Agent] = a + 1
					} else {
						idx[ev.Agent] = a
					}
					ids = append(ids, ev.Agent)
					lastSeq = append(lastSeq, 0)
					unsorted = append(unsorted, false)
				}
				lastID, lastIdx = ev.Agent, a
			}
			r.agent = lastIdx
			if ev.Seq <= lastSeq[lastIdx] {
				unsorted[lastIdx] = true
			}
			lastSeq[lastIdx] = ev.Seq
			// Host-synchronizes-with edges, between agents' events (one of
			// no agent has an empty past, so its edges add nothing, or no
			// successor).
			switch ev.Kind {
			case history.EvAgentStart, history.EvAgentEnd, history.EvQueuePut, history.EvNotify:
				if ev.Sync != 0 {
					if senders == nil {
						senders = map[uint64]int32{}
					}
					senders[ev.Sync] = int32(i)
				}
			case history.EvAgentBegin, history.EvAgentJoin, history.EvQueueGet, history.EvWait:
				if ev.Sync != 0 {
					recvs = append(recvs, int32(i))
				}
			}
		}
		if !ev.Kind.IsMemory() {
			if ev.Kind == history.EvTransfer && ev.Stored && ev.Peer != 0 {
				transfers = append(transfers, int32(i))
			}
			continue
		}
		if ev.Buffer != lastBuf || lastBufIdx < 0 {
			lastBuf, lastBufIdx = ev.Buffer, bufIdx[ev.Buffer]
		}
		r.blk = lastBufIdx // the buffer's index, for now
		if ev.Kind == history.EvInit {
			d.inits = append(d.inits, int32(i))
			continue
		}
		r.seqcst, r.size, r.start = ev.Order == model.SeqCst, uint8(ev.Size), uint32(ev.ByteIndex)
		if ev.Call <= lastCall && len(d.accesses) > 0 {
			d.accSorted = false // equal Calls too: Convert's numbering breaks the tie
		}
		lastCall = ev.Call
		d.accesses = append(d.accesses, int32(i))
		if isWrite(ev.Kind) {
			d.wBytes += ev.Size
		}
		if isRead(ev.Kind) {
			d.rBytes += ev.Size
		}
	}
	// Blocks, now that the transfers are known; then the accesses' lines.
	bufBlock := d.setupBlocks(transfers)
	for _, i := range d.inits {
		d.e[i].blk = bufBlock[d.e[i].blk]
	}
	for _, i := range d.accesses {
		r := &d.e[i]
		r.blk = bufBlock[r.blk]
		la, lb := r.start>>3, uint32((uint64(r.start)+uint64(r.size)-1)>>3)
		r.slotA = d.lineID(r.blk, la, &budget, true) * 8
		if lb != la {
			r.slotB = d.lineID(r.blk, lb, &budget, true) * 8
		}
	}
	// A write's bytes may be shared with writes that begin in the line
	// before its own.
	for _, i := range d.accesses {
		if r := &d.e[i]; isWrite(r.kind) && r.start >= 8 {
			r.slotP = d.lineID(r.blk, r.start>>3-1, &budget, false) * 8
		}
	}
	slots := len(d.initOwner)
	d.logHead = make([]int32, slots)
	d.slots = make([]rdSlot, slots)
	d.streamMask = make([]uint8, slots/8)
	for s := range slots {
		d.logHead[s], d.slots[s].head = -1, -1
	}

	// Number the agents by ID, so that nothing depends on the events' order.
	order := make([]int32, len(ids))
	for a := range order {
		order[a] = int32(a)
	}
	slices.SortFunc(order, func(x, y int32) int { return cmp.Compare(ids[x], ids[y]) })
	renum := make([]int32, len(ids))
	for newIdx, old := range order {
		renum[old] = int32(newIdx)
	}
	d.recvs, d.senders = recvs, senders
	counts := make([]int32, len(ids))
	for i := range d.e {
		if a := d.e[i].agent; a >= 0 {
			d.e[i].agent = renum[a]
			counts[renum[a]]++
		}
	}
	d.agents = make([][]int32, len(ids))
	for a := range d.agents {
		d.agents[a] = make([]int32, 0, counts[a])
	}
	for i := range d.e {
		if a := d.e[i].agent; a >= 0 {
			d.agents[a] = append(d.agents[a], int32(i))
		}
	}
	d.dim = make([]uint32, n)
	d.cpos = make([]uint32, n)
	d.ag = make([]rdSnap, len(ids))
	d.agOwned = make([]bool, len(ids))
	for old, a := range renum {
		if unsorted[old] {
			slices.SortFunc(d.agents[a], d.bySeq)
		}
	}
	for a, list := range d.agents {
		for r, i := range list {
			d.dim[i], d.cpos[i] = uint32(a), uint32(r+1)
		}
		d.ag[a].dim = uint32(a)
	}
}

func (d *raceDetector) bySeq(x, y int32) int { return cmp.Compare(d.ev[x].Seq, d.ev[y].Seq) }

// lineID returns the id of line (8 bytes) of block blk, making one when
// make is set; -1 for a line not made.
func (d *raceDetector) lineID(blk int32, line uint32, budget *int, make_ bool) int32 {
	b := &d.blocks[blk]
	if b.dense == nil && b.sparse == nil {
		if !make_ {
			return -1
		}
		if lines := (b.maxLen + 7) / 8; lines <= *budget {
			*budget -= lines
			b.dense = make([]int32, lines)
		} else {
			b.sparse = map[uint32]int32{}
		}
	}
	if b.dense != nil {
		if id := b.dense[line]; id > 0 {
			return id - 1
		}
	} else if id, ok := b.sparse[line]; ok {
		return id
	}
	if !make_ {
		return -1
	}
	id := int32(len(d.initOwner) / 8)
	d.initOwner = append(d.initOwner, -1, -1, -1, -1, -1, -1, -1, -1)
	if b.dense != nil {
		b.dense[line] = id + 1
	} else {
		b.sparse[line] = id
	}
	b.lines = append(b.lines, line)
	b.ids = append(b.ids, id)
	return id
}

// slot returns the slot of byte k of access i.
func (d *raceDetector) slot(i int32, k int) int32 {
	r := &d.e[i]
	b := int(r.start) + k
	if b>>3 == int(r.start>>3) {
		return r.slotA + int32(b&7)
	}
	return r.slotB + int32(b&7)
}

// modelCmp orders events as history.Convert numbers model events: the
// agents' events by agent ID and Seq, then the others by index.
func (d *raceDetector) modelCmp(x, y int32) int {
	ax, ay := d.e[x].agent < 0, d.e[y].agent < 0
	switch {
	case ax != ay:
		if ax {
			return 1
		}
		return -1
	case ax:
		return cmp.Compare(x, y)
	}
	if c := cmp.Compare(d.ev[x].Agent, d.ev[y].Agent); c != 0 {
		return c
	}
	return cmp.Compare(d.ev[x].Seq, d.ev[y].Seq)
}

// setupInit gives each touched byte the Init event whose zero it holds: the
// first in Convert's order that covers it (later ones add nothing, as in
// Convert). Each byte is assigned once, however the Init events overlap (a
// union-find skips assigned bytes).
func (d *raceDetector) setupInit() {
	d.hasSucc = make([]bool, d.n)
	inits := d.inits[:0]
	for _, i := range d.inits {
		if len(d.blocks[d.e[i].blk].lines) > 0 {
			inits = append(inits, i)
		}
	}
	if len(inits) == 0 {
		return
	}
	slices.SortFunc(inits, d.modelCmp)
	type sorted struct {
		lines  []uint32
		ids    []int32
		parent []int32
	}
	per := make([]*sorted, len(d.blocks))
	for _, I := range inits {
		e := &d.ev[I]
		blk := d.e[I].blk
		s := per[blk]
		if s == nil {
			b := &d.blocks[blk]
			ord := make([]int, len(b.lines))
			for j := range ord {
				ord[j] = j
			}
			slices.SortFunc(ord, func(x, y int) int { return cmp.Compare(b.lines[x], b.lines[y]) })
			s = &sorted{lines: make([]uint32, len(ord)), ids: make([]int32, len(ord)), parent: make([]int32, 8*len(ord)+1)}
			for j, o := range ord {
				s.lines[j], s.ids[j] = b.lines[o], b.ids[o]
			}
			for j := range s.parent {
				s.parent[j] = int32(j)
			}
			per[blk] = s
		}
		find := func(j int32) int32 {
			r := j
			for s.parent[r] != r {
				r = s.parent[r]
			}
			for s.parent[j] != r {
				s.parent[j], j = r, s.parent[j]
			}
			return r
		}
		start, end := e.ByteIndex, e.ByteIndex+e.Size
		li := sort.Search(len(s.lines), func(j int) bool { return s.lines[j] >= uint32(start>>3) })
		if li == len(s.lines) {
			continue
		}
		j := int32(li * 8)
		if s.lines[li] == uint32(start>>3) {
			j += int32(start & 7)
		}
		owned := false
		for j = find(j); int(j) < 8*len(s.lines); j = find(j + 1) {
			if int(s.lines[j>>3])*8+int(j&7) >= end {
				break
			}
			d.initOwner[s.ids[j>>3]*8+j&7] = I
			owned = true
			s.parent[j] = j + 1
		}
		if owned && d.e[I].agent >= 0 {
			d.hasSucc[I] = true
		}
	}
}

// setupSync links each receiving end of a host-synchronizes-with edge
// (setup found them) to its sender; a woken wait gets a wake-up node after
// its value check, which the notify's edge goes to.
func (d *raceDetector) setupSync() {
	// The critical sections of a waiter list (a location's waits and
	// notifies, by Call instant) synchronize each with the next, as
	// history.Convert models them.
	d.csPrev = make([]int32, d.n)
	var cs []int32
	for i := range d.csPrev {
		d.csPrev[i] = -1
		if k := d.ev[i].Kind; (k == history.EvWait || k == history.EvNotify) && d.e[i].agent >= 0 {
			cs = append(cs, int32(i))
		}
	}
	if len(cs) > 1 {
		slices.SortStableFunc(cs, func(x, y int32) int {
			a, b := &d.ev[x], &d.ev[y]
			return cmp.Or(cmp.Compare(a.Buffer, b.Buffer), cmp.Compare(a.ByteIndex, b.ByteIndex), cmp.Compare(a.Call, b.Call))
		})
		for k := 1; k < len(cs); k++ {
			a, b := &d.ev[cs[k-1]], &d.ev[cs[k]]
			if a.Buffer == b.Buffer && a.ByteIndex == b.ByteIndex {
				d.csPrev[cs[k]] = cs[k-1]
				d.hasSucc[cs[k-1]] = true
			}
		}
	}
	for _, i := range d.recvs {
		s, ok := d.senders[d.ev[i].Sync]
		if !ok {
			continue
		}
		d.sender[i] = s
		d.hasSucc[s] = true
		if d.e[i].kind == history.EvWait {
			d.wakeOf[i] = d.n + int32(len(d.wakeWait))
			d.wakeWait = append(d.wakeWait, i)
		}
	}
}

// readsFrom sweeps the accesses by instant: a write is registered at its
// Call, a read looks its bytes up at its Return (after every write whose
// Call is not later), so each byte comes from the latest write of that
// value that began before the read returned — history.Convert's choice,
// ties between equal Calls broken as Convert's event numbering does.
func (d *raceDetector) readsFrom() {
	acc := d.accesses
	byCall := func(x, y int32) int {
		if c := cmp.Compare(d.ev[x].Call, d.ev[y].Call); c != 0 {
			return c
		}
		return d.modelCmp(x, y)
	}
	if !d.accSorted {
		acc = slices.Clone(acc)
		slices.SortFunc(acc, byCall)
	}
	d.rfOff = make([]int32, d.n)
	for i := range d.rfOff {
		d.rfOff[i] = -1
	}
	d.log = make([]rdLog, 0, d.wBytes)
	d.rf = make([]int32, 0, d.rBytes)
	var heap []int32 // reads awaiting their Return, a min-heap by Return
	ret := func(j int) int64 { return d.ev[heap[j]].Return }
	pop := func() int32 {
		top := heap[0]
		last := len(heap) - 1
		heap[0] = heap[last]
		heap = heap[:last]
		for i := 0; ; {
			l, m := 2*i+1, i
			if l < len(heap) && ret(l) < ret(m) {
				m = l
			}
			if l+1 < len(heap) && ret(l+1) < ret(m) {
				m = l + 1
			}
			if m == i {
				break
			}
			heap[i], heap[m] = heap[m], heap[i]
			i = m
		}
		return top
	}
	push := func(x int32) {
		heap = append(heap, x)
		for i := len(heap) - 1; i > 0; {
			p := (i - 1) / 2
			if ret(p) <= ret(i) {
				break
			}
			heap[i], heap[p] = heap[p], heap[i]
			i = p
		}
	}
	for _, x := range acc {
		if d.stop() {
			return
		}
		e := &d.ev[x]
		for len(heap) > 0 && d.ev[heap[0]].Return < e.Call {
			d.resolve(pop())
		}
		if isWrite(e.Kind) {
			d.register(x, e.Written)
		}
		if isRead(e.Kind) {
			push(x)
		}
	}
	for len(heap) > 0 {
		d.resolve(pop())
	}
}

func (d *raceDetector) register(w int32, written uint64) {
	for k := range int(d.e[w].size) {
		s := d.slot(w, k)
		val := uint8(written >> (8 * k))
		if d.logHead[s] == rdIndexed {
			m := d.logIndex[s]
			p, ok := m[val]
			if !ok {
				p[0] = -1
			}
			m[val] = [2]int32{w, p[0]}
			continue
		}
		d.log = append(d.log, rdLog{ev: w, prev: d.logHead[s], val: val})
		d.logHead[s] = int32(len(d.log) - 1)
	}
}

// rdScanLimit is how far back a byte's writes are scanned for a value
// before the byte gets an index of its values (so that a value written
// very often costs no scan per read). A variable, so that a test can send
// every read through the index.
var rdScanLimit = 32

// source returns the write read r read byte value val of slot s from: the
// latest registered write of val other than r, else the slot's Init event
// for a zero, else -1.
func (d *raceDetector) source(s int32, val uint8, r int32) int32 {
	if d.logHead[s] != rdIndexed {
		steps := 0
		for x := d.logHead[s]; x >= 0; x = d.log[x].prev {
			d.steps++
			if l := &d.log[x]; l.val == val && l.ev != r {
				return l.ev
			}
			if steps++; steps > rdScanLimit {
				d.index(s)
				break
			}
		}
	}
	if d.logHead[s] == rdIndexed {
		if p, ok := d.logIndex[s][val]; ok {
			if p[0] != r {
				return p[0]
			}
			if p[1] >= 0 {
				return p[1]
			}
		}
	}
	if val == 0 {
		return d.initOwner[s]
	}
	return -1
}

// index gives slot s an index of its writes so far: the latest two writers
// of each value.
func (d *raceDetector) index(s int32) {
	m := map[uint8][2]int32{}
	for x := d.logHead[s]; x >= 0; x = d.log[x].prev {
		d.steps++
		l := &d.log[x]
		if p, ok := m[l.val]; !ok {
			m[l.val] = [2]int32{l.ev, -1}
		} else if p[1] < 0 {
			m[l.val] = [2]int32{p[0], l.ev}
		}
	}
	if d.logIndex == nil {
		d.logIndex = map[int32]map[uint8][2]int32{}
	}
	d.logIndex[s] = m
	d.logHead[s] = rdIndexed
}

func (d *raceDetector) resolve(r int32) {
	d.rfOff[r] = int32(len(d.rf))
	read := d.ev[r].Read
	unsourced := false
	for k := range int(d.e[r].size) {
		w := d.source(d.slot(r, k), uint8(read>>(8*k)), r)
		d.rf = append(d.rf, w)
		if w < 0 {
			unsourced = true
		} else if d.syncs(w, r) {
			d.hasSucc[w] = true
		}
	}
	if unsourced {
		d.unsourced++
	}
}

// syncs reports whether write w synchronizes-with r, given that r reads
// from w: both seq-cst (an Init write is not), equal ranges.
func (d *raceDetector) syncs(w, r int32) bool {
	return d.e[w].seqcst && d.e[r].seqcst && d.sameRange(w, r)
}

func (d *raceDetector) sameRange(a, b int32) bool {
	x, y := &d.e[a], &d.e[b]
	return x.start == y.start && x.size == y.size && x.blk == y.blk
}

// predecessors lists each event's happens-before predecessors other than
// agent-order, once each: the sender of a host-synchronizes-with edge it
// receives (not for a wait: the wake-up node receives it), the writes it
// synchronizes with, the Init events (of agents) whose zeros it touches.
func (d *raceDetector) predecessors() {
	d.predOff = make([]int32, d.n+1)
	d.preds = make([]int32, 0, len(d.accesses)+len(d.accesses)/2)
	for v := range d.n {
		d.predOff[v] = int32(len(d.preds))
		r := &d.e[v]
		if r.kind != history.EvWait && d.sender[v] >= 0 {
			d.preds = append(d.preds, d.sender[v])
		}
		if p := d.csPrev[v]; p >= 0 && !slices.Contains(d.preds[d.predOff[v]:], p) {
			d.preds = append(d.preds, p)
		}
		if r.size == 0 || (r.agent < 0 && !isAccess(r.kind)) {
			continue
		}
		from := d.predOff[v]
		if off := d.rfOff[v]; off >= 0 && r.seqcst {
			for _, w := range d.rf[off : off+int32(r.size)] {
				if w >= 0 && d.syncs(w, v) && !slices.Contains(d.preds[from:], w) {
					d.preds = append(d.preds, w)
				}
			}
		}
		for k := range int(r.size) {
			if o := d.initOwner[d.slot(v, k)]; o >= 0 && d.e[o].agent >= 0 && !slices.Contains(d.preds[from:], o) {
				d.preds = append(d.preds, o)
			}
		}
	}
	d.predOff[d.n] = int32(len(d.preds))
}

// skip reports whether node v plays no part: a wait-settle (outside
// agent-order, with no successor) or an event of no agent that is not an
// access (its past is empty, or it has no successor).
func (d *raceDetector) skip(v int32) bool {
	return v < d.n && d.e[v].agent < 0 && !isAccess(d.e[v].kind)
}

// aoPrev returns the node before event v in agent-order (-1: none).
func (d *raceDetector) aoPrev(v int32) int32 {
	a := d.e[v].agent
	if a < 0 || d.cpos[v] <= 1 {
		return -1
	}
	p := d.agents[a][d.cpos[v]-2]
	if w := d.wakeOf[p]; w >= 0 {
		return w
	}
	return p
}

// pred returns node v's it-th predecessor (-1: none there), and false past
// the last: 0 is agent-order's, then predecessors' list. A wake-up node's
// are its wait and the notify.
func (d *raceDetector) pred(v int32, it int32) (int32, bool) {
	if v >= d.n {
		w := d.wakeWait[v-d.n]
		switch it {
		case 0:
			return w, true
		case 1:
			return d.sender[w], true
		}
		return -1, false
	}
	if it == 0 {
		return d.aoPrev(v), true
	}
	if j := d.predOff[v] + it - 1; j < d.predOff[v+1] {
		return d.preds[j], true
	}
	return -1, false
}

// order runs Tarjan's algorithm over the predecessor graph: a component
// is emitted after every component with an edge into it, so emitting is
// processing in an order consistent with happens-before.
func (d *raceDetector) order() {
	N := d.n + int32(len(d.wakeWait))
	d.nodes = len(d.wakeWait)
	for v := range d.n {
		if !d.skip(v) {
			d.nodes++
		}
	}
	// Chains: the agents, then at most one virtual chain per access of no
	// agent, and one per component.
	zeroAccesses := 0
	for _, i := range d.accesses {
		if d.e[i].agent < 0 {
			zeroAccesses++
		}
	}
	d.t = newRdTrie(uint32(len(d.agents) + 2*zeroAccesses + 1))
	d.snapOf = make([]int32, d.n)
	d.done = make([]bool, d.n)
	d.slab = make([]rdEnt, 0, 4096)
	index := make([]int32, N)
	low := make([]int32, N)
	onStack := make([]bool, N)
	type frame struct{ v, it int32 }
	var stack []int32
	var frames []frame
	counter := int32(0)
	visit := func(v int32) {
		counter++
		index[v], low[v], onStack[v] = counter, counter, true
		stack = append(stack, v)
		frames = append(frames, frame{v: v})
	}
	for root := range N {
		if index[root] != 0 || d.skip(root) {
			continue
		}
		visit(root)
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			v := f.v
			if p, more := d.pred(v, f.it); more {
				f.it++
				switch {
				case p < 0:
				case index[p] == 0:
					visit(p)
				case onStack[p] && index[p] < low[v]:
					low[v] = index[p]
				}
				continue
			}
			frames = frames[:len(frames)-1]
			if len(frames) > 0 {
				if u := frames[len(frames)-1].v; low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] != index[v] {
				continue
			}
			k := len(stack) - 1
			for stack[k] != v {
				k--
			}
			for _, m := range stack[k:] {
				onStack[m] = false
			}
			if k == len(stack)-1 {
				d.processOne(v)
			} else {
				d.processSCC(slices.Clone(stack[k:]))
			}
			stack = stack[:k]
			if d.stop() {
				return
			}
		}
	}
}

// processOne processes node v, alone in its component.
func (d *raceDetector) processOne(v int32) {
	d.processed++
	if v >= d.n {
		w := d.wakeWait[v-d.n]
		a := d.e[w].agent
		d.t.joinSnap(&d.ag[a], &d.snaps[d.snapOf[d.sender[w]]], &d.agOwned[a])
		return
	}
	r := &d.e[v]
	preds := d.preds[d.predOff[v]:d.predOff[v+1]]
	if r.agent >= 0 {
		c := &d.ag[r.agent]
		c.pos = d.cpos[v]
		for _, p := range preds {
			d.t.joinSnap(c, &d.snaps[d.snapOf[p]], &d.agOwned[r.agent])
		}
		d.done[v] = true
		if r.size > 0 {
			d.check(v, c)
		}
		if d.hasSucc[v] {
			d.snapOf[v] = int32(len(d.snaps))
			d.snaps = append(d.snaps, *c)
			d.agOwned[r.agent] = false
		}
		return
	}
	// An access of no agent: its clock is what its predecessors know.
	c := rdSnap{dim: rdNoDim}
	ext := int32(-1) // a predecessor at the end of a virtual chain, which v may extend
	owned := false
	for _, p := range preds {
		d.t.joinSnap(&c, &d.snaps[d.snapOf[p]], &owned)
		if dm := d.dim[p]; d.e[p].agent < 0 && dm != rdNoDim && d.chainLen[dm-uint32(len(d.agents))] == d.cpos[p] {
			ext = p
		}
	}
	if d.hasSucc[v] {
		if ext >= 0 {
			d.dim[v], d.cpos[v] = d.dim[ext], d.cpos[ext]+1
		} else {
			d.dim[v], d.cpos[v] = uint32(len(d.agents)+len(d.chainLen)), 1
			d.chainLen = append(d.chainLen, 0)
		}
		d.chainLen[d.dim[v]-uint32(len(d.agents))] = d.cpos[v]
		c.dim, c.pos = d.dim[v], d.cpos[v]
	} else {
		d.noDimSeq++
		d.dim[v], d.cpos[v] = rdNoDim, d.noDimSeq
	}
	d.done[v] = true
	d.check(v, &c)
	if d.hasSucc[v] {
		d.snapOf[v] = int32(len(d.snaps))
		d.snaps = append(d.snaps, c)
	}
}

// processSCC processes a component of several nodes: they all happen before
// each other, so they share one clock — what their predecessors outside the
// component know, and every member's own position.
func (d *raceDetector) processSCC(members []int32) {
	d.cycles++
	if d.sccMark == nil {
		d.sccMark = make([]int32, int(d.n)+len(d.wakeWait))
	}
	d.sccSerial++
	for _, m := range members {
		d.sccMark[m] = d.sccSerial
	}
	ev := func(m int32) int32 { // the event a node stands for
		if m >= d.n {
			return d.wakeWait[m-d.n]
		}
		return m
	}
	slices.SortFunc(members, func(x, y int32) int {
		ax, ay := d.e[ev(x)].agent, d.e[ev(y)].agent
		if ax < 0 {
			ax = 1<<31 - 1
		}
		if ay < 0 {
			ay = 1<<31 - 1
		}
		if c := cmp.Compare(ax, ay); c != 0 {
			return c
		}
		if c := cmp.Compare(d.cpos[ev(x)], d.cpos[ev(y)]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	c := rdSnap{dim: rdNoDim}
	for _, m := range members {
		for it := int32(0); ; it++ {
			p, more := d.pred(m, it)
			if !more {
				break
			}
			if p < 0 || d.sccMark[p] == d.sccSerial {
				continue
			}
			if it == 0 && d.e[ev(m)].agent >= 0 {
				// The agent-order predecessor (or a wake-up's wait) is the
				// agent's latest processed node: its running clock.
				d.t.joinSnap(&c, &d.ag[d.e[ev(m)].agent], nil)
				continue
			}
			d.t.joinSnap(&c, &d.snaps[d.snapOf[p]], nil)
		}
	}
	C := c.root
	virt, vpos := rdNoDim, uint32(0)
	for _, m := range members {
		if m >= d.n {
			continue
		}
		if a := d.e[m].agent; a >= 0 {
			C = d.t.set(C, d.ag[a].dim, d.cpos[m])
			continue
		}
		if virt == rdNoDim {
			virt = uint32(len(d.agents) + len(d.chainLen))
			d.chainLen = append(d.chainLen, 0)
		}
		vpos++
		d.dim[m], d.cpos[m] = virt, vpos
	}
	if virt != rdNoDim {
		d.chainLen[virt-uint32(len(d.agents))] = vpos
		C = d.t.set(C, virt, vpos)
	}
	view := rdSnap{root: C, dim: rdNoDim}
	for _, m := range members {
		if m < d.n {
			d.done[m] = true
		}
	}
	for _, m := range members {
		d.processed++
		if m >= d.n {
			continue
		}
		if d.e[m].size > 0 {
			d.check(m, &view)
		}
		if d.hasSucc[m] {
			d.snapOf[m] = int32(len(d.snaps))
			d.snaps = append(d.snaps, rdSnap{root: C, dim: d.dim[m], pos: d.cpos[m]})
		}
	}
	for _, m := range members {
		if a := d.e[ev(m)].agent; a >= 0 {
			d.ag[a].root, d.ag[a].pos, d.agOwned[a] = C, d.t.get(C, d.ag[a].dim), false
		}
	}
}

// hb reports whether event e (processed earlier) happens before the event
// whose clock is view.
func (d *raceDetector) hb(e int32, view *rdSnap) bool {
	return d.dim[e] != rdNoDim && d.t.snapGet(view, d.dim[e]) >= d.cpos[e]
}

// check runs the race checks of access v, whose clock is view.
func (d *raceDetector) check(v int32, view *rdSnap) {
	d.checked++
	r := &d.e[v]
	if isWrite(r.kind) {
		d.checkWrite(v, view)
		if d.pendHead != nil {
			for x := d.pendHead[v]; x >= 0; x = d.pend[x].next {
				if rd := d.pend[x].r; !d.hb(rd, view) {
					d.race(v, rd, true)
				}
			}
		}
		return // an RMW's reads-from races are write-write races
	}
	off := d.rfOff[v]
	if off < 0 {
		return
	}
	srcs := d.rf[off : off+int32(r.size)]
	for k, w := range srcs {
		if w < 0 || d.e[w].kind == history.EvInit || slices.Contains(srcs[:k], w) {
			continue
		}
		if d.done[w] {
			if !d.hb(w, view) {
				d.race(w, v, true)
			}
			continue
		}
		if d.pendHead == nil {
			d.pendHead = make([]int32, d.n)
			for i := range d.pendHead {
				d.pendHead[i] = -1
			}
		}
		d.pend = append(d.pend, rdPend{r: v, next: d.pendHead[w]})
		d.pendHead[w] = int32(len(d.pend) - 1)
	}
}

// checkWrite checks write v against the earlier writes that share a byte
// with it — those that begin at most 7 bytes before it and reach it, or
// begin within it: each met once, at the byte it begins — and adds v to
// its first byte's writes.
func (d *raceDetector) checkWrite(v int32, view *rdSnap) {
	r := &d.e[v]
	ds, dz := int(r.start), int(r.size)
	line := ds >> 3
	chain := d.dim[v]
	class := uint8(dz)
	if r.seqcst {
		class |= 16
	}
	first := r.slotA + int32(ds&7)
	// The lines that may hold the first byte of a write sharing a byte with
	// v: the one before v's (writes are at most 8 bytes), v's own, the one
	// v reaches into; in each, the bytes from lo to hi.
	lines := [3]struct {
		base   int32
		lo, hi int
	}{{r.slotP, max(ds-7, 0) - (line-1)*8, 7}, {r.slotA, max(ds-7-line*8, 0), min(ds+dz-1-line*8, 7)}, {r.slotB, 0, ds + dz - 1 - (line+1)*8}}
	if ds < 8 {
		lines[0].base = -1
	}
	for li := range lines {
		l := &lines[li]
		if l.base < 0 || l.lo > l.hi {
			continue
		}
		mask := d.streamMask[l.base>>3] >> l.lo << l.lo
		mask &= 0xff >> (7 - l.hi)
		for mask != 0 {
			off := bits.TrailingZeros8(mask)
			mask &= mask - 1
			d.checkSlot(v, view, (line+li-1)*8+off, l.base+int32(off))
		}
	}
	d.addWrite(v, view, first, chain, class)
}

// checkSlot checks write v against the writes that begin at byte b (slot
// s).
func (d *raceDetector) checkSlot(v int32, view *rdSnap, b int, s int32) {
	sl := &d.slots[s]
	fast := true
	for _, m := range sl.anti {
		d.steps++
		if d.t.snapGet(view, m.chain) < m.pos {
			fast = false
			break
		}
	}
	if fast {
		return // every write that begins here happens before v
	}
	r := &d.e[v]
	ds, dz := int(r.start), int(r.size)
	for x := sl.head; x >= 0; x = d.streams[x].next {
		d.steps++
		st := &d.streams[x]
		es := int(st.class & 15)
		if b+es <= ds {
			continue // ends before v
		}
		known := d.t.snapGet(view, st.chain)
		if st.ents[len(st.ents)-1].pos <= known {
			continue
		}
		j := sort.Search(len(st.ents), func(i int) bool { return st.ents[i].pos > known })
		data := !r.seqcst || st.class&16 == 0 || b != ds || es != dz
		d.raceMany(st.ents[j:], v, data)
	}
}

// rdManyStreams is the number of streams a slot lists before it is given
// an index by chain and class (a variable, for the tests).
var rdManyStreams int32 = 8

// addWrite adds write v to the writes that begin at slot s: to its stream
// (its chain's and class's), and to the maximal writes, replacing those
// that happen before it.
func (d *raceDetector) addWrite(v int32, view *rdSnap, s int32, chain uint32, class uint8) {
	sl := &d.slots[s]
	own := int32(-1)
	if sl.nstream <= rdManyStreams {
		for x := sl.head; x >= 0; x = d.streams[x].next {
			d.steps++
			if st := &d.streams[x]; st.chain == chain && st.class == class {
				own = x
				break
			}
		}
	} else if x, ok := d.byKey[rdKey{s, chain, class}]; ok {
		own = x
	}
	ent := rdEnt{pos: d.cpos[v], ev: v}
	if own >= 0 {
		d.streams[own].ents = append(d.streams[own].ents, ent)
	} else {
		if len(d.slab) == cap(d.slab) {
			d.slab = make([]rdEnt, 0, 4096)
		}
		d.slab = append(d.slab, ent)
		one := d.slab[len(d.slab)-1 : len(d.slab) : len(d.slab)]
		d.streams = append(d.streams, rdStream{next: sl.head, chain: chain, class: class, ents: one})
		sl.head = int32(len(d.streams) - 1)
		sl.nstream++
		d.streamMask[s>>3] |= 1 << (s & 7)
		switch {
		case sl.nstream == rdManyStreams+1:
			if d.byKey == nil {
				d.byKey = map[rdKey]int32{}
			}
			for x := sl.head; x >= 0; x = d.streams[x].next {
				d.byKey[rdKey{s, d.streams[x].chain, d.streams[x].class}] = x
			}
		case sl.nstream > rdManyStreams+1:
			d.byKey[rdKey{s, chain, class}] = sl.head
		}
	}
	keep := sl.anti[:0]
	for _, m := range sl.anti {
		d.steps++
		if m.chain != rdNoDim && d.t.snapGet(view, m.chain) >= m.pos {
			continue // happens before v
		}
		if m.chain == rdNoDim && chain == rdNoDim {
			continue // one such is enough
		}
		keep = append(keep, m)
	}
	sl.anti = append(keep, rdAnti{chain: chain, pos: d.cpos[v]})
}

// raceMany records the races of write v with the earlier writes ents.
func (d *raceDetector) raceMany(ents []rdEnt, v int32, data bool) {
	d.nraces += len(ents)
	if d.collect != nil {
		for _, x := range ents {
			d.collect(int(x.ev), int(v), data)
		}
	}
	if !data {
		return
	}
	d.total += len(ents)
	for _, x := range ents {
		if len(d.listed) >= RaceListLimit {
			break
		}
		d.listed = append(d.listed, d.newRace(x.ev, v, false))
	}
}

// race records the race of E and D.
func (d *raceDetector) race(E, D int32, readsFrom bool) {
	data := !d.e[E].seqcst || !d.e[D].seqcst || !d.sameRange(E, D)
	d.nraces++
	if d.collect != nil {
		d.collect(int(E), int(D), data)
	}
	if !data {
		return
	}
	d.total++
	if len(d.listed) < RaceListLimit {
		d.listed = append(d.listed, d.newRace(E, D, readsFrom))
	}
}

func (d *raceDetector) newRace(E, D int32, readsFrom bool) DataRace {
	e, dd := &d.ev[E], &d.ev[D]
	lo, hi := max(e.ByteIndex, dd.ByteIndex), min(e.ByteIndex+e.Size, dd.ByteIndex+dd.Size)
	x := DataRace{E: RefOf(d.h, int(E)), D: RefOf(d.h, int(D)), ESeqCst: e.Order == model.SeqCst, DSeqCst: dd.Order == model.SeqCst,
		ReadsFrom: readsFrom, Buffer: dd.Buffer, ByteIndex: lo, Size: hi - lo}
	x.Missing = explain(d.h, &x)
	return x
}

func sortDataRaces(rs []DataRace) {
	slices.SortFunc(rs, func(a, b DataRace) int {
		if c := cmp.Compare(a.D.Index, b.D.Index); c != 0 {
			return c
		}
		return cmp.Compare(a.E.Index, b.E.Index)
	})
}

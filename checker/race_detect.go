package checker

import (
	"cmp"
	"context"
	"slices"
	"sort"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// maxRaceEvents bounds the events Races takes: node numbers (events, and
// one extra node per woken wait) are int32.
const maxRaceEvents = 1<<30 - 1

// raceDetector finds the races of one history in four steps:
//
//  1. setup: blocks (transfers that move bytes alias buffers), agents and
//     agent-order positions, a slot for each byte accessed (buffers of any
//     declared length cost only the bytes touched), the Init event that
//     owns each slot's initial zero, and host-synchronizes-with senders;
//  2. readsFrom: one sweep through the memory events by instant chooses,
//     for each byte of each read, the write it read from (history.Convert's
//     rule), and marks the synchronizes-with edges;
//  3. order: Tarjan's algorithm over the happens-before predecessors of
//     each event (agent-order, synchronizes-with, host-synchronizes-with,
//     init) emits the events in an order consistent with happens-before —
//     a strongly connected component at a time, all of whose members
//     happen before each other, as the model's transitive closure has it;
//  4. process, on each emission: the event's vector clock (its agent's
//     running clock joined with the snapshots of its other predecessors),
//     then the race checks: a write against the earlier writes of each of
//     its bytes (per byte and chain, the positions of the writes, so that
//     the racing ones — those past what the clock knows — are a suffix
//     found by binary search, counted without listing them), and a read
//     against the writes it read from (deferred to the write when the
//     write comes later in the order).
type raceDetector struct {
	ctx     context.Context
	h       *history.History
	ev      []history.Event
	n       int32 // events; nodes n.. are woken waits' wake-ups
	collect func(e, d int, data bool)
	tick    int

	blockOf map[uint64]int32
	blocks  []rdBlock

	agentIdx []int32   // per event: agent index, or -1 outside agent-order
	agents   [][]int32 // per agent: its events in agent-order
	dim      []uint32  // per event: its chain (rdNoDim: none)
	cpos     []uint32  // per event: its position in the chain
	chainLen []uint32  // per virtual chain (dimension nAgents+i): its length
	noDimSeq uint32

	slotA, slotB []int32  // per memory event: slot of its first byte's line, of the next line
	rfOff        []int32  // per read: offset of its sources in rf; -1 otherwise
	rf           []int32  // per byte read: the write it read from; -1 none
	sender       []int32  // per receiver: the sending event (of an agent); -1 none
	wakeOf       []int32  // per woken wait: its wake-up node; -1 none
	wakeWait     []int32  // per wake-up node: its wait
	hasSucc      []bool   // per event: another event synchronizes with it
	snapOf       []int32  // per event with hasSucc: its clock in snaps
	snaps        []rdSnap //
	processed    []bool

	initOwner  []int32 // per slot: the Init event whose zero it holds first; -1 none
	logHead    []int32 // per slot: latest write registered by the sweep
	log        []rdLog
	logIndex   map[int32]map[uint8][2]int32
	streamHead []int32 // per slot: its write streams
	streams    []rdStream
	pendHead   []int32 // per write: reads that read from it, processed before it
	pend       []rdPend

	ag                []rdAgentClock
	scratch, tmpClock rdClock
	sccMark           []int32
	sccSerial         int32

	checked, unsourced, total, nraces, cycles int
	listed                                    []DataRace
	stopped                                   error
	done, nodes                               int
}

// rdBlock maps a block's touched 8-byte lines to line numbers: a table for
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

// rdStream holds the writes of one byte by one chain, of one class (see
// writeClass), in chain order.
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
	if d.tick&4095 == 0 {
		if d.ctx.Err() != nil {
			d.stopped = context.Cause(d.ctx)
			return true
		}
	}
	return false
}

func (d *raceDetector) run() {
	if err := d.ctx.Err(); err != nil {
		d.stopped = context.Cause(d.ctx)
		return
	}
	d.setupBlocks()
	d.setupAgents()
	d.setupSlots()
	d.setupInit()
	d.setupSync()
	d.readsFrom()
	if d.stopped != nil {
		d.countNodes()
		return
	}
	d.order()
}

func isWrite(k history.Kind) bool { return k == history.EvWrite || k == history.EvRMW }
func isRead(k history.Kind) bool {
	return k == history.EvRead || k == history.EvRMW || k == history.EvWait
}
func isAccess(k history.Kind) bool { return k.IsMemory() && k != history.EvInit }

// setupBlocks gives each buffer its block: a buffer whose bytes a transfer
// moved (Stored) is the block of the buffer they came from, as in
// history.Convert.
func (d *raceDetector) setupBlocks() {
	alias := map[uint64]uint64{}
	for i := range d.ev {
		if e := &d.ev[i]; e.Kind == history.EvTransfer && e.Stored && e.Peer != 0 {
			alias[e.Peer] = e.Buffer
		}
	}
	roots := map[uint64]uint64{}
	root := func(id uint64) uint64 {
		var path []uint64
		r := id
		for {
			if known, ok := roots[r]; ok {
				r = known
				break
			}
			p, ok := alias[r]
			if !ok || slices.Contains(path, r) {
				break
			}
			path = append(path, r)
			r = p
		}
		for _, x := range path {
			roots[x] = r
		}
		return r
	}
	d.blockOf = make(map[uint64]int32, len(d.h.Buffers))
	for _, b := range d.h.Buffers {
		r := root(b.ID)
		blk, ok := d.blockOf[r]
		if !ok {
			blk = int32(len(d.blocks))
			d.blockOf[r] = blk
			d.blocks = append(d.blocks, rdBlock{})
		}
		d.blockOf[b.ID] = blk
		d.blocks[blk].maxLen = max(d.blocks[blk].maxLen, b.MaxLength)
	}
}

// setupAgents numbers the agents (by ID) and gives each event of an agent
// its position in agent-order (by Seq).
func (d *raceDetector) setupAgents() {
	n := d.n
	d.agentIdx = make([]int32, n)
	d.dim = make([]uint32, n)
	d.cpos = make([]uint32, n)
	idx := map[int]int32{}
	var ids []int
	lastID, lastIdx := 0, int32(-1)
	for i := range d.ev {
		e := &d.ev[i]
		d.agentIdx[i] = -1
		if e.Agent == 0 || e.Kind == history.EvWaitSettle {
			continue
		}
		if e.Agent == lastID {
			d.agentIdx[i] = lastIdx
			continue
		}
		a, ok := idx[e.Agent]
		if !ok {
			a = int32(len(ids))
			idx[e.Agent] = a
			ids = append(ids, e.Agent)
		}
		d.agentIdx[i], lastID, lastIdx = a, e.Agent, a
	}
	// Renumber by agent ID, so that the numbering does not depend on the
	// order of the events.
	order := make([]int32, len(ids))
	for a := range order {
		order[a] = int32(a)
	}
	slices.SortFunc(order, func(x, y int32) int { return cmp.Compare(ids[x], ids[y]) })
	renum := make([]int32, len(ids))
	for newIdx, old := range order {
		renum[old] = int32(newIdx)
	}
	counts := make([]int32, len(ids))
	for i := range d.agentIdx {
		if a := d.agentIdx[i]; a >= 0 {
			d.agentIdx[i] = renum[a]
			counts[renum[a]]++
		}
	}
	d.agents = make([][]int32, len(ids))
	for a := range d.agents {
		d.agents[a] = make([]int32, 0, counts[a])
	}
	for i, a := range d.agentIdx {
		if a >= 0 {
			d.agents[a] = append(d.agents[a], int32(i))
		}
	}
	d.ag = make([]rdAgentClock, len(ids))
	for a, list := range d.agents {
		if !slices.IsSortedFunc(list, d.bySeq) {
			slices.SortFunc(list, d.bySeq)
		}
		for r, i := range list {
			d.dim[i], d.cpos[i] = uint32(a), uint32(r+1)
		}
		d.ag[a].dim = uint32(a)
	}
}

func (d *raceDetector) bySeq(x, y int32) int { return cmp.Compare(d.ev[x].Seq, d.ev[y].Seq) }

// lineID returns the number of line (8 bytes) of block blk, making one.
func (d *raceDetector) lineID(blk int32, line uint32, budget *int) int32 {
	b := &d.blocks[blk]
	if b.dense == nil && b.sparse == nil {
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
	id := int32(len(d.initOwner) / 8)
	for range 8 {
		d.initOwner = append(d.initOwner, -1)
	}
	if b.dense != nil {
		b.dense[line] = id + 1
	} else {
		b.sparse[line] = id
	}
	b.lines = append(b.lines, line)
	b.ids = append(b.ids, id)
	return id
}

// setupSlots gives every byte an access touches a slot: line id*8 + the
// byte's place in its line.
func (d *raceDetector) setupSlots() {
	d.slotA = make([]int32, d.n)
	d.slotB = make([]int32, d.n)
	accesses := 0
	for i := range d.ev {
		if isAccess(d.ev[i].Kind) {
			accesses++
		}
	}
	budget := 1<<16 + 4*accesses
	for i := range d.ev {
		e := &d.ev[i]
		d.slotA[i], d.slotB[i] = -1, -1
		if !isAccess(e.Kind) {
			continue
		}
		blk := d.blockOf[e.Buffer]
		la, lb := uint32(e.ByteIndex>>3), uint32((e.ByteIndex+e.Size-1)>>3)
		d.slotA[i] = d.lineID(blk, la, &budget) * 8
		if lb != la {
			d.slotB[i] = d.lineID(blk, lb, &budget) * 8
		}
	}
	slots := len(d.initOwner)
	d.logHead = make([]int32, slots)
	d.streamHead = make([]int32, slots)
	for s := range slots {
		d.logHead[s], d.streamHead[s] = -1, -1
	}
}

// slot returns the slot of byte k of access i.
func (d *raceDetector) slot(i int32, k int) int32 {
	e := &d.ev[i]
	b := e.ByteIndex + k
	if b>>3 == e.ByteIndex>>3 {
		return d.slotA[i] + int32(b&7)
	}
	return d.slotB[i] + int32(b&7)
}

// modelCmp orders events as history.Convert numbers model events: the
// agents' events by agent ID and Seq, then the others by index.
func (d *raceDetector) modelCmp(x, y int32) int {
	ax, ay := d.agentIdx[x] < 0, d.agentIdx[y] < 0
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
// Convert). Each byte is assigned once, whatever the Init events overlap
// (a union-find skips assigned bytes).
func (d *raceDetector) setupInit() {
	d.hasSucc = make([]bool, d.n)
	var inits []int32
	for i := range d.ev {
		if e := &d.ev[i]; e.Kind == history.EvInit && len(d.blocks[d.blockOf[e.Buffer]].lines) > 0 {
			inits = append(inits, int32(i))
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
		blk := d.blockOf[e.Buffer]
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
		if owned && d.agentIdx[I] >= 0 {
			d.hasSucc[I] = true
		}
	}
}

// setupSync links each receiving end of a host-synchronizes-with edge to
// its sender (when the sender is an agent's event: one of no agent has an
// empty past and is no predecessor of anything), and gives each woken wait
// of an agent a wake-up node after its value check.
func (d *raceDetector) setupSync() {
	d.sender = make([]int32, d.n)
	d.wakeOf = make([]int32, d.n)
	senders := map[uint64]int32{}
	for i := range d.ev {
		e := &d.ev[i]
		d.sender[i], d.wakeOf[i] = -1, -1
		switch e.Kind {
		case history.EvAgentStart, history.EvAgentEnd, history.EvQueuePut, history.EvNotify:
			if e.Sync != 0 && d.agentIdx[i] >= 0 {
				senders[e.Sync] = int32(i)
			}
		}
	}
	if len(senders) == 0 {
		return
	}
	for i := range d.ev {
		e := &d.ev[i]
		if e.Sync == 0 || d.agentIdx[i] < 0 {
			continue
		}
		switch e.Kind {
		case history.EvAgentBegin, history.EvAgentJoin, history.EvQueueGet, history.EvWait:
			s, ok := senders[e.Sync]
			if !ok {
				continue
			}
			d.sender[i] = s
			d.hasSucc[s] = true
			if e.Kind == history.EvWait {
				d.wakeOf[i] = d.n + int32(len(d.wakeWait))
				d.wakeWait = append(d.wakeWait, int32(i))
			}
		}
	}
}

// readsFrom sweeps the accesses by instant: a write is registered at its
// Call, a read looks its bytes up at its Return (after every write whose
// Call is not later), so each byte comes from the latest write of that
// value that began before the read returned — history.Convert's choice,
// ties between equal Calls broken as Convert's event numbering does.
func (d *raceDetector) readsFrom() {
	var acc []int32
	for i := range d.ev {
		if isAccess(d.ev[i].Kind) {
			acc = append(acc, int32(i))
		}
	}
	byCall := func(x, y int32) int {
		if c := cmp.Compare(d.ev[x].Call, d.ev[y].Call); c != 0 {
			return c
		}
		return d.modelCmp(x, y)
	}
	if !slices.IsSortedFunc(acc, byCall) {
		slices.SortFunc(acc, byCall)
	}
	d.rfOff = make([]int32, d.n)
	for i := range d.rfOff {
		d.rfOff[i] = -1
	}
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
			d.register(x)
		}
		if isRead(e.Kind) {
			push(x)
		}
	}
	for len(heap) > 0 {
		d.resolve(pop())
	}
}

func (d *raceDetector) register(w int32) {
	e := &d.ev[w]
	for k := range e.Size {
		s := d.slot(w, k)
		val := uint8(e.Written >> (8 * k))
		if m := d.logIndex[s]; m != nil {
			m[val] = [2]int32{w, d.latest(m, val)}
			continue
		}
		d.log = append(d.log, rdLog{ev: w, prev: d.logHead[s], val: val})
		d.logHead[s] = int32(len(d.log) - 1)
	}
}

func (d *raceDetector) latest(m map[uint8][2]int32, val uint8) int32 {
	if p, ok := m[val]; ok {
		return p[0]
	}
	return -1
}

// rdScanLimit is how far back a byte's writes are scanned for a value
// before the byte gets an index of its values (so that a value written
// very often costs no scan per read).
const rdScanLimit = 32

// source returns the write read r read byte value val of slot s from: the
// latest registered write of val other than r, else the slot's Init event
// for a zero, else -1.
func (d *raceDetector) source(s int32, val uint8, r int32) int32 {
	m := d.logIndex[s]
	if m == nil {
		steps := 0
		for x := d.logHead[s]; x >= 0; x = d.log[x].prev {
			if l := &d.log[x]; l.val == val && l.ev != r {
				return l.ev
			}
			if steps++; steps > rdScanLimit {
				m = d.index(s)
				break
			}
		}
	}
	if m != nil {
		if p, ok := m[val]; ok {
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

// index builds slot s's value index from its writes so far: the latest two
// writers of each value.
func (d *raceDetector) index(s int32) map[uint8][2]int32 {
	m := map[uint8][2]int32{}
	for x := d.logHead[s]; x >= 0; x = d.log[x].prev {
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
	d.logHead[s] = -1
	return m
}

func (d *raceDetector) resolve(r int32) {
	e := &d.ev[r]
	off := int32(len(d.rf))
	d.rfOff[r] = off
	unsourced := false
	for k := range e.Size {
		w := d.source(d.slot(r, k), uint8(e.Read>>(8*k)), r)
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
	we, re := &d.ev[w], &d.ev[r]
	return we.Kind != history.EvInit && we.Order == model.SeqCst && re.Order == model.SeqCst &&
		d.sameRange(we, re)
}

func (d *raceDetector) sameRange(a, b *history.Event) bool {
	return a.ByteIndex == b.ByteIndex && a.Size == b.Size && d.blockOf[a.Buffer] == d.blockOf[b.Buffer]
}

// skip reports whether node v plays no part: a wait-settle (outside
// agent-order, with no successor), an event of no agent that is not an
// access (its past is empty, or it has no successor).
func (d *raceDetector) skip(v int32) bool {
	return v < d.n && d.agentIdx[v] < 0 && !isAccess(d.ev[v].Kind)
}

// aoPrev returns the node before event v in agent-order (-1: none).
func (d *raceDetector) aoPrev(v int32) int32 {
	a := d.agentIdx[v]
	if a < 0 || d.cpos[v] <= 1 {
		return -1
	}
	p := d.agents[a][d.cpos[v]-2]
	if w := d.wakeOf[p]; w >= 0 {
		return w
	}
	return p
}

// pred returns node v's it-th candidate predecessor in happens-before's
// generating edges (-1 when that candidate is absent), and false past the
// last: 0 agent-order, 1 the sender of a host-synchronizes-with edge, then
// per byte the write a seq-cst read synchronizes with, then per byte the
// Init event (of an agent) whose zero the byte holds. A wake-up node's
// predecessors are its wait and the notify.
func (d *raceDetector) pred(v int32, it int) (int32, bool) {
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
	e := &d.ev[v]
	switch it {
	case 0:
		return d.aoPrev(v), true
	case 1:
		if e.Kind == history.EvWait {
			return -1, true // the notify precedes the wake-up node, not the value check
		}
		return d.sender[v], true
	}
	if !isAccess(e.Kind) {
		return -1, false
	}
	k := it - 2
	if k < e.Size {
		off := d.rfOff[v]
		if off < 0 || e.Order != model.SeqCst {
			return -1, true
		}
		w := d.rf[int(off)+k]
		if w < 0 || (k > 0 && w == d.rf[int(off)+k-1]) || !d.syncs(w, v) {
			return -1, true
		}
		return w, true
	}
	k -= e.Size
	if k < e.Size {
		o := d.initOwner[d.slot(v, k)]
		if o < 0 || d.agentIdx[o] < 0 || (k > 0 && o == d.initOwner[d.slot(v, k-1)]) {
			return -1, true
		}
		return o, true
	}
	return -1, false
}

func (d *raceDetector) countNodes() {
	d.nodes = len(d.wakeWait)
	for v := range d.n {
		if !d.skip(v) {
			d.nodes++
		}
	}
}

// order runs Tarjan's algorithm over the predecessor graph: a component
// is emitted after every component with an edge into it, so emitting
// is processing in an order consistent with happens-before.
func (d *raceDetector) order() {
	d.countNodes()
	N := d.n + int32(len(d.wakeWait))
	d.snapOf = make([]int32, d.n)
	d.processed = make([]bool, d.n)
	index := make([]int32, N)
	low := make([]int32, N)
	onStack := make([]bool, N)
	type frame struct {
		v  int32
		it int
	}
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
	d.done++
	if v >= d.n {
		w := d.wakeWait[v-d.n]
		d.ag[d.agentIdx[w]].join(&d.snaps[d.snapOf[d.sender[w]]], &d.scratch)
		return
	}
	e := &d.ev[v]
	if a := d.agentIdx[v]; a >= 0 {
		c := &d.ag[a]
		c.pos = d.cpos[v]
		for it := 1; ; it++ {
			p, more := d.pred(v, it)
			if !more {
				break
			}
			if p >= 0 {
				c.join(&d.snaps[d.snapOf[p]], &d.scratch)
			}
		}
		d.processed[v] = true
		if isAccess(e.Kind) {
			d.check(v, &c.rdSnap)
		}
		if d.hasSucc[v] {
			d.snapOf[v] = int32(len(d.snaps))
			d.snaps = append(d.snaps, c.snapshot())
		}
		return
	}
	// An access of no agent: its clock is what its predecessors know.
	c := rdAgentClock{rdSnap: rdSnap{base: d.tmpClock[:0], dim: rdNoDim}}
	var ext int32 = -1 // a predecessor at the end of a virtual chain, which v may extend
	for it := 1; ; it++ {
		p, more := d.pred(v, it)
		if !more {
			break
		}
		if p >= 0 {
			c.join(&d.snaps[d.snapOf[p]], &d.scratch)
			if dm := d.dim[p]; d.agentIdx[p] < 0 && dm != rdNoDim && d.chainLen[dm-uint32(len(d.agents))] == d.cpos[p] {
				ext = p
			}
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
	d.processed[v] = true
	d.check(v, &c.rdSnap)
	if d.hasSucc[v] {
		d.snapOf[v] = int32(len(d.snaps))
		d.snaps = append(d.snaps, rdSnap{base: slices.Clone(c.base), dim: c.dim, pos: c.pos})
	}
	d.tmpClock = c.base[:0]
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
		ax, ay := d.agentIdx[ev(x)], d.agentIdx[ev(y)]
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
	c := rdAgentClock{rdSnap: rdSnap{dim: rdNoDim}}
	for _, m := range members {
		for it := 0; ; it++ {
			p, more := d.pred(m, it)
			if !more {
				break
			}
			if p < 0 || d.sccMark[p] == d.sccSerial {
				continue
			}
			if it == 0 && d.agentIdx[ev(m)] >= 0 {
				// The agent-order predecessor (or a wake-up's wait) is the
				// agent's latest processed node: its running clock.
				s := d.ag[d.agentIdx[ev(m)]].rdSnap
				c.join(&s, &d.scratch)
				continue
			}
			c.join(&d.snaps[d.snapOf[p]], &d.scratch)
		}
	}
	C := slices.Clone(c.base)
	virt, vpos := rdNoDim, uint32(0)
	for _, m := range members {
		if m >= d.n {
			continue
		}
		if a := d.agentIdx[m]; a >= 0 {
			C = rdSet(C, uint32(a), d.cpos[m])
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
		C = rdSet(C, virt, vpos)
	}
	view := rdSnap{base: C, dim: rdNoDim}
	for _, m := range members {
		if m < d.n {
			d.processed[m] = true
		}
	}
	for _, m := range members {
		d.done++
		if m >= d.n {
			continue
		}
		if isAccess(d.ev[m].Kind) {
			d.check(m, &view)
		}
		if d.hasSucc[m] {
			d.snapOf[m] = int32(len(d.snaps))
			d.snaps = append(d.snaps, rdSnap{base: C, dim: d.dim[m], pos: d.cpos[m]})
		}
	}
	for _, m := range members {
		if a := d.agentIdx[ev(m)]; a >= 0 {
			d.ag[a] = rdAgentClock{rdSnap: rdSnap{base: C, dim: uint32(a), pos: C.get(uint32(a))}, shared: true}
		}
	}
}

// hb reports whether event e (processed earlier) happens before the event
// whose clock is view.
func (d *raceDetector) hb(e int32, view *rdSnap) bool {
	return d.dim[e] != rdNoDim && view.get(d.dim[e]) >= d.cpos[e]
}

// check runs the race checks of access v, whose clock is view.
func (d *raceDetector) check(v int32, view *rdSnap) {
	d.checked++
	e := &d.ev[v]
	if isWrite(e.Kind) {
		d.checkWrite(v, view)
		if d.pendHead != nil {
			for x := d.pendHead[v]; x >= 0; x = d.pend[x].next {
				if r := d.pend[x].r; !d.hb(r, view) {
					d.race(v, r, true)
				}
			}
		}
		return // an RMW's reads-from races are write-write races
	}
	off := d.rfOff[v]
	if off < 0 {
		return
	}
	srcs := d.rf[off : int(off)+e.Size]
	for k, w := range srcs {
		if w < 0 || d.ev[w].Kind == history.EvInit || slices.Contains(srcs[:k], w) {
			continue
		}
		if d.processed[w] {
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

// writeClass is the class of write e's stream at its byte k: 0 for a byte
// after its first, else (it starts at this byte) 9 for an unordered write
// and its size for a seq-cst one — enough to tell, for a later write D,
// which earlier writes to count at which of D's bytes (each pair once, at
// the first byte they share) and whether the pair is a data race.
func writeClass(e *history.Event, k int) uint8 {
	switch {
	case k != 0:
		return 0
	case e.Order != model.SeqCst:
		return 9
	}
	return uint8(e.Size)
}

// dataClass reports whether write D and an earlier write of class cl at
// D's byte k race as a data race.
func dataClass(cl uint8, D *history.Event, k int) bool {
	return D.Order != model.SeqCst || cl == 0 || cl == 9 || k != 0 || int(cl) != D.Size
}

// checkWrite checks write v against every earlier write of its bytes, and
// adds it to its bytes' streams.
func (d *raceDetector) checkWrite(v int32, view *rdSnap) {
	e := &d.ev[v]
	chain, pos := d.dim[v], d.cpos[v]
	for k := range e.Size {
		s := d.slot(v, k)
		mine := writeClass(e, k)
		own := int32(-1)
		for x := d.streamHead[s]; x >= 0; x = d.streams[x].next {
			st := &d.streams[x]
			if st.chain == chain && st.class == mine {
				own = x
			}
			if k > 0 && st.class == 0 {
				continue // met at an earlier byte of v
			}
			known := view.get(st.chain)
			if st.ents[len(st.ents)-1].pos <= known {
				continue
			}
			j := sort.Search(len(st.ents), func(i int) bool { return st.ents[i].pos > known })
			d.raceMany(st.ents[j:], v, dataClass(st.class, e, k))
		}
		if own >= 0 {
			d.streams[own].ents = append(d.streams[own].ents, rdEnt{pos: pos, ev: v})
		} else {
			d.streams = append(d.streams, rdStream{next: d.streamHead[s], chain: chain, class: mine, ents: []rdEnt{{pos: pos, ev: v}}})
			d.streamHead[s] = int32(len(d.streams) - 1)
		}
	}
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
	e, dd := &d.ev[E], &d.ev[D]
	data := e.Order != model.SeqCst || dd.Order != model.SeqCst || !d.sameRange(e, dd)
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

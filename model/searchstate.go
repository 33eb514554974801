package model

import (
	"context"
	"fmt"
	"sort"
)

// This file is the enumerator's state: the skeleton execution of one
// choice of compareExchange successes, the final cells, each read's
// segments and candidate source sets, and the buffers the search reuses.

type opRef struct{ agent, op int }

type segment struct {
	start, end int
	initRep    int     // init event of the segment's first byte (stands for every byte's)
	writers    []int   // non-init writes whose range covers the segment
	options    [][]int // candidate source sets, in search order
	single     [][]int // per option: per-byte source events when it has one source
}

type readInfo struct {
	id   int
	segs []segment
}

type slot struct{ ri, si int }

// segVal is the value options of one segment of a read, each with its
// per-byte sources.
type segVal struct {
	vals    [][]byte
	sources [][]int
}

type enumerator struct {
	ctx     context.Context
	p       *Program
	v       Variant
	success map[opRef]bool
	found   *foundStates // shared by the searches of one call
	limit   int          // most states to find (<= 0: no limit)
	regs    []regSlot
	keyBuf  []byte
	sk      *skeleton
	tickFn  func() bool // e.tick, made once

	x      *Execution // skeleton: events, agent-order, host-synchronizes-with
	evOp   []opRef    // program operation of each event ({-1,-1} for others)
	initOf []int      // byte -> init event
	finals []int      // the final reads, one per cell, in block order
	// keyFinals are the final reads of touched cells (finalCells), whose
	// values are in a state's key; the others always read Init.
	keyFinals []int
	isInit    []bool
	writes    []int // non-init write events

	reads  []readInfo
	readOf []int // event -> index in reads, or -1
	slots  []slot
	choice [][]int // choice[ri][si]: index into options, -1 when unchosen

	hb      Relation
	hbSaved []Relation
	nodes   int
	err     error

	// value stage
	rfBuf    []rfPair
	scBuf    []scSource
	csBuf    []moConstraint
	mark     []int // per event: stamp of the last read that listed it
	tearBuf  []int // tearFree's sources
	stamp    int
	scratch  [][]segVal // per read: value options of each segment
	valBuf   [][]byte   // per read: value under construction
	srcBuf   [][]int    // per read: sources under construction
	readVal  [][]byte
	writeVal [][]byte
	assign   [][]int // per read: source event per byte
}

func newEnumerator(ctx context.Context, p *Program, v Variant, success map[opRef]bool, found *foundStates, limit int) *enumerator {
	e := &enumerator{ctx: ctx, p: p, v: v, success: success, found: found, limit: limit}
	e.tickFn = e.tick
	e.build()
	return e
}

// tick counts one step of work and, every 1024 steps, checks the
// context; it reports whether the search must stop (e.err is set).
func (e *enumerator) tick() bool {
	if e.err != nil {
		return true
	}
	e.nodes++
	if e.nodes&1023 == 0 {
		if err := e.ctx.Err(); err != nil {
			e.err = err
			return true
		}
	}
	return false
}

// build makes the skeleton execution and the search's static tables.
func (e *enumerator) build() {
	p := e.p
	x := &Execution{}
	nA := len(p.Agents)
	x.AgentOrder = make([][]EventID, nA+1)
	add := func(ev Event, ref opRef) int {
		id := len(x.Events)
		x.Events = append(x.Events, ev)
		x.AgentOrder[ev.Agent] = append(x.AgentOrder[ev.Agent], EventID(id))
		e.evOp = append(e.evOp, ref)
		return id
	}
	none := opRef{-1, -1}
	for b := 0; b < p.Size; b++ {
		id := add(Event{Kind: WriteSharedMemory, Agent: nA, Name: fmt.Sprintf("init[%d]", b), Order: Init, NoTear: true,
			ByteIndex: b, ElementSize: 1, Payload: []byte{p.Init[b]}}, none)
		e.initOf = append(e.initOf, id)
	}
	start := add(Event{Kind: HostEvent, Agent: nA, Name: "main:start"}, none)
	var ends []int
	for a, ag := range p.Agents {
		name := agentName(p, a)
		s := add(Event{Kind: HostEvent, Agent: a, Name: name + ":start"}, none)
		x.HostSynchronizesWith = append(x.HostSynchronizesWith, [2]EventID{EventID(start), EventID(s)})
		for o, op := range ag.Ops {
			ev := Event{Agent: a, Name: fmt.Sprintf("%s:%d", name, o), Line: op.Line, Order: op.Order, NoTear: op.NoTear,
				ByteIndex: op.ByteIndex, ElementSize: op.ElementSize}
			switch op.Kind {
			case AccessLoad:
				ev.Kind = ReadSharedMemory
			case AccessStore:
				ev.Kind = WriteSharedMemory
				ev.Payload = leBytes(op.Value, op.ElementSize)
			case AccessRMW:
				ev.Order, ev.NoTear = SeqCst, true
				ev.Kind = ReadModifyWriteSharedMemory
				ev.ModifyOp = op.Modify
				ev.Payload = leBytes(op.Value, op.ElementSize)
				switch {
				case op.Modify != CompareExchange:
				case e.v.failingCASWrites():
					ev.Expected = leBytes(op.Expected, op.ElementSize)
				case !e.success[opRef{a, o}]:
					ev.Kind, ev.ModifyOp, ev.Payload = ReadSharedMemory, 0, nil
				}
			}
			add(ev, opRef{a, o})
		}
		ends = append(ends, add(Event{Kind: HostEvent, Agent: a, Name: name + ":end"}, none))
	}
	join := add(Event{Kind: HostEvent, Agent: nA, Name: "main:join"}, none)
	for _, en := range ends {
		x.HostSynchronizesWith = append(x.HostSynchronizesWith, [2]EventID{EventID(en), EventID(join)})
	}
	var fixed []int // final reads of untouched cells
	for _, c := range finalCells(p) {
		id := add(Event{Kind: ReadSharedMemory, Agent: nA, Name: fmt.Sprintf("final[%d:%d]", c.Start, c.End()),
			Order: Unordered, NoTear: c.NoTear, ByteIndex: c.Start, ElementSize: c.Size}, none)
		e.finals = append(e.finals, id)
		if c.Touched {
			e.keyFinals = append(e.keyFinals, id)
		} else {
			fixed = append(fixed, id)
		}
	}
	e.x = x
	n := len(x.Events)
	e.isInit = make([]bool, n)
	for _, id := range e.initOf {
		e.isInit[id] = true
	}
	for i := range x.Events {
		if x.Events[i].isWrite() && !e.isInit[i] {
			e.writes = append(e.writes, i)
		}
	}
	// base happens-before: agent-order, host-synchronizes-with, init rule.
	hb := NewRelation(n)
	for _, list := range x.AgentOrder {
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				hb.set(int(list[i]), int(list[j]))
			}
		}
	}
	for _, pr := range x.HostSynchronizesWith {
		hb.set(int(pr[0]), int(pr[1]))
	}
	for _, id := range e.initOf {
		for d := range x.Events {
			if x.Events[d].isMemory() && !e.isInit[d] && initBefore(&x.Events[id], &x.Events[d]) {
				hb.set(id, d)
			}
		}
	}
	e.hb = hb.TransitiveClosure()

	// reads, in round-robin agent-order, the final read last.
	e.readOf = make([]int, n)
	for i := range e.readOf {
		e.readOf[i] = -1
	}
	maxOps := 0
	for _, ag := range p.Agents {
		if len(ag.Ops) > maxOps {
			maxOps = len(ag.Ops)
		}
	}
	var readIDs []int
	for o := 0; o < maxOps; o++ {
		for a := range p.Agents {
			for _, id := range x.AgentOrder[a] {
				if e.evOp[id] == (opRef{a, o}) && x.Events[id].isRead() {
					readIDs = append(readIDs, int(id))
				}
			}
		}
	}
	readIDs = append(readIDs, e.finals...)
	for _, r := range readIDs {
		e.readOf[r] = len(e.reads)
		ri := readInfo{id: r, segs: e.segments(r)}
		for si := range ri.segs {
			e.slots = append(e.slots, slot{len(e.reads), si})
		}
		e.reads = append(e.reads, ri)
	}
	e.sk = &skeleton{x: x, fixed: fixed, init: p.Init, initOf: e.initOf}
	isFixed := make(map[int]bool, len(fixed))
	for _, id := range fixed {
		isFixed[id] = true
	}
	for _, ri := range e.reads {
		if !isFixed[ri.id] {
			e.sk.reads = append(e.sk.reads, ri.id)
			e.sk.total += x.Events[ri.id].ElementSize
		}
	}
	e.choice = make([][]int, len(e.reads))
	for i := range e.reads {
		e.choice[i] = make([]int, len(e.reads[i].segs))
		for j := range e.choice[i] {
			e.choice[i][j] = -1
		}
	}
	e.hbSaved = make([]Relation, len(e.slots))
	for i := range e.hbSaved {
		e.hbSaved[i] = NewRelation(n)
	}
	e.mark = make([]int, n)
	e.readVal = make([][]byte, n)
	e.writeVal = make([][]byte, n)
	e.assign = make([][]int, n)
	for _, ri := range e.reads {
		sz := x.Events[ri.id].ElementSize
		e.readVal[ri.id] = make([]byte, sz)
		e.assign[ri.id] = make([]int, sz)
		e.scratch = append(e.scratch, make([]segVal, len(ri.segs)))
		e.valBuf = append(e.valBuf, make([]byte, sz))
		e.srcBuf = append(e.srcBuf, make([]int, sz))
	}
	// registers of the final state: the last operation naming each one
	for a := range p.Agents {
		last := map[string]int{}
		var names []string
		for _, id := range x.AgentOrder[a] {
			ref := e.evOp[id]
			if ref.agent < 0 {
				continue
			}
			op := &p.Agents[a].Ops[ref.op]
			if op.Reg == "" {
				continue
			}
			if _, ok := last[op.Reg]; !ok {
				names = append(names, op.Reg)
			}
			last[op.Reg] = int(id)
		}
		sort.Strings(names)
		for _, nm := range names {
			ev := last[nm]
			e.regs = append(e.regs, regSlot{agent: a, name: nm, ev: ev, sign: p.Agents[a].Ops[e.evOp[ev].op].Signed})
		}
	}
}

// Cell is a range of the block read by one final read (see
// Program.FinalCells).
type Cell struct {
	Range
	// NoTear is the final read's NoTear field.
	NoTear bool
	// Touched reports whether some access's range lies in the cell (else
	// the final read can only return the block's initial contents).
	Touched bool
}

// FinalCells returns the ranges the enumerator's final reads read, in
// block order, covering [0, p.Size): see FinalCellsOf. A nil p, or one
// that Validate refuses, has no cells.
func (p *Program) FinalCells() []Cell {
	if p == nil || p.Validate() != nil {
		return nil
	}
	return finalCells(p)
}

// FinalCellsOf returns the final cells of a block of size bytes accessed
// by ops (only their Kind, ByteIndex, ElementSize and NoTear matter), as
// Program.FinalCells does for a program's: a scheduler that runs a program
// on real memory reads the final memory through the same cells (package
// scenarios' explorer does), so that its final states compare with the
// enumerator's. It has none of Validate's limits on the number of
// operations; an op outside [0, size) or of a size other than 1, 2, 4 or
// 8, or a negative size, gives no cells (nil).
func FinalCellsOf(size int, ops []Op) []Cell {
	if size < 0 {
		return nil
	}
	for _, op := range ops {
		switch op.ElementSize {
		case 1, 2, 4, 8:
		default:
			return nil
		}
		if op.ByteIndex < 0 || op.ByteIndex > size-op.ElementSize {
			return nil
		}
	}
	return finalCells(&Program{Size: size, Agents: []ProgramAgent{{Ops: ops}}})
}

// finalCells splits the block into the ranges the final reads read: each
// maximal run of bytes connected by the program's accesses (accesses
// whose ranges intersect belong to one cell) and each run of bytes no
// access touches. A cell read is NoTear, like a plain read through an
// integer TypedArray, when some access has exactly the cell's range, every
// such access is NoTear, and the cell is at most 4 bytes and aligned (a
// plain BigInt64 read is not NoTear). Cells no access touches are not
// touched: their final read can only return the initial contents.
func finalCells(p *Program) []Cell {
	type iv struct{ start, end int }
	var ivs []iv
	for _, ag := range p.Agents {
		for _, op := range ag.Ops {
			ivs = append(ivs, iv{op.ByteIndex, op.ByteIndex + op.ElementSize})
		}
	}
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].start < ivs[j].start })
	var comps []iv
	for _, v := range ivs {
		if n := len(comps); n > 0 && v.start < comps[n-1].end {
			if v.end > comps[n-1].end {
				comps[n-1].end = v.end
			}
			continue
		}
		comps = append(comps, v)
	}
	var cells []Cell
	pos := 0
	for _, c := range comps {
		if c.start > pos {
			cells = append(cells, Cell{Range: Range{Start: pos, Size: c.start - pos}})
		}
		cl := Cell{Range: Range{Start: c.start, Size: c.end - c.start}, Touched: true}
		exact, allNoTear := false, true
		for _, ag := range p.Agents {
			for _, op := range ag.Ops {
				if op.ByteIndex == c.start && op.ElementSize == cl.Size {
					exact = true
					allNoTear = allNoTear && (op.NoTear || op.Kind == AccessRMW)
				}
			}
		}
		cl.NoTear = exact && allNoTear && cl.Size <= 4 && cl.Start%cl.Size == 0
		cells = append(cells, cl)
		pos = c.end
	}
	if pos < p.Size {
		cells = append(cells, Cell{Range: Range{Start: pos, Size: p.Size - pos}})
	}
	return cells
}

func agentName(p *Program, a int) string {
	if n := p.Agents[a].Name; n != "" {
		return n
	}
	return fmt.Sprintf("#%d", a)
}

// segments splits read r's range where the set of writes covering it
// changes, and lists the candidate source sets of each segment.
func (e *enumerator) segments(r int) []segment {
	x := e.x
	R := &x.Events[r]
	cuts := map[int]bool{R.ByteIndex: true, R.ByteIndex + R.ElementSize: true}
	for _, w := range e.writes {
		W := x.Events[w].byteRange()
		for _, c := range []int{W.Start, W.End()} {
			if c > R.ByteIndex && c < R.ByteIndex+R.ElementSize {
				cuts[c] = true
			}
		}
	}
	var pts []int
	for c := range cuts {
		pts = append(pts, c)
	}
	sort.Ints(pts)
	var segs []segment
	for i := 0; i+1 < len(pts); i++ {
		s := segment{start: pts[i], end: pts[i+1], initRep: e.initOf[pts[i]]}
		for _, w := range e.writes {
			if x.Events[w].byteRange().Contains(0, s.start) {
				s.writers = append(s.writers, w)
			}
		}
		// candidates: not r itself, and coherent under the base
		// happens-before (which only grows during the search).
		var cands []int
		for _, w := range append([]int{s.initRep}, s.writers...) {
			if _, ok := incoherentSource(e.hb, r, w, s.writers); ok && w != r {
				cands = append(cands, w)
			}
		}
		s.options = e.options(R, s, cands)
		s.single = make([][]int, len(s.options))
		for oi, opt := range s.options {
			if len(opt) != 1 {
				continue
			}
			src := make([]int, s.end-s.start)
			for j := range src {
				src[j] = opt[0]
				if e.isInit[opt[0]] {
					src[j] = e.initOf[s.start+j]
				}
			}
			s.single[oi] = src
		}
		segs = append(segs, s)
	}
	return segs
}

// options lists the non-empty subsets of cands that can be a segment's
// source set: singletons first, then larger sets only when tear-free
// allows them and (for sources with known bytes) they can give a value no
// smaller set gives. Under SC a segment has exactly one source.
func (e *enumerator) options(R *Event, s segment, cands []int) [][]int {
	var out [][]int
	for _, w := range cands {
		out = append(out, []int{w})
	}
	if e.v.rule == ruleSC {
		return out
	}
	L := s.end - s.start
	max := L
	if len(cands) < max {
		max = len(cands)
	}
	var rec func(from int, cur []int, eq bool)
	rec = func(from int, cur []int, eq bool) {
		if e.tick() {
			return
		}
		if len(cur) >= 2 && e.optionUseful(s, cur) {
			out = append(out, append([]int(nil), cur...))
		}
		if len(cur) == max {
			return
		}
		for i := from; i < len(cands); i++ {
			q := tearFreeCounts(R, &e.x.Events[cands[i]])
			if q && eq {
				continue // Tear Free Reads: at most one counted source
			}
			rec(i+1, append(cur, cands[i]), eq || q)
		}
	}
	rec(0, nil, false)
	return out
}

// optionUseful reports whether source set (of two or more writes, already
// tear free) can give segment s a value no smaller set gives.
func (e *enumerator) optionUseful(s segment, set []int) bool {
	srcs := make([][]byte, len(set))
	for i, w := range set {
		if e.x.Events[w].Kind == ReadModifyWriteSharedMemory {
			return true // its bytes are known only at the leaves
		}
		srcs[i] = e.staticBytes(w, s)
	}
	vals, _ := segValues(srcs, true)
	return len(vals) > 0
}

func (e *enumerator) staticBytes(w int, s segment) []byte {
	if e.isInit[w] {
		return e.p.Init[s.start:s.end]
	}
	W := &e.x.Events[w]
	return W.Payload[s.start-W.ByteIndex : s.end-W.ByteIndex]
}

// segValues lists the values a segment can take with one byte from one of
// srcs at each position, each with an assignment of positions to sources.
// With genuine set, it lists only the values every assignment of which
// uses every source: the values no smaller source set can give.
func segValues(srcs [][]byte, genuine bool) ([][]byte, [][]int) {
	L := len(srcs[0])
	var vals [][]byte
	var assigns [][]int
	cur := make([]byte, L)
	who := make([]int, L)
	var rec func(i int)
	rec = func(i int) {
		if i == L {
			if genuine {
				for k := range srcs {
					without := true
					for j := 0; j < L && without; j++ {
						ok := false
						for t := range srcs {
							if t != k && srcs[t][j] == cur[j] {
								ok = true
							}
						}
						without = ok
					}
					if without {
						return
					}
				}
			}
			vals = append(vals, append([]byte(nil), cur...))
			assigns = append(assigns, append([]int(nil), who...))
			return
		}
		for k := range srcs {
			dup := false
			for t := 0; t < k; t++ {
				if srcs[t][i] == srcs[k][i] {
					dup = true
				}
			}
			if dup {
				continue
			}
			cur[i], who[i] = srcs[k][i], k
			rec(i + 1)
		}
	}
	rec(0)
	return vals, assigns
}

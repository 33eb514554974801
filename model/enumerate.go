package model

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// Outcome is one allowed final state of a program with one valid execution
// that produces it. The outcomes of one Enumerate call share memory (a
// register map is shared by every outcome in which its agent has the same
// register values); treat them as read-only.
type Outcome struct {
	State FinalState
	w     *witnessRec
}

// Witness returns a valid execution of the program that produces the
// outcome's State. The enumerator keeps only each read's sources and
// values per outcome, so Witness builds the Execution on each call; the
// executions of one Enumerate call share their Events, AgentOrder,
// HostSynchronizesWith and MemoryOrder slices, which must be treated as
// read-only. Witness returns nil for an Outcome not made by the
// enumerator.
func (o Outcome) Witness() *Execution {
	if o.w == nil {
		return nil
	}
	return o.w.execution()
}

// Key returns a canonical string for the state: agents by index, registers
// by name, then the final memory in hex, e.g. "0:r0=1 1:r0=0 | 01000000".
// Equal states have equal keys.
func (s FinalState) Key() string {
	var b strings.Builder
	for a, regs := range s.Regs {
		names := make([]string, 0, len(regs))
		for r := range regs {
			names = append(names, r)
		}
		sort.Strings(names)
		for _, r := range names {
			fmt.Fprintf(&b, "%d:%s=%d ", a, r, regs[r])
		}
	}
	fmt.Fprintf(&b, "| %x", s.Memory)
	return b.String()
}

// TooManyStatesError is returned by EnumerateLimit when a program has more
// allowed final states than the limit: the enumeration stops as soon as it
// finds state number Limit+1, before spending memory on the rest.
type TooManyStatesError struct {
	Program string
	Variant string
	Limit   int
}

// Error formats the error as "program P: more than N allowed final states
// under V".
func (e *TooManyStatesError) Error() string {
	return fmt.Sprintf("program %s: more than %d allowed final states under %s (the limit)", e.Program, e.Limit, e.Variant)
}

// Enumerate returns every final state of p allowed under variant v, each
// exactly once with one witness execution, in a deterministic order
// (registers agent by agent, by name, numerically; then memory). See
// EnumerateContext. Errors: a *ProgramError when p.Validate refuses p, and
// ErrNoVariant (wrapped) for the zero Variant.
func Enumerate(p *Program, v Variant) ([]Outcome, error) {
	return enumerate(context.Background(), p, v, 0)
}

// EnumerateContext is Enumerate that stops with ctx's error when ctx is
// done (and returns no outcomes).
//
// Each operation becomes one event; the block's creator (an extra agent
// "main") performs the init writes, starts every agent and joins them
// (host-synchronizes-with pairs), then performs the final reads: plain
// reads that happen after every event, one per cell of the block (bytes
// connected by the program's accesses; see docs/memory-model.md). Their
// values, chosen under the same rules as every other read, are the final
// memory; where unordered writes race, several final memories are allowed.
//
// The search chooses, for each read and each segment of its range written
// by the same set of writes, the set of writes it takes bytes from; it
// prunes on happens-before cycles, coherence, tear-freedom and
// read-modify-write dependency cycles as soon as a choice is made, and
// after each read solves the memory-order constraints of v (happens-before
// plus the variant's rules) by propagation and branching, not by listing
// linearisations. Values are computed at the leaves, in dependency order.
//
// Every stage (the search, the value enumeration at the leaves, the
// memory-order search, sorting and building the outcomes) checks ctx every
// thousand or so steps, so a cancelled or expired ctx ends the call
// promptly. Each distinct state costs memory (its key, and its sources and
// values for Witness); EnumerateLimit bounds the number of states.
func EnumerateContext(ctx context.Context, p *Program, v Variant) ([]Outcome, error) {
	return enumerate(ctx, p, v, 0)
}

// EnumerateLimit is EnumerateContext that gives up with a
// *TooManyStatesError as soon as it finds more than maxStates distinct
// final states (no limit when maxStates <= 0).
func EnumerateLimit(ctx context.Context, p *Program, v Variant, maxStates int) ([]Outcome, error) {
	return enumerate(ctx, p, v, maxStates)
}

func enumerate(ctx context.Context, p *Program, v Variant, maxStates int) ([]Outcome, error) {
	if !v.valid() {
		return nil, ErrNoVariant
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Under the current text a compareExchange is a read-modify-write
	// when it succeeds and a read when it fails: search once per
	// combination. Under ES2017 it is always a read-modify-write.
	var cas []opRef
	for a, ag := range p.Agents {
		for o, op := range ag.Ops {
			if op.Kind == AccessRMW && op.Modify == CompareExchange && !v.failingCASWrites() {
				cas = append(cas, opRef{a, o})
			}
		}
	}
	if len(cas) > MaxCompareExchanges { // Validate refuses it; the mask below needs it
		return nil, fmt.Errorf("model: internal error: %d compareExchange operations passed Validate", len(cas))
	}
	seen := map[string]witnessRec{}
	var regs []regSlot
	for mask := 0; mask < 1<<len(cas); mask++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		success := map[opRef]bool{}
		for i, c := range cas {
			success[c] = mask&(1<<i) != 0
		}
		e := newEnumerator(ctx, p, v, success, seen, maxStates)
		if e.err == nil {
			e.dfs(0)
		}
		if e.err != nil {
			return nil, e.err
		}
		regs = e.regs // the same for every mask
	}
	return outcomes(ctx, p, regs, seen)
}

// outcomes sorts the found states by key (which orders them as Enumerate
// promises) and decodes each key into a FinalState. Outcomes whose agent
// has the same register values share that agent's map: a test's states
// typically repeat few per-agent assignments, and a map costs far more
// than a state's other data.
func outcomes(ctx context.Context, p *Program, regs []regSlot, seen map[string]witnessRec) ([]Outcome, error) {
	keys := make([]string, 0, len(seen))
	for k := range seen {
		if len(keys)&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		keys = append(keys, k)
	}
	if err := SortFuncContext(ctx, keys, strings.Compare); err != nil {
		return nil, err
	}
	out := make([]Outcome, len(keys))
	recs := make([]witnessRec, len(keys))
	mem := make([]byte, len(keys)*p.Size)
	nA := len(p.Agents)
	regMaps := make([]map[string]int64, len(keys)*nA)
	// agent a's registers are regs[first[a]:first[a+1]] (agent by agent)
	first := make([]int, nA+1)
	for _, r := range regs {
		first[r.agent+1]++
	}
	for a := 0; a < nA; a++ {
		first[a+1] += first[a]
	}
	interned := make([]map[string]map[string]int64, nA)
	for a := range interned {
		interned[a] = map[string]map[string]int64{}
	}
	for i, k := range keys {
		if i&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		recs[i] = seen[k]
		st := &out[i].State
		st.Regs = regMaps[i*nA : (i+1)*nA : (i+1)*nA]
		for a := 0; a < nA; a++ {
			part := k[8*first[a] : 8*first[a+1]]
			m, ok := interned[a][part]
			if !ok {
				m = make(map[string]int64, first[a+1]-first[a])
				for j := first[a]; j < first[a+1]; j++ {
					m[regs[j].name] = keyReg(k, j)
				}
				interned[a][part] = m
			}
			st.Regs[a] = m
		}
		m := mem[i*p.Size : (i+1)*p.Size : (i+1)*p.Size]
		copy(m, k[8*len(regs):])
		st.Memory = m
		out[i].w = &recs[i]
	}
	return out, nil
}

// The key of a state is every register value in regSlot order, each as 8
// big-endian bytes with the sign bit flipped, then the final memory: keys
// have one length per program, and compare as strings in Enumerate's
// order.
func appendKeyReg(k []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(k, uint64(v)^1<<63)
}

func keyReg(k string, j int) int64 {
	var u uint64
	for _, c := range []byte(k[8*j : 8*j+8]) {
		u = u<<8 | uint64(c)
	}
	return int64(u ^ 1<<63)
}

// skeleton is what the witnesses of one search (one choice of which
// compareExchange operations succeed) share.
type skeleton struct {
	x     *Execution // Events, AgentOrder, HostSynchronizesWith
	reads []int      // read events, in search order
	total int        // bytes read by all of them
}

// witnessRec is the compact witness of one outcome: the memory-order of
// its search leaf (shared) and, per read of the skeleton, its bytes'
// values then their sources (4 bytes each, little-endian).
type witnessRec struct {
	sk   *skeleton
	mo   []EventID
	data []byte
}

func (r *witnessRec) execution() *Execution {
	x := r.sk.x
	n := len(x.Events)
	w := &Execution{
		Events:               x.Events,
		AgentOrder:           x.AgentOrder,
		ReadsBytesFrom:       make([][]EventID, n),
		ChosenValues:         make([][]byte, n),
		HostSynchronizesWith: x.HostSynchronizesWith,
		MemoryOrder:          r.mo,
	}
	t := r.sk.total
	srcs := make([]EventID, t)
	vals := make([]byte, t)
	copy(vals, r.data[:t])
	for i := range srcs {
		srcs[i] = EventID(binary.LittleEndian.Uint32(r.data[t+4*i:]))
	}
	off := 0
	for _, rd := range r.sk.reads {
		end := off + x.Events[rd].ElementSize
		w.ReadsBytesFrom[rd] = srcs[off:end:end]
		w.ChosenValues[rd] = vals[off:end:end]
		off = end
	}
	return w
}

// regSlot is one register of the final state; ev is the last event that
// sets it.
type regSlot struct {
	agent int
	name  string
	ev    int
	sign  bool
}

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
	found   map[string]witnessRec // shared by the searches of one call
	limit   int                   // most states to find (<= 0: no limit)
	regs    []regSlot
	keyBuf  []byte
	sk      *skeleton
	tickFn  func() bool // e.tick, made once

	x      *Execution // skeleton: events, agent-order, host-synchronizes-with
	evOp   []opRef    // program operation of each event ({-1,-1} for others)
	initOf []int      // byte -> init event
	finals []int      // the final reads, one per cell, in block order
	isInit []bool
	writes []int // non-init write events

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
	stamp    int
	scratch  [][]segVal // per read: value options of each segment
	valBuf   [][]byte   // per read: value under construction
	srcBuf   [][]int    // per read: sources under construction
	readVal  [][]byte
	writeVal [][]byte
	assign   [][]int // per read: source event per byte
}

func newEnumerator(ctx context.Context, p *Program, v Variant, success map[opRef]bool, found map[string]witnessRec, limit int) *enumerator {
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
	for _, c := range finalCells(p) {
		e.finals = append(e.finals, add(Event{Kind: ReadSharedMemory, Agent: nA, Name: fmt.Sprintf("final[%d:%d]", c.Start, c.End()),
			Order: Unordered, NoTear: c.noTear, ByteIndex: c.Start, ElementSize: c.Size}, none))
	}
	e.x = x
	n := len(x.Events)
	e.isInit = make([]bool, n)
	for _, id := range e.initOf {
		e.isInit[id] = true
	}
	for i := range x.Events {
		if x.Events[i].IsWrite() && !e.isInit[i] {
			e.writes = append(e.writes, i)
		}
	}
	// base happens-before: agent-order, host-synchronizes-with, init rule.
	hb := NewRelation(n)
	for _, list := range x.AgentOrder {
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				hb.Add(list[i], list[j])
			}
		}
	}
	for _, pr := range x.HostSynchronizesWith {
		hb.Add(pr[0], pr[1])
	}
	for _, id := range e.initOf {
		for d := range x.Events {
			if x.Events[d].IsMemory() && !e.isInit[d] && initBefore(&x.Events[id], &x.Events[d]) {
				hb.Add(EventID(id), EventID(d))
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
				if e.evOp[id] == (opRef{a, o}) && x.Events[id].IsRead() {
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
	e.sk = &skeleton{x: x}
	for _, ri := range e.reads {
		e.sk.reads = append(e.sk.reads, ri.id)
		e.sk.total += x.Events[ri.id].ElementSize
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

// cell is a range of the block read by one final read.
type cell struct {
	Range
	noTear bool
}

// finalCells splits the block into the ranges the final reads read: each
// maximal run of bytes connected by the program's accesses (accesses
// whose ranges intersect belong to one cell) and each run of bytes no
// access touches. A cell read is NoTear, like a plain read through an
// integer TypedArray, when some access has exactly the cell's range, every
// such access is NoTear, and the cell is at most 4 bytes and aligned (a
// plain BigInt64 read is not NoTear).
func finalCells(p *Program) []cell {
	// cover[b]: end of the component starting at or containing b
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
	var cells []cell
	pos := 0
	for _, c := range comps {
		if c.start > pos {
			cells = append(cells, cell{Range: Range{Start: pos, Size: c.start - pos}})
		}
		cl := cell{Range: Range{Start: c.start, Size: c.end - c.start}}
		exact, allNoTear := false, true
		for _, ag := range p.Agents {
			for _, op := range ag.Ops {
				if op.ByteIndex == c.start && op.ElementSize == cl.Size {
					exact = true
					allNoTear = allNoTear && (op.NoTear || op.Kind == AccessRMW)
				}
			}
		}
		cl.noTear = exact && allNoTear && cl.Size <= 4 && cl.Start%cl.Size == 0
		cells = append(cells, cl)
		pos = c.end
	}
	if pos < p.Size {
		cells = append(cells, cell{Range: Range{Start: pos, Size: p.Size - pos}})
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
		W := x.Events[w].Range()
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
			if x.Events[w].Range().Contains(0, s.start) {
				s.writers = append(s.writers, w)
			}
		}
		// candidates: not r itself, not happening after r, not
		// overwritten in happens-before before r (coherence, fixed by
		// the base relation).
		var cands []int
		for _, w := range append([]int{s.initRep}, s.writers...) {
			if w == r || e.hb.row(r).has(w) {
				continue
			}
			shadowed := false
			for _, o := range s.writers {
				if o != w && e.hb.row(w).has(o) && e.hb.row(o).has(r) {
					shadowed = true
				}
			}
			if !shadowed {
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
	isEq := func(w int) bool {
		W := &e.x.Events[w]
		return R.NoTear && W.NoTear && W.Range().Equal(R.Range())
	}
	var rec func(from int, cur []int, eq bool)
	rec = func(from int, cur []int, eq bool) {
		if e.tick() {
			return
		}
		if len(cur) >= 2 && e.optionUseful(R, s, cur) {
			out = append(out, append([]int(nil), cur...))
		}
		if len(cur) == max {
			return
		}
		for i := from; i < len(cands); i++ {
			q := isEq(cands[i])
			if q && eq {
				continue // tear free reads: one equal-range NoTear source
			}
			rec(i+1, append(cur, cands[i]), eq || q)
		}
	}
	rec(0, nil, false)
	return out
}

func (e *enumerator) optionUseful(R *Event, s segment, set []int) bool {
	if R.NoTear {
		eq := 0
		for _, w := range set {
			W := &e.x.Events[w]
			if W.NoTear && W.Range().Equal(R.Range()) {
				eq++
			}
		}
		if eq > 1 {
			return false
		}
	}
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

func (e *enumerator) isRMW(id int) bool {
	return e.x.Events[id].Kind == ReadModifyWriteSharedMemory
}

// dependsOn reports whether read-modify-write w's value depends, through
// chosen sources, on event r.
func (e *enumerator) dependsOn(w, r int) bool {
	seen := map[int]bool{}
	stack := []int{w}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ri := e.readOf[x]
		if ri < 0 || seen[x] {
			continue
		}
		seen[x] = true
		for si, oi := range e.choice[ri] {
			if oi < 0 {
				continue
			}
			for _, y := range e.reads[ri].segs[si].options[oi] {
				if y == r {
					return true
				}
				if e.isRMW(y) {
					stack = append(stack, y)
				}
			}
		}
	}
	return false
}

func (e *enumerator) coherent(ri, si int) bool {
	r := e.reads[ri].id
	seg := &e.reads[ri].segs[si]
	for _, w := range seg.options[e.choice[ri][si]] {
		if e.hb.row(r).has(w) {
			return false
		}
		for _, o := range seg.writers {
			if o != w && e.hb.row(w).has(o) && e.hb.row(o).has(r) {
				return false
			}
		}
	}
	return true
}

func (e *enumerator) tearFree(ri int) bool {
	R := &e.x.Events[e.reads[ri].id]
	if !R.NoTear {
		return true
	}
	first := -1
	for si, oi := range e.choice[ri] {
		for _, w := range e.reads[ri].segs[si].options[oi] {
			W := &e.x.Events[w]
			if W.NoTear && W.Range().Equal(R.Range()) {
				if first >= 0 && first != w {
					return false
				}
				first = w
			}
		}
	}
	return true
}

// constraints builds the memory-order constraints of the current choices.
// The result is reused by the next call.
func (e *enumerator) constraints() []moConstraint {
	rf, sc := e.rfBuf[:0], e.scBuf[:0]
	for ri := range e.reads {
		r := e.reads[ri].id
		R := &e.x.Events[r]
		complete, allInit := true, true
		for si, oi := range e.choice[ri] {
			if oi < 0 {
				complete = false
				break
			}
			for _, w := range e.reads[ri].segs[si].options[oi] {
				allInit = allInit && e.isInit[w]
			}
		}
		if !complete {
			// only whole reads contribute, so constraints only grow
			// as the search goes deeper
			continue
		}
		e.stamp++
		for si, oi := range e.choice[ri] {
			seg := &e.reads[ri].segs[si]
			for _, w := range seg.options[oi] {
				if e.v.rule == ruleSC {
					sc = append(sc, scSource{r: r, w: w, others: seg.writers})
				}
				if e.mark[w] == e.stamp {
					continue
				}
				e.mark[w] = e.stamp
				rf = append(rf, rfPair{r: r, w: w, sw: swFor(e.v, &e.x.Events[w], R, allInit)})
			}
		}
	}
	e.rfBuf, e.scBuf = rf, sc
	e.csBuf = appendConstraints(e.csBuf[:0], e.v, e.x.Events, e.hb, rf, e.writes, sc)
	return e.csBuf
}

func (e *enumerator) dfs(depth int) {
	if e.tick() {
		return
	}
	if depth == len(e.slots) {
		e.leaf()
		return
	}
	s := e.slots[depth]
	ri := &e.reads[s.ri]
	r := ri.id
	R := &e.x.Events[r]
	seg := &ri.segs[s.si]
	saved := e.hbSaved[depth]
	for oi, opt := range seg.options {
		saved.copyFrom(e.hb)
		e.choice[s.ri][s.si] = oi
		ok, grew := true, false
		for _, w := range opt {
			if e.hb.row(r).has(w) {
				ok = false
				break
			}
			if synchronizes(&e.x.Events[w], R) {
				if !e.hb.row(w).has(r) {
					if !e.hb.addClosed(w, r) {
						ok = false
						break
					}
					grew = true
				}
			}
			if e.isRMW(w) && e.isRMW(r) && e.dependsOn(w, r) {
				ok = false
				break
			}
		}
		if ok {
			if grew {
				for t := 0; t <= depth && ok; t++ {
					ok = e.coherent(e.slots[t].ri, e.slots[t].si)
				}
			} else {
				ok = e.coherent(s.ri, s.si)
			}
		}
		if ok && s.si == len(ri.segs)-1 {
			ok = e.tearFree(s.ri)
			if ok {
				if cs := e.constraints(); len(cs) > 0 {
					_, ok = solveOrder(e.hb, cs, e.tickFn)
				}
			}
		}
		if ok {
			e.dfs(depth + 1)
		}
		e.hb.copyFrom(saved)
		e.choice[s.ri][s.si] = -1
		if e.err != nil {
			return
		}
	}
}

// leaf enumerates the values of a valid choice of sources.
func (e *enumerator) leaf() {
	// order reads so that read-modify-write sources come first.
	order := make([]int, 0, len(e.reads))
	done := make([]bool, len(e.reads))
	for len(order) < len(e.reads) {
		if e.tick() {
			return
		}
		progress := false
		for ri := range e.reads {
			if done[ri] {
				continue
			}
			ready := true
			for si, oi := range e.choice[ri] {
				for _, w := range e.reads[ri].segs[si].options[oi] {
					if wi := e.readOf[w]; wi >= 0 && !done[wi] {
						ready = false
					}
				}
			}
			if ready {
				done[ri] = true
				order = append(order, ri)
				progress = true
			}
		}
		if !progress {
			return // dependency cycle; excluded during the search
		}
	}
	var mo []EventID
	e.values(order, 0, &mo)
}

func (e *enumerator) sourceBytes(w int, s *segment) []byte {
	if e.isRMW(w) {
		W := &e.x.Events[w]
		return e.writeVal[w][s.start-W.ByteIndex : s.end-W.ByteIndex]
	}
	return e.staticBytes(w, *s)
}

func (e *enumerator) values(order []int, k int, mo *[]EventID) {
	if e.tick() {
		return
	}
	if k == len(order) {
		e.emit(mo)
		return
	}
	ri := order[k]
	info := &e.reads[ri]
	r := info.id
	R := &e.x.Events[r]
	segs := e.scratch[ri]
	for si := range info.segs {
		seg := &info.segs[si]
		oi := e.choice[ri][si]
		set := seg.options[oi]
		sv := &segs[si]
		sv.vals, sv.sources = sv.vals[:0], sv.sources[:0]
		if len(set) == 1 {
			sv.vals = append(sv.vals, e.sourceBytes(set[0], seg))
			sv.sources = append(sv.sources, seg.single[oi])
			continue
		}
		srcs := make([][]byte, len(set))
		for i, w := range set {
			srcs[i] = e.sourceBytes(w, seg)
		}
		vals, assigns := segValues(srcs, true)
		if len(vals) == 0 {
			return
		}
		sv.vals = vals
		for _, as := range assigns {
			src := make([]int, len(as))
			for j, a := range as {
				w := set[a]
				if e.isInit[w] {
					w = e.initOf[seg.start+j]
				}
				src[j] = w
			}
			sv.sources = append(sv.sources, src)
		}
	}
	val := e.valBuf[ri]
	src := e.srcBuf[ri]
	var op *Op
	if ref := e.evOp[r]; ref.agent >= 0 {
		op = &e.p.Agents[ref.agent].Ops[ref.op]
	}
	var rec func(si int)
	rec = func(si int) {
		if e.tick() {
			return
		}
		if si == len(segs) {
			if op != nil && op.Kind == AccessRMW && op.Modify == CompareExchange && R.Expected == nil {
				eq := bytes.Equal(val, leBytes(op.Expected, op.ElementSize))
				if eq != (R.Kind == ReadModifyWriteSharedMemory) {
					return
				}
			}
			copy(e.readVal[r], val)
			copy(e.assign[r], src)
			if R.Kind == ReadModifyWriteSharedMemory {
				e.writeVal[r] = R.Modify(val)
			}
			e.values(order, k+1, mo)
			return
		}
		seg := &info.segs[si]
		off := seg.start - R.ByteIndex
		for i, v := range segs[si].vals {
			copy(val[off:], v)
			copy(src[off:], segs[si].sources[i])
			rec(si + 1)
		}
	}
	rec(0)
}

func (e *enumerator) emit(mo *[]EventID) {
	k := e.keyBuf[:0]
	for _, r := range e.regs {
		k = appendKeyReg(k, decode(e.readVal[r.ev], r.sign))
	}
	for _, fr := range e.finals {
		k = append(k, e.readVal[fr]...)
	}
	e.keyBuf = k
	if _, ok := e.found[string(k)]; ok {
		return
	}
	if e.limit > 0 && len(e.found) >= e.limit {
		e.err = &TooManyStatesError{Program: e.p.Name, Variant: e.v.Name(), Limit: e.limit}
		return
	}
	if *mo == nil {
		sol, ok := solveOrder(e.hb, e.constraints(), e.tickFn)
		if e.err != nil {
			return
		}
		if !ok {
			e.err = fmt.Errorf("model: internal error: memory-order lost at a leaf of %s", e.p.Name)
			return
		}
		*mo = linearize(sol)
	}
	// one pointer-free allocation: values, then sources
	t := e.sk.total
	data := make([]byte, 5*t)
	off := 0
	for _, r := range e.sk.reads {
		copy(data[off:], e.readVal[r])
		for j, src := range e.assign[r] {
			binary.LittleEndian.PutUint32(data[t+4*(off+j):], uint32(src))
		}
		off += len(e.readVal[r])
	}
	e.found[string(k)] = witnessRec{sk: e.sk, mo: *mo, data: data}
}

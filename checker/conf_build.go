package checker

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// confInitCall is the call instant given to init writes: they precede
// everything, as history.Convert takes them.
const confInitCall = math.MinInt64 / 2

type confLoc struct{ block, b int }

type confVKey struct {
	block, b int
	v        byte
}

// confChainList is the writes of one chain to a byte or a range, in
// agent-order.
type confChainList struct {
	chain int32
	ids   []int32
}

func confAppendChain(lists []confChainList, c, id int32) []confChainList {
	if n := len(lists); n > 0 && lists[n-1].chain == c {
		lists[n-1].ids = append(lists[n-1].ids, id)
		return lists
	}
	return append(lists, confChainList{chain: c, ids: []int32{id}})
}

// confProblem is a history as conformance's search sees it: the candidate
// execution history.Convert makes (with the 2017 compareExchange under
// es2017), instants, candidate sources per read byte, chains for vector
// clocks, and indexes for the happens-before queries the rules need.
type confProblem struct {
	h    *history.History
	v    model.Variant
	conv *history.Conversion
	x    *model.Execution
	ev   []model.Event
	n    int

	call, ret []int64
	agentOf   []int32 // model agent of each event
	idx       []int32 // 0-based position in its agent's agent-order
	agents    [][]model.EventID

	wbytes [][]byte // bytes each write writes (an RMW: what the history says it wrote)
	val    [][]byte // bytes each read returned

	hswIn, hswOut [][]int32
	initOf        map[confLoc]int32 // the init write of each touched byte
	initIn        [][]int32         // per event: the init writes of its bytes (none for init writes)
	initOut       [][]int32         // per init write: the other events whose range holds its byte

	// The candidates of byte k of read r: the writes of that byte with the
	// value r read there that began before r returned, ascending call
	// instant (possibly holding r itself, which is skipped): swc[r][k]
	// those that would synchronize-with r (seq-cst writes of its range,
	// when r is seq-cst), plc[r][k] the others, in a few lists.
	swc [][][]int32
	plc [][][][]int32

	rkey   []int32 // range key of each memory event (block, start, size), -1 otherwise
	nkeys  int
	sRead  []bool // a seq-cst read with some candidate that could synchronize with it
	reads  []int32
	sReads []int32

	// chains for vector clocks: one per model agent, except single-event
	// agents whose event can have no happens-before successor.
	chainOfAgent []int32
	nch          int

	locs   map[confLoc]int32
	locOf  [][]int32         // per memory event: the locs of its bytes
	byteW  [][]confChainList // per byte (locs): its writes, per chain
	classW [][]confChainList // per range key: its seq-cst writes, per chain
	// wwCount[k]: the writes of range key k that the memory-order rule
	// forbids between a synchronizing pair (see windowWrite).
	wwCount []int32
	hold    []int16 // per read: mustHold's mask, -1 until computed
	// locSig[l]: bytes with equal locSig have the same writes, init
	// writes aside (which no other write happens before), so a write is
	// a coherent source of one for a read iff of the other
	locSig []int32
}

// confRewrite17 returns h with every failing compareExchange (a read with
// modifyOp compareExchange) made an rmw that writes back what it read, so
// that history.Convert counts it as a writer, as the 2017 text does; the
// second result lists the rewritten events.
func confRewrite17(h *history.History) (*history.History, []int) {
	var idx []int
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind == history.EvRead && e.ModifyOp == model.CompareExchange && e.Order == model.SeqCst && e.Size > 0 && e.ByteIndex%e.Size == 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return h, nil
	}
	h2 := &history.History{Buffers: h.Buffers, Events: slices.Clone(h.Events)}
	for _, i := range idx {
		e := &h2.Events[i]
		e.Kind, e.ModifyOp, e.Operand, e.Written, e.Expected, e.Stored, e.NoTear = history.EvRMW, model.Exchange, e.Read, e.Read, 0, false, true
	}
	return h2, idx
}

func confLE(x uint64, size int) []byte {
	b := make([]byte, size)
	for j := range b {
		b[j] = byte(x >> (8 * j))
	}
	return b
}

// newConfProblem converts h (which passed Validate) for variant v. It
// returns history.Convert's error when the conversion refuses h: for a
// validated history, a read whose value no recorded write could have given
// it (the caller explains it with confImpossible).
func newConfProblem(h *history.History, v model.Variant) (*confProblem, error) {
	hc := h
	var rewritten []int
	if v == model.ES2017 {
		hc, rewritten = confRewrite17(h)
	}
	conv, err := history.Convert(hc)
	if err != nil {
		return nil, err
	}
	x := conv.Execution
	if len(rewritten) > 0 {
		// the execution's events are ours to patch (Convert made them for us)
		is := make(map[int]bool, len(rewritten))
		for _, i := range rewritten {
			is[i] = true
		}
		for id := range x.Events {
			src := conv.Source[id]
			if is[src] && x.Events[id].Kind == model.ReadModifyWriteSharedMemory {
				e := &h.Events[src]
				x.Events[id].ModifyOp = model.CompareExchange
				x.Events[id].Payload = confLE(e.Operand, e.Size)
				x.Events[id].Expected = confLE(e.Expected, e.Size)
			}
		}
	}
	p := &confProblem{h: h, v: v, conv: conv, x: x, ev: x.Events, n: len(x.Events), agents: x.AgentOrder}
	p.index(hc)
	return p, nil
}

func (p *confProblem) index(hc *history.History) {
	n := p.n
	p.call, p.ret = make([]int64, n), make([]int64, n)
	p.agentOf, p.idx = make([]int32, n), make([]int32, n)
	p.wbytes, p.val = make([][]byte, n), make([][]byte, n)
	p.hswIn, p.hswOut = make([][]int32, n), make([][]int32, n)
	p.initIn, p.initOut = make([][]int32, n), make([][]int32, n)
	p.rkey = make([]int32, n)
	p.sRead = make([]bool, n)
	p.locOf = make([][]int32, n)
	p.initOf = map[confLoc]int32{}
	p.locs = map[confLoc]int32{}
	for a, list := range p.agents {
		for i, id := range list {
			p.agentOf[id], p.idx[id] = int32(a), int32(i)
		}
	}
	keys := map[model.Range]int32{}
	for id := range p.ev {
		e := &p.ev[id]
		src := &hc.Events[p.conv.Source[id]]
		p.call[id], p.ret[id] = src.Call, src.Return
		p.rkey[id] = -1
		if !e.IsMemory() {
			continue
		}
		if e.Order == model.Init {
			p.call[id] = confInitCall
			p.initOf[confLoc{e.Block, e.ByteIndex}] = int32(id)
		}
		r := e.Range()
		k, ok := keys[r]
		if !ok {
			k = int32(len(keys))
			keys[r] = k
		}
		p.rkey[id] = k
		lo := make([]int32, e.ElementSize)
		for k := range lo {
			l, ok := p.locs[confLoc{e.Block, e.ByteIndex + k}]
			if !ok {
				l = int32(len(p.locs))
				p.locs[confLoc{e.Block, e.ByteIndex + k}] = l
			}
			lo[k] = l
		}
		p.locOf[id] = lo
		if e.IsWrite() {
			switch {
			case e.Kind == model.WriteSharedMemory:
				p.wbytes[id] = e.Payload
			default:
				p.wbytes[id] = confLE(src.Written, e.ElementSize)
			}
		}
		if e.IsRead() {
			p.val[id] = p.x.ChosenValues[id]
		}
	}
	p.nkeys = len(keys)
	for _, pr := range p.x.HostSynchronizesWith {
		a, b := int32(pr[0]), int32(pr[1])
		p.hswOut[a] = append(p.hswOut[a], b)
		p.hswIn[b] = append(p.hswIn[b], a)
	}
	for id := range p.ev {
		e := &p.ev[id]
		if !e.IsMemory() || e.Order == model.Init {
			continue
		}
		for b := e.ByteIndex; b < e.ByteIndex+e.ElementSize; b++ {
			if w, ok := p.initOf[confLoc{e.Block, b}]; ok {
				p.initIn[id] = append(p.initIn[id], w)
				p.initOut[w] = append(p.initOut[w], int32(id))
			}
		}
	}
	// candidates: per (byte, value) the writes that are not seq-cst, and
	// the seq-cst ones by range, each list by call instant; a read's
	// candidates are the prefixes that began before it returned.
	type group struct {
		plain []int32
		sc    map[int32][]int32
	}
	groups := map[confVKey]*group{}
	for id := range p.ev {
		e := &p.ev[id]
		if !e.IsWrite() {
			continue
		}
		for k, c := range p.wbytes[id] {
			key := confVKey{e.Block, e.ByteIndex + k, c}
			g := groups[key]
			if g == nil {
				g = &group{}
				groups[key] = g
			}
			if e.Order == model.SeqCst {
				if g.sc == nil {
					g.sc = map[int32][]int32{}
				}
				g.sc[p.rkey[id]] = append(g.sc[p.rkey[id]], int32(id))
			} else {
				g.plain = append(g.plain, int32(id))
			}
		}
	}
	byCall := func(a, b int32) int { return cmp.Or(cmp.Compare(p.call[a], p.call[b]), cmp.Compare(a, b)) }
	for _, g := range groups {
		slices.SortFunc(g.plain, byCall)
		for _, l := range g.sc {
			slices.SortFunc(l, byCall)
		}
	}
	p.swc, p.plc = make([][][]int32, n), make([][][][]int32, n)
	for id := range p.ev {
		e := &p.ev[id]
		if !e.IsRead() {
			continue
		}
		r := int32(id)
		prefix := func(ws []int32) []int32 {
			m := sort.Search(len(ws), func(i int) bool { return p.call[ws[i]] > p.ret[r] })
			return ws[:m:m]
		}
		p.reads = append(p.reads, r)
		p.swc[r] = make([][]int32, e.ElementSize)
		p.plc[r] = make([][][]int32, e.ElementSize)
		for k := 0; k < e.ElementSize; k++ {
			g := groups[confVKey{e.Block, e.ByteIndex + k, p.val[r][k]}]
			if g == nil {
				continue
			}
			if l := prefix(g.plain); len(l) > 0 {
				p.plc[r][k] = append(p.plc[r][k], l)
			}
			keys := make([]int32, 0, len(g.sc))
			for key := range g.sc {
				keys = append(keys, key)
			}
			slices.Sort(keys)
			for _, key := range keys {
				l := prefix(g.sc[key])
				if len(l) == 0 {
					continue
				}
				if e.Order == model.SeqCst && key == p.rkey[r] {
					p.swc[r][k] = l
					if len(l) > 1 || l[0] != r {
						p.sRead[r] = true
					}
				} else {
					p.plc[r][k] = append(p.plc[r][k], l)
				}
			}
		}
		if p.sRead[r] {
			p.sReads = append(p.sReads, r)
		}
	}
	slices.SortFunc(p.reads, byCall)
	slices.SortFunc(p.sReads, byCall)
	p.chains()
}

// swCapable reports whether read r taking bytes from w would make w
// synchronize-with r: both seq-cst, equal ranges. The search lets at most
// one write synchronize-with a read; that loses nothing: of two that did,
// both seq-cst writes of the read's range, the later in memory-order would
// lie between the other and the read, which rule (a) (and the 2017 rule)
// forbids.
func (p *confProblem) swCapable(w, r int32) bool {
	W, R := &p.ev[w], &p.ev[r]
	return W.Order == model.SeqCst && R.Order == model.SeqCst && p.rkey[w] == p.rkey[r]
}

// counting reports whether tear free reads counts w among r's sources.
func (p *confProblem) counting(w, r int32) bool {
	W, R := &p.ev[w], &p.ev[r]
	return R.NoTear && W.NoTear && p.rkey[w] == p.rkey[r]
}

// windowWrite reports whether w is a write that the memory-order rule
// forbids between a synchronizing pair on range key k: under es2024 a
// seq-cst write of that range, under es2017 a write of any order.
func (p *confProblem) windowWrite(w int32) bool {
	e := &p.ev[w]
	if !e.IsWrite() {
		return false
	}
	return p.v == model.ES2017 || e.Order == model.SeqCst
}

func (p *confProblem) chains() {
	p.chainOfAgent = make([]int32, len(p.agents))
	for a, list := range p.agents {
		keep := len(list) > 1
		if len(list) == 1 {
			id := list[0]
			e := &p.ev[id]
			keep = len(p.hswOut[id]) > 0 || (e.IsWrite() && (e.Order == model.SeqCst || e.Order == model.Init))
		}
		if keep {
			p.chainOfAgent[a] = int32(p.nch)
			p.nch++
		} else {
			p.chainOfAgent[a] = -1
		}
	}
	p.byteW = make([][]confChainList, len(p.locs))
	p.classW = make([][]confChainList, p.nkeys)
	p.wwCount = make([]int32, p.nkeys)
	for a, list := range p.agents {
		c := p.chainOfAgent[a]
		for _, id := range list {
			e := &p.ev[id]
			if !e.IsWrite() {
				continue
			}
			if p.windowWrite(int32(id)) {
				p.wwCount[p.rkey[id]]++
			}
			if c < 0 {
				continue
			}
			for _, l := range p.locOf[id] {
				p.byteW[l] = confAppendChain(p.byteW[l], c, int32(id))
			}
			if e.Order == model.SeqCst {
				p.classW[p.rkey[id]] = confAppendChain(p.classW[p.rkey[id]], c, int32(id))
			}
		}
	}
	p.signatures()
}

// signatures sets locSig: the bytes with the same non-init writes.
func (p *confProblem) signatures() {
	p.locSig = make([]int32, len(p.locs))
	ids := map[string]int32{}
	var key []byte
	for l, lists := range p.byteW {
		key = key[:0]
		for _, cl := range lists {
			key = binary.AppendVarint(key, -1-int64(cl.chain))
			for _, w := range cl.ids {
				if p.ev[w].Order != model.Init {
					key = binary.AppendVarint(key, int64(w))
				}
			}
		}
		id, ok := ids[string(key)]
		if !ok {
			id = int32(len(ids))
			ids[string(key)] = id
		}
		p.locSig[l] = id
	}
}

func (p *confProblem) chainOf(e int32) int32 { return p.chainOfAgent[p.agentOf[e]] }

// eachPlain calls fn with the candidates of byte k of read r that would
// not synchronize-with it, latest call first, until fn returns false.
func (p *confProblem) eachPlain(r int32, k int, fn func(w int32) bool) {
	confEachOf(p, p.plc[r][k], r, fn)
}

// eachCand calls fn with every candidate of byte k of read r, latest call
// first, until fn returns false.
func (p *confProblem) eachCand(r int32, k int, fn func(w int32) bool) {
	switch {
	case len(p.swc[r][k]) == 0:
		confEachOf(p, p.plc[r][k], r, fn)
	case len(p.plc[r][k]) == 0:
		confEachOf(p, p.swc[r][k:k+1], r, fn)
	default:
		confEachOf(p, append([][]int32{p.swc[r][k]}, p.plc[r][k]...), r, fn)
	}
}

// nCands counts the candidates of byte k of read r, up to max.
func (p *confProblem) nCands(r int32, k int, max int) int {
	n := 0
	p.eachCand(r, k, func(int32) bool { n++; return n < max })
	return n
}

// confEachOf merges lists sorted by call, latest first, skipping self.
func confEachOf(p *confProblem, lists [][]int32, self int32, fn func(w int32) bool) {
	if len(lists) == 1 {
		l := lists[0]
		for i := len(l) - 1; i >= 0; i-- {
			if l[i] != self && !fn(l[i]) {
				return
			}
		}
		return
	}
	pos := make([]int, len(lists))
	for j, l := range lists {
		pos[j] = len(l)
	}
	for {
		best, bw := -1, int32(-1)
		for j, l := range lists {
			if pos[j] == 0 {
				continue
			}
			w := l[pos[j]-1]
			if best < 0 || p.call[w] > p.call[bw] || (p.call[w] == p.call[bw] && w > bw) {
				best, bw = j, w
			}
		}
		if best < 0 {
			return
		}
		pos[best]--
		if bw != self && !fn(bw) {
			return
		}
	}
}

// name is an event's name for messages: its history reference and operation.
func (p *confProblem) name(e int32) string {
	src := p.conv.Source[e]
	he := &p.h.Events[src]
	if p.ev[e].Order == model.Init {
		return fmt.Sprintf("the initial zero of b%d[%d] (a%d#%d %s)", he.Buffer, p.ev[e].ByteIndex, he.Agent, he.Seq, he.Op)
	}
	return RefOf(p.h, src).String()
}

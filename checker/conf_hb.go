package checker

import (
	"sort"

	"github.com/sabre-mm/sabre/model"
)

// confMaxClock bounds the vector clocks' size (events × chains): past it a
// history is answered Unknown rather than exhaust memory.
const confMaxClock = 1 << 25

// confHB is happens-before for one choice of synchronizing sources, as
// vector clocks over chains (agent-order lists): vc[e·d + c] is the number
// of events of chain c that happen before e or are e. Happens-before is
// the transitive closure of agent-order, synchronizes-with,
// host-synchronizes-with and init writes before every event on their byte
// (model.Analyze's reading); the clocks take O(events × chains) time and
// space instead of Analyze's n² bits.
type confHB struct {
	p  *confProblem
	d  int
	vc []int32
	// the frontier writes of the bytes of read fr (see front)
	fr     int32
	fronts [8][]int32
	have   [8]bool
}

func (h *confHB) clock(e int32) []int32 { return h.vc[int(e)*h.d : int(e+1)*h.d] }

// hb reports whether a happens-before b.
func (h *confHB) hb(a, b int32) bool {
	if a == b {
		return false
	}
	c := h.p.chainOf(a)
	if c < 0 {
		return false // an event no other event can follow
	}
	return h.vc[int(b)*h.d+int(c)] > h.p.idx[a]
}

// below returns how many events of chain c happen before e or are e.
func (h *confHB) below(e, c int32) int32 { return h.vc[int(e)*h.d+int(c)] }

// computeHB builds the clocks when each read r with sw[r] ≥ 0
// synchronizes-with... is synchronized-with by the write sw[r]. It returns
// the events of a cycle (and a nil confHB) when happens-before is not a
// strict partial order.
func (p *confProblem) computeHB(sw []int32) (*confHB, []int32) {
	n := p.n
	h := &confHB{p: p, d: p.nch, vc: make([]int32, n*p.nch), fr: -1}
	indeg := make([]int32, n)
	swOut := make([][]int32, n)
	for e := 0; e < n; e++ {
		d := int32(len(p.hswIn[e]) + len(p.initIn[e]))
		if p.idx[e] > 0 {
			d++
		}
		if sw[e] >= 0 {
			d++
			swOut[sw[e]] = append(swOut[sw[e]], int32(e))
		}
		indeg[e] = d
	}
	queue := make([]int32, 0, n)
	for e := 0; e < n; e++ {
		if indeg[e] == 0 {
			queue = append(queue, int32(e))
		}
	}
	join := func(dst []int32, src int32) {
		s := h.clock(src)
		for i, x := range s {
			if x > dst[i] {
				dst[i] = x
			}
		}
	}
	release := func(e int32) {
		indeg[e]--
		if indeg[e] == 0 {
			queue = append(queue, e)
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		e := queue[qi]
		v := h.clock(e)
		a := p.agentOf[e]
		if i := p.idx[e]; i > 0 {
			join(v, int32(p.agents[a][i-1]))
		}
		if sw[e] >= 0 {
			join(v, sw[e])
		}
		for _, s := range p.hswIn[e] {
			join(v, s)
		}
		for _, s := range p.initIn[e] {
			join(v, s)
		}
		if c := p.chainOfAgent[a]; c >= 0 {
			v[c] = p.idx[e] + 1
		}
		if i := int(p.idx[e]) + 1; i < len(p.agents[a]) {
			release(int32(p.agents[a][i]))
		}
		for _, s := range swOut[e] {
			release(s)
		}
		for _, s := range p.hswOut[e] {
			release(s)
		}
		for _, s := range p.initOut[e] {
			release(s)
		}
	}
	if len(queue) == n {
		return h, nil
	}
	// A cycle: every event left has a predecessor left; walk back.
	done := make([]bool, n)
	for _, e := range queue {
		done[e] = true
	}
	var start int32
	for e := 0; e < n; e++ {
		if !done[e] {
			start = int32(e)
			break
		}
	}
	pred := func(e int32) int32 {
		if i := p.idx[e]; i > 0 {
			if q := int32(p.agents[p.agentOf[e]][i-1]); !done[q] {
				return q
			}
		}
		if sw[e] >= 0 && !done[sw[e]] {
			return sw[e]
		}
		for _, s := range p.hswIn[e] {
			if !done[s] {
				return s
			}
		}
		for _, s := range p.initIn[e] {
			if !done[s] {
				return s
			}
		}
		return -1
	}
	seen := map[int32]int{}
	var path []int32
	for e := start; e >= 0; e = pred(e) {
		if i, ok := seen[e]; ok {
			cyc := append([]int32(nil), path[i:]...)
			// reverse: the walk went backwards
			for l, r := 0, len(cyc)-1; l < r; l, r = l+1, r-1 {
				cyc[l], cyc[r] = cyc[r], cyc[l]
			}
			return nil, cyc
		}
		seen[e] = len(path)
		path = append(path, e)
	}
	return nil, []int32{start}
}

// front returns, for byte k of read r, the last write of that byte in
// each chain that happens before r (other than r): a write W of the byte
// is followed in happens-before by another write V of it that happens
// before r iff W happens before one of these.
func (h *confHB) front(r int32, k int) []int32 {
	if h.fr != r {
		h.fr, h.have = r, [8]bool{}
	}
	if h.have[k] {
		return h.fronts[k]
	}
	p := h.p
	f := h.fronts[k][:0]
	for _, cl := range p.byteW[p.locOf[r][k]] {
		bound := h.below(r, cl.chain) // events of the chain with idx < bound happen before r (or are r)
		j := sort.Search(len(cl.ids), func(i int) bool { return p.idx[cl.ids[i]] >= bound }) - 1
		if j >= 0 && cl.ids[j] == r {
			j--
		}
		if j >= 0 {
			f = append(f, cl.ids[j])
		}
	}
	h.fronts[k], h.have[k] = f, true
	return f
}

// between returns a write V of byte k of read r, other than w, with w
// happens-before V happens-before r (so r taking that byte from w breaks
// coherent reads), or -1.
func (h *confHB) between(w, r int32, k int) int32 {
	if h.p.chainOf(w) < 0 {
		return -1 // w happens before nothing
	}
	for _, v := range h.front(r, k) {
		if v != w && h.hb(w, v) {
			return v
		}
	}
	return -1
}

// coherent reports why r may not take byte k from w under this
// happens-before: ok, or r happens-before w (v = -1), or w happens-before
// v happens-before r.
func (h *confHB) coherent(w, r int32, k int) (v int32, ok bool) {
	if h.hb(r, w) {
		return -1, false
	}
	if v := h.between(w, r, k); v >= 0 {
		return v, false
	}
	return -1, true
}

// confEdge is a memory-order requirement: from before to, because read r
// takes bytes from write w, by rule (b) or (c) of sequentially consistent
// atomics (rule 0: a window, from synchronizes-with to).
type confEdge struct {
	from, to int32
	r, w     int32
	rule     byte
}

// pairs returns the memory-order edges that r taking bytes from w
// (without synchronizing) requires under es2024's rules (b) and (c), with
// memory-order containing happens-before: (b) when w is seq-cst and
// happens-before r, every seq-cst write V of w's range that happens
// before r and is unordered with w comes before w; (c) when r is seq-cst
// and w happens-before r, r comes before every seq-cst write V of r's
// range that w happens before. Per chain only the nearest such V is
// needed: agent-order orders the rest.
func (h *confHB) pairs(dst []confEdge, w, r int32) []confEdge {
	p := h.p
	if p.v != model.ES2024 || !h.hb(w, r) {
		return dst
	}
	W, R := &p.ev[w], &p.ev[r]
	if W.Order == model.SeqCst {
		for _, cl := range p.classW[p.rkey[w]] {
			bound := h.below(r, cl.chain)
			j := sort.Search(len(cl.ids), func(i int) bool { return p.idx[cl.ids[i]] >= bound }) - 1
			if j >= 0 && cl.ids[j] == r {
				j--
			}
			if j < 0 {
				continue
			}
			if v := cl.ids[j]; v != w && !h.hb(v, w) && !h.hb(w, v) {
				dst = append(dst, confEdge{from: v, to: w, r: r, w: w, rule: 'b'})
			}
		}
	}
	if R.Order == model.SeqCst {
		for _, cl := range p.classW[p.rkey[r]] {
			j := sort.Search(len(cl.ids), func(i int) bool { return h.hb(w, cl.ids[i]) })
			if j < len(cl.ids) && cl.ids[j] == r {
				j++
			}
			if j >= len(cl.ids) {
				continue
			}
			if v := cl.ids[j]; !h.hb(r, v) && !h.hb(v, r) {
				dst = append(dst, confEdge{from: r, to: v, r: r, w: w, rule: 'c'})
			}
		}
	}
	return dst
}

package checker

import (
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/model"
)

// Read-modify-writes consume what they read.
//
// Say that a read-modify-write R consumes a write W when
//
//   - es2024: R reads-from W and W happens-before R (so whenever W
//     synchronizes-with R, and whenever R takes a byte from an init write);
//   - es2017: W synchronizes-with R in the 2017 sense (model's swFor): W is
//     a seq-cst write of R's range that R reads from, or an init write of
//     one of R's bytes when R takes every byte from init writes.
//
// No write is consumed by two read-modify-writes of one range. Say R1 and
// R2, of range X, both consume W; memory-order is total and contains
// happens-before, so W comes before both, and one of them, say R1, comes
// before the other: W, R1, R2 in memory-order, R1 a seq-cst write (every
// read-modify-write is) with R2's range. es2024: R2 reads-from W, and
// either W synchronizes-with R2 — rule (a) forbids R1 there — or W
// happens-before R2 and W happens-before R1, R2 seq-cst, R1 with R2's
// range — rule (c) forbids it. es2017: W synchronizes-with R2 and R1 is a
// write with R2's range between them — the 2017 rule forbids it.
//
// So the read-modify-writes of a range need distinct writes: a matching of
// read-modify-writes to writes in the bipartite graph of what each may
// consume. Each read-modify-write's possible consumptions are known from
// its possible sources: a synchronizing write it may choose (domain, which
// over-approximates what any completion can choose), or, when it may choose
// none, what taking its bytes from writes that do not synchronize-with it
// must consume (consumed). A read-modify-write whose choice of none
// consumes nothing certain is left out. If no matching covers them all
// (Hall's condition fails: k of them can consume only k−1 writes between
// them), no valid execution exists. Happens-before only grows as choices
// are made, so the sets only shrink and a failure under a partial choice
// holds for every completion: the exhaustive search checks the matching at
// every choice (forward checking), keeping one matching and repairing it
// by augmenting paths.
type confPigeon struct {
	s     *confSearch
	parts []int32 // the read-modify-writes constrained
	at    []int32 // per event: its index in parts, or -1
	// per part: the writes it may consume at the root (token ids), and
	// what choosing no synchronizing write consumes (nil: nothing certain,
	// the part is then left out)
	root [][]int32
	none [][]int32
	cur  [][]int32 // per part: its tokens now (nil: left out)
	// tokens: a (range key, write) pair per id
	tokW  []int32
	tokID map[int64]int32
	owner []int32 // per token: the part holding it, or -1
	mate  []int32 // per part: the token it holds, or -1
	seen  []int32 // per token: the stamp of the last visit
	stamp int32
	// from the last failure: the parts and tokens of a Hall set
	hallParts []int32
	hallToks  []int32
	stack     []confAugFrame
}

// confAugFrame is a step of an augmenting path: a part, the next of its
// tokens to look at, and the token it would take.
type confAugFrame struct {
	u int32
	i int
	t int32
}

// confPigeonMax: a read-modify-write with this many possible
// synchronizing writes is left out of the matching.
const confPigeonMax = 32

func confTokKey(key, w int32) int64 { return int64(key)<<32 | int64(uint32(w)) }

// newPigeon builds the constraint under hb and the forced choices sigma:
// each read-modify-write's possible consumptions.
func (s *confSearch) newPigeon(sigma []int32, hb *confHB) *confPigeon {
	p := s.p
	if p.v == model.SC {
		return nil
	}
	m := &confPigeon{s: s, at: make([]int32, p.n), tokID: map[int64]int32{}}
	for i := range m.at {
		m.at[i] = -1
	}
	open := make([]bool, p.n)
	for _, r := range s.vars {
		open[r] = true
	}
	tok := func(key, w int32) int32 {
		k := confTokKey(key, w)
		id, ok := m.tokID[k]
		if !ok {
			id = int32(len(m.tokW))
			m.tokID[k] = id
			m.tokW = append(m.tokW, w)
		}
		return id
	}
	for _, r := range p.reads {
		if p.ev[r].Kind != model.ReadModifyWriteSharedMemory {
			continue
		}
		if s.tick() {
			return nil
		}
		key := p.rkey[r]
		var toks, none []int32
		ok := true
		switch {
		case sigma[r] >= 0:
			toks = []int32{tok(key, sigma[r])}
		default:
			var dom []int32
			canNone := true
			if p.sRead[r] {
				var capped bool
				dom, canNone, capped = s.domain(r, hb, confPigeonMax, confMaxScan)
				if !open[r] {
					dom = nil // fixed to none: the search never gives it one
				}
				// a long list (cut short) leaves it out: that costs time
				// and seldom matters
				ok = !capped && len(dom) < confPigeonMax
			}
			for _, w := range dom {
				toks = append(toks, tok(key, w))
			}
			if ok && canNone {
				c := s.consumed(r, hb)
				if c == nil {
					ok = false
				}
				for _, w := range c {
					t := tok(key, w)
					none = append(none, t)
					if !slices.Contains(toks, t) {
						toks = append(toks, t)
					}
				}
			}
		}
		if !ok {
			continue
		}
		m.at[r] = int32(len(m.parts))
		m.parts = append(m.parts, r)
		m.root = append(m.root, toks)
		m.none = append(m.none, none)
	}
	m.cur = slices.Clone(m.root)
	m.owner = make([]int32, len(m.tokW))
	m.seen = make([]int32, len(m.tokW))
	for i := range m.owner {
		m.owner[i] = -1
	}
	m.mate = make([]int32, len(m.parts))
	for i := range m.mate {
		m.mate[i] = -1
	}
	return m
}

// consumed returns writes one of which read-modify-write r consumes in
// every execution where no write synchronizes-with r (see confPigeon),
// under hb, or nil when there are none such.
//
// es2024: the candidates of a byte that are coherent under hb and would
// not synchronize-with r, when all of them happen before r (the fewest
// over r's bytes). Happens-before only grows, so the byte's source is one
// of them in every completion, and still happens before r.
//
// es2017: when every such candidate of every byte is an init write, r
// takes all its bytes from init, and the init write of its first byte
// synchronizes-with it (the 2017 text).
func (s *confSearch) consumed(r int32, hb *confHB) []int32 {
	p := s.p
	R := &p.ev[r]
	switch p.v {
	case model.ES2024:
		var best []int32
		for k := 0; k < R.ElementSize; k++ {
			var ts []int32
			ok, seen := true, 0
			p.eachPlain(r, k, func(v int32) bool {
				if seen++; seen > confMaxScan {
					ok = false
					return false
				}
				if _, c := hb.coherent(v, r, k); !c {
					return true
				}
				if !hb.hb(v, r) {
					ok = false
					return false
				}
				ts = append(ts, v)
				return true
			})
			if ok && len(ts) > 0 && (best == nil || len(ts) < len(best)) {
				best = ts
			}
		}
		return best
	case model.ES2017:
		any := false
		for k := 0; k < R.ElementSize; k++ {
			ok, seen := true, 0
			p.eachPlain(r, k, func(v int32) bool {
				if seen++; seen > confMaxScan {
					ok = false
					return false
				}
				if _, c := hb.coherent(v, r, k); !c {
					return true
				}
				any = true
				ok = p.ev[v].Order == model.Init
				return ok
			})
			if !ok {
				return nil
			}
		}
		if w, has := p.initOf[confLoc{R.Block, R.ByteIndex}]; has && any {
			return []int32{w}
		}
	}
	return nil
}

// try looks for an augmenting path from part u (Kuhn's algorithm, with
// a stack of its own: paths may be long).
func (m *confPigeon) try(u int32) bool {
	stack := append(m.stack[:0], confAugFrame{u: u})
	defer func() { m.stack = stack[:0] }()
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i == len(m.cur[f.u]) {
			stack = stack[:len(stack)-1]
			continue
		}
		t := m.cur[f.u][f.i]
		f.i++
		if m.seen[t] == m.stamp {
			continue
		}
		m.seen[t] = m.stamp
		f.t = t
		if o := m.owner[t]; o >= 0 {
			stack = append(stack, confAugFrame{u: o})
			continue
		}
		// a free token: each part on the path takes the one it looked at
		for _, g := range stack {
			m.owner[g.t] = g.u
			m.mate[g.u] = g.t
		}
		return true
	}
	return false
}

// match repairs the matching: every part holding a token it may no longer
// consume lets it go, and every part without one looks for one. It
// returns a part none can be found for, or -1; after a failure hallParts
// and hallToks hold a Hall set (parts that between them may consume only
// the tokens listed, fewer than the parts).
func (m *confPigeon) match() int32 {
	for u := range m.parts {
		if t := m.mate[u]; t >= 0 && !slices.Contains(m.cur[u], t) {
			m.owner[t] = -1
			m.mate[u] = -1
		}
	}
	for u := range m.parts {
		if m.mate[u] >= 0 || m.cur[u] == nil {
			continue
		}
		if m.s.tick() {
			return -1
		}
		m.stamp++
		if m.try(int32(u)) {
			continue
		}
		m.hallToks = m.hallToks[:0]
		m.hallParts = append(m.hallParts[:0], int32(u))
		for t := range m.seen {
			if m.seen[t] == m.stamp {
				m.hallToks = append(m.hallToks, int32(t))
				if o := m.owner[t]; o >= 0 && !slices.Contains(m.hallParts, o) {
					m.hallParts = append(m.hallParts, o)
				}
			}
		}
		return int32(u)
	}
	return -1
}

// choose narrows read r's part to what choosing v (a synchronizing write,
// or -1 for none) consumes, and returns what to restore.
func (m *confPigeon) choose(r, v int32) (u int32, old []int32) {
	u = m.at[r]
	if u < 0 {
		return -1, nil
	}
	old = m.cur[u]
	switch {
	case v < 0:
		m.cur[u] = m.none[u]
	default:
		t, ok := m.tokID[confTokKey(m.s.p.rkey[r], v)]
		if !ok {
			m.cur[u] = nil // not foreseen at the root: left out
		} else {
			m.cur[u] = []int32{t}
		}
	}
	if len(m.cur[u]) == 0 {
		m.cur[u] = nil
	}
	return u, old
}

func (m *confPigeon) restore(u int32, old []int32) {
	if u >= 0 {
		m.cur[u] = old
	}
}

// fail explains the last failure of match: the read-modify-writes of the
// Hall set, the writes they share, and the rule.
func (m *confPigeon) fail(u int32, hb *confHB) *confFail {
	s, p := m.s, m.s.p
	r := m.parts[u]
	var rs, ws []int32
	for _, q := range m.hallParts {
		rs = append(rs, m.parts[q])
	}
	for _, t := range m.hallToks {
		ws = append(ws, m.tokW[t])
	}
	slices.SortFunc(rs, func(a, b int32) int { return confCmpCall(p, a, b) })
	slices.SortFunc(ws, func(a, b int32) int { return confCmpCall(p, a, b) })
	f, _ := s.sourceWhys(r, -1, true, hb)
	f.pred = model.PredSCAtomics
	f.mask = uint8(1<<p.ev[r].ElementSize - 1)
	need := "the only such write is " + p.name(ws[0])
	if len(ws) > 1 {
		need = fmt.Sprintf("there are only %d such writes between them (%s)", len(ws), confNames(p, ws))
	}
	if p.v == model.ES2017 {
		f.msg = fmt.Sprintf("%d read-modify-writes of %s (%s) must each be synchronized-with by a write, and %s; but no write synchronizes-with two read-modify-writes of one range: the later of the two in memory-order would lie between the write and the other (the 2017 rule; an init write synchronizes-with a seq-cst read that takes all its bytes from init writes)",
			len(rs), p.rangeName(r), confNames(p, rs), need)
	} else {
		f.msg = fmt.Sprintf("%d read-modify-writes of %s (%s) must each read from a write that happens before it (or comes to, by synchronizing-with it), and %s; but no write is read by two read-modify-writes of one range that it happens before: the later of the two in memory-order would lie between the write and the other (rule (a) when the write synchronizes-with it, rule (c) otherwise)",
			len(rs), p.rangeName(r), confNames(p, rs), need)
	}
	f.events = append(slices.Clone(rs), ws...)
	which := "one of the writes above"
	if len(ws) == 1 {
		which = p.name(ws[0])
	}
	for i := range f.why {
		wy := &f.why[i]
		switch {
		case slices.Contains(ws, wy.w):
			wy.pred, wy.msg, wy.other = model.PredSCAtomics, fmt.Sprintf("needed by one of the %d read-modify-writes above, which are more than the writes they can read", len(rs)), nil
		case wy.pred == "":
			wy.pred, wy.msg = model.PredSCAtomics, "a possible source of these bytes, but the read must still read from "+which
		}
	}
	return f
}

// confNames names events, at most confListMax of them.
func confNames(p *confProblem, es []int32) string {
	var names []string
	for i, e := range es {
		if i == confListMax {
			names = append(names, fmt.Sprintf("and %d more", len(es)-i))
			break
		}
		names = append(names, p.name(e))
	}
	return confJoinComma(names)
}

// rangeName names an event's range, e.g. "b1[0:2]".
func (p *confProblem) rangeName(e int32) string {
	he := &p.h.Events[p.conv.Source[e]]
	return fmt.Sprintf("b%d[%d:%d]", he.Buffer, he.ByteIndex, he.ByteIndex+he.Size)
}

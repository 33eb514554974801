package checker

import (
	"encoding/binary"
	"slices"
)

// simulate guesses the synchronizing source of every open seq-cst read by
// replaying the history as a linearization: it places events one at a
// time in an order that keeps agent-order, host-synchronizes-with, the
// init writes first, and real time per range (an event of a range goes
// after every event of that range that returned before it was called),
// and keeps for each range its current write (the last placed of those
// the memory-order rule counts). A seq-cst read of the range goes only
// when the current write holds the value it read, and then that write
// synchronizes-with it. Reads go as soon as they can; writes are choices,
// tried first where no read still waiting for the current value began
// before they returned, then by return instant, with backtracking (a
// dead end's state — the placed prefix of each agent and the current
// write of each range — is remembered). This chains read-modify-writes as
// the 2017 compareExchange requires (each reads the one before it). The
// result is a guess that the search checks; a read the replay could not
// place (its step budget ran out, or no order exists) keeps guess's value.
func (s *confSearch) simulate(fixed, guess []int32) []int32 {
	p := s.p
	m := &confSim{s: s, p: p, fixed: fixed, sigma: slices.Clone(guess), open: make([]bool, p.n),
		frontier: make([]int32, len(p.agents)), cur: make([]int32, p.nkeys), failed: map[string]bool{}}
	for _, r := range s.vars {
		m.open[r] = true
	}
	for i := range m.cur {
		m.cur[i] = -1
	}
	m.index()
	m.run(20*p.n + 1000)
	return m.sigma
}

type confSim struct {
	s        *confSearch
	p        *confProblem
	fixed    []int32
	sigma    []int32
	open     []bool
	frontier []int32
	cur      []int32
	placedN  int
	trail    []confSimUndo
	failed   map[string]bool
	keybuf   []byte

	readers  map[confSimKey][]int32 // seq-cst reads of each (range, value), by call
	rdPos    []int32
	rdPtr    map[confSimKey]int
	byRet    [][]int32 // per range: its seq-cst reads and counted writes, by return
	retPos   []int32
	retPtr   []int
	inClass  []bool
	rdKey    []confSimKey
	hasRdKey []bool
}

type confSimKey struct {
	key int32
	v   uint64
}

type confSimUndo struct {
	e, cur, sigma int32
}

func (m *confSim) index() {
	p := m.p
	m.readers = map[confSimKey][]int32{}
	m.rdPtr = map[confSimKey]int{}
	m.rdPos = make([]int32, p.n)
	m.retPos = make([]int32, p.n)
	m.inClass = make([]bool, p.n)
	m.rdKey = make([]confSimKey, p.n)
	m.hasRdKey = make([]bool, p.n)
	for _, r := range p.sReads {
		k := confSimKey{p.rkey[r], confLEuint64(p.val[r])}
		m.readers[k] = append(m.readers[k], r)
		m.rdKey[r], m.hasRdKey[r] = k, true
	}
	for _, l := range m.readers {
		slices.SortFunc(l, func(a, b int32) int { return confCmpCall(p, a, b) })
		for i, r := range l {
			m.rdPos[r] = int32(i)
		}
	}
	m.byRet = make([][]int32, p.nkeys)
	m.retPtr = make([]int, p.nkeys)
	for e := range p.ev {
		if p.sRead[e] || p.windowWrite(int32(e)) {
			m.inClass[e] = true
			m.byRet[p.rkey[e]] = append(m.byRet[p.rkey[e]], int32(e))
		}
	}
	for _, l := range m.byRet {
		slices.SortFunc(l, func(a, b int32) int { return confCmpRet(p, a, b) })
		for i, e := range l {
			m.retPos[e] = int32(i)
		}
	}
}

func (m *confSim) placed(e int32) bool { return m.p.idx[e] < m.frontier[m.p.agentOf[e]] }

func (m *confSim) ready(e int32) bool {
	for _, q := range m.p.hswIn[e] {
		if !m.placed(q) {
			return false
		}
	}
	for _, q := range m.p.initIn[e] {
		if !m.placed(q) {
			return false
		}
	}
	return true
}

// inTime: every event of e's range that returned before e was called is
// placed.
func (m *confSim) inTime(e int32) bool {
	if !m.inClass[e] {
		return true
	}
	p := m.p
	k := p.rkey[e]
	l := m.byRet[k]
	i := m.retPtr[k]
	for i < len(l) && m.placed(l[i]) {
		i++
	}
	m.retPtr[k] = i
	return i == len(l) || l[i] == e || p.ret[l[i]] >= p.call[e]
}

// takes reports whether seq-cst read r can take the current write of its
// range now, and which write then synchronizes-with it (-1: none).
func (m *confSim) takes(r int32) (bool, int32) {
	p := m.p
	w := m.cur[p.rkey[r]]
	if !m.open[r] {
		if f := m.fixed[r]; f >= 0 {
			return w == f, f
		}
		return true, -1
	}
	if w < 0 {
		// nothing of its range written yet: it reads the initial bytes
		for _, b := range p.val[r] {
			if b != 0 {
				return false, -1
			}
		}
		return true, -1
	}
	for k := range p.val[r] {
		if !p.holds(w, r, k) {
			return false, -1
		}
	}
	if p.swCapable(w, r) {
		return true, w
	}
	return true, -1
}

// deferred: a seq-cst read of the current value of v's range, not yet
// placed, was called before v returned: it may have read that value, so
// v should wait for it.
func (m *confSim) deferred(v int32) bool {
	p := m.p
	k := p.rkey[v]
	var val uint64
	if w := m.cur[k]; w >= 0 {
		val = confLEuint64(p.wbytes[w])
	}
	key := confSimKey{k, val}
	l := m.readers[key]
	i := m.rdPtr[key]
	for i < len(l) && m.placed(l[i]) {
		i++
	}
	m.rdPtr[key] = i
	for j := i; j < len(l) && j < i+4; j++ {
		if r := l[j]; r != v && !m.placed(r) {
			return p.call[r] <= p.ret[v]
		}
	}
	return false
}

func (m *confSim) place(e, sw int32) {
	p := m.p
	u := confSimUndo{e: e, cur: -2, sigma: m.sigma[e]}
	m.frontier[p.agentOf[e]]++
	m.placedN++
	if p.sRead[e] {
		m.sigma[e] = sw
	}
	if p.windowWrite(e) {
		u.cur = m.cur[p.rkey[e]]
		m.cur[p.rkey[e]] = e
	}
	m.trail = append(m.trail, u)
}

func (m *confSim) undo(mark int) {
	p := m.p
	for len(m.trail) > mark {
		u := m.trail[len(m.trail)-1]
		m.trail = m.trail[:len(m.trail)-1]
		e := u.e
		m.frontier[p.agentOf[e]]--
		m.placedN--
		m.sigma[e] = u.sigma
		if u.cur != -2 {
			m.cur[p.rkey[e]] = u.cur
		}
		if m.inClass[e] {
			if k := p.rkey[e]; int(m.retPos[e]) < m.retPtr[k] {
				m.retPtr[k] = int(m.retPos[e])
			}
		}
		if m.hasRdKey[e] {
			if k := m.rdKey[e]; int(m.rdPos[e]) < m.rdPtr[k] {
				m.rdPtr[k] = int(m.rdPos[e])
			}
		}
	}
}

// closure places every event that can go and is no choice: events that
// write nothing the rule counts, seq-cst reads of the current value.
func (m *confSim) closure() {
	p := m.p
	for progress := true; progress; {
		progress = false
		for a := range p.agents {
			for {
				i := m.frontier[a]
				if int(i) >= len(p.agents[a]) {
					break
				}
				e := int32(p.agents[a][i])
				if p.windowWrite(e) || !m.ready(e) || !m.inTime(e) {
					break
				}
				sw := int32(-1)
				if p.sRead[e] {
					ok, w := m.takes(e)
					if !ok {
						break
					}
					sw = w
				}
				m.place(e, sw)
				progress = true
			}
		}
	}
}

// choices lists the writes that can go now, in the order to try them.
func (m *confSim) choices() []int32 {
	p := m.p
	var cands []int32
	for a := range p.agents {
		i := m.frontier[a]
		if int(i) >= len(p.agents[a]) {
			continue
		}
		e := int32(p.agents[a][i])
		if !m.ready(e) || !m.inTime(e) {
			continue
		}
		if p.sRead[e] {
			if ok, _ := m.takes(e); !ok {
				continue
			}
		}
		cands = append(cands, e)
	}
	def := make(map[int32]bool, len(cands))
	for _, e := range cands {
		def[e] = m.deferred(e)
	}
	slices.SortFunc(cands, func(a, b int32) int {
		if def[a] != def[b] {
			if def[b] {
				return -1
			}
			return 1
		}
		return confCmpRet(p, a, b)
	})
	return cands
}

func (m *confSim) key() string {
	m.keybuf = m.keybuf[:0]
	for _, f := range m.frontier {
		m.keybuf = binary.AppendUvarint(m.keybuf, uint64(f))
	}
	for _, c := range m.cur {
		m.keybuf = binary.AppendVarint(m.keybuf, int64(c))
	}
	return string(m.keybuf)
}

// run replays with backtracking, for at most budget placements of a
// choice.
func (m *confSim) run(budget int) bool {
	type frame struct {
		mark  int
		cands []int32
		next  int
		key   string
	}
	var stack []frame
	for {
		if m.s.tick() {
			return false
		}
		m.closure()
		if m.placedN == m.p.n {
			return true
		}
		cands := m.choices()
		var key string
		if len(cands) > 0 {
			key = m.key()
			if m.failed[key] {
				cands = nil
			}
		}
		if len(cands) > 0 {
			stack = append(stack, frame{mark: len(m.trail), cands: cands, key: key})
		}
		// take the next untried choice, backtracking as needed
		for {
			if len(stack) == 0 {
				return false
			}
			f := &stack[len(stack)-1]
			m.undo(f.mark)
			if f.next == len(f.cands) {
				m.failed[f.key] = true
				stack = stack[:len(stack)-1]
				continue
			}
			if budget--; budget < 0 {
				return false
			}
			e := f.cands[f.next]
			f.next++
			sw := int32(-1)
			if m.p.sRead[e] {
				_, sw = m.takes(e)
			}
			m.place(e, sw)
			break
		}
	}
}

func confCmpCall(p *confProblem, a, b int32) int {
	switch {
	case p.call[a] < p.call[b]:
		return -1
	case p.call[a] > p.call[b]:
		return 1
	}
	return int(a - b)
}

func confCmpRet(p *confProblem, a, b int32) int {
	switch {
	case p.ret[a] < p.ret[b]:
		return -1
	case p.ret[a] > p.ret[b]:
		return 1
	}
	return int(a - b)
}

func confLEuint64(b []byte) uint64 {
	var x uint64
	for j, c := range b {
		x |= uint64(c) << (8 * j)
	}
	return x
}

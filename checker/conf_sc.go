package checker

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/model"
)

// confSC searches for a witness under model.SC: one total order of all
// events, containing agent-order, host-synchronizes-with and the init
// writes before every event on their bytes, in which every byte a read
// returns comes from the latest write of that byte before it (and that
// write began before the read returned). Reads-bytes-from follows from
// the order; synchronizes-with, coherence and tear-freedom then hold by
// themselves.
//
// Reads and host events change no memory, so placing one as soon as it
// can go loses nothing; writes are the choices, tried in call-instant
// order. The state (the placed prefix of each agent, and the last writer
// of each byte) is remembered exactly when it fails.
type confSC struct {
	p        *confProblem
	s        *confSearch
	frontier []int32
	cur      []int32 // per byte (locs): its latest write, -1 before its init
	locOf    [][]int32
	order    []int32
	rbf      [][]int32
	trail    []confSCUndo
	failed   map[string]bool
	keybuf   []byte

	deepest      int
	deepFrontier []int32
	deepCur      []int32
}

type confSCUndo struct{ loc, old int32 }

func (s *confSearch) scSearch() (*confWitness, *confFail) {
	p := s.p
	c := &confSC{p: p, s: s, frontier: make([]int32, len(p.agents)), cur: make([]int32, len(p.locs)),
		locOf: make([][]int32, p.n), rbf: make([][]int32, p.n), failed: map[string]bool{}, deepest: -1}
	for i := range c.cur {
		c.cur[i] = -1
	}
	for e := range p.ev {
		E := &p.ev[e]
		if !E.IsMemory() {
			continue
		}
		c.locOf[e] = p.locOf[e]
		if E.IsRead() {
			c.rbf[e] = make([]int32, E.ElementSize)
		}
	}
	s.leaves++
	if c.run() {
		w := &confWitness{rbf: c.rbf, mo: slices.Clone(c.order)}
		if p.n <= confConfirmMax {
			if err := model.ValidExecution(p.witness(w), p.v); err != nil {
				s.disagree++
				return nil, &confFail{pred: model.PredSequential, read: -1, msg: "the model refused the witness: " + err.Error(), inexact: true}
			}
		}
		return w, nil
	}
	if s.stopped {
		return nil, nil
	}
	return nil, c.explain()
}

func (c *confSC) placed(e int32) bool { return c.p.idx[e] < c.frontier[c.p.agentOf[e]] }

func (c *confSC) next(a int) int32 {
	if i := c.frontier[a]; int(i) < len(c.p.agents[a]) {
		return int32(c.p.agents[a][i])
	}
	return -1
}

// enabled reports whether e can be placed now.
func (c *confSC) enabled(e int32) bool {
	p := c.p
	for _, q := range p.hswIn[e] {
		if !c.placed(q) {
			return false
		}
	}
	for _, q := range p.initIn[e] {
		if !c.placed(q) {
			return false
		}
	}
	E := &p.ev[e]
	if !E.IsRead() {
		return true
	}
	for k, l := range c.locOf[e] {
		w := c.cur[l]
		if w < 0 || w == e || p.call[w] > p.ret[e] {
			return false
		}
		if p.wbytes[w][E.ByteIndex+k-p.ev[w].ByteIndex] != p.val[e][k] {
			return false
		}
	}
	return true
}

// safe: an event that writes nothing (or an init write, which no event
// on its byte can precede).
func (c *confSC) safe(e int32) bool {
	E := &c.p.ev[e]
	return !E.IsWrite() || E.Order == model.Init
}

func (c *confSC) place(e int32) {
	p := c.p
	c.frontier[p.agentOf[e]]++
	E := &p.ev[e]
	if E.IsRead() {
		for k, l := range c.locOf[e] {
			c.rbf[e][k] = c.cur[l]
		}
	}
	if E.IsWrite() {
		for _, l := range c.locOf[e] {
			c.trail = append(c.trail, confSCUndo{l, c.cur[l]})
			c.cur[l] = e
		}
	}
	c.order = append(c.order, e)
}

func (c *confSC) unplace() {
	p := c.p
	e := c.order[len(c.order)-1]
	c.order = c.order[:len(c.order)-1]
	c.frontier[p.agentOf[e]]--
	if p.ev[e].IsWrite() {
		for range c.locOf[e] {
			u := c.trail[len(c.trail)-1]
			c.trail = c.trail[:len(c.trail)-1]
			c.cur[u.loc] = u.old
		}
	}
}

func (c *confSC) undo(mark int) {
	for len(c.order) > mark {
		c.unplace()
	}
}

func (c *confSC) run() bool {
	if c.s.tick() {
		return false
	}
	mark := len(c.order)
	for progress := true; progress; {
		progress = false
		for a := range c.p.agents {
			for e := c.next(a); e >= 0 && c.safe(e) && c.enabled(e); e = c.next(a) {
				c.place(e)
				progress = true
			}
		}
	}
	if len(c.order) == c.p.n {
		return true
	}
	var cands []int32
	for a := range c.p.agents {
		if e := c.next(a); e >= 0 && c.enabled(e) {
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		if len(c.order) > c.deepest {
			c.deepest = len(c.order)
			c.deepFrontier = slices.Clone(c.frontier)
			c.deepCur = slices.Clone(c.cur)
		}
		c.undo(mark)
		return false
	}
	c.keybuf = c.keybuf[:0]
	for _, f := range c.frontier {
		c.keybuf = binary.AppendUvarint(c.keybuf, uint64(f))
	}
	for _, w := range c.cur {
		c.keybuf = binary.AppendVarint(c.keybuf, int64(w))
	}
	key := string(c.keybuf)
	if c.failed[key] {
		c.undo(mark)
		return false
	}
	slices.SortFunc(cands, c.p.byCall)
	for _, e := range cands {
		m := len(c.order)
		c.place(e)
		if c.run() {
			return true
		}
		c.undo(m)
		if c.s.stopped {
			c.undo(mark)
			return false
		}
	}
	c.failed[key] = true
	c.undo(mark)
	return false
}

// explain names, in the deepest state where nothing could be placed, a
// read whose bytes hold other values than it read.
func (c *confSC) explain() *confFail {
	p := c.p
	f := &confFail{pred: model.PredSequential, read: -1}
	if c.deepest < 0 {
		f.msg = "no total order of the events explains every value read"
		return f
	}
	for a := range p.agents {
		i := c.deepFrontier[a]
		if int(i) >= len(p.agents[a]) {
			continue
		}
		e := int32(p.agents[a][i])
		E := &p.ev[e]
		if !E.IsRead() {
			continue
		}
		var bad []string
		for k := 0; k < E.ElementSize; k++ {
			l := p.locs[confLoc{E.Block, E.ByteIndex + k}]
			w := c.deepCur[l]
			if w < 0 || w == e || p.wbytes[w][E.ByteIndex+k-p.ev[w].ByteIndex] != p.val[e][k] || p.call[w] > p.ret[e] {
				f.mask |= 1 << k
				if w >= 0 && w != e {
					bad = append(bad, fmt.Sprintf("byte %d then holds %#02x from %s", E.ByteIndex+k, p.wbytes[w][E.ByteIndex+k-p.ev[w].ByteIndex], p.name(w)))
				}
			}
		}
		if f.mask == 0 {
			continue
		}
		f.read = e
		f.events = []int32{e}
		f.msg = fmt.Sprintf("in every order of whole operations that keeps agent-order and host-synchronizes-with and explains the reads before it, %s comes where %s", p.name(e), confJoin(bad))
		if len(bad) == 0 {
			f.msg = fmt.Sprintf("in every order of whole operations that keeps agent-order and host-synchronizes-with and explains the reads before it, %s comes where no write of the value it read is the latest", p.name(e))
		}
		return f
	}
	f.msg = "no total order of the events keeps agent-order and host-synchronizes-with and explains every value read"
	return f
}

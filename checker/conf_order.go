package checker

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// confSched looks for a memory-order: a strict total order of all events
// that contains happens-before, the extra edges of rules (b) and (c), and
// keeps every synchronizing pair's window closed: when W
// synchronizes-with R, no write V with R's range of the kind the variant
// counts (es2024: seq-cst; es2017: any order) lies between W and R (rule
// (a), and the 2017 rule). Every requirement of Sequentially Consistent
// Atomics takes one of these forms once happens-before is known (see
// docs/checker.md ("Model conformance")).
//
// It places events one at a time. An event whose placement cannot close
// off a solution (it is ready, no open window forbids it, and it opens no
// window that could catch another write) is placed at once; only events
// that open a window are choices, tried in call-instant order with
// backtracking. The state is the set of placed events (a prefix of each
// agent's events), which determines everything else, so failed states are
// remembered exactly.
type confSched struct {
	p        *confProblem
	s        *confSearch
	preds    [][]int32 // per event: events that must come first, besides its agent-order predecessor
	sw       []int32   // per read: the write that synchronizes-with it, or -1
	why      map[[2]int32]confEdge
	winOut   [][]int32 // per event W: the R of each window (W, R), sorted by range key
	winIn    [][]int32 // per event R: the W of each window (W, R)
	frontier []int32
	pend     []int32 // per range key: open windows
	pendR    []int32 // per event: open windows whose R it is
	unplaced []int32 // per range key: window writes not yet placed
	order    []int32
	failed   map[string]bool
	keybuf   []byte

	deepest      int
	deepFrontier []int32
	deepPend     []int32
	deepPendR    map[int32]int32
}

func (p *confProblem) newSched(s *confSearch, sw []int32, edges, wins []confEdge) *confSched {
	n := p.n
	c := &confSched{p: p, s: s, sw: sw, preds: make([][]int32, n), winOut: make([][]int32, n), winIn: make([][]int32, n),
		frontier: make([]int32, len(p.agents)), pend: make([]int32, p.nkeys), pendR: make([]int32, n),
		unplaced: slices.Clone(p.wwCount), failed: map[string]bool{}, deepest: -1}
	for e := 0; e < n; e++ {
		if sw[e] >= 0 {
			c.preds[e] = append(c.preds[e], sw[e])
			c.addWindow(sw[e], int32(e))
		}
		c.preds[e] = append(c.preds[e], p.hswIn[e]...)
		c.preds[e] = append(c.preds[e], p.initIn[e]...)
	}
	for _, w := range wins {
		c.addWindow(w.from, w.to)
	}
	c.why = map[[2]int32]confEdge{}
	for _, ed := range edges {
		c.preds[ed.to] = append(c.preds[ed.to], ed.from)
		c.why[[2]int32{ed.from, ed.to}] = ed
	}
	for e := range c.winOut {
		if len(c.winOut[e]) > 1 {
			slices.SortFunc(c.winOut[e], func(a, b int32) int { return int(p.rkey[a] - p.rkey[b]) })
		}
	}
	c.order = make([]int32, 0, n)
	return c
}

func (c *confSched) addWindow(w, r int32) {
	c.winOut[w] = append(c.winOut[w], r)
	c.winIn[r] = append(c.winIn[r], w)
}

func (c *confSched) placed(e int32) bool { return c.p.idx[e] < c.frontier[c.p.agentOf[e]] }

func (c *confSched) ready(e int32) bool {
	for _, q := range c.preds[e] {
		if !c.placed(q) {
			return false
		}
	}
	return true
}

func (c *confSched) blocked(e int32) bool {
	return c.p.windowWrite(e) && c.pend[c.p.rkey[e]] > c.pendR[e]
}

// safe reports whether placing e now loses no solution: every window it
// opens is on a range whose unplaced window writes are all its own
// readers (which come after it anyway).
func (c *confSched) safe(e int32) bool {
	out := c.winOut[e]
	p := c.p
	for i := 0; i < len(out); {
		k := p.rkey[out[i]]
		readers := int32(0)
		j := i
		for ; j < len(out) && p.rkey[out[j]] == k; j++ {
			if p.windowWrite(out[j]) {
				readers++
			}
		}
		others := c.unplaced[k] - readers
		if p.windowWrite(e) && p.rkey[e] == k {
			others--
		}
		if others > 0 {
			return false
		}
		i = j
	}
	return true
}

func (c *confSched) place(e int32) {
	p := c.p
	c.frontier[p.agentOf[e]]++
	for _, r := range c.winOut[e] {
		c.pend[p.rkey[r]]++
		c.pendR[r]++
	}
	for range c.winIn[e] {
		c.pend[p.rkey[e]]--
		c.pendR[e]--
	}
	if p.windowWrite(e) {
		c.unplaced[p.rkey[e]]--
	}
	c.order = append(c.order, e)
}

func (c *confSched) unplace() {
	p := c.p
	e := c.order[len(c.order)-1]
	c.order = c.order[:len(c.order)-1]
	c.frontier[p.agentOf[e]]--
	for _, r := range c.winOut[e] {
		c.pend[p.rkey[r]]--
		c.pendR[r]--
	}
	for range c.winIn[e] {
		c.pend[p.rkey[e]]++
		c.pendR[e]++
	}
	if p.windowWrite(e) {
		c.unplaced[p.rkey[e]]++
	}
}

func (c *confSched) next(a int) int32 {
	if i := c.frontier[a]; int(i) < len(c.p.agents[a]) {
		return int32(c.p.agents[a][i])
	}
	return -1
}

// closure places every safe event, repeatedly.
func (c *confSched) closure() {
	for progress := true; progress; {
		progress = false
		for a := range c.p.agents {
			for e := c.next(a); e >= 0 && c.ready(e) && !c.blocked(e) && c.safe(e); e = c.next(a) {
				c.place(e)
				progress = true
			}
		}
	}
}

// solve returns the memory-order found, or nil: when the search failed,
// or when the budget ran out (c.s.stopped).
func (c *confSched) solve() []int32 {
	if c.run() {
		return c.order
	}
	return nil
}

func (c *confSched) run() bool {
	if c.s.tick() {
		return false
	}
	mark := len(c.order)
	c.closure()
	if len(c.order) == c.p.n {
		return true
	}
	var cands []int32
	for a := range c.p.agents {
		if e := c.next(a); e >= 0 && c.ready(e) && !c.blocked(e) {
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		c.noteDeadlock()
		c.undo(mark)
		return false
	}
	key := c.key()
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

// byCall orders events by their call instants, then by ID: the order in
// which the schedulers try the candidates for the next place.
func (p *confProblem) byCall(a, b int32) int {
	if c := cmp.Compare(p.call[a], p.call[b]); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

func (c *confSched) undo(mark int) {
	for len(c.order) > mark {
		c.unplace()
	}
}

func (c *confSched) key() string {
	c.keybuf = c.keybuf[:0]
	for _, f := range c.frontier {
		c.keybuf = binary.AppendUvarint(c.keybuf, uint64(f))
	}
	return string(c.keybuf)
}

func (c *confSched) noteDeadlock() {
	if len(c.order) <= c.deepest {
		return
	}
	c.deepest = len(c.order)
	c.deepFrontier = slices.Clone(c.frontier)
	c.deepPend = slices.Clone(c.pend)
	c.deepPendR = map[int32]int32{}
	for a := range c.p.agents {
		if e := c.next(a); e >= 0 && c.pendR[e] != 0 {
			c.deepPendR[e] = c.pendR[e]
		}
	}
}

// explain describes the deepest state where no event could be placed: a
// cycle of events each waiting for the next, with why. It returns the
// events of the cycle, one sentence per step, and the reads whose sources
// the steps' rules come from.
func (c *confSched) explain() ([]int32, []string, []int32) {
	if c.deepest < 0 {
		return nil, nil, nil
	}
	var reads []int32
	p := c.p
	placed := func(e int32) bool { return p.idx[e] < c.deepFrontier[p.agentOf[e]] }
	next := func(a int32) int32 {
		if i := c.deepFrontier[a]; int(i) < len(p.agents[a]) {
			return int32(p.agents[a][i])
		}
		return -1
	}
	// waits returns the stuck event e waits for, and why.
	waits := func(e int32) (int32, string) {
		for _, q := range c.preds[e] {
			if !placed(q) {
				f := next(p.agentOf[q])
				var why string
				switch {
				case c.sw[e] == q:
					why = "synchronizes-with"
				case slices.Contains(p.hswIn[e], q):
					why = "host-synchronizes-with"
				case slices.Contains(p.initIn[e], q):
					why = "happens-before: init"
				default:
					why = c.ruleText(q, e)
					if ed, ok := c.why[[2]int32{q, e}]; ok {
						reads = append(reads, ed.r)
					}
				}
				if f == q {
					return f, fmt.Sprintf("%s must come after %s (%s)", p.name(e), p.name(q), why)
				}
				return f, fmt.Sprintf("%s must come after %s (%s), which comes after %s in agent-order", p.name(e), p.name(q), why, p.name(f))
			}
		}
		if p.windowWrite(e) && c.deepPend[p.rkey[e]] > c.deepPendR[e] {
			// find an open window (W, R) on e's range with R ≠ e
			for a := range p.agents {
				for _, wid := range p.agents[a][:c.deepFrontier[a]] {
					w := int32(wid)
					for _, r := range c.winOut[w] {
						if r != e && p.rkey[r] == p.rkey[e] && !placed(r) {
							f := next(p.agentOf[r])
							s := fmt.Sprintf("%s, a write with the range of %s, cannot lie between %s and %s in memory-order, as %s synchronizes-with %s (rule (a))",
								p.name(e), p.name(r), p.name(w), p.name(r), p.name(w), p.name(r))
							if f != r {
								s += fmt.Sprintf(", and %s comes after %s in agent-order", p.name(r), p.name(f))
							}
							return f, s
						}
					}
				}
			}
		}
		return -1, ""
	}
	var start int32 = -1
	for a := range p.agents {
		if e := next(int32(a)); e >= 0 {
			start = e
			break
		}
	}
	seen := map[int32]int{}
	var path []int32
	var why []string
	for e := start; e >= 0; {
		if i, ok := seen[e]; ok {
			return path[i:], why[i:], reads
		}
		seen[e] = len(path)
		nx, s := waits(e)
		path = append(path, e)
		why = append(why, s)
		e = nx
	}
	return path, why, reads
}

func confJoin(s []string) string { return strings.Join(s, "; ") }

// ruleText says why rule (b) or (c) puts q before e.
func (c *confSched) ruleText(q, e int32) string {
	p := c.p
	ed, ok := c.why[[2]int32{q, e}]
	switch {
	case !ok:
		return "sequentially consistent atomics"
	case ed.rule == 'b':
		return fmt.Sprintf("rule (b): %s reads from %s, and %s, a seq-cst write of the same range, also happens before %s", p.name(ed.r), p.name(ed.w), p.name(q), p.name(ed.r))
	default:
		return fmt.Sprintf("rule (c): seq-cst %s reads from %s, which happens before %s, a seq-cst write of %s's range", p.name(ed.r), p.name(ed.w), p.name(e), p.name(ed.r))
	}
}

package checker

import (
	"context"
	"fmt"
	"math/bits"
	"time"

	"github.com/sabre-mm/sabre/model"
)

// confMaxSteps bounds the search however long the budget: a step is a
// combination tried, a choice in a replay or memory-order search, or a
// read's options computed; a history of n events gets
// confMaxSteps+confStepsPerEvent·n.
// Past it the answer is Unknown.
var confMaxSteps, confStepsPerEvent = 4 << 20, 16

// confStaticScan bounds the candidates the forced-source pass examines
// per byte of a read: proving a source unique among many would be
// quadratic; a read left undecided is the search's.
const confStaticScan = 64

// confMaxOpen bounds the seq-cst reads with a choice that the exhaustive
// search over combinations takes on (it recurses once per read); past it,
// when the guesses fail, the answer is Unknown.
const confMaxOpen = 100_000

// confSmall: histories of at most this many events get the more
// thorough (costlier) pruning at every step of the exhaustive search.
const confSmall = 2000

// confConfirmMax is the largest execution whose witness the model's own
// predicates (model.ValidExecution) confirm before conformance answers Ok.
const confConfirmMax = 300

// confSearch is one search: its problem, its budget, and what it found.
type confSearch struct {
	p        *confProblem
	ctx      context.Context
	deadline time.Time
	steps    int
	maxSteps int
	stopped  bool
	stopWhy  string

	leaves   int
	vars     []int32 // seq-cst reads with more than one possible synchronizing source
	first    *confFail
	inexact  bool
	disagree int  // witnesses the model refused (a bug if ever non-zero)
	core     bool // the failure holds whatever the open reads choose
	pigeon   *confPigeon
}

// tick counts a step and reports whether the search must stop.
func (s *confSearch) tick() bool {
	if s.stopped {
		return true
	}
	s.steps++
	if s.steps&255 == 1 {
		if err := s.ctx.Err(); err != nil {
			s.stop(fmt.Sprintf("the context ended (%v)", err))
		} else if !s.deadline.IsZero() && time.Now().After(s.deadline) {
			s.stop("the budget ran out")
		}
	}
	if s.steps > s.maxSteps {
		s.stop(fmt.Sprintf("the search bound (%d steps) was reached", s.maxSteps))
	}
	return s.stopped
}

func (s *confSearch) stop(why string) {
	if !s.stopped {
		s.stopped, s.stopWhy = true, why
	}
}

// domain lists under hb the writes that could synchronize-with read r
// (seq-cst, its range, a coherent source of at least one byte), latest
// call first, and whether r could take every byte from writes that would
// not synchronize-with it (none). With limit > 0 it stops at limit
// writes, and then does not look for none (reports false); with scan > 0
// it examines at most scan candidates of each byte and reports capped
// when that left some unexamined (the lists are then incomplete).
//
// A NoTear read takes its bytes from at most one NoTear write of its
// range (tear free reads); when some byte has no other candidate, that
// write is the source of that byte, and only the candidates of that byte
// (that can give the read's other bytes too) need be considered.
func (s *confSearch) domain(r int32, hb *confHB, limit, scan int) (dom []int32, none, capped bool) {
	p := s.p
	R := &p.ev[r]
	if R.NoTear {
		if k := s.countingOnly(r, scan); k >= 0 {
			seen := 0
			p.eachCand(r, k, func(w int32) bool {
				if seen++; scan > 0 && seen > scan {
					capped = true
					return false
				}
				if !p.counting(w, r) {
					return true
				}
				switch {
				case p.sRead[r] && p.swCapable(w, r):
					// every other candidate of byte k is counted too
					if s.syncFeasibleAt(r, w, k, hb, scan) {
						dom = append(dom, w)
					}
				default:
					if _, ok := hb.coherent(w, r, k); ok && s.covers(r, w, hb, scan) {
						none = true
					}
				}
				return limit == 0 || len(dom)+b2i(none) < limit
			})
			return dom, none, capped
		}
	}
	if p.sRead[r] {
		// a synchronizing write gives r the bytes of mustHold: when there
		// are some, the candidates of the first are all there is to see
		k0, k1, at := 0, R.ElementSize, false
		if m := p.mustHold(r); m != 0 {
			k0 = bits.TrailingZeros8(m)
			k1, at = k0+1, true
		}
	all:
		for k := k0; k < k1; k++ {
			list := p.swc[r][k]
			seen := 0
			for i := len(list) - 1; i >= 0; i-- {
				if limit > 0 && len(dom) >= limit {
					break all
				}
				w := list[i]
				if w == r || confHas(dom, w) {
					continue
				}
				if seen++; scan > 0 && seen > scan {
					capped = true
					break
				}
				if k > k0 && p.holdsBefore(w, r, k) {
					continue // examined at an earlier byte
				}
				if (at && s.syncFeasibleAt(r, w, k, hb, scan)) || (!at && s.syncFeasible(r, w, hb, scan)) {
					dom = append(dom, w)
				}
			}
		}
		if limit > 0 && len(dom) >= limit {
			return dom, false, capped
		}
	}
	none = true
	for k := 0; k < R.ElementSize && none; k++ {
		found, seen := false, 0
		p.eachPlain(r, k, func(w int32) bool {
			if seen++; scan > 0 && seen > scan {
				capped = true
				return false
			}
			_, found = hb.coherent(w, r, k)
			return !found
		})
		none = found
	}
	return dom, none, capped
}

// syncFeasible reports whether read r can take all its bytes under hb
// with w synchronizing-with it (w: a seq-cst write of r's range, r
// seq-cst): w gives every byte it holds and is coherent for (at least
// one), and each other byte has a source that would not synchronize-with
// r, is coherent, does not happen before w (w writes every byte of r's
// range, and with the edge w → r it would lie in between: coherent reads),
// and is not counted by tear free reads besides w. The edge w → r
// changes neither w's coherence (a write between w and r would happen
// after w and before w) nor whether r happens before a write. With scan
// > 0 it examines at most scan candidates of a byte and assumes the
// best of the rest (the answer then over-approximates, as pruning needs).
func (s *confSearch) syncFeasible(r, w int32, hb *confHB, scan int) bool {
	return s.syncWhy(r, w, hb, scan) < 0
}

// syncFeasibleAt is syncFeasible when w must give r its byte k itself
// (every other candidate of k would tear, or happens before w): a quick
// look at that byte first.
func (s *confSearch) syncFeasibleAt(r, w int32, k int, hb *confHB, scan int) bool {
	if !s.p.holds(w, r, k) {
		return false
	}
	if _, ok := hb.coherent(w, r, k); !ok {
		return false
	}
	return s.syncWhy(r, w, hb, scan) < 0
}

// syncWhy is syncFeasible's reason: -1 when r can take its bytes with w
// synchronizing-with it, else a byte (index into r) that then has no
// source, or r's size when r takes no byte from w.
func (s *confSearch) syncWhy(r, w int32, hb *confHB, scan int) int {
	p := s.p
	R := &p.ev[r]
	if hb.hb(r, w) {
		return R.ElementSize
	}
	if m := p.mustHold(r); !p.holdsAll(w, r, m) {
		for k := 0; ; k++ {
			if m&(1<<k) != 0 && !p.holds(w, r, k) {
				return k
			}
		}
	}
	// the bytes w gives (coherent reads; bytes with the same writes
	// alike), then sources of the others
	var need, known, coh uint8
	lo := p.locOf[r]
	for k := 0; k < R.ElementSize; k++ {
		if !p.holds(w, r, k) {
			need |= 1 << k
			continue
		}
		ok, done := false, false
		for j := 0; j < k; j++ {
			if known&(1<<j) != 0 && p.locSig[lo[j]] == p.locSig[lo[k]] {
				ok, done = coh&(1<<j) != 0, true
				break
			}
		}
		if !done {
			_, ok = hb.coherent(w, r, k)
		}
		known |= 1 << k
		if ok {
			coh |= 1 << k
		} else {
			need |= 1 << k
		}
	}
	if need == 1<<R.ElementSize-1 {
		return R.ElementSize
	}
	tear := R.NoTear && p.counting(w, r)
	for k := 0; k < R.ElementSize; k++ {
		if need&(1<<k) != 0 && !s.plainSource(r, w, k, tear, hb, scan) {
			return k
		}
	}
	return -1
}

// plainSource reports whether byte k of read r has a source that would
// not synchronize-with r when w does (see syncWhy); with scan > 0 the
// candidates past the first scan are assumed to fit.
func (s *confSearch) plainSource(r, w int32, k int, tear bool, hb *confHB, scan int) bool {
	p := s.p
	found, seen := false, 0
	p.eachPlain(r, k, func(v int32) bool {
		if seen++; scan > 0 && seen > scan {
			found = true // not examined: assume it fits
			return false
		}
		if hb.hb(v, w) || (tear && p.counting(v, r)) {
			return true
		}
		_, found = hb.coherent(v, r, k)
		return !found
	})
	return found
}

// mustHold returns the bytes of read r (a mask) whose candidates that
// would not synchronize-with r are all init writes (or none): a write
// that synchronizes-with r must give them itself, as it writes them and
// every init write of them happens before it (coherent reads). Computed
// once per read.
func (p *confProblem) mustHold(r int32) uint8 {
	if p.hold == nil {
		p.hold = make([]int16, p.n)
		for i := range p.hold {
			p.hold[i] = -1
		}
	}
	if m := p.hold[r]; m >= 0 {
		return uint8(m)
	}
	var m uint8
	for k := 0; k < p.ev[r].ElementSize; k++ {
		only, seen := true, 0
		p.eachPlain(r, k, func(v int32) bool {
			seen++
			only = p.ev[v].Order == model.Init && seen <= confMaxScan
			return only
		})
		if only {
			m |= 1 << k
		}
	}
	p.hold[r] = int16(m)
	return m
}

// holdsAll reports whether write w holds every byte of read r in mask m.
func (p *confProblem) holdsAll(w, r int32, m uint8) bool {
	for k := 0; m != 0; k++ {
		if m&(1<<k) != 0 {
			if !p.holds(w, r, k) {
				return false
			}
			m &^= 1 << k
		}
	}
	return true
}

// holdsBefore reports whether write w holds a byte of read r before its
// byte k (as p.holds).
func (p *confProblem) holdsBefore(w, r int32, k int) bool {
	for j := 0; j < k; j++ {
		if p.holds(w, r, j) {
			return true
		}
	}
	return false
}

// countingOnly returns a byte of NoTear read r whose every candidate is
// counted by tear free reads (a NoTear write of r's range), or -1. It
// looks at most at scan candidates of a byte (0: all), earliest first
// (where the init writes are).
func (s *confSearch) countingOnly(r int32, scan int) int {
	p := s.p
	for k := 0; k < p.ev[r].ElementSize; k++ {
		only, seen := true, 0
	lists:
		for j := -1; j < len(p.plc[r][k]); j++ {
			l := p.swc[r][k]
			if j >= 0 {
				l = p.plc[r][k][j]
			}
			for _, w := range l {
				if w == r {
					continue
				}
				if seen++; scan > 0 && seen > scan {
					only = false
					break lists
				}
				if !p.counting(w, r) {
					only = false
					break lists
				}
			}
		}
		if only && seen > 0 {
			return k
		}
	}
	return -1
}

// covers reports whether NoTear read r can take every byte from the
// counted write w or from writes tear free reads does not count, under hb.
func (s *confSearch) covers(r, w int32, hb *confHB, scan int) bool {
	p := s.p
	for k := 0; k < p.ev[r].ElementSize; k++ {
		if p.holds(w, r, k) {
			if _, ok := hb.coherent(w, r, k); ok {
				continue
			}
		}
		found, seen := false, 0
		p.eachCand(r, k, func(v int32) bool {
			if seen++; scan > 0 && seen > scan {
				found = true // undecided: assume it can
				return false
			}
			if p.counting(v, r) || (p.sRead[r] && p.swCapable(v, r)) {
				return true
			}
			_, found = hb.coherent(v, r, k)
			return !found
		})
		if !found {
			return false
		}
	}
	return true
}

func confHas(l []int32, x int32) bool {
	for _, y := range l {
		if y == x {
			return true
		}
	}
	return false
}

// static fixes the synchronizing source of every seq-cst read that has
// exactly one possible choice, repeatedly: happens-before only grows with
// the edges so fixed, so a candidate it rules out is ruled out in every
// execution. A read with no possible choice, or a cycle, is a failure
// that holds whatever the other reads choose.
func (s *confSearch) static() (sigma []int32, fail *confFail) {
	p := s.p
	sigma = make([]int32, p.n)
	for i := range sigma {
		sigma[i] = -1
	}
	fixed := make([]bool, p.n)
	for round := 0; round < 8; round++ {
		hb, cyc := p.computeHB(sigma)
		if cyc != nil {
			return nil, s.cycleFail(sigma, cyc)
		}
		changed := false
		// every read, every round: a read fixed before may have lost its
		// source to the edges fixed since
		for _, r := range p.reads {
			if s.tick() {
				return nil, nil
			}
			dom, none, capped := s.domain(r, hb, 2, confStaticScan)
			switch n := len(dom) + b2i(none); {
			case capped && n < 2:
				// undecided here: left open for the search
			case n == 0:
				return nil, s.readFailAny(r, hb)
			case n == 1 && !fixed[r]:
				fixed[r] = true
				if len(dom) == 1 {
					sigma[r] = dom[0]
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	for _, r := range p.sReads {
		if !fixed[r] {
			s.vars = append(s.vars, r)
		}
	}
	// read-modify-writes of a range need distinct writes (confPigeon)
	hb, cyc := p.computeHB(sigma)
	if cyc != nil {
		return nil, s.cycleFail(sigma, cyc)
	}
	s.pigeon = s.newPigeon(sigma, hb)
	if m := s.pigeon; m != nil && !s.stopped {
		if u := m.match(); u >= 0 {
			s.core = true
			return nil, m.fail(u, hb)
		}
	}
	return sigma, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readFailAny is readFail for a read with no possible source whichever
// write synchronizes-with it.
func (s *confSearch) readFailAny(r int32, hb *confHB) *confFail {
	return s.readFail(r, -1, true, hb, false)
}

// heuristic picks for each open read the source a run most likely used:
// the coherent candidate of its first byte that began last before it
// returned (what history.Convert guesses).
func (s *confSearch) heuristic(sigma []int32, hb *confHB) []int32 {
	p := s.p
	out := append([]int32(nil), sigma...)
	for _, r := range s.vars {
		p.eachCand(r, 0, func(w int32) bool {
			if _, ok := hb.coherent(w, r, 0); ok {
				if p.swCapable(w, r) {
					out[r] = w
				}
				return false
			}
			return true
		})
	}
	return out
}

// run decides: a witness, or the failure that shows none exists (or, when
// the search stopped or rested on cut lists, neither).
func (s *confSearch) run() (*confWitness, *confFail) {
	p := s.p
	sigma, fail := s.static()
	if fail != nil || s.stopped {
		return nil, fail
	}
	if p.v == model.SC {
		return s.scSearch()
	}
	hb, _ := p.computeHB(sigma)
	latest := s.heuristic(sigma, hb)
	probe := latest
	if confExhaustiveOnly && len(s.vars) > 0 {
		// tests: the combinations alone, in no particular order
		probe, latest = nil, nil
		goto combinations
	}
	if len(s.vars) > 0 {
		probe = s.simulate(sigma, latest)
	}
	if w, f := s.check(probe); w != nil || s.stopped {
		return w, f
	} else {
		s.first = f
	}
	if len(s.vars) == 0 {
		return nil, s.first
	}
	if !confSameSigma(probe, latest) {
		if w, _ := s.check(latest); w != nil || s.stopped {
			return w, nil
		}
	}
	// what fails whatever the open reads choose
	if f := s.relaxed(sigma); f != nil || s.stopped {
		return nil, f
	}
	if len(s.vars) > confMaxOpen {
		// the search below recurses once per open read
		s.stop(fmt.Sprintf("the guesses failed and %d open reads are more than the exhaustive search takes (%d)", len(s.vars), confMaxOpen))
		return nil, nil
	}
combinations:
	// every combination, with the replay's choice first
	assign := append([]int32(nil), sigma...)
	// taken[w]: the read-modify-writes of w's range that w synchronizes
	// with; two cannot (each must come right after w in memory-order)
	taken := map[int32]int32{}
	for _, r := range p.sReads {
		if w := assign[r]; w >= 0 && p.windowWrite(r) && p.rkey[r] == p.rkey[w] {
			taken[w] = r
		}
	}
	small := p.n <= confSmall
	var dfs func(i int) *confWitness
	dfs = func(i int) *confWitness {
		if s.tick() {
			return nil
		}
		if i == len(s.vars) {
			if probe != nil && (confSameSigma(assign, probe) || confSameSigma(assign, latest)) {
				return nil // a probe, already tried
			}
			w, f := s.check(assign)
			if f != nil && f.inexact {
				s.inexact = true
			}
			if s.first == nil {
				s.first = f
			}
			return w
		}
		hb, cyc := p.computeHB(assign)
		if cyc != nil {
			if s.first == nil {
				s.first = s.cycleFail(assign, cyc)
			}
			return nil
		}
		if small {
			if bad := s.allCoherent(assign, hb); bad >= 0 {
				if s.first == nil {
					s.first = s.readFail(bad, assign[bad], assign[bad] < 0, hb, false)
				}
				return nil
			}
		}
		r := s.vars[i]
		dom, none, _ := s.domain(r, hb, 0, 0)
		if len(dom) == 0 && !none && s.first == nil {
			s.first = s.readFailAny(r, hb)
		}
		// the replay's choice first
		h := int32(-1)
		if probe != nil {
			h = probe[r]
		}
		if h >= 0 {
			for j, w := range dom {
				if w == h {
					dom[0], dom[j] = dom[j], dom[0]
					break
				}
			}
		}
		vals := dom
		if none {
			vals = append(vals, -1)
		}
		rmw := p.windowWrite(r)
		pg := s.pigeon
		for _, v := range vals {
			if rmw && v >= 0 && p.rkey[v] == p.rkey[r] {
				if o, dup := taken[v]; dup {
					if s.first == nil {
						s.first = s.sharedFail(v, o, r)
					}
					continue
				}
				taken[v] = r
			}
			u, old := int32(-1), []int32(nil)
			if pg != nil {
				// forward checking: the read-modify-writes of each range
				// can still have distinct writes
				u, old = pg.choose(r, v)
				if u >= 0 {
					if bad := pg.match(); bad >= 0 {
						if s.first == nil {
							s.first = pg.fail(bad, hb)
						}
						pg.restore(u, old)
						if rmw && v >= 0 && taken[v] == r {
							delete(taken, v)
						}
						continue
					}
				}
			}
			assign[r] = v
			w := dfs(i + 1)
			if pg != nil {
				pg.restore(u, old)
			}
			if rmw && v >= 0 && taken[v] == r {
				delete(taken, v)
			}
			if w != nil {
				return w
			}
			if s.stopped {
				break
			}
		}
		assign[r] = -1
		return nil
	}
	w := dfs(0)
	if w != nil || s.stopped {
		return w, nil
	}
	if s.first != nil && s.inexact {
		s.first.inexact = true
	}
	return nil, s.first
}

// allCoherent returns a read that, under the happens-before of a partial
// choice (which only grows as the choice completes), has a byte without a
// coherent candidate, or whose chosen synchronizing write is coherent for
// none of its bytes; or -1.
func (s *confSearch) allCoherent(assign []int32, hb *confHB) int32 {
	p := s.p
	for _, r := range p.reads {
		if w := assign[r]; w >= 0 {
			ok := false
			for k := range p.val[r] {
				if p.holds(w, r, k) {
					if _, c := hb.coherent(w, r, k); c {
						ok = true
						break
					}
				}
			}
			if !ok {
				return r
			}
		}
		for k := range p.val[r] {
			found := false
			p.eachCand(r, k, func(w int32) bool {
				_, found = hb.coherent(w, r, k)
				return !found
			})
			if !found {
				return r
			}
		}
	}
	return -1
}

// sharedFail: read-modify-writes r1 and r2 of one range would both take
// their bytes from w and synchronize with it; each would lie between w
// and the other in memory-order.
func (s *confSearch) sharedFail(w, r1, r2 int32) *confFail {
	p := s.p
	return &confFail{pred: model.PredSCAtomics, read: r2, mask: uint8(1<<p.ev[r2].ElementSize - 1), events: []int32{r2, r1, w},
		msg: fmt.Sprintf("%s and %s, read-modify-writes of one range, would both take their bytes from %s and synchronize with it, so one would lie between %s and the other in memory-order (rule (a))",
			p.name(r1), p.name(r2), p.name(w), p.name(w))}
}

// confExhaustiveOnly (tests) skips the guesses and the relaxation: every
// combination is tried, so that the exhaustive search alone is compared
// with brute force.
var confExhaustiveOnly bool

// relaxed checks the relaxation of the forced choices (see leafRelaxed):
// its failure holds whatever the open reads choose.
func (s *confSearch) relaxed(sigma []int32) *confFail {
	relax := make([]bool, s.p.n)
	for _, r := range s.vars {
		relax[r] = true
	}
	_, f := s.leafRelaxed(sigma, relax)
	if f != nil {
		s.core = true
	}
	return f
}

func confSameSigma(a, b []int32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// check is leaf, with the model's confirmation of small witnesses.
func (s *confSearch) check(sigma []int32) (*confWitness, *confFail) {
	w, f := s.leaf(sigma)
	if w == nil {
		if f != nil && f.inexact {
			s.inexact = true
		}
		return nil, f
	}
	if s.p.n <= confConfirmMax {
		if err := model.ValidExecution(s.p.witness(w), s.p.v); err != nil {
			s.disagree++
			return nil, &confFail{pred: model.PredSCAtomics, read: -1, msg: "the model refused the witness: " + err.Error(), inexact: true}
		}
	}
	return w, nil
}

// witness returns the execution with w's reads-bytes-from and
// memory-order.
func (p *confProblem) witness(w *confWitness) *model.Execution {
	x := *p.x
	x.ReadsBytesFrom = make([][]model.EventID, p.n)
	for r := range w.rbf {
		if w.rbf[r] == nil {
			continue
		}
		l := make([]model.EventID, len(w.rbf[r]))
		for k, id := range w.rbf[r] {
			l[k] = model.EventID(id)
		}
		x.ReadsBytesFrom[r] = l
	}
	x.MemoryOrder = make([]model.EventID, len(w.mo))
	for i, id := range w.mo {
		x.MemoryOrder[i] = model.EventID(id)
	}
	return &x
}

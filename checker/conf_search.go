package checker

import (
	"context"
	"fmt"
	"time"

	"github.com/sabre-mm/sabre/model"
)

// confMaxSteps bounds the search however long the budget: a step is a
// combination tried, a choice in a replay or memory-order search, or a
// read's options computed; a history of n events gets confMaxSteps+16n.
// Past it the answer is Unknown.
var confMaxSteps = 4 << 20

// confStaticScan bounds the candidates the forced-source pass examines
// per byte of a read: proving a source unique among many would be
// quadratic; a read left undecided is the search's.
const confStaticScan = 64

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
	disagree int // witnesses the model refused (a bug if ever non-zero)
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
func (s *confSearch) domain(r int32, hb *confHB, limit, scan int) (dom []int32, none, capped bool) {
	p := s.p
	R := &p.ev[r]
	if p.sRead[r] {
	all:
		for k := 0; k < R.ElementSize; k++ {
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
				if _, ok := hb.coherent(w, r, k); ok {
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
		for _, r := range p.reads {
			if fixed[r] {
				continue
			}
			if s.tick() {
				return nil, nil
			}
			dom, none, capped := s.domain(r, hb, 2, confStaticScan)
			switch n := len(dom) + b2i(none); {
			case capped && n < 2:
				// undecided here: left open for the search
			case n == 0:
				return nil, s.readFailAny(r, hb)
			case n == 1:
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
	// every combination, with the heuristic's choice first
	assign := append([]int32(nil), sigma...)
	var dfs func(i int) *confWitness
	dfs = func(i int) *confWitness {
		if s.tick() {
			return nil
		}
		if i == len(s.vars) {
			if confSameSigma(assign, probe) || confSameSigma(assign, latest) {
				return nil // a probe, already tried
			}
			w, f := s.check(assign)
			if f != nil && f.inexact {
				s.inexact = true
			}
			return w
		}
		hb, cyc := p.computeHB(assign)
		if cyc != nil {
			return nil
		}
		r := s.vars[i]
		dom, none, _ := s.domain(r, hb, 0, 0)
		// the heuristic's choice first
		if h := probe[r]; h >= 0 {
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
		for _, v := range vals {
			assign[r] = v
			if w := dfs(i + 1); w != nil {
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

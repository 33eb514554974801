package checker

import (
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/model"
)

const (
	confMaxSources = 16  // distinct sources considered per read
	confMaxOptions = 8   // distinct costed choices kept per read
	confMaxEnum    = 512 // assignments tried per read
	confMaxScan    = 256 // candidates examined per byte of a read
)

// confFail says why a choice (or the whole search) failed: the predicate
// (a model.Pred* name, or ConfRealTime), the read it is about and its
// bytes, the events involved, a sentence, and, for a read none of whose
// possible sources fits, why each is ruled out.
type confFail struct {
	pred   string
	read   int32
	mask   uint8
	events []int32
	msg    string
	why    []confWhy
	// inexact: the failure rests on a list of candidates cut short, so it
	// does not prove that no choice works.
	inexact bool
}

type confWhy struct {
	w     int32
	mask  uint8
	pred  string
	msg   string
	other []int32
}

// confSrc is a write a read may take some of its bytes from, under one
// happens-before.
type confSrc struct {
	w     int32
	mask  uint8
	count bool       // tear free reads counts it
	edges []confEdge // memory-order edges taking from it requires
}

// confOpt is one assignment of sources to a read's bytes, with what it
// costs: memory-order edges, and (es2017) windows of the init writes that
// synchronize-with a seq-cst read of init bytes only.
type confOpt struct {
	src   []int32
	edges []confEdge
	wins  []confEdge
	// rmw (a read-modify-write's option): the read-modify-writes it takes
	// bytes from; the model gives no value to read-modify-writes whose
	// values depend on each other in a cycle, so these are kept apart.
	rmw []int32
}

func (o *confOpt) free() bool { return len(o.edges) == 0 && len(o.wins) == 0 && len(o.rmw) == 0 }

// dominates reports whether o costs no more than q in every respect.
func (o *confOpt) dominates(q *confOpt) bool {
	return confSubset(o.edges, q.edges) && confSubset(o.wins, q.wins) && confSubsetID(o.rmw, q.rmw)
}

func confSubsetID(a, b []int32) bool {
	for _, e := range a {
		if !slices.Contains(b, e) {
			return false
		}
	}
	return true
}

// confWitness is a valid choice: reads-bytes-from and a memory-order.
type confWitness struct {
	rbf [][]int32
	mo  []int32
}

// options lists the assignments of sources to read r's bytes that break
// none of valid chosen reads, coherent reads and tear free reads under hb,
// take bytes from sg (the write chosen to synchronize-with r, -1 for none)
// and from no other write that would synchronize-with r. A choice that
// costs nothing comes alone. truncated reports that the list may lack
// choices (too many candidates).
func (s *confSearch) options(r, sg int32, hb *confHB) (opts []confOpt, truncated bool) {
	p := s.p
	R := &p.ev[r]
	size := R.ElementSize
	seq := R.Order == model.SeqCst
	rmwRead := R.Kind == model.ReadModifyWriteSharedMemory
	whole := func(w int32) confOpt {
		o := confOpt{src: make([]int32, size)}
		for k := range o.src {
			o.src[k] = w
		}
		if rmwRead && p.ev[w].Kind == model.ReadModifyWriteSharedMemory {
			o.rmw = []int32{w}
		}
		return o
	}
	// A single source of every byte that costs nothing is all we need: the
	// synchronizing write (nothing can do better, see below), or else one
	// of the latest candidates of the first byte.
	if sg >= 0 {
		if p.suppliesAll(sg, r, hb) {
			return []confOpt{whole(sg)}, false
		}
	} else {
		tried, found := 0, int32(-1)
		p.eachPlain(r, 0, func(w int32) bool {
			tried++
			W := &p.ev[w]
			if (rmwRead && W.Kind == model.ReadModifyWriteSharedMemory) || W.Order == model.Init && p.v == model.ES2017 && seq {
				return tried < 8
			}
			if p.suppliesAll(w, r, hb) && len(hb.pairs(nil, w, r)) == 0 {
				found = w
				return false
			}
			return tried < 8
		})
		if found >= 0 {
			return []confOpt{whole(found)}, false
		}
	}
	var srcs []confSrc
	find := func(w int32) int {
		for i := range srcs {
			if srcs[i].w == w {
				return i
			}
		}
		return -1
	}
	// The synchronizing write takes every byte it can: taking another
	// write's byte instead only adds that write's cost (and a NoTear
	// equal-range one would tear).
	var sgMask uint8
	if sg >= 0 {
		for k := 0; k < size; k++ {
			if p.holds(sg, r, k) {
				if _, ok := hb.coherent(sg, r, k); ok {
					sgMask |= 1 << k
				}
			}
		}
		if sgMask == 0 {
			return nil, false
		}
		srcs = append(srcs, confSrc{w: sg, mask: sgMask, count: p.counting(sg, r)})
	}
	for k := 0; k < size; k++ {
		if sgMask&(1<<k) != 0 {
			continue
		}
		scanned := 0
		p.eachPlain(r, k, func(w int32) bool {
			if scanned++; scanned > confMaxScan {
				truncated = true
				return false
			}
			j := find(w)
			if j < 0 && len(srcs) >= confMaxSources {
				truncated = true
				return false
			}
			if _, ok := hb.coherent(w, r, k); !ok {
				return true
			}
			if j < 0 {
				srcs = append(srcs, confSrc{w: w, count: p.counting(w, r)})
				j = len(srcs) - 1
			}
			srcs[j].mask |= 1 << k
			return true
		})
	}
	for i := range srcs {
		if srcs[i].w != sg {
			srcs[i].edges = hb.pairs(nil, srcs[i].w, r)
		}
	}
	// free sources first, then as found (latest call first)
	slices.SortStableFunc(srcs, func(a, b confSrc) int { return len(a.edges) - len(b.edges) })
	var cur [8]int32
	counted := int32(-1)
	enum := 0
	var stop bool
	allInit := func() bool {
		for k := 0; k < size; k++ {
			if p.ev[cur[k]].Order != model.Init {
				return false
			}
		}
		return true
	}
	var rec func(k int)
	rec = func(k int) {
		if stop {
			return
		}
		if k == size {
			enum++
			if enum > confMaxEnum {
				truncated, stop = true, true
				return
			}
			o := confOpt{src: slices.Clone(cur[:size])}
			seen := map[int32]bool{}
			for _, w := range o.src {
				if seen[w] {
					continue
				}
				seen[w] = true
				if j := find(w); j >= 0 {
					for _, e := range srcs[j].edges {
						if !slices.Contains(o.edges, e) {
							o.edges = append(o.edges, e)
						}
					}
				}
			}
			if p.v == model.ES2017 && seq && allInit() {
				for _, w := range o.src {
					if !slices.Contains(o.wins, confEdge{from: w, to: r}) {
						o.wins = append(o.wins, confEdge{from: w, to: r})
					}
				}
			}
			if rmwRead {
				for w := range seen {
					if p.ev[w].Kind == model.ReadModifyWriteSharedMemory {
						o.rmw = append(o.rmw, w)
					}
				}
				slices.Sort(o.rmw)
			}
			if o.free() {
				opts, stop = []confOpt{o}, true
				return
			}
			for i := range opts {
				if opts[i].dominates(&o) {
					return
				}
			}
			kept := opts[:0]
			for i := range opts {
				if !o.dominates(&opts[i]) {
					kept = append(kept, opts[i])
				}
			}
			opts = kept
			if len(opts) >= confMaxOptions {
				truncated = true
				return
			}
			opts = append(opts, o)
			return
		}
		for i := range srcs {
			sr := &srcs[i]
			if sr.mask&(1<<k) == 0 || (sgMask&(1<<k) != 0 && sr.w != sg) {
				continue
			}
			prev := counted
			if sr.count && R.NoTear {
				if counted >= 0 && counted != sr.w {
					continue
				}
				counted = sr.w
			}
			cur[k] = sr.w
			rec(k + 1)
			counted = prev
			if stop {
				return
			}
		}
	}
	rec(0)
	return opts, truncated
}

// holds reports whether write w wrote, at byte k of read r, the byte r
// read.
func (p *confProblem) holds(w, r int32, k int) bool {
	W, R := &p.ev[w], &p.ev[r]
	b := R.ByteIndex + k
	return W.Block == R.Block && b >= W.ByteIndex && b < W.ByteIndex+W.ElementSize && p.wbytes[w][b-W.ByteIndex] == p.val[r][k] &&
		(W.Order == model.Init || p.call[w] <= p.ret[r]) && w != r
}

// suppliesAll reports whether w can be r's source for every byte: it
// wrote them all, began in time, and is coherent for each under hb.
func (p *confProblem) suppliesAll(w, r int32, hb *confHB) bool {
	for k := 0; k < p.ev[r].ElementSize; k++ {
		if !p.holds(w, r, k) {
			return false
		}
		if _, ok := hb.coherent(w, r, k); !ok {
			return false
		}
	}
	return true
}

func confJoinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

func confSubset(a, b []confEdge) bool {
	for _, e := range a {
		if !slices.Contains(b, e) {
			return false
		}
	}
	return true
}

// readFail explains why read r has no assignment under hb and sg: for each
// write of the value that began before r returned, what rules it out.
func (s *confSearch) readFail(r, sg int32, anySW bool, hb *confHB, truncated bool) *confFail {
	p := s.p
	R := &p.ev[r]
	f, ok := s.sourceWhys(r, sg, anySW, hb)
	f.inexact = truncated
	for k, o := range ok {
		if !o {
			f.mask |= 1 << k
		}
	}
	if f.mask != 0 {
		// the predicate that rules out the sources of those bytes, when
		// it is one (else coherent reads, as most)
		pred := ""
		for _, wy := range f.why {
			if wy.mask&f.mask != 0 && wy.pred != "" && wy.pred != pred {
				if pred != "" {
					pred = "several"
					break
				}
				pred = wy.pred
			}
		}
		f.pred = model.PredCoherentReads
		f.msg = fmt.Sprintf("%s: no write of the value it read at %s is allowed as its source by coherent reads", p.name(r), p.byteList(r, f.mask))
		switch pred {
		case "several":
			f.msg = fmt.Sprintf("%s: no write of the value it read at %s can be its source", p.name(r), p.byteList(r, f.mask))
		case "", model.PredCoherentReads:
		default:
			f.pred = pred
			f.msg = fmt.Sprintf("%s: no write of the value it read at %s is allowed as its source by %s", p.name(r), p.byteList(r, f.mask), pred)
		}
	} else {
		// every byte has a source alone, but no combination fits
		f.mask = uint8(1<<R.ElementSize - 1)
		if sg >= 0 {
			if i, seen := f.at(sg); !seen || f.why[i].pred != "" {
				f.pred = model.PredCoherentReads
				f.msg = fmt.Sprintf("%s cannot take any byte from %s, which this choice has synchronize-with it", p.name(r), p.name(sg))
			}
		}
		why := "its bytes cannot be combined with sources of the read's other bytes without tearing"
		if f.pred == "" && R.NoTear {
			f.pred = model.PredTearFreeReads
			f.msg = fmt.Sprintf("NoTear read %s would take bytes from two different NoTear writes with its range", p.name(r))
		} else if f.pred == "" {
			// a read that may tear: tear free reads does not bind it
			f.pred = model.PredCoherentReads
			f.msg = fmt.Sprintf("%s: every byte has a source alone, but no combination of them is coherent", p.name(r))
			why = "its bytes cannot be combined with coherent sources of the read's other bytes"
		}
		for i := range f.why {
			if f.why[i].pred == "" {
				f.why[i].pred = f.pred
				f.why[i].msg = why
			}
		}
	}
	f.events = append(f.events, r)
	for _, w := range f.why {
		f.events = append(f.events, w.w)
	}
	return f
}

// at returns the index in why of write w's entry.
func (f *confFail) at(w int32) (int, bool) {
	for i := range f.why {
		if f.why[i].w == w {
			return i, true
		}
	}
	return -1, false
}

// sourceWhys says, for each candidate of each byte of read r under hb and
// sg (the write chosen to synchronize-with r, -1 for none; anySW: any may),
// what rules it out (pred "" when nothing does by itself), and which bytes
// have a candidate nothing rules out.
func (s *confSearch) sourceWhys(r, sg int32, anySW bool, hb *confHB) (*confFail, []bool) {
	p := s.p
	R := &p.ev[r]
	f := &confFail{read: r}
	seq := R.Order == model.SeqCst
	ok := make([]bool, R.ElementSize) // byte k has some source
	byW := map[int32]int{}
	add := func(w int32, k int, pred, msg string, other ...int32) {
		if i, seen := byW[w]; seen {
			f.why[i].mask |= 1 << k
			return
		}
		byW[w] = len(f.why)
		f.why = append(f.why, confWhy{w: w, mask: 1 << k, pred: pred, msg: msg, other: other})
	}
	for k := 0; k < R.ElementSize; k++ {
		p.eachCand(r, k, func(w int32) bool {
			if seq && !anySW && p.swCapable(w, r) && w != sg {
				add(w, k, model.PredSCAtomics, fmt.Sprintf("%s would synchronize-with %s, but this choice has %s synchronize-with it", p.name(w), p.name(r), p.nameOr(sg)), sg)
				return len(byW) < 4*confMaxSources
			}
			v, coh := hb.coherent(w, r, k)
			switch {
			case coh && anySW && seq && p.swCapable(w, r):
				if b := s.syncWhy(r, w, hb, 0); b >= 0 {
					pred, msg, other := s.syncReason(r, w, b, hb)
					add(w, k, pred, msg, other...)
					break
				}
				ok[k] = true
				add(w, k, "", "")
			case coh:
				ok[k] = true
				add(w, k, "", "")
			case v < 0:
				add(w, k, model.PredCoherentReads, fmt.Sprintf("%s happens before %s", p.name(r), p.name(w)))
			default:
				add(w, k, model.PredCoherentReads, fmt.Sprintf("%s writes the byte in between: %s happens before it and it happens before %s", p.name(v), p.name(w), p.name(r)), v)
			}
			return len(byW) < 4*confMaxSources
		})
	}
	return f, ok
}

// syncReason says why read r has no source of its byte b (syncWhy's
// answer) when w synchronizes-with it: the model's predicate, a sentence,
// and the other events involved.
func (s *confSearch) syncReason(r, w int32, b int, hb *confHB) (string, string, []int32) {
	p := s.p
	R := &p.ev[r]
	if b >= R.ElementSize {
		if hb.hb(r, w) {
			return model.PredCoherentReads, fmt.Sprintf("%s happens before %s", p.name(r), p.name(w)), nil
		}
		return model.PredCoherentReads, fmt.Sprintf("%s can take no byte from it (coherent reads)", p.name(r)), nil
	}
	lead := fmt.Sprintf("if it synchronized-with %s, %s would have no source: ", p.name(r), p.byteList(r, 1<<b))
	pred, msg, other := "", "", []int32(nil)
	p.eachPlain(r, b, func(v int32) bool {
		switch _, coh := hb.coherent(v, r, b); {
		case hb.hb(v, w):
			pred, msg, other = model.PredCoherentReads, fmt.Sprintf("%s, which wrote that value, happens before %s, which writes the byte and would happen before %s", p.name(v), p.name(w), p.name(r)), []int32{v}
		case R.NoTear && p.counting(w, r) && p.counting(v, r):
			pred, msg, other = model.PredTearFreeReads, fmt.Sprintf("%s, which wrote that value, is another NoTear write of its range", p.name(v)), []int32{v}
		case !coh:
			pred, msg, other = model.PredCoherentReads, fmt.Sprintf("%s, which wrote that value, is not a coherent source", p.name(v)), []int32{v}
		default:
			return true
		}
		return false
	})
	if pred == "" {
		pred = model.PredValidChosenReads
		msg = fmt.Sprintf("it wrote another value there, and every write of %#02x there would synchronize-with the read as well (one at most can)", p.val[r][b])
	}
	return pred, lead + msg, other
}

func (p *confProblem) nameOr(e int32) string {
	if e < 0 {
		return "no write"
	}
	return p.name(e)
}

// byteList names the buffer bytes of read r in mask, e.g. "byte 4" or
// "bytes 4–7".
func (p *confProblem) byteList(r int32, mask uint8) string {
	var bs []int
	for k := 0; k < p.ev[r].ElementSize; k++ {
		if mask&(1<<k) != 0 {
			bs = append(bs, p.ev[r].ByteIndex+k)
		}
	}
	return confBytes(p.h.Events[p.conv.Source[r]].Buffer, bs)
}

// confHex prints bytes as the history file does, in memory order: 0x2a,
// or 2a 00 00 00 for several.
func confHex(b []byte) string {
	if len(b) == 1 {
		return fmt.Sprintf("%#02x", b[0])
	}
	return fmt.Sprintf("% x", b)
}

func confBytes(buf uint64, bs []int) string {
	switch {
	case len(bs) == 0:
		return "no byte"
	case len(bs) == 1:
		return fmt.Sprintf("byte %d of buffer %d", bs[0], buf)
	case bs[len(bs)-1]-bs[0] == len(bs)-1:
		return fmt.Sprintf("bytes %d–%d of buffer %d", bs[0], bs[len(bs)-1], buf)
	}
	return fmt.Sprintf("bytes %v of buffer %d", bs, buf)
}

// leaf checks one choice of synchronizing sources: happens-before, a
// source for every byte of every read, and a memory-order. It returns the
// witness, or why it failed.
//
// With relax set it checks a relaxation instead: the reads in relax (open
// seq-cst reads, whose synchronizing source is not chosen) and the reads
// with more than one way to take their bytes are left out (no source
// needed, no requirement added). Happens-before and every requirement
// only grow as those reads choose, so a failure of the relaxation is a
// failure of every choice.
func (s *confSearch) leaf(sigma []int32) (*confWitness, *confFail) {
	return s.leafRelaxed(sigma, nil)
}

func (s *confSearch) leafRelaxed(sigma []int32, relax []bool) (*confWitness, *confFail) {
	p := s.p
	s.leaves++
	hb, cyc := p.computeHB(sigma)
	if cyc != nil {
		return nil, s.cycleFail(sigma, cyc)
	}
	chosen := make([]*confOpt, p.n)
	var edges, wins []confEdge
	var branch []int32
	var branchOpts [][]confOpt
	inexact := false
	for _, r := range p.reads {
		if s.tick() {
			return nil, nil
		}
		if relax != nil && relax[r] {
			continue
		}
		opts, trunc := s.options(r, sigma[r], hb)
		switch {
		case relax != nil && (trunc || len(opts) > 1):
			continue // the relaxation assumes nothing about it
		case len(opts) == 0:
			return nil, s.readFail(r, sigma[r], false, hb, trunc)
		case opts[0].free():
			chosen[r] = &opts[0]
		case len(opts) == 1:
			chosen[r] = &opts[0]
			edges = append(edges, opts[0].edges...)
			wins = append(wins, opts[0].wins...)
			inexact = inexact || trunc
		default:
			branch = append(branch, r)
			branchOpts = append(branchOpts, opts)
			inexact = inexact || trunc
		}
	}
	var last *confFail
	var try func(i int, edges, wins []confEdge) *confWitness
	try = func(i int, edges, wins []confEdge) *confWitness {
		if s.tick() {
			return nil
		}
		if i == len(branch) {
			if cyc := s.rmwCycle(chosen); cyc != nil {
				last = s.rmwCycleFail(cyc)
				return nil
			}
			sc := p.newSched(s, sigma, edges, wins)
			mo := sc.solve()
			if mo == nil {
				if !s.stopped {
					last = s.orderFail(sc)
				}
				return nil
			}
			return &confWitness{mo: slices.Clone(mo)}
		}
		for j := range branchOpts[i] {
			o := &branchOpts[i][j]
			chosen[branch[i]] = o
			if w := try(i+1, append(slices.Clip(edges), o.edges...), append(slices.Clip(wins), o.wins...)); w != nil {
				return w
			}
			if s.stopped {
				return nil
			}
		}
		return nil
	}
	w := try(0, edges, wins)
	if relax != nil {
		return nil, last
	}
	if w == nil {
		if last != nil {
			last.inexact = last.inexact || inexact
		}
		return nil, last
	}
	w.rbf = make([][]int32, p.n)
	for _, r := range p.reads {
		w.rbf[r] = chosen[r].src
	}
	return w, nil
}

// rmwCycle returns read-modify-writes whose values depend on each other
// in a cycle through the chosen sources, or nil.
func (s *confSearch) rmwCycle(chosen []*confOpt) []int32 {
	p := s.p
	state := map[int32]uint8{} // 1: on the path, 2: done
	var path []int32
	var visit func(r int32) []int32
	visit = func(r int32) []int32 {
		state[r] = 1
		path = append(path, r)
		if o := chosen[r]; o != nil {
			for _, w := range o.rmw {
				switch state[w] {
				case 1:
					i := slices.Index(path, w)
					return slices.Clone(path[i:])
				case 0:
					if c := visit(w); c != nil {
						return c
					}
				}
			}
		}
		path = path[:len(path)-1]
		state[r] = 2
		return nil
	}
	for _, r := range p.reads {
		if o := chosen[r]; o != nil && len(o.rmw) > 0 && state[r] == 0 {
			if c := visit(r); c != nil {
				return c
			}
		}
	}
	return nil
}

func (s *confSearch) rmwCycleFail(cyc []int32) *confFail {
	p := s.p
	var names []string
	for _, e := range cyc {
		names = append(names, p.name(e))
	}
	r := cyc[0]
	return &confFail{pred: model.PredValidChosenReads, read: r, mask: uint8(1<<p.ev[r].ElementSize - 1), events: cyc,
		msg: "the values of read-modify-writes " + confJoinComma(names) + " would depend on each other in a cycle (each taking bytes from the next), which gives them no value"}
}

func (s *confSearch) cycleFail(sigma []int32, cyc []int32) *confFail {
	p := s.p
	f := &confFail{pred: model.PredHappensBefore, read: -1, events: cyc}
	var names []string
	for _, e := range cyc {
		names = append(names, p.name(e))
		if f.read < 0 && sigma[e] >= 0 && slices.Contains(cyc, sigma[e]) {
			f.read = e
			f.mask = uint8(1<<p.ev[e].ElementSize - 1)
		}
	}
	f.msg = "happens-before has a cycle through " + confJoinComma(names)
	if f.read >= 0 {
		f.msg += fmt.Sprintf(" (closed by %s synchronizing-with %s)", p.name(sigma[f.read]), p.name(f.read))
		f.why = []confWhy{{w: sigma[f.read], mask: f.mask, pred: model.PredHappensBefore, msg: f.msg}}
	}
	return f
}

func (s *confSearch) orderFail(sc *confSched) *confFail {
	p := s.p
	cyc, why, reads := sc.explain()
	f := &confFail{pred: model.PredSCAtomics, read: -1, events: cyc}
	for _, e := range append(slices.Clone(cyc), reads...) {
		if p.ev[e].IsRead() {
			f.read = e
			f.mask = uint8(1<<p.ev[e].ElementSize - 1)
			break
		}
	}
	for _, r := range reads {
		if !slices.Contains(f.events, r) {
			f.events = append(f.events, r)
		}
	}
	f.msg = "no memory-order contains happens-before and meets the rules together: " + confJoin(why)
	if len(cyc) == 0 {
		f.msg = "no memory-order contains happens-before and meets the rules of sequentially consistent atomics"
	}
	return f
}

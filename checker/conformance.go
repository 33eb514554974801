package checker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// ConfRealTime is the reason, in ConfRuledOut.Predicate, that rules out a
// write that began after the read returned: no execution of the run can
// have the read take bytes from it. It is no predicate of the model (the
// model knows no time) but of the run the history records.
const ConfRealTime = "real time"

// ConfOwnWrite is the reason that rules out a read-modify-write as the
// source of its own bytes (ECMA-262: a read is never its own source).
const ConfOwnWrite = "reads-bytes-from"

// ConformanceReport is model conformance's answer for one history: its
// Result (Check Conf) and, by verdict, the witness or the explanation.
type ConformanceReport struct {
	Result
	// Model names the variant checked: "es2024", "es2017" or "sc".
	Model string `json:"model"`
	// Witness (Ok): a valid candidate execution of the history under the
	// variant, the model.Execution history.Convert gives (under es2017 with
	// each failing compareExchange a read-modify-write writing back what it
	// read) with ReadsBytesFrom chosen and MemoryOrder a memory-order the
	// variant's rules accept; model.ValidExecution(Witness, variant) holds.
	Witness *model.Execution `json:"-"`
	// Source[id] is the index in History.Events of the event Witness
	// event id stands for (history.Conversion.Source).
	Source []int `json:"-"`
	// Reads (Ok): for each read of the history (reads, read-modify-writes
	// and the value checks of waits, in history order), the write each byte
	// was taken from.
	Reads []ConfReadSource `json:"reads,omitempty"`
	// Explanation (Illegal): the read no valid execution explains, and why
	// each write of those bytes is ruled out.
	Explanation *ConfExplanation `json:"explanation,omitempty"`
}

// ConfReadSource is one read's reads-bytes-from: From[k] is the write that
// byte Read.ByteIndex+k came from (an init event for the initial zero).
type ConfReadSource struct {
	Read EventRef   `json:"read"`
	From []EventRef `json:"from"`
	// Choice reports that the read had more than one possible source for
	// some byte (a value written more than once): From is one that fits.
	Choice bool `json:"choice,omitempty"`
}

// ConfExplanation says why no valid execution explains a history: the
// read, the bytes, the value, the predicate that fails and, for each write
// of those bytes, what rules it out.
type ConfExplanation struct {
	// Read is the read; its Index is -1 when the failure is about no single
	// read (a cycle of happens-before or a memory-order that does not
	// exist, whose Events say which events).
	Read EventRef `json:"read"`
	// Bytes lists the buffer byte indices of Read that no source explains.
	Bytes []int `json:"bytes,omitempty"`
	// Value is what Read returned at Bytes, one byte each.
	Value []byte `json:"value,omitempty"`
	// Predicate is the model's name of the condition that fails
	// (model.PredValidChosenReads, PredCoherentReads, PredTearFreeReads,
	// PredHappensBefore, PredSCAtomics, PredSequential).
	Predicate string `json:"predicate"`
	// Message says it in a sentence.
	Message string `json:"message"`
	// Events are the events the failure involves.
	Events []EventRef `json:"events,omitempty"`
	// Sources: each write of Bytes and why Read cannot take them from it,
	// the interesting ones (writes of the value read) first.
	Sources []ConfRuledOut `json:"sources,omitempty"`
	// More counts writes of Bytes not listed in Sources.
	More int `json:"more,omitempty"`
}

// ConfRuledOut is one possible source of a read's bytes and what rules it
// out.
type ConfRuledOut struct {
	Write EventRef `json:"write"`
	// Bytes: the buffer bytes of the read it writes.
	Bytes []int `json:"bytes"`
	// Predicate: a model.Pred* name, ConfRealTime or ConfOwnWrite.
	Predicate string `json:"predicate"`
	Reason    string `json:"reason"`
	// Events: others the reason involves (the write in between, …).
	Events []EventRef `json:"events,omitempty"`
}

const confListMax = 12

// Conformance checks that some candidate execution valid under the
// memory model opt.Model (model.ES2024 when zero; model.ES2017 and
// model.SC selectable) explains every value the history's reads returned:
// it chooses reads-bytes-from for every read among the writes of the value
// read that began before the read returned, with synchronizes-with and
// happens-before following, and looks for a memory-order the variant's
// rules accept (ECMA-262 "Memory Model", #sec-valid-executions; the
// model package's predicates). docs/checker.md ("Model conformance") describes the
// search and which histories it decides exactly.
//
// The verdict is Ok with a witness (Witness, Reads), Illegal with an
// explanation naming the read, its bytes and why each write of them is
// ruled out (Explanation, and Result.Findings), or Unknown when opt.Budget
// or ctx ended the search first, or its step bound was reached (Reason
// says what was left).
//
// The error is for bad input only: a nil ctx or history, a negative
// budget, h.Validate's *history.FormatError as is, a Variant that is none
// of the model's (wrapping model.ErrNoVariant; the zero Variant is
// ES2024, as Options says), and history.Convert's refusal of h for any
// reason other than a read of a value no write gave (wrapped). It never
// panics; without a budget, a step bound (see docs/checker.md ("Model conformance"))
// ends any search.
func Conformance(ctx context.Context, h *history.History, opt Options) (*ConformanceReport, error) {
	rep, _, err := conformance(ctx, h, opt)
	return rep, err
}

// conformance is Conformance, also returning the search (nil when none
// ran), whose steps the tests count.
func conformance(ctx context.Context, h *history.History, opt Options) (*ConformanceReport, *confSearch, error) {
	start := time.Now()
	if ctx == nil {
		return nil, nil, errors.New("checker: Conformance: nil context")
	}
	if h == nil {
		return nil, nil, errors.New("checker: Conformance: nil history")
	}
	v, err := confVariant(opt.Model)
	if err != nil {
		return nil, nil, err
	}
	if opt.Budget < 0 {
		return nil, nil, fmt.Errorf("checker: Conformance: negative budget %v", opt.Budget)
	}
	if err := opt.validate(h); err != nil {
		return nil, nil, err
	}
	rep := &ConformanceReport{Result: Result{Check: Conf}, Model: v.Name()}
	defer func() { rep.Elapsed = time.Since(start) }()
	for i := range h.Events {
		switch e := &h.Events[i]; {
		case e.Kind == history.EvRead || e.Kind == history.EvRMW || e.Kind == history.EvWait:
			rep.Checked++
		case e.Kind == history.EvWaitSettle || e.Kind == history.EvNotify || e.Kind == history.EvQueuePut || e.Kind == history.EvQueueGet:
			rep.Skipped++ // their outcomes are the linearizability check's
		}
	}
	p, err := newConfProblem(h, v)
	if err != nil {
		x := confImpossible(h, v)
		if x == nil {
			// Convert refused h for a reason that is not a read's value
			return nil, nil, fmt.Errorf("checker: Conformance: %w", err)
		}
		rep.illegal(x)
		return rep, nil, nil
	}
	if p.n*p.nch > confMaxClock {
		rep.Verdict = Unknown
		rep.Reason = fmt.Sprintf("not searched: %d events over %d agent-order chains need more vector-clock memory than the checker allows (%d entries); events of no agent count as chains of their own", p.n, p.nch, confMaxClock)
		return rep, nil, nil
	}
	s := &confSearch{p: p, ctx: ctx, maxSteps: confMaxSteps + confStepsPerEvent*p.n}
	if opt.Budget > 0 {
		s.deadline = start.Add(opt.Budget)
		if v == model.ES2024 && p.n <= confSCFallbackMax {
			s.deadline = start.Add(opt.Budget / 2) // the rest is okBySC's
		}
	}
	w, f := s.run()
	if w == nil && (s.stopped || f == nil || f.inexact) && v == model.ES2024 && ctx.Err() == nil {
		if rep.okBySC(ctx, h, start, opt.Budget) {
			return rep, s, nil
		}
	}
	switch {
	case w != nil:
		rep.ok(p, s, w)
	case s.stopped:
		rep.Verdict = Unknown
		rep.Reason = s.unknownReason()
	case f == nil || f.inexact:
		rep.Verdict = Unknown
		rep.Reason = fmt.Sprintf("undecided: no valid %s execution was found among %d combinations, but some reads had more possible sources than the search considers, so that proves nothing", v, s.leaves)
		if f != nil {
			rep.Reason += "; the closest failed on: " + f.msg
		}
	default:
		rep.illegal(p.explain(f, s))
	}
	return rep, s, nil
}

// confSCFallbackMax is the most events for which an undecided es2024
// search falls back on a sequentially consistent witness (checked with the
// model's dense predicates, n²/8 bytes per relation).
const confSCFallbackMax = 4000

// okBySC is the fallback of an undecided es2024 search: every sequentially
// consistent execution is a valid es2024 one (its total order of all
// events serves as memory-order, and each read takes its bytes from the
// last write of each before it, which no rule forbids), and the sc search
// finds one quickly where the run was SC — which the hot, overlapping,
// repeated-value locations that defeat the es2024 search usually are. A
// witness found is confirmed with model.ValidExecution under es2024 before
// it is believed. It reports whether it settled rep as Ok.
func (rep *ConformanceReport) okBySC(ctx context.Context, h *history.History, start time.Time, budget time.Duration) bool {
	p, err := newConfProblem(h, model.SC)
	if err != nil || p.n > confSCFallbackMax || p.n*p.nch > confMaxClock {
		return false
	}
	s := &confSearch{p: p, ctx: ctx, maxSteps: confMaxSteps + confStepsPerEvent*p.n}
	if budget > 0 {
		s.deadline = start.Add(budget)
		if !time.Now().Before(s.deadline) {
			return false
		}
	}
	w, _ := s.run()
	if w == nil {
		return false
	}
	if model.ValidExecution(p.witness(w), model.ES2024) != nil {
		return false
	}
	rep.ok(p, s, w)
	rep.Model = model.ES2024.Name()
	rep.Reason = fmt.Sprintf("a valid es2024 execution explains all %d reads: a sequentially consistent one (the es2024 search was undecided; the sc search found it, and the model's predicates confirm it under es2024)", len(p.reads))
	return true
}

// confVariant resolves Options.Model: the zero Variant is model.ES2024
// (Options' default); anything but the model's three variants is refused.
func confVariant(v model.Variant) (model.Variant, error) {
	switch v {
	case model.Variant{}:
		return model.ES2024, nil
	case model.ES2024, model.ES2017, model.SC:
		return v, nil
	}
	return model.Variant{}, fmt.Errorf("checker: Conformance: memory model %v: %w", v, model.ErrNoVariant)
}

func (s *confSearch) unknownReason() string {
	p := s.p
	r := fmt.Sprintf("undecided: %s after %d combinations of synchronizing sources", s.stopWhy, s.leaves)
	if len(s.vars) > 0 {
		r += fmt.Sprintf("; %d seq-cst reads have more than one possible synchronizing source (the first: %s)", len(s.vars), p.name(s.vars[0]))
	} else if p.v == model.SC {
		r += "; the search for one total order of all events was not finished"
	} else {
		r += "; the memory-order search was not finished"
	}
	return r
}

func (rep *ConformanceReport) ok(p *confProblem, s *confSearch, w *confWitness) {
	rep.Verdict = Ok
	rep.Witness = p.witness(w)
	rep.Source = p.conv.Source
	choices := 0
	for _, r := range p.reads {
		src := p.conv.Source[r]
		rs := ConfReadSource{Read: RefOf(p.h, src)}
		for k, id := range w.rbf[r] {
			rs.From = append(rs.From, RefOf(p.h, p.conv.Source[id]))
			rs.Choice = rs.Choice || p.nCands(r, k, 2) > 1
		}
		if rs.Choice {
			choices++
		}
		rep.Reads = append(rep.Reads, rs)
	}
	sort.Slice(rep.Reads, func(i, j int) bool { return rep.Reads[i].Read.Index < rep.Reads[j].Read.Index })
	rep.Reason = fmt.Sprintf("a valid %s execution explains all %d reads (%d of them had more than one possible source; %d seq-cst reads a choice of synchronizing write; %d combinations tried)",
		p.v, len(p.reads), choices, len(s.vars), s.leaves)
}

func (rep *ConformanceReport) illegal(x *ConfExplanation) {
	rep.Verdict = Illegal
	rep.Explanation = x
	rep.Reason = x.Message
	if i := strings.Index(rep.Reason, ". "); i > 0 {
		rep.Reason = rep.Reason[:i]
	}
	msg := x.Message
	for _, s := range x.Sources {
		msg += fmt.Sprintf("\n  - %s (bytes %v): %s: %s", s.Write, s.Bytes, s.Predicate, s.Reason)
	}
	if x.More > 0 {
		msg += fmt.Sprintf("\n  - and %d more writes of those bytes", x.More)
	}
	ev := []EventRef{}
	if x.Read.Index >= 0 {
		ev = append(ev, x.Read)
	}
	for _, s := range x.Sources {
		ev = append(ev, s.Write)
	}
	if len(ev) == 0 {
		ev = x.Events
	}
	rep.Findings = []Finding{{Message: msg, Events: ev}}
}

// explain turns a search failure into an explanation in history terms.
func (p *confProblem) explain(f *confFail, s *confSearch) *ConfExplanation {
	x := &ConfExplanation{Read: EventRef{Index: -1}, Predicate: f.pred}
	for _, e := range f.events {
		x.Events = append(x.Events, RefOf(p.h, p.conv.Source[e]))
	}
	prefix := ""
	switch {
	case s.core && len(s.vars) > 0:
		prefix = fmt.Sprintf("whichever writes the %d seq-cst reads with a choice synchronize with: ", len(s.vars))
	case len(s.vars) > 0 && s.leaves > 1:
		prefix = fmt.Sprintf("none of the %d combinations of synchronizing sources for %d seq-cst reads with a choice gives a valid %s execution; the first (closest to the run's timing) fails: ", s.leaves, len(s.vars), p.v)
	}
	if f.read < 0 {
		x.Message = fmt.Sprintf("no valid %s execution: %s%s: %s", p.v, prefix, f.pred, f.msg)
		return x
	}
	r := f.read
	R := &p.ev[r]
	x.Read = RefOf(p.h, p.conv.Source[r])
	for k := 0; k < R.ElementSize; k++ {
		if f.mask&(1<<k) != 0 {
			x.Bytes = append(x.Bytes, R.ByteIndex+k)
			x.Value = append(x.Value, p.val[r][k])
		}
	}
	x.Message = fmt.Sprintf("%s read %s at %s, which no valid %s execution explains: %s%s: %s",
		p.name(r), confHex(x.Value), p.byteList(r, f.mask), p.v, prefix, f.pred, f.msg)
	// every write of those bytes, with its reason
	why := map[int32]*confWhy{}
	for i := range f.why {
		why[f.why[i].w] = &f.why[i]
	}
	type item struct {
		ro   ConfRuledOut
		rank int
		call int64
	}
	var items []item
	for w := range p.ev {
		W := &p.ev[w]
		if !W.IsWrite() || int32(w) == r || W.Block != R.Block {
			continue
		}
		var bs []int
		var match []int
		for k := 0; k < R.ElementSize; k++ {
			b := R.ByteIndex + k
			if f.mask&(1<<k) == 0 || b < W.ByteIndex || b >= W.ByteIndex+W.ElementSize {
				continue
			}
			bs = append(bs, b)
			if p.wbytes[w][b-W.ByteIndex] == p.val[r][k] {
				match = append(match, b)
			}
		}
		if len(bs) == 0 {
			continue
		}
		it := item{ro: ConfRuledOut{Write: RefOf(p.h, p.conv.Source[w]), Bytes: bs}, call: p.call[w]}
		switch wy := why[int32(w)]; {
		case len(match) == 0:
			it.rank = 3
			it.ro.Predicate = model.PredValidChosenReads
			it.ro.Reason = fmt.Sprintf("it wrote %s there, not %s", confHex(p.bytesAt(int32(w), bs)), confHex(p.valAt(r, bs)))
		case p.call[w] > p.ret[r]:
			it.rank = 2
			it.ro.Bytes = match
			it.ro.Predicate = ConfRealTime
			it.ro.Reason = fmt.Sprintf("it began (instant %d) after the read returned (instant %d)", p.call[w], p.ret[r])
		case wy != nil && wy.pred != "":
			it.ro.Bytes = match
			it.ro.Predicate = wy.pred
			it.ro.Reason = wy.msg
			for _, o := range wy.other {
				if o >= 0 {
					it.ro.Events = append(it.ro.Events, RefOf(p.h, p.conv.Source[o]))
				}
			}
		default:
			it.ro.Bytes = match
			it.ro.Predicate = f.pred
			it.ro.Reason = "taking them from it leaves no valid execution (above)"
		}
		if len(match) < len(bs) && it.rank < 3 {
			it.ro.Reason += fmt.Sprintf(" (of bytes %v it wrote other values)", without(bs, match))
		}
		items = append(items, it)
	}
	// one entry per history event (a block's init writes are one event)
	merged := items[:0]
	at := map[[2]any]int{}
	for _, it := range items {
		k := [2]any{it.ro.Write.Index, it.ro.Predicate + it.ro.Reason}
		if i, ok := at[k]; ok && it.ro.Write.Index >= 0 {
			merged[i].ro.Bytes = append(merged[i].ro.Bytes, it.ro.Bytes...)
			continue
		}
		at[k] = len(merged)
		merged = append(merged, it)
	}
	items = merged
	slices.SortStableFunc(items, func(a, b item) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if a.call != b.call {
			if a.call > b.call {
				return -1
			}
			return 1
		}
		return 0
	})
	for i, it := range items {
		if i >= confListMax {
			x.More = len(items) - confListMax
			break
		}
		x.Sources = append(x.Sources, it.ro)
	}
	return x
}

func without(a, b []int) []int {
	var out []int
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func (p *confProblem) bytesAt(w int32, bs []int) []byte {
	W := &p.ev[w]
	out := make([]byte, len(bs))
	for i, b := range bs {
		out[i] = p.wbytes[w][b-W.ByteIndex]
	}
	return out
}

func (p *confProblem) valAt(r int32, bs []int) []byte {
	R := &p.ev[r]
	out := make([]byte, len(bs))
	for i, b := range bs {
		out[i] = p.val[r][b-R.ByteIndex]
	}
	return out
}

// confImpossible explains a history with a read no recorded write can
// explain (history.Convert's error): the first such read, its bytes, and
// every write of those bytes with what rules it out (another value, or
// beginning after the read returned). It returns nil when it finds none.
func confImpossible(h *history.History, v model.Variant) *ConfExplanation {
	hc := h
	if v == model.ES2017 {
		hc, _ = confRewrite17(h)
	}
	root := confRoots(hc)
	byByte := map[confLoc][]int{}
	inits := map[uint64][]int{}
	for i := range hc.Events {
		e := &hc.Events[i]
		switch e.Kind {
		case history.EvWrite, history.EvRMW:
			for b := e.ByteIndex; b < e.ByteIndex+e.Size; b++ {
				l := confLoc{int(root(e.Buffer)), b}
				byByte[l] = append(byByte[l], i)
			}
		case history.EvInit:
			inits[root(e.Buffer)] = append(inits[root(e.Buffer)], i)
		}
	}
	written := func(j, b int) byte {
		e := &hc.Events[j]
		if e.Kind == history.EvInit {
			return 0
		}
		return byte(e.Written >> (8 * (b - e.ByteIndex)))
	}
	writers := func(blk uint64, b int) []int {
		ws := append([]int(nil), byByte[confLoc{int(blk), b}]...)
		for _, j := range inits[blk] {
			if e := &hc.Events[j]; b >= e.ByteIndex && b < e.ByteIndex+e.Size {
				ws = append(ws, j)
			}
		}
		return ws
	}
	var first *ConfExplanation
	others := 0
	for i := range hc.Events {
		e := &hc.Events[i]
		if e.Kind != history.EvRead && e.Kind != history.EvRMW && e.Kind != history.EvWait {
			continue
		}
		blk := root(e.Buffer)
		var bad []int
		var val []byte
		for k := 0; k < e.Size; k++ {
			b, x := e.ByteIndex+k, byte(e.Read>>(8*k))
			found := false
			for _, j := range writers(blk, b) {
				if j != i && written(j, b) == x && (hc.Events[j].Kind == history.EvInit || hc.Events[j].Call <= e.Return) {
					found = true
					break
				}
			}
			if !found {
				bad = append(bad, b)
				val = append(val, x)
			}
		}
		if len(bad) == 0 {
			continue
		}
		if first != nil {
			others++
			continue
		}
		x := &ConfExplanation{Read: RefOf(h, i), Bytes: bad, Value: val, Predicate: model.PredValidChosenReads}
		type item struct {
			ro   ConfRuledOut
			rank int
			call int64
		}
		var items []item
		seen := map[int]bool{}
		for _, b := range bad {
			for _, j := range writers(blk, b) {
				if seen[j] {
					continue
				}
				seen[j] = true
				w := &hc.Events[j]
				var bs, match []int
				for _, c := range bad {
					if c >= w.ByteIndex && c < w.ByteIndex+w.Size {
						bs = append(bs, c)
						if written(j, c) == byte(e.Read>>(8*(c-e.ByteIndex))) {
							match = append(match, c)
						}
					}
				}
				it := item{ro: ConfRuledOut{Write: RefOf(h, j), Bytes: bs}, call: w.Call}
				switch {
				case j == i:
					it.rank, it.ro.Predicate, it.ro.Reason = 1, ConfOwnWrite, "a read never takes bytes from itself"
				case len(match) > 0:
					it.ro.Bytes, it.ro.Predicate = match, ConfRealTime
					it.ro.Reason = fmt.Sprintf("it wrote the value read, but began (instant %d) after the read returned (instant %d)", w.Call, e.Return)
				default:
					it.rank, it.ro.Predicate = 2, model.PredValidChosenReads
					var got, want []byte
					for _, c := range bs {
						got = append(got, written(j, c))
						want = append(want, byte(e.Read>>(8*(c-e.ByteIndex))))
					}
					it.ro.Reason = fmt.Sprintf("it wrote %s there, not %s", confHex(got), confHex(want))
				}
				items = append(items, it)
			}
		}
		slices.SortStableFunc(items, func(a, b item) int {
			if a.rank != b.rank {
				return a.rank - b.rank
			}
			if a.call > b.call {
				return -1
			}
			if a.call < b.call {
				return 1
			}
			return 0
		})
		for k, it := range items {
			if k >= confListMax {
				x.More = len(items) - confListMax
				break
			}
			x.Sources = append(x.Sources, it.ro)
		}
		x.Events = []EventRef{x.Read}
		x.Message = fmt.Sprintf("%s read %s at %s, but no write of that value to %s began before it returned: %s cannot hold in any execution (the history is incomplete, or the implementation returned bytes nobody wrote)",
			RefOf(h, i), confHex(val), confBytes(e.Buffer, bad), map[bool]string{true: "that byte", false: "those bytes"}[len(bad) == 1], model.PredValidChosenReads)
		first = x
	}
	if first == nil {
		return nil
	}
	if others > 0 {
		first.Message += fmt.Sprintf(". %d more reads returned values no write gave them", others)
	}
	return first
}

// confRoots returns the block of each buffer as history.Convert makes
// them: a buffer that a transfer moved without copying is the buffer it
// came from.
func confRoots(h *history.History) func(uint64) uint64 {
	alias := map[uint64]uint64{}
	for i := range h.Events {
		if e := &h.Events[i]; e.Kind == history.EvTransfer && e.Stored && e.Peer != 0 {
			alias[e.Peer] = e.Buffer
		}
	}
	memo := map[uint64]uint64{}
	return func(id uint64) uint64 {
		if r, ok := memo[id]; ok {
			return r
		}
		r, seen := id, map[uint64]bool{}
		for {
			q, ok := alias[r]
			if !ok || seen[r] {
				break
			}
			seen[r] = true
			r = q
		}
		memo[id] = r
		return r
	}
}

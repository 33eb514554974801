package checker

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

var confVariants = []model.Variant{model.ES2024, model.ES2017, model.SC}

// confVerdicts checks h under each variant against want (indexed like
// confVariants) and returns the reports.
func confVerdicts(t *testing.T, h *history.History, want ...Verdict) []*ConformanceReport {
	t.Helper()
	var out []*ConformanceReport
	for i, v := range confVariants {
		rep, err := Conformance(context.Background(), h, Options{Model: v})
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if rep.Check != Conf || rep.Model != v.Name() {
			t.Fatalf("%s: report of check %q model %q", v, rep.Check, rep.Model)
		}
		if rep.Verdict != want[i] {
			t.Fatalf("%s: %s (%s), want %s\n%s", v, rep.Verdict, rep.Reason, want[i], confFindings(rep))
		}
		switch rep.Verdict {
		case Ok:
			if err := model.ValidExecution(rep.Witness, v); err != nil {
				t.Fatalf("%s: the witness is not valid: %v", v, err)
			}
			if len(rep.Reads) != rep.Checked {
				t.Fatalf("%s: %d read sources for %d reads", v, len(rep.Reads), rep.Checked)
			}
		case Illegal:
			if rep.Explanation == nil || len(rep.Findings) != 1 || rep.Reason == "" {
				t.Fatalf("%s: illegal without an explanation: %+v", v, rep)
			}
		}
		t.Logf("%s: %s: %s", v, rep.Verdict, confFindings(rep))
		out = append(out, rep)
	}
	return out
}

func confFindings(rep *ConformanceReport) string {
	var s []string
	for _, f := range rep.Findings {
		s = append(s, f.Message)
	}
	return strings.Join(s, "\n")
}

// confSource returns the explanation's entry for the write at history
// index w.
func confSource(t *testing.T, x *ConfExplanation, w int) ConfRuledOut {
	t.Helper()
	for _, s := range x.Sources {
		if s.Write.Index == w {
			return s
		}
	}
	t.Fatalf("the explanation does not list event %d: %+v", w, x.Sources)
	return ConfRuledOut{}
}

// CoRR with plain reads: one agent writes x = 1; another reads 1, then 0.
// The model lets plain reads see writes "backwards" (coherent reads only
// forbids writes between in happens-before), so es2024 and es2017 allow
// it; sequential consistency does not.
func TestConformanceCoRR(t *testing.T) {
	b := newConfHist(8)
	b.store(2, false, 0, 4, 1)
	b.load(3, false, 0, 4, 1)
	r := b.load(3, false, 0, 4, 0)
	reps := confVerdicts(t, &b.h, Ok, Ok, Illegal)
	x := reps[2].Explanation
	if x.Read.Index != r || !slices.Equal(x.Bytes, []int{0}) || x.Predicate != model.PredSequential {
		t.Fatalf("sc explanation: read %v bytes %v predicate %q, want event %d byte 0 %q", x.Read, x.Bytes, x.Predicate, r, model.PredSequential)
	}
	// with seq-cst reads, coherence holds for them under every variant
	b = newConfHist(8)
	b.store(2, true, 0, 4, 1)
	b.load(3, true, 0, 4, 1)
	b.load(3, true, 0, 4, 0)
	confVerdicts(t, &b.h, Illegal, Illegal, Illegal)
	// the witness says where each read took its bytes from
	b = newConfHist(8)
	w := b.store(2, false, 0, 4, 1)
	r1 := b.load(3, false, 0, 4, 1)
	r2 := b.load(3, false, 0, 4, 0)
	rep := confVerdicts(t, &b.h, Ok, Ok, Illegal)[0]
	for _, rs := range rep.Reads {
		want := 0 // the init event
		if rs.Read.Index == r1 {
			want = w
		} else if rs.Read.Index != r2 {
			t.Fatalf("a read source for event %d", rs.Read.Index)
		}
		// byte 0 tells them apart (bytes 1–3 are zero in both)
		if f := rs.From[0]; f.Index != want {
			t.Fatalf("read %d byte 0 from %v, want event %d", rs.Read.Index, f, want)
		}
	}
}

// A read of a value no write wrote: illegal under every variant, naming
// the read, the byte, and why each write of it is ruled out.
func TestConformanceValueNobodyWrote(t *testing.T) {
	b := newConfHist(8)
	w := b.store(2, false, 0, 4, 0x0105)
	r := b.load(3, false, 0, 4, 0x0107)
	for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal) {
		x := rep.Explanation
		if x.Read.Index != r || !slices.Equal(x.Bytes, []int{0}) || !slices.Equal(x.Value, []byte{7}) || x.Predicate != model.PredValidChosenReads {
			t.Fatalf("explanation %+v, want read %d byte 0 value 7 %q", x, r, model.PredValidChosenReads)
		}
		if s := confSource(t, x, w); s.Predicate != model.PredValidChosenReads || !strings.Contains(s.Reason, "05") {
			t.Fatalf("the write is ruled out by %q: %s", s.Predicate, s.Reason)
		}
		if s := confSource(t, x, 0); s.Predicate != model.PredValidChosenReads {
			t.Fatalf("the init write is ruled out by %q: %s", s.Predicate, s.Reason)
		}
		if !strings.Contains(rep.Findings[0].Message, "a3#1") {
			t.Fatalf("the finding does not name the read: %s", rep.Findings[0].Message)
		}
		js, err := json.Marshal(rep)
		if err != nil || !strings.Contains(string(js), `"verdict":"illegal"`) || !strings.Contains(string(js), `"predicate":"valid chosen reads"`) {
			t.Fatalf("JSON: %v %s", err, js)
		}
	}
	// the value was written, but only after the read returned
	b = newConfHist(8)
	r = b.at(10, 20).load(3, false, 0, 4, 9)
	w = b.at(30, 40).store(2, false, 0, 4, 9)
	for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal) {
		if s := confSource(t, rep.Explanation, w); s.Predicate != ConfRealTime || !strings.Contains(s.Reason, "instant 30") {
			t.Fatalf("the late write is ruled out by %q: %s", s.Predicate, s.Reason)
		}
	}
	// one instant earlier it is the read's source
	b = newConfHist(8)
	b.at(10, 20).load(3, false, 0, 4, 9)
	b.at(20, 40).store(2, false, 0, 4, 9)
	confVerdicts(t, &b.h, Ok, Ok, Ok)
}

// A read that could only take its value from a write that happens after
// it (through a seq-cst flag): coherent reads rules it out.
func TestConformanceReadFromTheFuture(t *testing.T) {
	b := newConfHist(8)
	r := b.load(2, false, 0, 4, 1)  // x, plain: 1
	b.store(2, true, 4, 4, 1)       // flag = 1
	b.load(3, true, 4, 4, 1)        // flag: 1, synchronizes with the store
	w := b.store(3, false, 0, 4, 1) // x = 1
	for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal) {
		x := rep.Explanation
		if x.Read.Index != r || x.Predicate != model.PredCoherentReads {
			t.Fatalf("explanation names event %d and %q, want %d and %q", x.Read.Index, x.Predicate, r, model.PredCoherentReads)
		}
		if s := confSource(t, x, w); s.Predicate != model.PredCoherentReads || !strings.Contains(s.Reason, "happens before") {
			t.Fatalf("the write is ruled out by %q: %s", s.Predicate, s.Reason)
		}
	}
	// without the flag the plain accesses race, and reading "ahead" is
	// allowed by the weak variants (load buffering), not by SC... here it
	// is one read and one write: allowed by all
	b = newConfHist(8)
	b.load(2, false, 0, 4, 1)
	b.store(3, false, 0, 4, 1)
	confVerdicts(t, &b.h, Ok, Ok, Ok)
}

// Message passing: data published through a seq-cst flag cannot be read
// stale (a write in between in happens-before).
func TestConformanceStalePublishedData(t *testing.T) {
	b := newConfHist(8)
	w := b.store(2, false, 0, 4, 42) // data
	b.store(2, true, 4, 4, 1)        // flag
	b.load(3, true, 4, 4, 1)
	r := b.load(3, false, 0, 4, 0) // data: stale
	for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal) {
		x := rep.Explanation
		if x.Read.Index != r || x.Predicate != model.PredCoherentReads {
			t.Fatalf("explanation names event %d and %q", x.Read.Index, x.Predicate)
		}
		s := confSource(t, x, 0)
		if s.Predicate != model.PredCoherentReads || len(s.Events) != 1 || s.Events[0].Index != w {
			t.Fatalf("the init write is ruled out by %q (%s) naming %v, want the write %d in between", s.Predicate, s.Reason, s.Events, w)
		}
	}
	// through host-synchronizes-with (agent start) instead of a flag
	b = newConfHist(8)
	w = b.store(1, false, 0, 4, 42)
	b.add(history.Event{Agent: 1, Kind: history.EvAgentStart, Op: "agent.start", Sync: 7, Peer: 2})
	b.add(history.Event{Agent: 2, Kind: history.EvAgentBegin, Op: "agent.begin", Sync: 7})
	r = b.load(2, false, 0, 4, 0)
	for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal) {
		if x := rep.Explanation; x.Read.Index != r || x.Predicate != model.PredCoherentReads {
			t.Fatalf("explanation names event %d and %q", x.Read.Index, x.Predicate)
		}
	}
}

// Tearing: a NoTear read between two NoTear writes of its range takes
// bytes from both. Tear free reads forbids it; a read that is not NoTear
// (a DataView read, say) may tear.
func TestConformanceTearing(t *testing.T) {
	b := newConfHist(8)
	w1 := b.store(2, false, 0, 4, 0x11111111)
	w2 := b.store(3, false, 0, 4, 0x22222222)
	r := b.load(4, false, 0, 4, 0x22221111)
	for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal)[:2] {
		x := rep.Explanation
		if x.Read.Index != r || x.Predicate != model.PredTearFreeReads || len(x.Bytes) != 4 {
			t.Fatalf("explanation: event %d, %q, bytes %v", x.Read.Index, x.Predicate, x.Bytes)
		}
		for _, w := range []int{w1, w2} {
			if s := confSource(t, x, w); s.Predicate != model.PredTearFreeReads {
				t.Fatalf("write %d ruled out by %q: %s", w, s.Predicate, s.Reason)
			}
		}
	}
	b.h.Events[r].NoTear = false
	b.h.Events[r].Op = "DataView.getUint32"
	confVerdicts(t, &b.h, Ok, Ok, Illegal)
	// seq-cst 64-bit writes, read torn by a seq-cst 64-bit read
	b = newConfHist(8)
	b.store(2, true, 0, 8, 0x1111111111111111)
	b.store(3, true, 0, 8, 0x2222222222222222)
	b.load(4, true, 0, 8, 0x2222222211111111)
	confVerdicts(t, &b.h, Illegal, Illegal, Illegal)
	// init bytes may tear (tear free reads counts writes of the read's range only)
	b = newConfHist(8)
	b.store(2, false, 0, 4, 0x01010101)
	b.load(3, false, 0, 4, 0x00000101)
	confVerdicts(t, &b.h, Ok, Ok, Illegal)
}

// A lost update: two Atomics.add read the same value.
func TestConformanceLostUpdate(t *testing.T) {
	b := newConfHist(8)
	b.rmw(2, model.Add, 0, 4, 0, 1)
	b.rmw(3, model.Add, 0, 4, 0, 1)
	for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal)[:2] {
		if p := rep.Explanation.Predicate; p != model.PredSCAtomics {
			t.Fatalf("explanation: %q", p)
		}
	}
	// after a store, both read what it wrote
	b = newConfHist(8)
	b.store(4, true, 0, 4, 5)
	b.rmw(2, model.Add, 0, 4, 5, 1)
	b.rmw(3, model.Add, 0, 4, 5, 1)
	confVerdicts(t, &b.h, Illegal, Illegal, Illegal)
	// in sequence, fine
	b = newConfHist(8)
	b.store(4, true, 0, 4, 5)
	b.rmw(2, model.Add, 0, 4, 5, 1)
	b.rmw(3, model.Add, 0, 4, 6, 1)
	confVerdicts(t, &b.h, Ok, Ok, Ok)
}

// The model's own counterexamples separating es2017 and es2024
// (docs/memory-model.md, model.TestVariantsSeparate), and its failing
// compareExchange example (model.TestFailingCompareExchangeES2017).
func TestConformanceVariantsSeparate(t *testing.T) {
	const x, y, z = 0, 4, 8
	// tc39/ecma262 issue #1354: es2017 allows a non-SC result of a DRF
	// program; rule (b) of es2024 forbids it.
	b := newConfHist(16)
	b.store(2, true, x, 4, 1)
	b.store(2, true, y, 4, 1)
	b.store(3, true, x, 4, 2)
	b.load(3, true, y, 4, 1)
	b.load(3, false, x, 4, 2)
	b.load(3, false, x, 4, 1)
	reps := confVerdicts(t, &b.h, Illegal, Ok, Illegal)
	if p := reps[0].Explanation.Predicate; p != model.PredSCAtomics {
		t.Fatalf("es2024: %q", p)
	}
	// The ARMv8 example of PR #1511: es2024 allows it, es2017 and sc do not.
	b = newConfHist(16)
	b.store(2, true, x, 4, 1)  // a
	b.store(2, true, x, 4, 2)  // b
	b.store(2, false, y, 4, 1) // c
	b.store(2, true, z, 4, 1)  // d
	b.store(3, true, y, 4, 2)  // e
	b.load(3, true, x, 4, 1)   // f reads a
	b.load(3, true, z, 4, 1)   // g reads d
	b.load(3, true, y, 4, 2)   // h reads e
	reps = confVerdicts(t, &b.h, Ok, Illegal, Illegal)
	if p := reps[1].Explanation.Predicate; p != model.PredSCAtomics {
		t.Fatalf("es2017: %q", p)
	}
	// Store buffering with a failing compareExchange(b, 0, 42, 42) between
	// each agent's plain write and plain read: under es2017 the failing
	// exchanges are read-modify-writes, one synchronizes with the other.
	b = newConfHist(16)
	b.store(2, false, x, 4, 1)
	b.casFail(2, z, 4, 0, 42, 42)
	b.load(2, false, y, 4, 0)
	b.store(3, false, y, 4, 1)
	b.casFail(3, z, 4, 0, 42, 42)
	b.load(3, false, x, 4, 0)
	confVerdicts(t, &b.h, Ok, Illegal, Illegal)
	// Each exchange writing back would be visible: a failing
	// compareExchange that read the other's write-back. Under es2024 nothing
	// wrote 7 (the first exchange failed and did not write).
	b = newConfHist(16)
	b.store(4, true, z, 4, 7)
	b.casFail(2, z, 4, 7, 1, 2)
	confVerdicts(t, &b.h, Ok, Ok, Ok)
}

// Bad input is an error, never a verdict.
func TestConformanceBadInput(t *testing.T) {
	ctx := context.Background()
	b := newConfHist(8)
	b.store(2, false, 0, 4, 1)
	//lint:ignore SA1012 a nil context is the bad input under test
	if _, err := Conformance(nil, &b.h, Options{}); err == nil || !strings.Contains(err.Error(), "nil context") { //nolint:staticcheck
		t.Fatalf("nil context: %v", err)
	}
	if _, err := Conformance(ctx, nil, Options{}); err == nil || !strings.Contains(err.Error(), "nil history") {
		t.Fatalf("nil history: %v", err)
	}
	if _, err := Conformance(ctx, &b.h, Options{Budget: -time.Second}); err == nil || !strings.Contains(err.Error(), "negative budget") {
		t.Fatalf("negative budget: %v", err)
	}
	bad := &history.History{Buffers: b.h.Buffers, Events: slices.Clone(b.h.Events)}
	bad.Events[1].Return = bad.Events[1].Call - 1
	_, err := Conformance(ctx, bad, Options{})
	var fe *history.FormatError
	if !errors.As(err, &fe) || fe.Event != 1 || fe.Field != "return" {
		t.Fatalf("invalid history: %v", err)
	}
	if want := bad.Validate(); err.Error() != want.Error() {
		t.Fatalf("error %v, want Validate's %v", err, want)
	}
	if _, err := confVariant(model.Variant{}); err != nil {
		t.Fatalf("the zero Variant is es2024 (Options' default): %v", err)
	}
	rep, err := Conformance(ctx, &b.h, Options{})
	if err != nil || rep.Model != "es2024" {
		t.Fatalf("zero Options: %v, %+v", err, rep)
	}
	// an empty history conforms
	rep, err = Conformance(ctx, &history.History{}, Options{})
	if err != nil || rep.Verdict != Ok {
		t.Fatalf("empty history: %v %+v", err, rep)
	}
}

// When the budget or the context ends first, or the step bound is
// reached, the answer is Unknown and says what was left.
func TestConformanceUnknown(t *testing.T) {
	h := confWorkload(t, 4, 20)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Conformance(ctx, h, Options{})
	if err != nil || rep.Verdict != Unknown || !strings.Contains(rep.Reason, "context") {
		t.Fatalf("cancelled: %v %s %s", err, rep.Verdict, rep.Reason)
	}
	rep, err = Conformance(context.Background(), h, Options{Budget: time.Nanosecond})
	if err != nil || rep.Verdict != Unknown || !strings.Contains(rep.Reason, "budget") {
		t.Fatalf("1ns budget: %v %s %s", err, rep.Verdict, rep.Reason)
	}
	defer func(n, m int) { confMaxSteps, confStepsPerEvent = n, m }(confMaxSteps, confStepsPerEvent)
	confMaxSteps, confStepsPerEvent = 10, 0
	h = confWorkload(t, 2, 3)
	rep, err = Conformance(context.Background(), h, Options{})
	if err != nil || rep.Verdict != Unknown || !strings.Contains(rep.Reason, "search bound") {
		t.Fatalf("step bound: %v %s %s", err, rep.Verdict, rep.Reason)
	}
}

// Regressions found by the differential tests.
func TestConformanceRegressions(t *testing.T) {
	// Read-modify-writes of different sizes on overlapping bytes, each
	// adding 0 to 0: each may take its bytes from init; the search must not
	// insist on the choice where each takes them from the other (a value
	// cycle, which the model gives no value).
	b := newConfHist(8)
	b.at(1, 1).rmw(2, model.Add, 0, 1, 0, 0)
	b.at(1, 1).rmw(3, model.Add, 0, 2, 0, 0)
	confVerdicts(t, &b.h, Ok, Ok, Ok)
	// Two read-modify-writes of one byte read 3, which only one store and
	// one add wrote; the exhaustive search prunes every combination (two
	// read-modify-writes cannot take the same write) and must still say why.
	defer func() { confExhaustiveOnly = false }()
	for _, exhaustive := range []bool{false, true} {
		confExhaustiveOnly = exhaustive
		b = newConfHist(8)
		b.rmw(2, model.Add, 1, 1, 0, 3)
		b.rmw(2, model.Add, 1, 1, 3, 0)
		b.rmw(2, model.Exchange, 1, 1, 3, 0)
		b.store(2, false, 0, 1, 1)
		b.rmw(3, model.Add, 1, 1, 3, 1)
		for _, rep := range confVerdicts(t, &b.h, Illegal, Illegal, Illegal)[:2] {
			if rep.Explanation.Predicate != model.PredSCAtomics && rep.Explanation.Predicate != model.PredCoherentReads {
				t.Fatalf("exhaustive=%v: %q", exhaustive, rep.Explanation.Predicate)
			}
		}
	}
}

package model

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
)

// This file holds the regression tests for degenerate input to the
// exported API: nil receivers, zero values, invalid enum values and
// hostile integers. api_test.go calls the whole API that way; these tests
// pin down the documented results.

// TestModifyOpApplyInvalid: Apply of a ModifyOp that is none of the
// defined operations returns nil; it used to act as Exchange (return the
// payload) and so made an invalid operation look like a valid one.
func TestModifyOpApplyInvalid(t *testing.T) {
	for _, m := range []ModifyOp{0, CompareExchange + 1, 99, 255} {
		if got := m.Apply([]byte{1, 2}, []byte{3, 4}); got != nil {
			t.Errorf("%v.Apply = % x, want nil", m, got)
		}
		e := &Event{Kind: ReadModifyWriteSharedMemory, ModifyOp: m, ElementSize: 2, Payload: []byte{3, 4}}
		if got := e.Modify([]byte{1, 2}); got != nil {
			t.Errorf("Modify of an event with %v = % x, want nil", m, got)
		}
	}
	// The valid operations keep their results, on empty input too.
	for m := Add; m <= CompareExchange; m++ {
		if got := m.Apply(nil, nil); got == nil || len(got) != 0 {
			t.Errorf("%v.Apply(nil, nil) = %#v, want an empty slice", m, got)
		}
	}
	if got := Exchange.Apply([]byte{1, 2}, []byte{3, 4}); !bytes.Equal(got, []byte{3, 4}) {
		t.Errorf("Exchange.Apply = % x", got)
	}
}

// TestNilReceivers: the methods of a nil *Event, *Execution, *Builder,
// *Violation, *ProgramError and *TooManyStatesError return their documented
// results; each used to dereference nil.
func TestNilReceivers(t *testing.T) {
	var e *Event
	if e.IsRead() || e.IsWrite() || e.IsMemory() || e.Range() != (Range{}) || e.Modify([]byte{1}) != nil || e.String() != "<nil>" {
		t.Error("nil *Event")
	}
	var x *Execution
	if x.Name(3) != "event 3" || x.String() != "<nil>" || x.Check() == nil {
		t.Error("nil *Execution")
	}
	var b *Builder
	if b.Agent("a") != -1 || b.Init(0, 0, []byte{1}) != nil || b.Write(0, SeqCst, true, 0, 0, []byte{1}) != -1 ||
		b.Read(0, SeqCst, true, 0, 0, 1, []EventID{0}, []byte{1}) != -1 ||
		b.ReadModifyWrite(0, Add, 0, 0, []byte{1}, []EventID{0}, []byte{1}) != -1 || b.Host(0, "h") != -1 {
		t.Error("nil *Builder")
	}
	b.HostSynchronizesWith(0, 1)
	if xb, err := b.Execution(); xb != nil || err == nil || !strings.Contains(err.Error(), "nil *Builder") {
		t.Errorf("nil *Builder's Execution: %v, %v", xb, err)
	}
	for _, err := range []error{(*Violation)(nil), (*ProgramError)(nil), (*TooManyStatesError)(nil)} {
		if err.Error() != "<nil>" {
			t.Errorf("nil %T: %q", err, err.Error())
		}
	}
}

// TestZeroBuilder: a zero Builder (not made by NewBuilder) builds as an
// empty one does.
func TestZeroBuilder(t *testing.T) {
	var b Builder
	a := b.Agent("a")
	w := b.Write(a, SeqCst, true, 0, 0, []byte{1})
	b.Read(a, SeqCst, true, 0, 0, 1, []EventID{w}, []byte{1})
	x, err := b.Execution()
	if err != nil || len(x.Events) != 2 {
		t.Fatalf("zero Builder: %v, %v", x, err)
	}
	// An event for an agent that was not added is -1, and Execution says so.
	if id := b.Host(5, "h"); id != -1 {
		t.Fatalf("Host for agent 5 = %d", id)
	}
	if _, err := b.Execution(); err == nil || !strings.Contains(err.Error(), "agent 5") {
		t.Fatalf("Execution after an event of no agent: %v", err)
	}
}

// TestNewRelationDegenerate: NewRelation(n) for n ≤ 0 and for n too large
// to be of use is the zero Relation. NewRelation(-1) used to make a
// relation whose Len was -1, and NewRelation(math.MaxInt) panicked in make.
func TestNewRelationDegenerate(t *testing.T) {
	for _, n := range []int{0, -1, -64, math.MinInt, maxRelationLen + 1, math.MaxInt / 64, math.MaxInt} {
		r := NewRelation(n)
		if r.Len() != 0 || r.bits != nil || len(r.Pairs()) != 0 {
			t.Errorf("NewRelation(%d): Len %d, %d words", n, r.Len(), len(r.bits))
		}
	}
	if !relationFits(maxRelationLen) || relationFits(maxRelationLen+1) || relationFits(0) {
		t.Error("relationFits")
	}
	if r := NewRelation(65); r.Len() != 65 || len(r.bits) != 65*2 {
		t.Errorf("NewRelation(65): Len %d, %d words", r.Len(), len(r.bits))
	}
}

// TestRelationAddOutOfRange: Add of a pair that is not in the relation
// changes nothing and reports false; it used to panic like a slice index
// (on the zero Relation, for Add(0, 0)).
func TestRelationAddOutOfRange(t *testing.T) {
	var zero Relation
	if zero.Add(0, 0) {
		t.Error("the zero Relation took a pair")
	}
	r := NewRelation(3)
	for _, p := range [][2]EventID{{-1, 0}, {0, -1}, {3, 0}, {0, 3}, {math.MinInt, 1}, {1, math.MaxInt}} {
		if r.Add(p[0], p[1]) {
			t.Errorf("Add(%d, %d) on 3 events reported true", p[0], p[1])
		}
	}
	if len(r.Pairs()) != 0 {
		t.Fatalf("out-of-range Adds changed the relation: %v", r.Pairs())
	}
	if !r.Add(2, 0) || !r.Has(2, 0) || len(r.Pairs()) != 1 {
		t.Fatal("Add(2, 0)")
	}
}

// smallExecution is a well-formed execution with a data race: P0 writes
// byte 0 plainly, P1 reads it, both after init.
func smallExecution(t *testing.T) *Execution {
	t.Helper()
	b := NewBuilder()
	main, p0, p1 := b.Agent("main"), b.Agent("P0"), b.Agent("P1")
	b.Init(main, 0, []byte{0})
	w := b.Write(p0, Unordered, true, 0, 0, []byte{1})
	b.Read(p1, Unordered, true, 0, 0, 1, []EventID{w}, []byte{1})
	x, err := b.Execution()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// analysisErrors calls every method of Analysis that returns an error.
func analysisErrors(a *Analysis) map[string]error {
	_, sca := a.SequentiallyConsistentAtomics(ES2024)
	_, value := a.ValueOfReadEvent(2)
	return map[string]error{
		"HostSynchronizesWithValid":       a.HostSynchronizesWithValid(),
		"HappensBeforeStrictPartialOrder": a.HappensBeforeStrictPartialOrder(),
		"ValueOfReadEvent":                value,
		"ValidChosenReads":                a.ValidChosenReads(),
		"CoherentReads":                   a.CoherentReads(),
		"TearFreeReads":                   a.TearFreeReads(),
		"SequentiallyConsistentAtomics":   sca,
		"ValidExecution":                  a.ValidExecution(ES2024),
	}
}

// TestAnalysisNotUsable: on a nil *Analysis, the zero Analysis, one built
// by hand without its relations and one whose X was made malformed after
// Analyze, every method that returns an error returns one that is no
// *Violation and says what is wrong, Races and DataRaces return nil and
// DataRaceFree false. They used to dereference nil or index past the
// relations' bits.
func TestAnalysisNotUsable(t *testing.T) {
	malformed, err := Analyze(smallExecution(t))
	if err != nil {
		t.Fatal(err)
	}
	malformed.X.ReadsBytesFrom[2] = nil // the read now takes its byte from nowhere
	cases := []struct {
		name string
		a    *Analysis
		want string
	}{
		{"nil", nil, "nil *Analysis"},
		{"zero", &Analysis{}, "X is nil"},
		{"no relations", &Analysis{X: smallExecution(t)}, "relations are not over the 3 events"},
		{"malformed X", malformed, "X is not a well-formed execution: read P1:0 needs reads-bytes-from"},
	}
	for _, c := range cases {
		for m, err := range analysisErrors(c.a) {
			var v *Violation
			switch {
			case err == nil:
				t.Errorf("%s: %s: no error", c.name, m)
			case errors.As(err, &v):
				t.Errorf("%s: %s: a *Violation: %v", c.name, m, err)
			case !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Analysis."+m):
				t.Errorf("%s: %s: error %q does not say %q", c.name, m, err, c.want)
			}
		}
		if c.a.Races() != nil || c.a.DataRaces() != nil || c.a.DataRaceFree() {
			t.Errorf("%s: races reported", c.name)
		}
	}
	// The zero Variant is refused before the Analysis is looked at, as
	// documented.
	if err := (*Analysis)(nil).ValidExecution(Variant{}); !errors.Is(err, ErrNoVariant) {
		t.Errorf("nil Analysis, zero Variant: %v", err)
	}
}

// TestAnalysisUsable: an Analysis made by Analyze, and one built by hand
// over an empty execution, give the predicates' results.
func TestAnalysisUsable(t *testing.T) {
	a, err := Analyze(smallExecution(t))
	if err != nil {
		t.Fatal(err)
	}
	for m, err := range analysisErrors(a) {
		if err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	if rs := a.DataRaces(); len(rs) != 1 || rs[0] != (Race{E: 1, D: 2, Data: true}) || len(a.Races()) != 1 || a.DataRaceFree() {
		t.Errorf("races: %v", a.Races())
	}
	for _, a := range []*Analysis{{X: &Execution{}}, must(Analyze(&Execution{}))} {
		for m, err := range analysisErrors(a) {
			if (err != nil) != (m == "ValueOfReadEvent") { // event 2 does not exist
				t.Errorf("empty execution: %s: %v", m, err)
			}
		}
		if a.Races() != nil || !a.DataRaceFree() {
			t.Error("empty execution: races")
		}
	}
}

func must[T any](x T, err error) T {
	if err != nil {
		panic(err)
	}
	return x
}

// TestNilContextAndCmp: EnumerateContext and EnumerateLimit with a nil
// context, and SortFuncContext with a nil context or comparison function,
// return an error naming it; they used to call through nil.
func TestNilContextAndCmp(t *testing.T) {
	p := prog("SB", 2, []Op{st(0, 1, sc), ld("r0", 1, sc)}, []Op{st(1, 1, sc), ld("r0", 0, sc)})
	if outs, err := EnumerateContext(nil, p, ES2024); outs != nil || err == nil || !strings.Contains(err.Error(), "nil context") {
		t.Errorf("EnumerateContext(nil): %v, %v", outs, err)
	}
	if outs, err := EnumerateLimit(nil, p, ES2024, 10); outs != nil || err == nil || !strings.Contains(err.Error(), "nil context") {
		t.Errorf("EnumerateLimit(nil): %v, %v", outs, err)
	}
	s := []int{3, 1, 2}
	if err := SortFuncContext(nil, s, func(a, b int) int { return a - b }); err == nil || !strings.Contains(err.Error(), "nil context") {
		t.Errorf("SortFuncContext(nil ctx): %v", err)
	}
	if err := SortFuncContext(context.Background(), s, nil); err == nil || !strings.Contains(err.Error(), "nil comparison") {
		t.Errorf("SortFuncContext(nil cmp): %v", err)
	}
	if s[0] != 3 || s[1] != 1 || s[2] != 2 {
		t.Errorf("s changed: %v", s)
	}
	var empty []int
	if err := SortFuncContext(context.Background(), empty, nil); err == nil {
		t.Error("a nil cmp is an error even for an empty slice")
	}
}

// TestValidateHostileProgram: Validate refuses an operation whose byte
// index is so large that ByteIndex+ElementSize overflows (it used to pass
// it, and Enumerate then indexed Init at a negative offset and panicked),
// and a program with more than MaxAgents agents (each costs events even
// without operations, so they made Enumerate's relations grow without
// bound).
func TestValidateHostileProgram(t *testing.T) {
	for _, idx := range []int{math.MaxInt, math.MaxInt - 3, math.MaxInt - 7, math.MinInt, -1} {
		p := prog("far", 2, []Op{{Kind: AccessLoad, Order: sc, ByteIndex: idx, ElementSize: 8, Reg: "r"}})
		var pe *ProgramError
		if err := p.Validate(); !errors.As(err, &pe) || !strings.Contains(err.Error(), "outside the 8-byte block") {
			t.Errorf("byte index %d: %v", idx, err)
		}
		if outs, err := Enumerate(p, ES2024); outs != nil || err == nil {
			t.Errorf("Enumerate with byte index %d: %v", idx, err)
		}
	}
	p := prog("crowd", 1)
	for i := 0; i <= MaxAgents; i++ {
		p.Agents = append(p.Agents, ProgramAgent{Name: fmt.Sprint("P", i)})
	}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "MaxAgents") {
		t.Errorf("%d agents: %v", len(p.Agents), err)
	}
	p.Agents = p.Agents[:MaxAgents]
	p.Agents[0].Ops = []Op{ld("r0", 0, sc)}
	if outs, err := Enumerate(p, ES2024); err != nil || len(outs) != 1 {
		t.Errorf("%d agents: %d outcomes, %v", len(p.Agents), len(outs), err)
	}
}

// TestRangeExtremes: Intersects, Overlapping, Disjoint and Contains agree
// with exact arithmetic for ranges at the extremes of int, where End
// overflows (they used to compare against the wrapped End and answer
// wrongly: Range{Start: MaxInt, Size: 1} did not contain byte MaxInt).
func TestRangeExtremes(t *testing.T) {
	vals := []int{math.MinInt, math.MinInt + 1, -2, -1, 0, 1, 2, 3, math.MaxInt - 1, math.MaxInt}
	bi := func(x int) *big.Int { return big.NewInt(int64(x)) }
	end := func(r Range) *big.Int { return new(big.Int).Add(bi(r.Start), bi(r.Size)) }
	str := func(r Range) string { return fmt.Sprintf("{Block: %d, Start: %d, Size: %d}", r.Block, r.Start, r.Size) }
	var rs []Range
	for _, s := range vals {
		for _, n := range vals {
			rs = append(rs, Range{Start: s, Size: n})
		}
	}
	for _, r := range rs {
		for _, b := range vals {
			want := r.Size > 0 && b >= r.Start && bi(b).Cmp(end(r)) < 0
			if got := r.Contains(0, b); got != want {
				t.Errorf("%s.Contains(%d) = %v", str(r), b, got)
			}
		}
		for _, o := range rs {
			want := r.Size > 0 && o.Size > 0 && bi(r.Start).Cmp(end(o)) < 0 && bi(o.Start).Cmp(end(r)) < 0
			if got := r.Intersects(o); got != want {
				t.Errorf("%s.Intersects(%s) = %v", str(r), str(o), got)
			}
			fits := func(r Range) bool { return end(r).IsInt64() && end(r).Int64() == int64(r.End()) }
			if fits(r) && fits(o) && r.intersects(o) != want {
				t.Errorf("%s.intersects(%s) = %v", str(r), str(o), !want)
			}
			if r.Overlapping(o) != (want && r != o) || r.Disjoint(o) != (!want && r != o) {
				t.Errorf("%s vs %s: Overlapping %v Disjoint %v", str(r), str(o), r.Overlapping(o), r.Disjoint(o))
			}
		}
		if r.Intersects(Range{Block: 1, Start: r.Start, Size: r.Size}) || r.Contains(1, r.Start) {
			t.Errorf("%s meets a range of another block", str(r))
		}
	}
}

// TestCheckRangeOverflow: Check refuses an event whose range reaches past
// the largest int; it used to pass the event and report its read as
// taking a byte from a write whose (wrapped) range did not hold it.
func TestCheckRangeOverflow(t *testing.T) {
	b := NewBuilder()
	a := b.Agent("a")
	w := b.Write(a, Unordered, false, 0, math.MaxInt, []byte{1})
	b.Read(a, Unordered, false, 0, math.MaxInt, 1, []EventID{w}, []byte{1})
	if _, err := b.Execution(); err == nil || !strings.Contains(err.Error(), "reach past the largest int") {
		t.Fatalf("Execution: %v", err)
	}
	b = NewBuilder()
	a = b.Agent("a")
	w = b.Write(a, Unordered, false, 0, math.MaxInt-1, []byte{1})
	b.Read(a, Unordered, false, 0, math.MaxInt-1, 1, []EventID{w}, []byte{1})
	if _, err := b.Execution(); err != nil {
		t.Fatalf("a 1-byte range ending at the largest int: %v", err)
	}
}

// TestValueOfReadEventMalformed: ValueOfReadEvent checks only the events
// the value depends on (so that its cost does not grow with X), each as
// Execution.Check would: a malformed one gives Check's error, never a
// panic, a value or a *Violation.
func TestValueOfReadEventMalformed(t *testing.T) {
	// Events: init 0 and 1, P0's write 2 (byte 0), P0's add 3 (byte 1),
	// P1's read 4 of bytes 0-1 from 2 and 3.
	build := func() *Analysis {
		b := NewBuilder()
		main, p0, p1 := b.Agent("main"), b.Agent("P0"), b.Agent("P1")
		init := b.Init(main, 0, []byte{0, 0})
		w := b.Write(p0, Unordered, true, 0, 0, []byte{7})
		add := b.ReadModifyWrite(p0, Add, 0, 1, []byte{2}, []EventID{init[1]}, []byte{0})
		b.Read(p1, Unordered, false, 0, 0, 2, []EventID{w, add}, []byte{7, 2})
		return must(Analyze(must(b.Execution())))
	}
	if v, err := build().ValueOfReadEvent(4); err != nil || !bytes.Equal(v, []byte{7, 2}) {
		t.Fatalf("value: % x, %v", v, err)
	}
	cases := map[string]func(x *Execution){
		"source out of range":   func(x *Execution) { x.ReadsBytesFrom[4][0] = 99 },
		"negative source":       func(x *Execution) { x.ReadsBytesFrom[4][1] = -1 },
		"reads from itself":     func(x *Execution) { x.ReadsBytesFrom[4][0] = 4 },
		"a host source":         func(x *Execution) { x.Events[2] = Event{Kind: HostEvent, Agent: 1} },
		"a read source":         func(x *Execution) { x.ReadsBytesFrom[4][0] = 4; x.ReadsBytesFrom[4][1] = 4 },
		"another block":         func(x *Execution) { x.Events[2].Block = 1 },
		"long payload":          func(x *Execution) { x.Events[2].Payload = []byte{7, 7} },
		"byte not held":         func(x *Execution) { x.ReadsBytesFrom[4][1] = 2 },
		"ModifyOp(99)":          func(x *Execution) { x.Events[3].ModifyOp = 99 },
		"too few sources":       func(x *Execution) { x.ReadsBytesFrom[4] = x.ReadsBytesFrom[4][:1] },
		"no sources of the rmw": func(x *Execution) { x.ReadsBytesFrom[3] = nil },
		"huge element size":     func(x *Execution) { x.Events[4].ElementSize = math.MaxInt },
		"short ReadsBytesFrom":  func(x *Execution) { x.ReadsBytesFrom = x.ReadsBytesFrom[:4] },
		"range past MaxInt":     func(x *Execution) { x.Events[4].ByteIndex = math.MaxInt - 1 },
	}
	for name, mutate := range cases {
		a := build()
		mutate(a.X)
		v, err := a.ValueOfReadEvent(4)
		var viol *Violation
		if v != nil || err == nil || errors.As(err, &viol) || !strings.Contains(err.Error(), "X is not a well-formed execution") {
			t.Errorf("%s: % x, %v", name, v, err)
		}
	}
}

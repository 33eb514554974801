package model

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// xb builds candidate executions by hand. Agent 0 is the creator, which
// performs the init writes of a block of size bytes.
type xb struct {
	x    *Execution
	init []EventID
}

func newX(agents, size int) *xb {
	b := &xb{x: &Execution{AgentOrder: make([][]EventID, agents)}}
	for i := 0; i < size; i++ {
		b.init = append(b.init, b.add(Event{Kind: WriteSharedMemory, Agent: 0, Name: "init" + string(rune('0'+i)), Order: Init, NoTear: true, ByteIndex: i, ElementSize: 1, Payload: []byte{0}}))
	}
	return b
}

func (b *xb) add(e Event) EventID {
	id := EventID(len(b.x.Events))
	b.x.Events = append(b.x.Events, e)
	b.x.AgentOrder[e.Agent] = append(b.x.AgentOrder[e.Agent], id)
	b.x.ReadsBytesFrom = append(b.x.ReadsBytesFrom, nil)
	b.x.ChosenValues = append(b.x.ChosenValues, nil)
	return id
}

func (b *xb) w(name string, agent int, o Order, idx, size int, v uint64) EventID {
	return b.add(Event{Kind: WriteSharedMemory, Agent: agent, Name: name, Order: o, NoTear: idx%size == 0, ByteIndex: idx, ElementSize: size, Payload: leBytes(v, size)})
}

// r adds a read whose bytes come from the given writes (one per byte; a
// single write is repeated for every byte; -1 means the byte's init write).
func (b *xb) r(name string, agent int, o Order, idx, size int, from ...EventID) EventID {
	id := b.add(Event{Kind: ReadSharedMemory, Agent: agent, Name: name, Order: o, NoTear: idx%size == 0, ByteIndex: idx, ElementSize: size})
	b.from(id, from...)
	return id
}

func (b *xb) rmw(name string, agent int, m ModifyOp, idx, size int, v uint64, from ...EventID) EventID {
	id := b.add(Event{Kind: ReadModifyWriteSharedMemory, Agent: agent, Name: name, Order: SeqCst, NoTear: true, ByteIndex: idx, ElementSize: size, Payload: leBytes(v, size), ModifyOp: m})
	b.from(id, from...)
	return id
}

func (b *xb) from(id EventID, from ...EventID) {
	e := &b.x.Events[id]
	src := make([]EventID, e.ElementSize)
	for i := range src {
		f := from[0]
		if len(from) == e.ElementSize {
			f = from[i]
		}
		if f < 0 {
			f = b.init[e.ByteIndex+i]
		}
		src[i] = f
	}
	b.x.ReadsBytesFrom[id] = src
}

// done fills in the chosen values from the sources (so valid chosen reads
// holds unless a test changes them) and analyzes the execution.
func (b *xb) done(t *testing.T) *Analysis {
	t.Helper()
	for i := range b.x.Events {
		if b.x.Events[i].IsRead() {
			b.x.ChosenValues[i] = make([]byte, b.x.Events[i].ElementSize)
		}
	}
	a, err := Analyze(b.x)
	if err != nil {
		t.Fatalf("malformed execution: %v", err)
	}
	for i := range b.x.Events {
		if b.x.Events[i].IsRead() {
			if v, viol := a.ValueOfReadEvent(EventID(i)); viol == nil {
				b.x.ChosenValues[i] = v
			}
		}
	}
	return a
}

// wantViolation asserts err is a *Violation of pred naming every event of ids.
func wantViolation(t *testing.T, err error, pred string, ids ...EventID) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %q violation, got none", pred)
	}
	var v *Violation
	if !errors.As(err, &v) {
		t.Fatalf("want a %q violation, got the error %v", pred, err)
	}
	if v.Predicate != pred {
		t.Fatalf("want a %q violation, got %v", pred, v)
	}
	for _, id := range ids {
		found := false
		for _, e := range v.Events {
			found = found || e == id
		}
		if !found {
			t.Fatalf("violation %v does not name event %d (names %v)", v, id, v.Events)
		}
	}
	if v.Message == "" || !strings.Contains(v.Error(), pred) {
		t.Fatalf("violation without a sentence: %#v", v)
	}
}

func wantNone(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected violation: %v", err)
	}
}

// mpSC is MP with a seq-cst flag: P1 reads the flag from P0 and the data
// from data (a write or -1 for init).
func mpSC(dataFrom int) (*xb, EventID, EventID, EventID, EventID) {
	b := newX(3, 8)
	wx := b.w("Wx", 1, Unordered, 0, 4, 1)
	wy := b.w("Wy", 1, SeqCst, 4, 4, 1)
	ry := b.r("Ry", 2, SeqCst, 4, 4, wy)
	src := wx
	if dataFrom < 0 {
		src = -1
	}
	rx := b.r("Rx", 2, Unordered, 0, 4, src)
	return b, wx, wy, ry, rx
}

func TestHappensBeforeStrictPartialOrder(t *testing.T) {
	b, _, _, _, _ := mpSC(0)
	wantNone(t, b.done(t).HappensBeforeStrictPartialOrder())

	// LB with seq-cst accesses reading each other's writes: cycle.
	b = newX(3, 8)
	rx := b.add(Event{Kind: ReadSharedMemory, Agent: 1, Name: "Rx", Order: SeqCst, NoTear: true, ByteIndex: 0, ElementSize: 4})
	wy := b.w("Wy", 1, SeqCst, 4, 4, 1)
	ry := b.r("Ry", 2, SeqCst, 4, 4, wy)
	wx := b.w("Wx", 2, SeqCst, 0, 4, 1)
	b.from(rx, wx)
	a := b.done(t)
	wantViolation(t, a.HappensBeforeStrictPartialOrder(), PredHappensBefore, rx, wy, ry, wx)
	wantViolation(t, a.ValidExecution(ES2024), PredHappensBefore)

	// the same with plain accesses is no cycle (load buffering).
	b = newX(3, 8)
	rx = b.add(Event{Kind: ReadSharedMemory, Agent: 1, Name: "Rx", Order: Unordered, NoTear: true, ByteIndex: 0, ElementSize: 4})
	wy = b.w("Wy", 1, Unordered, 4, 4, 1)
	b.r("Ry", 2, Unordered, 4, 4, wy)
	wx = b.w("Wx", 2, Unordered, 0, 4, 1)
	b.from(rx, wx)
	a = b.done(t)
	wantNone(t, a.ValidExecution(ES2024))
	wantViolation(t, a.ValidExecution(SC), PredSequential)
}

func TestValidChosenReads(t *testing.T) {
	b, wx, _, _, rx := mpSC(0)
	a := b.done(t)
	wantNone(t, a.ValidChosenReads())
	b.x.ChosenValues[rx] = []byte{2, 0, 0, 0}
	wantViolation(t, a.ValidChosenReads(), PredValidChosenReads, rx, wx)
	b.x.ChosenValues[rx] = []byte{1, 0, 0}
	wantViolation(t, a.ValidChosenReads(), PredValidChosenReads, rx)

	// read-modify-writes: an add reading 1 writes 3; a read of it sees 3.
	b = newX(3, 4)
	w := b.w("W", 1, SeqCst, 0, 4, 1)
	add := b.rmw("Add", 1, Add, 0, 4, 2, w)
	r := b.r("R", 2, SeqCst, 0, 4, add)
	a = b.done(t)
	if got := b.x.ChosenValues[r]; got[0] != 3 {
		t.Fatalf("value through add = %v, want 3", got)
	}
	wantNone(t, a.ValidChosenReads())

	// two overlapping read-modify-writes whose values depend on each other.
	b = newX(3, 4)
	o1 := b.add(Event{Kind: ReadModifyWriteSharedMemory, Agent: 1, Name: "Or4", Order: SeqCst, NoTear: true, ElementSize: 4, Payload: leBytes(1, 4), ModifyOp: Or})
	o2 := b.rmw("Or1", 2, Or, 0, 1, 1, o1)
	b.from(o1, o2, -1, -1, -1)
	a = b.done(t)
	wantViolation(t, a.ValidChosenReads(), PredValidChosenReads, o1, o2)
}

func TestCoherentReads(t *testing.T) {
	b, _, _, _, _ := mpSC(0)
	wantNone(t, b.done(t).CoherentReads())

	// stale data after the seq-cst flag: Wx happens-before Rx.
	b, wx, _, _, rx := mpSC(-1)
	a := b.done(t)
	wantViolation(t, a.CoherentReads(), PredCoherentReads, rx, b.init[0], wx)

	// a read of a write that comes later in its own agent.
	b = newX(2, 4)
	r := b.add(Event{Kind: ReadSharedMemory, Agent: 1, Name: "R", Order: Unordered, NoTear: true, ElementSize: 4})
	w := b.w("W", 1, Unordered, 0, 4, 1)
	b.from(r, w)
	wantViolation(t, b.done(t).CoherentReads(), PredCoherentReads, r, w)

	// CoRR with plain accesses is coherent.
	b = newX(3, 4)
	w = b.w("W", 1, Unordered, 0, 4, 1)
	b.r("R1", 2, Unordered, 0, 4, w)
	b.r("R2", 2, Unordered, 0, 4, -1)
	wantNone(t, b.done(t).ValidExecution(ES2024))
}

func TestTearFreeReads(t *testing.T) {
	tear := func(noTear bool, size2 int) (*Analysis, EventID, EventID, EventID) {
		b := newX(4, 4)
		w1 := b.w("W1", 1, Unordered, 0, 4, 0x11111111)
		w2 := b.w("W2", 2, Unordered, 0, size2, 0x22222222)
		r := b.r("R", 3, Unordered, 0, 4, w1, w1, w2, w2)
		if size2 == 2 {
			b.x.ReadsBytesFrom[r] = []EventID{w2, w2, w1, w1}
		}
		b.x.Events[r].NoTear = noTear
		return b.done(t), r, w1, w2
	}
	a, r, w1, w2 := tear(true, 4)
	wantViolation(t, a.TearFreeReads(), PredTearFreeReads, r, w1, w2)
	a, _, _, _ = tear(false, 4) // e.g. a DataView read may tear
	wantNone(t, a.TearFreeReads())
	a, _, _, _ = tear(true, 2) // overlapping, not equal, ranges may mix
	wantNone(t, a.TearFreeReads())
	wantNone(t, a.ValidExecution(ES2024))
}

// sbSC is store buffering with seq-cst accesses where both reads see init.
func sbSC(t *testing.T) (*Analysis, []EventID) {
	b := newX(3, 8)
	wx := b.w("Wx", 1, SeqCst, 0, 4, 1)
	ry := b.r("Ry", 1, SeqCst, 4, 4, -1)
	wy := b.w("Wy", 2, SeqCst, 4, 4, 1)
	rx := b.r("Rx", 2, SeqCst, 0, 4, -1)
	return b.done(t), []EventID{wx, ry, wy, rx}
}

func TestSequentiallyConsistentAtomics(t *testing.T) {
	a, ids := sbSC(t)
	for _, v := range []Variant{ES2024, ES2017} {
		_, viol := a.SequentiallyConsistentAtomics(v)
		wantViolation(t, viol, PredSCAtomics, ids...)
	}
	_, viol := a.SequentiallyConsistentAtomics(SC)
	wantViolation(t, viol, PredSequential)

	// MP with a seq-cst flag, data read from Wx: a memory-order exists,
	// and checking it as given passes; reversing it breaks happens-before.
	b, wx, wy, ry, rx := mpSC(0)
	a = b.done(t)
	mo, viol := a.SequentiallyConsistentAtomics(ES2024)
	wantNone(t, viol)
	b.x.MemoryOrder = mo
	_, viol = a.SequentiallyConsistentAtomics(ES2024)
	wantNone(t, viol)
	rev := make([]EventID, len(mo))
	for i, id := range mo {
		rev[len(mo)-1-i] = id
	}
	b.x.MemoryOrder = rev
	_, viol = a.SequentiallyConsistentAtomics(ES2024)
	wantViolation(t, viol, PredSCAtomics)
	_ = []EventID{wx, wy, ry, rx}
}

// TestVariantsSeparate checks the two counterexamples on hand-built
// executions: issue #1354 (es2017 valid, es2024 not) and the ARMv8 example
// of PR #1511 (es2024 valid, es2017 not).
func TestVariantsSeparate(t *testing.T) {
	// issue #1354: W1 x=1; Wy y=1 || W2 x=2; Ry y (=1); R1 x (=2); R2 x (=1)
	b := newX(3, 8)
	w1 := b.w("W1", 1, SeqCst, 0, 4, 1)
	wy := b.w("Wy", 1, SeqCst, 4, 4, 1)
	w2 := b.w("W2", 2, SeqCst, 0, 4, 2)
	b.r("Ry", 2, SeqCst, 4, 4, wy)
	b.r("R1", 2, Unordered, 0, 4, w2)
	r2 := b.r("R2", 2, Unordered, 0, 4, w1)
	a := b.done(t)
	wantNone(t, a.ValidExecution(ES2017))
	wantViolation(t, a.ValidExecution(ES2024), PredSCAtomics, w1, w2, r2)
	if !a.DataRaceFree() {
		t.Fatalf("issue #1354's execution should be data-race free; data races: %v", a.DataRaces())
	}

	// PR #1511: a x=1; b x=2; c y=1 (plain); d z=1 || e y=2; f x (a); g z (d); h y (e)
	b = newX(3, 12)
	ea := b.w("a", 1, SeqCst, 0, 4, 1)
	b.w("b", 1, SeqCst, 0, 4, 2)
	ec := b.w("c", 1, Unordered, 4, 4, 1)
	ed := b.w("d", 1, SeqCst, 8, 4, 1)
	ee := b.w("e", 2, SeqCst, 4, 4, 2)
	b.r("f", 2, SeqCst, 0, 4, ea)
	b.r("g", 2, SeqCst, 8, 4, ed)
	eh := b.r("h", 2, SeqCst, 4, 4, ee)
	a = b.done(t)
	wantNone(t, a.ValidExecution(ES2024))
	wantViolation(t, a.ValidExecution(ES2017), PredSCAtomics, ee, ec, eh)
}

func TestRaces(t *testing.T) {
	// MP plain, data read from Wx without synchronization: Wx/Rx race.
	b := newX(3, 8)
	wx := b.w("Wx", 1, Unordered, 0, 4, 1)
	wy := b.w("Wy", 1, Unordered, 4, 4, 1)
	ry := b.r("Ry", 2, Unordered, 4, 4, wy)
	rx := b.r("Rx", 2, Unordered, 0, 4, wx)
	a := b.done(t)
	races := a.DataRaces()
	if len(races) != 2 || races[0] != (Race{wx, rx, true}) || races[1] != (Race{wy, ry, true}) {
		t.Fatalf("data races = %v, want (Wx,Rx) and (Wy,Ry)", races)
	}
	if a.DataRaceFree() {
		t.Fatal("MP plain is not data-race free")
	}

	// MP with a seq-cst flag: the flag synchronizes, so nothing races.
	b2, _, _, _, _ := mpSC(0)
	a = b2.done(t)
	if got := a.Races(); len(got) != 0 {
		t.Fatalf("races = %v, want none", got)
	}
	if !a.DataRaceFree() {
		t.Fatalf("MP+sc-flag is data-race free, data races: %v", a.DataRaces())
	}

	// mixed-size seq-cst writes that overlap: a data race.
	b = newX(3, 4)
	w4 := b.w("W4", 1, SeqCst, 0, 4, 1)
	w1 := b.w("W1", 2, SeqCst, 1, 1, 1)
	a = b.done(t)
	if got := a.DataRaces(); len(got) != 1 || got[0] != (Race{w4, w1, true}) {
		t.Fatalf("data races = %v, want the overlapping seq-cst writes", got)
	}
	// equal-range seq-cst writes race without a data race.
	b = newX(3, 4)
	b.w("A", 1, SeqCst, 0, 4, 1)
	b.w("B", 2, SeqCst, 0, 4, 2)
	a = b.done(t)
	if len(a.Races()) != 1 || !a.DataRaceFree() {
		t.Fatalf("races %v, data races %v", a.Races(), a.DataRaces())
	}
}

func TestHostSynchronizesWith(t *testing.T) {
	b := newX(3, 4)
	send := b.add(Event{Kind: HostEvent, Agent: 1, Name: "send"})
	w := b.w("W", 1, Unordered, 0, 4, 1)
	recv := b.add(Event{Kind: HostEvent, Agent: 2, Name: "recv"})
	r := b.r("R", 2, Unordered, 0, 4, -1)
	b.x.HostSynchronizesWith = [][2]EventID{{send, recv}}
	a := b.done(t)
	// W is after send, so the host edge does not order W before R: R may read init.
	wantNone(t, a.ValidExecution(ES2024))
	// send after W: now W happens-before R and R reading init is incoherent.
	b.x.AgentOrder[1] = []EventID{w, send}
	a, err := Analyze(b.x)
	if err != nil {
		t.Fatal(err)
	}
	wantViolation(t, a.ValidExecution(ES2024), PredCoherentReads, r, w)
	// a host edge against agent-order makes a cycle.
	b.x.HostSynchronizesWith = [][2]EventID{{send, recv}, {recv, send}}
	a, _ = Analyze(b.x)
	wantViolation(t, a.HostSynchronizesWithValid(), PredHostSynchronizesWith, send, recv)
}

func TestCheckMalformed(t *testing.T) {
	cases := map[string]func(b *xb, r EventID){
		"one write per byte": func(b *xb, r EventID) { b.x.ReadsBytesFrom[r] = b.x.ReadsBytesFrom[r][:2] },
		"from itself":        func(b *xb, r EventID) { b.x.ReadsBytesFrom[r][0] = r },
		"does not hold it":   func(b *xb, r EventID) { b.x.ReadsBytesFrom[r][0] = b.init[3] },
		"no agent":           func(b *xb, r EventID) { b.x.AgentOrder[2] = nil },
		"not a write":        func(b *xb, r EventID) { b.x.ReadsBytesFrom[r][0] = r - 1 },
		"no chosen value":    func(b *xb, r EventID) { b.x.ChosenValues[r] = nil },
		"not aligned":        func(b *xb, r EventID) { b.x.Events[r].ByteIndex = 2 },
		"memory-order":       func(b *xb, r EventID) { b.x.MemoryOrder = []EventID{0, 0} },
		"relates a non-host": func(b *xb, r EventID) { b.x.HostSynchronizesWith = [][2]EventID{{0, r}} },
		"always seq-cst": func(b *xb, r EventID) {
			b.x.Events[r].Kind, b.x.Events[r].Order = ReadModifyWriteSharedMemory, Unordered
		},
		"order is seq-cst or": func(b *xb, r EventID) { b.x.Events[r].Order = Init },
	}
	for want, mutate := range cases {
		b := newX(3, 4)
		b.r("R0", 2, Unordered, 0, 4, -1)
		r := b.r("R", 2, Unordered, 0, 4, -1)
		b.done(t)
		mutate(b, r)
		if _, err := Analyze(b.x); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("mutation %q: Analyze error = %v", want, err)
		}
	}
}

// TestPredicatesNilError stores each predicate's result in an error
// variable, as callers do: on a valid execution it must be a nil error, not
// a nil *Violation inside a non-nil error (the typed-nil trap).
func TestPredicatesNilError(t *testing.T) {
	b, _, _, ry, _ := mpSC(0)
	a := b.done(t)
	var err error
	for name, check := range map[string]func() error{
		"HostSynchronizesWithValid":       a.HostSynchronizesWithValid,
		"HappensBeforeStrictPartialOrder": a.HappensBeforeStrictPartialOrder,
		"ValidChosenReads":                a.ValidChosenReads,
		"CoherentReads":                   a.CoherentReads,
		"TearFreeReads":                   a.TearFreeReads,
	} {
		if err = check(); err != nil {
			t.Errorf("%s on a valid execution: err = %#v, want nil", name, err)
		}
	}
	for _, v := range []Variant{ES2024, ES2017, SC} {
		if err = a.ValidExecution(v); err != nil {
			t.Errorf("Analysis.ValidExecution(%s): err = %#v, want nil", v, err)
		}
		if _, err = a.SequentiallyConsistentAtomics(v); err != nil {
			t.Errorf("SequentiallyConsistentAtomics(%s): err = %#v, want nil", v, err)
		}
		if err = ValidExecution(b.x, v); err != nil {
			t.Errorf("ValidExecution(x, %s): err = %#v, want nil", v, err)
		}
	}
	if _, err = a.ValueOfReadEvent(ry); err != nil {
		t.Errorf("ValueOfReadEvent: err = %#v, want nil", err)
	}
	// a violation comes back through errors.As; a non-read has no value
	b.x.ChosenValues[ry] = []byte{9, 9, 9, 9}
	var viol *Violation
	if err = ValidExecution(b.x, ES2024); !errors.As(err, &viol) || viol.Predicate != PredValidChosenReads {
		t.Errorf("ValidExecution of a wrong chosen value: %v, want a *Violation of %q", err, PredValidChosenReads)
	}
	if _, err = a.ValueOfReadEvent(b.init[0]); err == nil || errors.As(err, &viol) {
		t.Errorf("ValueOfReadEvent of an init write: %v, want an error that is not a Violation", err)
	}
	if err = ValidExecution(nil, ES2024); err == nil {
		t.Error("ValidExecution(nil) accepted")
	}
}

// TestZeroVariant checks that every function taking a Variant refuses the
// zero Variant with ErrNoVariant rather than picking a model.
func TestZeroVariant(t *testing.T) {
	var zero Variant
	b, _, _, _, _ := mpSC(0)
	a := b.done(t)
	if _, err := a.SequentiallyConsistentAtomics(zero); !errors.Is(err, ErrNoVariant) {
		t.Errorf("SequentiallyConsistentAtomics: %v", err)
	}
	if err := a.ValidExecution(zero); !errors.Is(err, ErrNoVariant) {
		t.Errorf("Analysis.ValidExecution: %v", err)
	}
	if err := ValidExecution(b.x, zero); !errors.Is(err, ErrNoVariant) {
		t.Errorf("ValidExecution: %v", err)
	}
	p := prog("p", 1, []Op{st(0, 1, na)})
	if _, err := Enumerate(p, zero); !errors.Is(err, ErrNoVariant) {
		t.Errorf("Enumerate: %v", err)
	}
	if _, err := EnumerateContext(context.Background(), p, zero); !errors.Is(err, ErrNoVariant) {
		t.Errorf("EnumerateContext: %v", err)
	}
	if _, err := EnumerateLimit(context.Background(), p, zero, 10); !errors.Is(err, ErrNoVariant) {
		t.Errorf("EnumerateLimit: %v", err)
	}
	if zero.Name() != "" || zero.String() != "Variant{}" || zero.Description() == "" {
		t.Errorf("zero Variant: Name %q, String %q, Description %q", zero.Name(), zero.String(), zero.Description())
	}
	for _, v := range []Variant{ES2024, ES2017, SC} {
		if v == zero || !v.valid() {
			t.Errorf("%s is not a valid variant", v)
		}
	}
}

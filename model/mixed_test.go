package model

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

// verdicts checks one outcome's verdict under each variant and validates
// every witness.
func verdicts(t *testing.T, p *Program, cond string, es2024, es2017, sc bool) {
	t.Helper()
	for _, c := range []struct {
		v    Variant
		want bool
	}{{ES2024, es2024}, {ES2017, es2017}, {SC, sc}} {
		outs := mustEnumerate(t, p, c.v)
		if got := allowed(outs, cond); got != c.want {
			t.Errorf("%s under %s: %q allowed=%v, want %v\nstates: %v", p.Name, c.v, cond, got, c.want, keys(outs))
		}
		checkWitnesses(t, p, c.v, outs)
	}
}

// memories lists the distinct final memories of the outcomes.
func memories(outs []Outcome) map[string]bool {
	m := map[string]bool{}
	for _, o := range outs {
		m[string(o.State.Memory())] = true
	}
	return m
}

func TestTearing(t *testing.T) {
	// Two plain Int32 writes race with a plain Int32 read: tear-free reads
	// forbid mixing the two equal-range writes (ECMA-262 "Tear Free
	// Reads" and its note).
	p := prog("tear-equal", 1, []Op{st(0, 0x11111111, na)}, []Op{st(0, 0x22222222, na)}, []Op{ld("r0", 0, na)})
	verdicts(t, p, "2:r0=0x11112222", false, false, false)
	verdicts(t, p, "2:r0=0x22222222", true, true, true)
	// Init writes are 1-byte events (CreateSharedByteDataBlock), so their
	// ranges never equal a 4-byte read's: tear-free reads does not stop a
	// racing read from mixing init bytes with a write's (also allowed by
	// Watt et al.'s Alloy model, whose init write is one event of a
	// different range). SC forbids it.
	verdicts(t, p, "2:r0=0x00001111", true, true, false)
	// A NoTear=false read (a DataView or float access) may mix any writes.
	p.Agents[2].Ops[0].NoTear = false
	verdicts(t, p, "2:r0=0x11112222", true, true, false)
	// Writes through overlapping views (Int16 halves) may be mixed by a
	// NoTear Int32 read: only equal ranges are protected.
	half := func(b int, v uint64) Op { return sized(AccessStore, na, b, 2, v, "") }
	p = prog("tear-views", 1, []Op{half(0, 0x1111), half(2, 0x1111)}, []Op{st(0, 0x22222222, na)}, []Op{ld("r0", 0, na)})
	verdicts(t, p, "2:r0=0x22221111", true, true, true)
	verdicts(t, p, "2:r0=0x11112222", true, true, true)
}

func TestMixedSizeMessagePassing(t *testing.T) {
	// The flag is written as Int32 and read as Uint8 with Atomics: seq-cst
	// events of different ranges do not synchronize (ECMA-262
	// synchronizes-with requires equal ranges), so the stale read is allowed.
	flag8 := sized(AccessLoad, sc, 4, 1, 0, "r0")
	p := prog("MP+mixed-flag", 2, []Op{st(0, 1, na), st(1, 1, sc)}, []Op{flag8, ld("r1", 0, na)})
	verdicts(t, p, "1:r0=1 1:r1=0", true, true, false)
	// with an Int32 flag read the same outcome is forbidden.
	p = prog("MP+sc-flag", 2, []Op{st(0, 1, na), st(1, 1, sc)}, []Op{ld("r0", 1, sc), ld("r1", 0, na)})
	verdicts(t, p, "1:r0=1 1:r1=0", false, false, false)
}

func TestBytewiseAtomics(t *testing.T) {
	add8 := func(b int) Op {
		op := sized(AccessRMW, sc, b, 1, 1, "")
		op.Modify = Add
		return op
	}
	// byte-wise read-modify-writes in one word are atomic per byte: the
	// final word is exactly bytes 2,1,0,0 under every variant.
	p := prog("bytewise", 1, []Op{add8(0)}, []Op{add8(1)}, []Op{add8(0)}, []Op{ld("r0", 0, sc)})
	for _, v := range []Variant{ES2024, ES2017, SC} {
		outs := mustEnumerate(t, p, v)
		if m := memories(outs); len(m) != 1 || !m["\x02\x01\x00\x00"] {
			t.Errorf("%s: final memories %v, want only 02 01 00 00", v, m)
		}
		checkWitnesses(t, p, v, outs)
	}
	// An Int32 add and a Uint8 add on the same byte have overlapping, not
	// equal, ranges: nothing orders them, and the update can be lost
	// (final byte 0 = 1) except under SC.
	add32 := rmw("", 0, Add, 1)
	p = prog("mixed-rmw", 1, []Op{add32}, []Op{add8(0)})
	verdicts(t, p, "m0=1", true, true, false)
	verdicts(t, p, "m0=2", true, true, true)
}

func TestReadModifyWrite(t *testing.T) {
	// two Atomics.add on one cell: no lost update in any variant.
	p := prog("2add", 1, []Op{rmw("r0", 0, Add, 1)}, []Op{rmw("r0", 0, Add, 1)})
	verdicts(t, p, "m0=1", false, false, false)
	verdicts(t, p, "0:r0=0 1:r0=1 m0=2", true, true, true)
	// compareExchange as a lock: both cannot succeed.
	p = prog("2cas", 1, []Op{cas("r0", 0, 0, 1)}, []Op{cas("r0", 0, 0, 2)})
	verdicts(t, p, "0:r0=0 1:r0=0", false, false, false)
	verdicts(t, p, "0:r0=0 1:r0=1 m0=1", true, true, true)
	// a failing compareExchange writes nothing (PR #2250: it is a read).
	p = prog("cas-fail", 1, []Op{cas("r0", 0, 5, 1)}, []Op{ld("r1", 0, sc)})
	outs := mustEnumerate(t, p, ES2024)
	if len(outs) != 1 || !holds(outs[0].State, "0:r0=0 1:r1=0 m0=0") {
		t.Fatalf("failing compareExchange: %v", keys(outs))
	}
	for id, e := range outs[0].Witness().Events {
		if e.Name == "P0:0" && e.Kind != ReadSharedMemory {
			t.Fatalf("failing compareExchange event %d is %s, want ReadSharedMemory", id, e.Kind)
		}
	}
	// every ModifyOp, sequentially: 5 -2 = 3, &6 = 2, |8 = 10, ^3 = 9, xchg 7 -> 7, cas 7->1.
	ops := []Op{st(0, 5, sc), rmw("a", 0, Sub, 2), rmw("b", 0, And, 6), rmw("c", 0, Or, 8), rmw("d", 0, Xor, 3), rmw("e", 0, Exchange, 7), cas("f", 0, 7, 1), ld("g", 0, sc)}
	p = prog("modify-ops", 1, ops)
	outs = mustEnumerate(t, p, ES2024)
	if len(outs) != 1 || !holds(outs[0].State, "0:a=5 0:b=3 0:c=2 0:d=10 0:e=9 0:f=7 0:g=1 m0=1") {
		t.Fatalf("modify ops: %v", keys(outs))
	}
	// sub wraps: 0 - 1 = -1 as Int32.
	p = prog("sub-wrap", 1, []Op{rmw("a", 0, Sub, 1), ld("b", 0, sc)})
	if outs = mustEnumerate(t, p, ES2024); len(outs) != 1 || !holds(outs[0].State, "0:a=0 0:b=-1") {
		t.Fatalf("sub wrap: %v", keys(outs))
	}
}

func TestFinalMemory(t *testing.T) {
	// CoWW: the later write of one agent wins.
	p := prog("CoWW", 1, []Op{st(0, 1, na), st(0, 2, na)})
	for _, v := range []Variant{ES2024, ES2017, SC} {
		if m := memories(mustEnumerate(t, p, v)); len(m) != 1 || !m["\x02\x00\x00\x00"] {
			t.Errorf("CoWW under %s: %v", v, m)
		}
	}
	// racing writes: both final values are allowed, nothing else.
	p = prog("race", 1, []Op{st(0, 1, na)}, []Op{st(0, 2, sc)})
	for _, v := range []Variant{ES2024, ES2017, SC} {
		m := memories(mustEnumerate(t, p, v))
		if len(m) != 2 || !m["\x01\x00\x00\x00"] || !m["\x02\x00\x00\x00"] {
			t.Errorf("racing writes under %s: %v", v, m)
		}
	}
	// racing plain Int32 writes of values differing in several bytes: the
	// final read of the cell is a plain Int32 read, NoTear, so it takes one
	// write whole (tear free reads), under every variant.
	p = prog("race-mix", 1, []Op{st(0, 0x0101, na)}, []Op{st(0, 0x0202, na)})
	for _, v := range []Variant{ES2024, ES2017, SC} {
		if m := memories(mustEnumerate(t, p, v)); len(m) != 2 || m["\x02\x01\x00\x00"] {
			t.Errorf("final memories of racing Int32 writes under %s: %v", v, m)
		}
	}
	// with DataView-like (not NoTear) accesses the final read may mix them.
	p.Agents[0].Ops[0].NoTear = false
	if m := memories(mustEnumerate(t, p, ES2024)); !m["\x02\x01\x00\x00"] {
		t.Errorf("final read of non-NoTear racing writes should be able to mix bytes: %v", m)
	}
	// cells: two Int32 cells and an untouched byte run; an Int16 write into
	// the second cell makes it a mixed-size cell.
	p = prog("cells", 3, []Op{st(0, 1, na), st(1, 1, na)}, []Op{sized(AccessStore, na, 6, 2, 0x0202, "")})
	got := finalCells(p)
	want := []Cell{{Range{0, 0, 4}, true, true}, {Range{0, 4, 4}, true, true}, {Range{0, 8, 4}, false, false}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("finalCells = %v, want %v", got, want)
	}
	// the Int16 write overlaps the Int32 one without equal ranges, so the
	// final read may take each of bytes 6 and 7 from either.
	m := memories(mustEnumerate(t, p, ES2024))
	if len(m) != 4 || !m["\x01\x00\x00\x00\x01\x00\x02\x00\x00\x00\x00\x00"] {
		t.Errorf("cells final memories %q", keysOf(m))
	}
	if m := memories(mustEnumerate(t, p, SC)); len(m) != 2 {
		t.Errorf("cells final memories under SC %q", keysOf(m))
	}
	// no memory at all
	p = &Program{Name: "empty", Agents: []ProgramAgent{{Name: "P0"}}}
	outs := mustEnumerate(t, p, ES2024)
	if len(outs) != 1 || outs[0].State.MemoryLen() != 0 {
		t.Fatalf("empty program: %v", keys(outs))
	}
}

func TestDecodeAndSizes(t *testing.T) {
	u8 := sized(AccessLoad, sc, 0, 1, 0, "u8")
	i8 := u8
	i8.Signed, i8.Reg = true, "i8"
	u16 := sized(AccessLoad, sc, 0, 2, 0, "u16")
	i64 := sized(AccessLoad, sc, 0, 8, 0, "i64")
	i64.Signed = true
	w := sized(AccessStore, sc, 0, 8, ^uint64(0), "")
	p := &Program{Name: "sizes", Size: 8, Init: make([]byte, 8), Agents: []ProgramAgent{{Name: "P0", Ops: []Op{w, u8, i8, u16, i64}}}}
	outs := mustEnumerate(t, p, ES2024)
	if len(outs) != 1 || !holds(outs[0].State, "0:u8=255 0:i8=-1 0:u16=65535 0:i64=-1") {
		t.Fatalf("decoding: %v", keys(outs))
	}
	// plain BigInt64 accesses are not NoTear: a racing read may mix.
	p = &Program{Name: "bigint-tear", Size: 8, Init: make([]byte, 8), Agents: []ProgramAgent{
		{Name: "P0", Ops: []Op{{Kind: AccessStore, Order: na, ByteIndex: 0, ElementSize: 8, Value: 0x1100000000000011}}},
		{Name: "P1", Ops: []Op{{Kind: AccessStore, Order: na, ByteIndex: 0, ElementSize: 8, Value: 0x2200000000000022}}},
		{Name: "P2", Ops: []Op{{Kind: AccessLoad, Order: na, ByteIndex: 0, ElementSize: 8, Reg: "r"}}},
	}}
	verdicts(t, p, "2:r=0x1100000000000022", true, true, false)
}

func TestDeterministic(t *testing.T) {
	for _, s := range classicShapes()[:6] {
		a := mustEnumerate(t, s.p, ES2024)
		b := mustEnumerate(t, s.p, ES2024)
		if !reflect.DeepEqual(keys(a), keys(b)) {
			t.Fatalf("%s: order differs between runs", s.name)
		}
		for i := range a {
			if !reflect.DeepEqual(a[i].Witness(), b[i].Witness()) {
				t.Fatalf("%s: witness %d differs between runs", s.name, i)
			}
			if i > 0 && !outcomeLess(a[i-1], a[i]) {
				t.Fatalf("%s: outcomes not in order at %d: %v", s.name, i, keys(a))
			}
		}
	}
}

// outcomeLess is Enumerate's promised order: register values (agent by
// agent, by name) numerically, then memory.
func outcomeLess(x, y Outcome) bool {
	rx, ry := regsOf(x), regsOf(y)
	for i := range rx {
		if rx[i] != ry[i] {
			return rx[i] < ry[i]
		}
	}
	return bytes.Compare(x.State.Memory(), y.State.Memory()) < 0
}

func regsOf(o Outcome) []int64 {
	var out []int64
	for a := range o.State.Regs {
		names := make([]string, 0)
		for n := range o.State.Regs[a] {
			names = append(names, n)
		}
		sortStrings(names)
		for _, n := range names {
			out = append(out, o.State.Regs[a][n])
		}
	}
	return out
}

func TestKey(t *testing.T) {
	s := NewFinalState([]map[string]int64{{"r1": -2, "r0": 1}, {}}, []byte{0, 0xff})
	if got, want := s.Key(), "0:r0=1 0:r1=-2 | 00ff"; got != want {
		t.Fatalf("Key() = %q, want %q", got, want)
	}
}

func TestValidateErrors(t *testing.T) {
	good := func() *Program {
		p := prog("bad", 2, []Op{st(0, 1, na)}, []Op{ld("r0", 0, na)})
		p.Agents[1].Ops[0].Line = 7
		return p
	}
	cases := []struct {
		want   string
		mutate func(p *Program)
	}{
		{"element size 3", func(p *Program) { p.Agents[1].Ops[0].ElementSize = 3 }},
		{"outside the 8-byte block", func(p *Program) { p.Agents[1].Ops[0].ByteIndex = 6 }},
		{"must be aligned", func(p *Program) { p.Agents[1].Ops[0].ByteIndex = 2 }},
		{"order must be", func(p *Program) { p.Agents[1].Ops[0].Order = 0 }},
		{"always seq-cst", func(p *Program) { p.Agents[1].Ops[0] = rmw("r", 0, Add, 1); p.Agents[1].Ops[0].Order = na }},
		{"ModifyOp", func(p *Program) { p.Agents[1].Ops[0] = rmw("r", 0, 0, 1) }},
		{"Init has 3 bytes", func(p *Program) { p.Init = p.Init[:3] }},
		{"does not fit", func(p *Program) { p.Agents[0].Ops[0].Value = 1 << 40 }},
		{"unknown access kind", func(p *Program) { p.Agents[1].Ops[0].Kind = 9 }},
		{"used twice", func(p *Program) { p.Agents[1].Name = "P0" }},
		{"no result", func(p *Program) { p.Agents[0].Ops[0].Reg = "r9" }},
	}
	for _, c := range cases {
		p := good()
		c.mutate(p)
		_, err := Enumerate(p, ES2024)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want error containing %q, got %v", c.want, err)
		}
	}
	// errors name the agent, the op and the line
	p := good()
	p.Agents[1].Ops[0].ElementSize = 3
	_, err := Enumerate(p, ES2024)
	if err == nil || !strings.Contains(err.Error(), "agent P1 op 0 (line 7)") {
		t.Errorf("error does not name agent, op and line: %v", err)
	}
	// sign-extended negative values are accepted
	p = good()
	p.Agents[0].Ops[0].Value = ^uint64(0)
	if _, err := Enumerate(p, ES2024); err != nil {
		t.Errorf("sign-extended -1 rejected: %v", err)
	}
	if _, err := Enumerate(nil, ES2024); err == nil {
		t.Error("nil program accepted")
	}
	if _, err := Enumerate(good(), Variant{}); err == nil {
		t.Error("zero Variant accepted")
	}
}

func TestVariantByName(t *testing.T) {
	for _, n := range VariantNames() {
		v, err := VariantByName(n)
		if err != nil || v.Name() != n || v.Description() == "" {
			t.Fatalf("VariantByName(%q) = %v, %v", n, v, err)
		}
	}
	if _, err := VariantByName("es2099"); err == nil || !strings.Contains(err.Error(), "es2024") {
		t.Fatalf("unknown variant error = %v", err)
	}
}

func TestEnumerateContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := EnumerateContext(ctx, wideProgram("na", 1), ES2024); err != context.Canceled {
		t.Fatalf("canceled enumeration returned %v", err)
	}
}

func keysOf(m map[string]bool) []string { return sortedKeys(m) }

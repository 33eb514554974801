package model

import (
	"bytes"
	"testing"
)

// TestFailingCompareExchangeES2017 checks the 2017 text's compareExchange
// (before tc39/ecma262 PR #2250): under ES2017 a failing compareExchange is
// a read-modify-write writing back what it read, so two of them on one word
// are ordered like any two read-modify-writes; under ES2024 (and SC) it is
// a read.
func TestFailingCompareExchangeES2017(t *testing.T) {
	// Store buffering with a failing compareExchange(b, 0, 42, 42) between
	// each agent's plain write and plain read (x word 0, y word 1, b word 2).
	sb := prog("SB+na+failing-cas", 3,
		[]Op{st(0, 1, na), cas("c", 2, 42, 42), ld("r0", 1, na)},
		[]Op{st(1, 1, na), cas("c", 2, 42, 42), ld("r0", 0, na)})
	verdicts(t, sb, "0:r0=0 1:r0=0", true, false, false)
	// each compareExchange fails (reads 0) in every allowed state
	for _, v := range []Variant{ES2024, ES2017, SC} {
		if allowed(mustEnumerate(t, sb, v), "0:c=42") || allowed(mustEnumerate(t, sb, v), "1:c=42") {
			t.Fatalf("%s: a compareExchange(b, 0, 42, 42) succeeded", v)
		}
	}

	// the failing event's shape per variant
	p := prog("cas-fail", 1, []Op{cas("r0", 0, 5, 1)}, []Op{ld("r1", 0, sc)})
	for _, c := range []struct {
		v    Variant
		kind EventKind
	}{{ES2024, ReadSharedMemory}, {ES2017, ReadModifyWriteSharedMemory}, {SC, ReadSharedMemory}} {
		outs := mustEnumerate(t, p, c.v)
		if len(outs) != 1 || !holds(outs[0].State, "0:r0=0 1:r1=0 m0=0") {
			t.Fatalf("%s: failing compareExchange: %v", c.v, keys(outs))
		}
		checkWitnesses(t, p, c.v, outs)
		w := outs[0].Witness()
		for _, e := range w.Events {
			if e.Name != "P0:0" {
				continue
			}
			if e.Kind != c.kind {
				t.Fatalf("%s: failing compareExchange is %s, want %s", c.v, e.Kind, c.kind)
			}
			if c.kind == ReadModifyWriteSharedMemory && (e.ModifyOp != CompareExchange || !bytes.Equal(e.Expected, []byte{5, 0, 0, 0}) || !bytes.Equal(e.Payload, []byte{1, 0, 0, 0})) {
				t.Fatalf("%s: failing compareExchange event %+v, want ModifyOp compareExchange, Expected 05 00 00 00, Payload 01 00 00 00", c.v, e)
			}
		}
	}
	// a successful one is the same event under ES2017, and stores
	p = prog("cas-ok", 1, []Op{cas("r0", 0, 0, 1)}, []Op{ld("r1", 0, sc)})
	verdicts(t, p, "0:r0=0 1:r1=1 m0=1", true, true, true)
	verdicts(t, p, "0:r0=0 m0=0", false, false, false)
}

func TestEventModify(t *testing.T) {
	e := Event{Kind: ReadModifyWriteSharedMemory, ModifyOp: CompareExchange, Payload: []byte{7, 0}, ElementSize: 2}
	read := []byte{3, 0}
	if got := e.Modify(read); !bytes.Equal(got, []byte{7, 0}) {
		t.Fatalf("current-text compareExchange writes %v, want the payload", got)
	}
	e.Expected = []byte{3, 0}
	if got := e.Modify(read); !bytes.Equal(got, []byte{7, 0}) {
		t.Fatalf("2017 compareExchange that matches writes %v, want the payload", got)
	}
	e.Expected = []byte{4, 0}
	got := e.Modify(read)
	if !bytes.Equal(got, read) {
		t.Fatalf("2017 compareExchange that fails writes %v, want what it read", got)
	}
	if got[0] = 9; read[0] != 3 {
		t.Fatal("Modify returned its argument, not a copy")
	}
	add := Event{Kind: ReadModifyWriteSharedMemory, ModifyOp: Add, Payload: []byte{1, 0}}
	if got := add.Modify([]byte{0xff, 0}); !bytes.Equal(got, []byte{0, 1}) {
		t.Fatalf("add writes %v", got)
	}
	// Check refuses Expected anywhere but on a compareExchange RMW of its size
	b := NewBuilder()
	m := b.Agent("main")
	init := b.Init(m, 0, []byte{0, 0})
	r := b.ReadModifyWrite(m, Add, 0, 0, []byte{1, 0}, init, []byte{0, 0})
	x, err := b.Execution()
	if err != nil {
		t.Fatal(err)
	}
	x.Events[r].Expected = []byte{0, 0}
	if err := x.Check(); err == nil {
		t.Fatal("Check accepted Expected on an add")
	}
	x.Events[r].ModifyOp = CompareExchange
	if err := x.Check(); err != nil {
		t.Fatalf("Check refused a 2017 compareExchange: %v", err)
	}
	x.Events[r].Expected = []byte{0}
	if err := x.Check(); err == nil {
		t.Fatal("Check accepted a 1-byte Expected on a 2-byte compareExchange")
	}
}

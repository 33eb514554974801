package model

import (
	"bytes"
	"testing"
)

func TestRange(t *testing.T) {
	a := Range{0, 0, 4}
	cases := []struct {
		b                            Range
		equal, overlapping, disjoint bool
	}{
		{Range{0, 0, 4}, true, false, false},
		{Range{0, 2, 4}, false, true, false},
		{Range{0, 3, 1}, false, true, false},
		{Range{0, 4, 4}, false, false, true},
		{Range{1, 0, 4}, false, false, true}, // another block
	}
	for _, c := range cases {
		if a.Equal(c.b) != c.equal || a.Overlapping(c.b) != c.overlapping || a.Disjoint(c.b) != c.disjoint {
			t.Errorf("%v vs %v: equal %v overlapping %v disjoint %v", a, c.b, a.Equal(c.b), a.Overlapping(c.b), a.Disjoint(c.b))
		}
		if a.Overlapping(c.b) != c.b.Overlapping(a) || a.Disjoint(c.b) != c.b.Disjoint(a) {
			t.Errorf("%v vs %v: not symmetric", a, c.b)
		}
	}
	if !a.Contains(0, 3) || a.Contains(0, 4) || a.Contains(1, 0) {
		t.Error("Contains")
	}
}

func TestModifyOpApply(t *testing.T) {
	le := func(v uint64) []byte { return leBytes(v, 2) }
	cases := []struct {
		m         ModifyOp
		read, pay uint64
		want      uint64
	}{
		{Add, 0x00ff, 0x0001, 0x0100}, // carry across bytes
		{Add, 0xffff, 0x0002, 0x0001}, // wraps
		{Sub, 0x0100, 0x0001, 0x00ff}, // borrow across bytes
		{Sub, 0x0000, 0x0001, 0xffff}, // wraps
		{And, 0x0ff0, 0x00ff, 0x00f0},
		{Or, 0x0f00, 0x00f0, 0x0ff0},
		{Xor, 0x0ff0, 0x00ff, 0x0f0f},
		{Exchange, 0x1234, 0x5678, 0x5678},
		{CompareExchange, 0x1234, 0x5678, 0x5678},
	}
	for _, c := range cases {
		read := le(c.read)
		if got := c.m.Apply(read, le(c.pay)); !bytes.Equal(got, le(c.want)) {
			t.Errorf("%s(%#x, %#x) = % x, want %#x", c.m, c.read, c.pay, got, c.want)
		}
		if !bytes.Equal(read, le(c.read)) {
			t.Errorf("%s modified its input", c.m)
		}
	}
	if ModifyOp(0).Valid() || ModifyOp(99).Valid() || !Xor.Valid() {
		t.Error("Valid")
	}
}

func TestRelation(t *testing.T) {
	r := NewRelation(70) // more than one word per row
	r.Add(0, 65)
	r.Add(65, 3)
	c := r.TransitiveClosure()
	if !c.Has(0, 3) || c.Has(3, 0) || r.Has(0, 3) {
		t.Fatal("closure")
	}
	if ok, _ := c.Irreflexive(); !ok {
		t.Fatal("acyclic relation reported cyclic")
	}
	if c.addClosed(3, 0) {
		t.Fatal("addClosed accepted a cycle")
	}
	if !c.addClosed(3, 69) || !c.Has(0, 69) {
		t.Fatal("addClosed did not close")
	}
	r.Add(3, 0)
	if ok, e := r.TransitiveClosure().Irreflexive(); ok || (e != 0 && e != 3 && e != 65) {
		t.Fatalf("cycle not found (%v, %d)", ok, e)
	}
	if got := len(c.Pairs()); got != c.Clone().TransitiveClosure().row(0).count()+c.row(65).count()+c.row(3).count() {
		t.Fatalf("Pairs lists %d pairs", got)
	}
	order := linearize(c)
	pos := map[EventID]int{}
	for i, id := range order {
		pos[id] = i
	}
	for _, p := range c.Pairs() {
		if pos[p[0]] > pos[p[1]] {
			t.Fatalf("linearize breaks %v", p)
		}
	}
}

package model

import (
	"reflect"
	"testing"
)

// TestRules checks the shared statements of Coherent Reads and Tear Free
// Reads on a small happens-before: init → w1 → v → r, and w2 unordered.
func TestRules(t *testing.T) {
	const (
		init = iota
		w1
		v
		r
		w2
	)
	hb := NewRelation(5)
	for _, p := range [][2]EventID{{init, w1}, {w1, v}, {v, r}, {init, w2}} {
		if !hb.addClosed(int(p[0]), int(p[1])) {
			t.Fatal("cycle")
		}
	}
	writers := []int{init, w1, v, w2}
	for _, c := range []struct {
		w, v int
		ok   bool
	}{
		{v, -1, true},     // the latest write before r
		{w2, -1, true},    // unordered with r: coherent
		{w1, v, false},    // v lies between w1 and r
		{init, w1, false}, // w1 (first in writers) lies between
	} {
		got, ok := incoherentSource(hb, r, c.w, writers)
		if got != c.v || ok != c.ok {
			t.Errorf("incoherentSource(r, %d) = %d, %v; want %d, %v", c.w, got, ok, c.v, c.ok)
		}
	}
	// r happens before the write: incoherent with no write in between
	if got, ok := incoherentSource(hb, w1, r, writers); ok || got != -1 {
		t.Errorf("incoherentSource(w1 reads r) = %d, %v; want -1, false", got, ok)
	}

	ev := []Event{
		{Kind: ReadSharedMemory, NoTear: true, ByteIndex: 0, ElementSize: 4},
		{Kind: WriteSharedMemory, NoTear: true, ByteIndex: 0, ElementSize: 4},  // counted
		{Kind: WriteSharedMemory, NoTear: true, ByteIndex: 0, ElementSize: 4},  // counted
		{Kind: WriteSharedMemory, NoTear: false, ByteIndex: 0, ElementSize: 4}, // not NoTear
		{Kind: WriteSharedMemory, NoTear: true, ByteIndex: 0, ElementSize: 2},  // other range
		{Kind: ReadSharedMemory, NoTear: false, ByteIndex: 0, ElementSize: 4},  // a tearing read
	}
	if got := appendTearFreeSources(nil, ev, 0, []int{3, 1, 4, 1, 2, 2}); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("counted sources = %v, want [1 2]", got)
	}
	if got := appendTearFreeSources([]EventID{9}, ev, 0, []EventID{1, 1, 3}); !reflect.DeepEqual(got, []EventID{9, 1}) {
		t.Errorf("counted sources appended = %v, want [9 1]", got)
	}
	if got := appendTearFreeSources(nil, ev, 5, []int{1, 2}); len(got) != 0 {
		t.Errorf("a read that is not NoTear counts %v", got)
	}
}

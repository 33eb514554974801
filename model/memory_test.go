package model

import (
	"bytes"
	"runtime"
	"testing"
)

// readersOfBigWrite is three agents in a block of size bytes: P0 stores a
// plain BigUint64 whose bytes all differ from the initial zeros, P1 and P2
// load it plainly. A plain 64-bit access may tear, so each load takes each
// byte from init or the store: 256 × 256 = 65,536 allowed final states.
func readersOfBigWrite(size int) *Program {
	p := &Program{Name: "big-readers", Size: size, Init: make([]byte, size), Agents: []ProgramAgent{
		{Name: "P0", Ops: []Op{{Kind: AccessStore, Order: na, ByteIndex: 0, ElementSize: 8, Value: 0x0102030405060708}}},
		{Name: "P1", Ops: []Op{{Kind: AccessLoad, Order: na, ByteIndex: 0, ElementSize: 8, Reg: "r0"}}},
		{Name: "P2", Ops: []Op{{Kind: AccessLoad, Order: na, ByteIndex: 0, ElementSize: 8, Reg: "r0"}}},
	}}
	for i := 8; i < size; i++ {
		p.Init[i] = byte(i) // untouched bytes keep these
	}
	return p
}

// retainedPerState enumerates p under v and returns the heap its outcomes
// keep alive, in bytes per state, and the outcomes.
func retainedPerState(t *testing.T, p *Program, v Variant) (float64, []Outcome) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	outs := mustEnumerate(t, p, v)
	runtime.GC()
	runtime.ReadMemStats(&after)
	return (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(len(outs)), outs
}

// TestBytesPerStateIndependentOfBlockSize checks that what Enumerate's
// outcomes keep per state (key-derived memory, registers, witness record)
// does not grow with the block: the same program in a 64-byte and a
// 1,024-byte block costs about the same per state. Before final states
// stored only the touched cells, the 1,024-byte block cost about 10 times
// as much (6.5 KB against 0.6 KB per state).
func TestBytesPerStateIndependentOfBlockSize(t *testing.T) {
	small, outsSmall := retainedPerState(t, readersOfBigWrite(64), ES2024)
	large, outsLarge := retainedPerState(t, readersOfBigWrite(1024), ES2024)
	if len(outsSmall) != 65536 || len(outsLarge) != 65536 {
		t.Fatalf("%d and %d states, want 65536", len(outsSmall), len(outsLarge))
	}
	t.Logf("bytes per state: %.0f (64-byte block), %.0f (1024-byte block)", small, large)
	if large > 1.25*small || large > 1024 {
		t.Errorf("bytes per state grow with the block: %.0f at 64 bytes, %.0f at 1024 bytes", small, large)
	}
	// the compact states still read as the whole memory, and the witnesses
	// (with the fixed final reads and the memory-order rebuilt) are valid
	for _, o := range []Outcome{outsLarge[0], outsLarge[12345], outsLarge[len(outsLarge)-1]} {
		m := o.State.Memory()
		if len(m) != 1024 || o.State.MemoryLen() != 1024 || !bytes.Equal(m[:8], []byte{8, 7, 6, 5, 4, 3, 2, 1}) || m[100] != 100 || m[1023] != 1023%256 {
			t.Fatalf("final memory % x…", m[:16])
		}
		w := o.Witness()
		if err := ValidExecution(w, ES2024); err != nil {
			t.Fatalf("witness of %v: %v", o.State.Regs, err)
		}
		if len(w.MemoryOrder) != len(w.Events) {
			t.Fatalf("witness memory-order has %d of %d events", len(w.MemoryOrder), len(w.Events))
		}
	}
	runtime.KeepAlive(outsSmall)
	runtime.KeepAlive(outsLarge)
}

func TestFinalStateMemory(t *testing.T) {
	// a layout with two cells: bytes 2..3 and 6 are the state's own
	s := FinalState{mem: &memLayout{base: []byte{10, 11, 12, 13, 14, 15, 16, 17}, cells: []Range{{Start: 2, Size: 2}, {Start: 6, Size: 1}}},
		own: []byte{92, 93, 96}}
	want := []byte{10, 11, 92, 93, 14, 15, 96, 17}
	if got := s.Memory(); !bytes.Equal(got, want) || s.MemoryLen() != 8 {
		t.Fatalf("Memory() = %v (len %d), want %v", got, s.MemoryLen(), want)
	}
	for start := 0; start <= 8; start++ {
		for end := start; end <= 8; end++ {
			got, ok := s.AppendMemory([]byte{1}, start, end)
			if !ok || !bytes.Equal(got, append([]byte{1}, want[start:end]...)) {
				t.Fatalf("AppendMemory(%d, %d) = %v, %v; want %v", start, end, got, ok, want[start:end])
			}
		}
	}
	for _, r := range [][2]int{{-1, 2}, {3, 2}, {0, 9}} {
		if got, ok := s.AppendMemory(nil, r[0], r[1]); ok || got != nil {
			t.Errorf("AppendMemory(%d, %d) = %v, %v; want nil, false", r[0], r[1], got, ok)
		}
	}
	var zero FinalState
	if zero.MemoryLen() != 0 || len(zero.Memory()) != 0 || zero.Key() != "| " {
		t.Errorf("zero FinalState: len %d, key %q", zero.MemoryLen(), zero.Key())
	}
	mem := []byte{1, 2}
	n := NewFinalState(nil, mem)
	mem[0] = 9
	if got := n.Memory(); !bytes.Equal(got, []byte{1, 2}) {
		t.Errorf("NewFinalState does not copy its memory: %v", got)
	}
}

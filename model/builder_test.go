package model

import (
	"strings"
	"testing"
)

func TestBuilder(t *testing.T) {
	// MP through a Queue: P0 writes x plainly, then sends; P1 receives, then reads x.
	b := NewBuilder()
	main := b.Agent("main")
	p0, p1 := b.Agent("P0"), b.Agent("P1")
	init := b.Init(main, 0, []byte{0, 0, 0, 0})
	w := b.Write(p0, Unordered, true, 0, 0, []byte{1, 0, 0, 0})
	send := b.Host(p0, "send")
	recv := b.Host(p1, "recv")
	b.HostSynchronizesWith(send, recv)
	r := b.Read(p1, Unordered, true, 0, 0, 4, []EventID{init[0], init[1], init[2], init[3]}, []byte{0, 0, 0, 0})
	x, err := b.Execution()
	if err != nil {
		t.Fatal(err)
	}
	wantViolation(t, ValidExecution(x, ES2024), PredCoherentReads, r, w)

	// reading the write instead is valid, and String shows it.
	x.ReadsBytesFrom[r] = []EventID{w, w, w, w}
	x.ChosenValues[r] = []byte{1, 0, 0, 0}
	if err := ValidExecution(x, ES2024); err != nil {
		t.Fatal(err)
	}
	s := x.String()
	for _, want := range []string{"P0:0 (WriteSharedMemory unordered", "reads-bytes-from [P0:0 P0:0 P0:0 P0:0] = 01 00 00 00", "host-synchronizes-with send -> recv"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}

	// read-modify-write and errors
	b = NewBuilder()
	a := b.Agent("A")
	in := b.Init(a, 0, []byte{5})
	b.ReadModifyWrite(a, Add, 0, 0, []byte{1}, []EventID{in[0]}, []byte{5})
	if _, err := b.Execution(); err != nil {
		t.Fatal(err)
	}
	b.Read(7, SeqCst, true, 0, 0, 1, nil, nil)
	if _, err := b.Execution(); err == nil || !strings.Contains(err.Error(), "agent 7") {
		t.Fatalf("event of a missing agent: %v", err)
	}
	b = NewBuilder()
	a = b.Agent("A")
	b.Read(a, SeqCst, true, 0, 0, 1, nil, nil)
	if _, err := b.Execution(); err == nil {
		t.Fatal("read without sources accepted")
	}
}

func TestWitnessString(t *testing.T) {
	outs := mustEnumerate(t, classicShapes()[0].p, ES2024)
	s := outs[0].Witness().String()
	for _, want := range []string{"init[0]", "final", "main:join", "memory-order "} {
		if !strings.Contains(s, want) {
			t.Errorf("witness String() lacks %q:\n%s", want, s)
		}
	}
}

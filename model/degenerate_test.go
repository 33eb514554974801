package model

import (
	"bytes"
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

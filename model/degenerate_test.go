package model

import (
	"bytes"
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

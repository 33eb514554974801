package shared

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/history"
)

// TestKindInvalidConversions is the regression test for Int64 and Float64 on
// an invalid Kind, which called each other until the stack overflowed (a
// fatal error no recover catches): every invalid kind converts to 0.
func TestKindInvalidConversions(t *testing.T) {
	for k := 0; k < 256; k++ {
		kind := Kind(k)
		if kind.Valid() {
			continue
		}
		for _, bits := range []uint64{0, 1, 0xff, 1 << 63, ^uint64(0)} {
			if x := kind.Int64(bits); x != 0 {
				t.Errorf("%v.Int64(%#x) = %d, want 0", kind, bits, x)
			}
			if f := kind.Float64(bits); f != 0 {
				t.Errorf("%v.Float64(%#x) = %v, want 0", kind, bits, f)
			}
		}
		if kind.FromInt64(-1) != 0 || kind.FromFloat64(-1) != 0 || kind.Size() != 0 {
			t.Errorf("%v: conversions to bits of an invalid kind must give 0", kind)
		}
	}
}

// TestViewOfNoBuffer: View over a nil Backing, a typed-nil *Buffer or a zero
// Buffer is a TypeError; it used to dereference the nil buffer.
func TestViewOfNoBuffer(t *testing.T) {
	for name, buf := range map[string]Backing{
		"nil": nil, "nil *Buffer": (*Buffer)(nil), "nil *ArrayBuffer": (*ArrayBuffer)(nil),
		"zero Buffer": &Buffer{}, "zero ArrayBuffer": &ArrayBuffer{},
	} {
		for _, k := range []Kind{Int32, 0, 200} {
			v, err := View(buf, k)
			wantKind(t, err, TypeError, "View("+name+", "+k.String()+")")
			if v != nil {
				t.Fatalf("View(%s): a view with the error", name)
			}
		}
	}
}

// TestNilErrorAndInvalidErrorKind: the methods of a nil *Error do not panic,
// and Errorf with a kind that is none of the ErrorKinds makes a TypeError.
func TestNilErrorAndInvalidErrorKind(t *testing.T) {
	var e *Error
	if e.Is(TypeError) || e.Error() != "<nil>" {
		t.Fatal("nil *Error")
	}
	for _, k := range []ErrorKind{0, NotShareable + 1, 255} {
		err := Errorf(k, "op", "what %d", 1)
		wantKind(t, err, TypeError, "Errorf with "+k.String())
		if !strings.Contains(err.Error(), "what 1") || !strings.Contains(err.Error(), k.String()) {
			t.Fatalf("message %q loses the text or the invalid kind", err)
		}
	}
}

// TestZeroAgentIsNoAgent: a zero Agent (&Agent{}, not made by NewAgent) acts
// as a nil *Agent. Bound to a recorded buffer it used to record events as
// agent 0 with sequence numbers of its own, from 1, which collided with
// another zero Agent's (and the events of no agent) and made the history
// fail Validate.
func TestZeroAgentIsNoAgent(t *testing.T) {
	zero := &Agent{}
	r := history.NewRecorder()
	zero.SetRecorder(r)
	zero.SetCanBlock(true)
	zero.SetController(nil)
	if err := zero.Record(history.Event{Kind: history.EvQueuePut}); !errors.Is(err, TypeError) {
		t.Fatalf("Record on a zero Agent: %v", err)
	}
	if zero.Recorder() != nil || zero.Controller() != nil || zero.CanBlock() || zero.ID() != 0 || zero.Name() != "" || zero.String() != "no agent" {
		t.Fatal("a zero Agent must act as a nil one")
	}
	if r.Len() != 0 {
		t.Fatal("a zero Agent recorded")
	}
	b := mustBuffer(t, 8, WithRecorder(r), CreatedBy(zero))
	v := mustView(t, b, Int32, 0, 2)
	vz, vn := v.For(&Agent{}), v.For(nil)
	for i := 0; i < 3; i++ {
		if err := v.SetInt(0, int64(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := vz.GetInt(1); err != nil {
			t.Fatal(err)
		}
		if _, err := vn.GetInt(0); err != nil {
			t.Fatal(err)
		}
	}
	h := r.History()
	if err := h.Validate(); err != nil {
		t.Fatalf("history of a zero Agent's accesses: %v\n%v", err, h.Events)
	}
	for _, e := range h.Events {
		if e.Agent != 0 {
			t.Fatalf("event %v attributed to an agent", e)
		}
	}
	if _, err := history.Convert(h); err != nil {
		t.Fatal(err)
	}
	// Start on a zero Agent starts a root agent, as on a nil one.
	if err := zero.Start("child", func(*Agent) error { return nil }).Join(nil); err != nil {
		t.Fatal(err)
	}
}

// TestJoinReportsAbnormalEnds: Join reports, as an error, an agent started
// with a nil function (a TypeError), one that panics, and one that ends its
// goroutine with runtime.Goexit before its function returns — which used to
// be reported as a success. Each agent's end is recorded with that error.
func TestJoinReportsAbnormalEnds(t *testing.T) {
	r := history.NewRecorder()
	parent := NewAgent("parent")
	parent.SetRecorder(r)
	defer parent.SetRecorder(nil)

	err := parent.Start("nil f", nil).Join(parent)
	wantKind(t, err, TypeError, "Join of an agent started with a nil function")

	err = parent.Start("panics", func(*Agent) error { panic("kaboom") }).Join(parent)
	if err == nil || !strings.Contains(err.Error(), "kaboom") {
		t.Fatalf("Join of a panicking agent: %v", err)
	}

	ran := false
	h := parent.Start("goexit", func(*Agent) error {
		ran = true
		runtime.Goexit()
		return errors.New("unreachable")
	})
	err = h.Join(parent)
	if err == nil || !strings.Contains(err.Error(), "Goexit") || !ran {
		t.Fatalf("Join of an agent that called runtime.Goexit: %v (ran %v)", err, ran)
	}
	if again := h.Join(parent); again != err {
		t.Fatalf("a second Join returned %v, not %v", again, err)
	}

	ok := parent.Start("fine", func(*Agent) error { return nil })
	if err := ok.Join(parent); err != nil {
		t.Fatal(err)
	}

	h2 := r.History()
	if err := h2.Validate(); err != nil {
		t.Fatal(err)
	}
	var ends []string
	for _, e := range h2.Events {
		if e.Kind == history.EvAgentEnd {
			ends = append(ends, e.Result)
		}
	}
	if len(ends) != 4 || ends[3] != "ok" || !strings.Contains(ends[2], "Goexit") || ends[0] == "ok" || ends[1] == "ok" {
		t.Fatalf("recorded ends: %q", ends)
	}
}

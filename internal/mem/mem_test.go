package mem

import (
	"context"
	"errors"
	"testing"

	"github.com/sabre-mm/sabre/history"
)

// TestRawOperations: every raw read-modify-write at every size returns the
// previous bits, leaves the neighbouring bytes alone, and stores the
// modification.
func TestRawOperations(t *testing.T) {
	for _, size := range []int{1, 2, 4, 8} {
		for op := OpAdd; op <= OpExchange; op++ {
			b := NewBlock(16, 16, true, false)
			for i := 0; i < 16; i++ {
				b.StoreByte(i, 0xa5)
			}
			at := 8
			old := b.Load(at, size)
			x := uint64(0x0102030405060708) & Mask(size)
			if got := b.RMW(at, size, op, x); got != old {
				t.Fatalf("size %d op %d returned %#x, want %#x", size, op, got, old)
			}
			if got, want := b.Load(at, size), op.Modify(old, x)&Mask(size); got != want {
				t.Fatalf("size %d op %d stored %#x, want %#x", size, op, got, want)
			}
			for i := 0; i < 16; i++ {
				if (i < at || i >= at+size) && b.LoadByte(i) != 0xa5 {
					t.Fatalf("size %d op %d disturbed byte %d", size, op, i)
				}
			}
		}
		b := NewBlock(16, 16, true, false)
		if old, ok := b.CompareExchange(0, size, 1, 2); ok || old != 0 {
			t.Fatalf("size %d: a failing compareExchange stored (%#x)", size, old)
		}
		if old, ok := b.CompareExchange(0, size, 0, 2); !ok || old != 0 || b.Load(0, size) != 2 {
			t.Fatalf("size %d: a succeeding compareExchange did not store", size)
		}
	}
}

// TestBracket: with nothing attached nothing is stamped; with a recorder
// the event is stamped and recorded once per distinct recorder; the
// controller sees the event before the access and may supply a read.
func TestBracket(t *testing.T) {
	b := NewBlock(8, 8, true, false)
	ag := NewAgent("a")
	var o Obs
	ev := history.Event{Kind: history.EvRead, Size: 4}
	if _, ok := o.Begin(b, ag, &ev); ok || o.Observed() || ev.Seq != 0 {
		t.Fatal("an unobserved access was stamped")
	}
	o.End(&ev) // does nothing
	r := history.NewRecorder()
	b.SetRecorder(r)
	ag.SetRecorder(r)
	defer b.SetRecorder(nil)
	defer ag.SetRecorder(nil)
	if !Attached() {
		t.Fatal("Attached is false with recorders attached")
	}
	c := &supplier{read: 0x2a}
	ag.SetController(c)
	defer ag.SetController(nil)
	ev = history.Event{Kind: history.EvRead, Size: 4}
	read, supplied := o.Begin(b, ag, &ev)
	if !supplied || read != 0x2a || c.seen.Seq != 1 || c.seen.Agent != ag.ID || c.seen.Buffer != b.ID {
		t.Fatalf("controller saw %v, supplied %v %#x", c.seen, supplied, read)
	}
	ev.Read = read
	o.End(&ev)
	h := r.History()
	if len(h.Events) != 1 || h.Events[0].Read != 0x2a || len(h.Buffers) != 1 || h.Buffers[0].ID != b.ID {
		t.Fatalf("recorded %+v", h)
	}
	// A write is never supplied, whatever the controller says.
	ev = history.Event{Kind: history.EvWrite, Size: 4}
	if _, supplied := o.Begin(b, ag, &ev); supplied {
		t.Fatal("a write was supplied")
	}
}

type supplier struct {
	read uint64
	seen history.Event
}

func (s *supplier) Before(ev *history.Event) (uint64, bool) { s.seen = *ev; return s.read, true }
func (s *supplier) Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (bool, error) {
	return true, nil // times out whatever it is asked
}

// TestAwait: without a controller, Await waits for ready, a timeout or the
// context; with one, the controller decides, and a timeout it gives an
// operation that has none is a cancellation.
func TestAwait(t *testing.T) {
	var o Obs
	ready := make(chan struct{})
	close(ready)
	if to, err := o.Await(nil, ready, -1, nil); to || err != nil {
		t.Fatal("ready did not end the wait")
	}
	if to, err := o.Await(nil, make(chan struct{}), 0, nil); !to || err != nil {
		t.Fatal("a zero timeout did not time out")
	}
	if to, err := o.Await(nil, make(chan struct{}), 1000, nil); !to || err != nil {
		t.Fatal("a short timeout did not time out")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := o.Await(nil, make(chan struct{}), -1, ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled context gave %v", err)
	}
	ag := NewAgent("a")
	ag.SetController(&supplier{})
	defer ag.SetController(nil)
	ev := history.Event{Kind: history.EvWait}
	o.Begin(nil, ag, &ev)
	if to, err := o.Await(&ev, make(chan struct{}), 5, nil); !to || err != nil {
		t.Fatal("the controller's timeout was not taken")
	}
	if _, err := o.Await(&ev, make(chan struct{}), -1, nil); !errors.Is(err, ErrNoTimeout) {
		t.Fatalf("a timeout for an operation without one gave %v", err)
	}
}

// TestAttachedCounts: attaching and detaching keep the global count exact,
// so that the fast paths come back once everything is detached.
func TestAttachedCounts(t *testing.T) {
	before := attached.Load()
	b := NewBlock(8, 8, true, false)
	r := history.NewRecorder()
	b.SetRecorder(r)
	b.SetRecorder(r) // replacing is not a second attachment
	b.SetController(&supplier{})
	if attached.Load() != before+2*AttachedUnit {
		t.Fatalf("attached %d, want %d", attached.Load(), before+2*AttachedUnit)
	}
	b.SetRecorder(nil)
	b.SetController(nil)
	b.SetRecorder(nil)
	if attached.Load() != before {
		t.Fatalf("attached %d after detaching, want %d", attached.Load(), before)
	}
}

package shared

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/history"
)

// pauser is a controller that, for events of one kind, runs a hook inside
// Before: the hook stands for whatever a scheduler does while the agent is
// paused there.
type pauser struct {
	mu   sync.Mutex
	kind history.Kind
	hook func(ev *history.Event)
	seen []history.Kind
}

func (p *pauser) Before(ev *history.Event) (uint64, bool) {
	p.mu.Lock()
	p.seen = append(p.seen, ev.Kind)
	hook := p.hook
	p.mu.Unlock()
	if ev.Kind == p.kind && hook != nil {
		hook(ev)
	}
	return 0, false
}

func (p *pauser) Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (bool, error) {
	select {
	case <-ready:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// within runs f on its own goroutine and fails the test if it has not
// finished in a generous time: a hang guard, not a timing assertion.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: still blocked — a lock is held while the controller pauses the agent", what)
	}
}

// TestControllerSeesTransferBeforeDetach: Before(EvTransfer) is called while
// the source is still attached, for Transfer, TransferToLength and a
// Queue put with a transfer list; in the last, no queue lock is held then.
func TestControllerSeesTransferBeforeDetach(t *testing.T) {
	ag := NewAgent("a")
	for _, how := range []string{"Transfer", "TransferToLength", "Queue.put"} {
		ab, err := NewArrayBuffer(8, CreatedBy(ag))
		if err != nil {
			t.Fatal(err)
		}
		q := NewQueue(1)
		detachedInBefore := true
		p := &pauser{kind: history.EvTransfer, hook: func(*history.Event) {
			detachedInBefore = ab.Detached()
			within(t, how+": Queue.Size while paused", func() { _ = q.Size() })
		}}
		ag.SetController(p)
		switch how {
		case "Transfer":
			_, err = ab.Transfer()
		case "TransferToLength":
			_, err = ab.TransferToLength(4)
		default:
			err = q.For(ag).PutNowait(ab, ab)
		}
		ag.SetController(nil)
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		if detachedInBefore || !ab.Detached() {
			t.Errorf("%s: the controller saw the buffer already detached (%v), or it was never detached", how, detachedInBefore)
		}
	}
}

// TestControllerPausedInGrowHoldsNoLock: an agent paused in Before(EvGrow)
// does not stop another agent's Grow.
func TestControllerPausedInGrowHoldsNoLock(t *testing.T) {
	b, err := NewGrowableBuffer(8, 64)
	if err != nil {
		t.Fatal(err)
	}
	a, other := NewAgent("a"), NewAgent("b")
	p := &pauser{kind: history.EvGrow}
	p.hook = func(*history.Event) {
		p.mu.Lock()
		p.hook = nil // only the first grow pauses
		p.mu.Unlock()
		within(t, "another agent's Grow", func() {
			if err := b.For(other).Grow(16); err != nil {
				t.Error(err)
			}
		})
	}
	a.SetController(p)
	defer a.SetController(nil)
	if err := b.For(a).Grow(32); err != nil {
		t.Fatal(err)
	}
	if b.ByteLength() != 32 {
		t.Fatalf("length %d, want 32", b.ByteLength())
	}
}

package shared

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestJoinContext: a join can be given up on; the agent runs on and a later
// join returns its result.
func TestJoinContext(t *testing.T) {
	main := NewAgent("main")
	release := make(chan struct{})
	h := main.Start("slow", func(*Agent) error {
		<-release
		return errors.New("done")
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := h.JoinContext(ctx, main); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("JoinContext = %v, want the deadline", err)
	}
	close(release)
	if err := h.Join(main); err == nil || err.Error() != "done" {
		t.Fatalf("Join = %v", err)
	}
	var nilHandle *Handle
	if err := nilHandle.Join(main); !errors.Is(err, TypeError) {
		t.Fatalf("Join on a nil Handle = %v", err)
	}
}

// TestJoinReportsGoexit: an agent whose function ends its goroutine with
// runtime.Goexit has not succeeded, and Join says so.
func TestJoinReportsGoexit(t *testing.T) {
	h := NewAgent("main").Start("quitter", func(*Agent) error {
		runtime.Goexit()
		return nil
	})
	if err := h.Join(nil); err == nil || !strings.Contains(err.Error(), "Goexit") {
		t.Fatalf("Join = %v, want an error naming Goexit", err)
	}
	h = NewAgent("main").Start("panicker", func(*Agent) error { panic("boom") })
	if err := h.Join(nil); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Join = %v, want the panic", err)
	}
}

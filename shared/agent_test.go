package shared

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sabre-mm/sabre/history"
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

// TestRecordHostEventsOnly: Agent.Record takes host events in agent-order
// and refuses what it cannot honestly record.
func TestRecordHostEventsOnly(t *testing.T) {
	a := NewAgent("host")
	r := history.NewRecorder()
	a.SetRecorder(r)
	defer a.SetRecorder(nil)
	tok := history.NewSyncToken()
	if err := a.Record(history.Event{Kind: history.EvQueuePut, Op: "postMessage", Sync: tok}); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(history.Event{Kind: history.EvQueuePut, Sync: 1 << 60}); !errors.Is(err, TypeError) {
		t.Errorf("Record with a token nobody issued: %v", err)
	}
	for _, c := range []struct {
		ev   history.Event
		kind ErrorKind
	}{
		{history.Event{Kind: history.EvTransfer, Count: 3}, TypeError},
		{history.Event{Kind: history.EvNotify, Count: -2}, RangeError},
		{history.Event{Kind: history.EvQueueGet, Count: -1}, RangeError},
	} {
		if err := a.Record(c.ev); !errors.Is(err, c.kind) {
			t.Errorf("Record of a %v event with count %d: %v, want a %v", c.ev.Kind, c.ev.Count, err, c.kind)
		}
	}
	for _, k := range []history.Kind{0, history.EvRead, history.EvWrite, history.EvRMW, history.EvInit, history.EvWait, history.EvWaitSettle, 200} {
		if err := a.Record(history.Event{Kind: k}); !errors.Is(err, TypeError) {
			t.Errorf("Record of a %v event: %v, want a TypeError", k, err)
		}
	}
	h := r.History()
	if len(h.Events) != 1 || h.Events[0].Agent != a.ID() || h.Events[0].Seq != 1 || h.Events[0].Sync != tok {
		t.Fatalf("recorded %v", h.Events)
	}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestAgentEndResultIsBounded: an agent's error text is recorded as valid
// UTF-8 of bounded length, so the history still writes and reads back.
func TestAgentEndResultIsBounded(t *testing.T) {
	main := NewAgent("main")
	r := history.NewRecorder()
	main.SetRecorder(r)
	defer main.SetRecorder(nil)
	h := main.Start("noisy", func(*Agent) error {
		return errors.New(strings.Repeat("\xff", 2<<20))
	})
	if err := h.Join(main); err == nil {
		t.Fatal("no error")
	}
	var end history.Event
	for _, e := range r.Events() {
		if e.Kind == history.EvAgentEnd {
			end = e
		}
	}
	if len(end.Result) > maxResult+len("…") || !utf8.ValidString(end.Result) {
		t.Fatalf("recorded a %d-byte result (valid UTF-8: %v)", len(end.Result), utf8.ValidString(end.Result))
	}
	var buf bytes.Buffer
	if err := history.Write(&buf, r.History()); err != nil {
		t.Fatal(err)
	}
	if _, err := history.Read(&buf); err != nil {
		t.Fatal(err)
	}
}

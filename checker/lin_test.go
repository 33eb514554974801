package checker_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

func lin(t *testing.T, h *history.History) *checker.LinReport {
	t.Helper()
	r, err := checker.Linearizability(context.Background(), h, checker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Check != checker.Lin || r.Reason == "" {
		t.Fatalf("report lacks its check or reason: %+v", r.Result)
	}
	return r
}

func wantLin(t *testing.T, h *history.History, want checker.Verdict, mention ...string) *checker.LinReport {
	t.Helper()
	r := lin(t, h)
	if r.Verdict != want {
		t.Fatalf("verdict %v, want %v: %s %v", r.Verdict, want, r.Reason, r.Findings)
	}
	if want == checker.Illegal && len(r.Findings) == 0 {
		t.Fatalf("illegal without findings: %+v", r.Result)
	}
	text := r.Reason
	for _, f := range r.Findings {
		text += "\n" + f.Message
	}
	for _, m := range mention {
		if !strings.Contains(text, m) {
			t.Errorf("report does not mention %q:\n%s", m, text)
		}
	}
	return r
}

func TestLinMemory(t *testing.T) {
	t.Run("lost update", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.add1(2, 0, 4, 0, 3, 6)
		b.add1(3, 0, 4, 0, 4, 7)
		r := wantLin(t, &b.h, checker.Illegal, "memory b1[0:4]", "a3#1 Atomics.add", "its read-modify-write read 00000000 but the bytes held 01000000")
		if len(r.Findings[0].Events) == 0 {
			t.Error("the finding names no events")
		}
	})
	t.Run("sequential adds", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.add1(2, 0, 4, 0, 3, 6)
		b.add1(3, 0, 4, 1, 4, 7)
		b.load(2, 0, 4, 2, 8, 9)
		wantLin(t, &b.h, checker.Ok)
	})
	t.Run("stale load", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.store(2, 4, 4, 1, 3, 4)
		b.load(3, 4, 4, 0, 5, 6)
		wantLin(t, &b.h, checker.Illegal, "a3#1 Atomics.load", "it read 00000000 but the bytes held 01000000")
	})
	t.Run("load concurrent with store", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.store(2, 4, 4, 1, 3, 6)
		b.load(3, 4, 4, 0, 4, 5)
		b.load(3, 4, 4, 1, 7, 8)
		wantLin(t, &b.h, checker.Ok)
	})
	t.Run("torn 64-bit load", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.store(2, 0, 8, 0x1111111111111111, 3, 10)
		b.store(3, 0, 8, 0x2222222222222222, 4, 11)
		b.load(4, 0, 8, 0x2222222211111111, 5, 12)
		wantLin(t, &b.h, checker.Illegal, "memory b1[0:8]")
	})
	t.Run("overlapping sizes share a component", func(t *testing.T) {
		b := newHist(16)
		b.init(1, 2)
		b.store(2, 0, 8, 0x0000000200000001, 3, 4)
		b.load(3, 4, 4, 2, 5, 6)
		b.load(3, 0, 2, 1, 7, 8)
		r := wantLin(t, &b.h, checker.Ok)
		if r.Partitions != 1 {
			t.Errorf("%d partitions, want 1", r.Partitions)
		}
		b.load(3, 2, 2, 5, 9, 10)
		wantLin(t, &b.h, checker.Illegal)
	})
	t.Run("large component", func(t *testing.T) {
		b := newHist(32)
		b.init(1, 2)
		b.store(2, 0, 8, 1, 3, 4)
		b.store(2, 4, 8, 2, 5, 6)
		b.store(2, 8, 8, 3, 7, 8)
		b.load(3, 0, 4, 1, 9, 10)
		b.load(3, 4, 4, 2, 11, 12)
		b.load(3, 8, 8, 3, 13, 14)
		r := wantLin(t, &b.h, checker.Ok)
		if r.Partitions != 1 {
			t.Errorf("%d partitions, want 1", r.Partitions)
		}
		b.load(3, 12, 4, 9, 15, 16)
		wantLin(t, &b.h, checker.Illegal, "memory b1[0:16]")
	})
	t.Run("unknown initial bytes are fixed by the first read", func(t *testing.T) {
		b := newHist(8)
		b.load(2, 0, 4, 5, 1, 2)
		b.load(3, 0, 4, 5, 3, 4)
		wantLin(t, &b.h, checker.Ok)
		b.load(3, 0, 4, 6, 5, 6)
		wantLin(t, &b.h, checker.Illegal)
	})
	t.Run("unordered accesses are left to conformance", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.plainStore(2, 0, 4, 1, 3, 4)
		b.load(3, 0, 4, 0, 5, 6)
		b.store(2, 4, 4, 1, 3, 4)
		r := wantLin(t, &b.h, checker.Ok)
		if r.Skipped == 0 || len(r.SkippedParts) != 1 || !strings.Contains(r.SkippedParts[0], "unordered") {
			t.Errorf("skipped %d %v", r.Skipped, r.SkippedParts)
		}
	})
}

func TestLinWaitNotify(t *testing.T) {
	t.Run("fifo", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		w1 := b.wait(2, 0, 0, 0, "ok", 3, 20)
		b.wait(3, 0, 0, 0, "timed-out", 4, 30)
		b.notify(4, 0, 1, []history.Ref{w1}, 5, 6)
		wantLin(t, &b.h, checker.Ok)
	})
	t.Run("newest first", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		w1 := b.wait(2, 0, 0, 0, "ok", 3, 20)
		w2 := b.wait(3, 0, 0, 0, "ok", 4, 30)
		b.notify(4, 0, 1, []history.Ref{w2}, 5, 6)
		b.notify(4, 0, 1, []history.Ref{w1}, 7, 8)
		wantLin(t, &b.h, checker.Illegal, "waiter list b1[0]", "woke [a3#1]", "oldest")
	})
	t.Run("notify before the wait enqueued", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		n := b.notify(4, 0, 1, nil, 3, 4)
		w := b.wait(2, 0, 0, 0, "ok", 5, 20)
		n.Woken, n.Result = []history.Ref{w}, "1"
		wantLin(t, &b.h, checker.Illegal)
	})
	t.Run("timed out after a notify removed it", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		w := b.wait(2, 0, 0, 0, "timed-out", 3, 20)
		b.notify(4, 0, 1, []history.Ref{w}, 5, 6)
		// Either the leave or the notify comes second; the report names
		// the one porcupine's least longest partial linearization leaves out.
		r := wantLin(t, &b.h, checker.Illegal)
		if !strings.Contains(r.Reason, "no longer waiting") && !strings.Contains(r.Reason, "it woke [a2#1] but the list held no waiters") {
			t.Errorf("reason: %s", r.Reason)
		}
	})
	t.Run("lost wake-up", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		w := b.wait(2, 0, 0, 0, "ok", 3, 20)
		b.notify(4, 0, 1, nil, 5, 6) // should have woken w
		b.notify(4, 0, 1, []history.Ref{w}, 7, 8)
		wantLin(t, &b.h, checker.Illegal, "it woke [] but the list held waiters [a2#1]")
	})
	t.Run("ok without a notify", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.wait(2, 0, 0, 0, "ok", 3, 20)
		wantLin(t, &b.h, checker.Illegal, "no notify in the history woke it")
	})
	t.Run("not-equal must differ", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.wait(2, 0, 0, 0, "not-equal", 3, 4)
		wantLin(t, &b.h, checker.Illegal, "returned \"not-equal\"")
	})
	t.Run("the value check is a seq-cst read", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.store(3, 0, 4, 7, 3, 4)
		b.wait(2, 0, 0, 0, "timed-out", 5, 20)
		wantLin(t, &b.h, checker.Illegal, "memory b1[0:4]")
	})
	t.Run("waits the history lacks", func(t *testing.T) {
		b := newHist(8)
		b.init(1, 2)
		b.notify(4, 0, 1, []history.Ref{{Agent: 9, Seq: 9}}, 5, 6)
		r := wantLin(t, &b.h, checker.Ok)
		if len(r.SkippedParts) != 1 {
			t.Errorf("skipped %v", r.SkippedParts)
		}
	})
}

func TestLinQueue(t *testing.T) {
	t.Run("fifo", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 1, "ok", 0, 1, 2)
		b.put(2, 2, "ok", 0, 3, 4)
		b.get(3, 1, "ok", 0, 5, 6)
		b.get(3, 2, "ok", 0, 7, 8)
		b.get(3, 0, "empty", 0, 9, 10)
		wantLin(t, &b.h, checker.Ok)
	})
	t.Run("out of order", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 1, "ok", 0, 1, 2)
		b.put(2, 2, "ok", 0, 3, 4)
		b.get(3, 2, "ok", 0, 5, 6)
		wantLin(t, &b.h, checker.Illegal, "queue 7", "took item 2 but item 1 was at the head")
	})
	t.Run("empty while an item waits", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 1, "ok", 0, 1, 2)
		b.get(3, 0, "empty", 0, 3, 4)
		wantLin(t, &b.h, checker.Illegal, "failed \"empty\"")
	})
	t.Run("taken twice", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 1, "ok", 0, 1, 2)
		b.get(3, 1, "ok", 0, 3, 4)
		b.get(4, 1, "ok", 0, 5, 6)
		wantLin(t, &b.h, checker.Illegal, "taken twice")
	})
	t.Run("never put", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 1, "ok", 0, 1, 2)
		b.get(3, 1, "ok", 0, 3, 4)
		b.get(4, 5, "ok", 0, 5, 6)
		wantLin(t, &b.h, checker.Illegal, "which no put in the history enqueued")
	})
	t.Run("maxsize", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 1, "ok", 1, 1, 2)
		b.put(2, 0, "full", 1, 3, 4)
		b.get(3, 1, "ok", 1, 5, 6)
		wantLin(t, &b.h, checker.Ok)
		b.put(2, 0, "full", 1, 7, 8)
		wantLin(t, &b.h, checker.Illegal, "failed \"full\" but the queue held 0 of maxsize 1")
	})
	t.Run("over maxsize", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 1, "ok", 1, 1, 2)
		b.put(2, 2, "ok", 1, 3, 4)
		wantLin(t, &b.h, checker.Illegal, "full queue")
	})
	t.Run("full on an unbounded queue", func(t *testing.T) {
		b := newHist(8)
		b.put(2, 0, "full", 0, 1, 2)
		wantLin(t, &b.h, checker.Illegal)
	})
}

func TestLinBudgetAndBadInput(t *testing.T) {
	b := newHist(8)
	b.init(1, 2)
	for i := int64(0); i < 50; i++ {
		b.add1(2+int(i%4), 0, 4, uint64(i), 3+2*i, 4+2*i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := checker.Linearizability(ctx, &b.h, checker.Options{})
	if err != nil || r.Verdict != checker.Unknown || !strings.Contains(r.Reason, "canceled") {
		t.Fatalf("cancelled: %v %+v", err, r)
	}
	if _, err := checker.Linearizability(context.Background(), nil, checker.Options{}); err == nil {
		t.Error("nil history: no error")
	}
	bad := newHist(8)
	bad.load(2, 6, 4, 0, 1, 2) // beyond the buffer
	_, err = checker.Linearizability(context.Background(), &bad.h, checker.Options{})
	var fe *history.FormatError
	if !errors.As(err, &fe) || fe.Event != 0 {
		t.Errorf("out-of-range access: %v", err)
	}
	//lint:ignore SA1012 a nil context means Background
	if r, err := checker.Linearizability(nil, &b.h, checker.Options{Budget: time.Minute}); err != nil || r.Verdict != checker.Ok { //nolint:staticcheck
		t.Errorf("nil context: %v %v", err, r)
	}
}

func TestLinHTML(t *testing.T) {
	b := newHist(8)
	b.init(1, 2)
	b.add1(2, 0, 4, 0, 3, 6)
	b.add1(3, 0, 4, 0, 4, 7)
	r := lin(t, &b.h)
	var out bytes.Buffer
	if err := r.WriteHTML(&out, time.Minute); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<html") || !strings.Contains(out.String(), "Atomics.add") {
		t.Errorf("not porcupine's visualisation: %.200s", out.String())
	}
	var nilr *checker.LinReport
	if err := nilr.WriteHTML(&out, 0); err == nil {
		t.Error("nil report: no error")
	}
}

// TestLinAsyncSettleOkNeedsANotify: a waitAsync that settles "ok" must
// have been woken by a notify, as a synchronous "ok" wait must: an "ok"
// settlement no notify sent (no token, a token no notify sent, or a
// notify that woke no async waiter of that agent) is illegal.
func TestLinAsyncSettleOkNeedsANotify(t *testing.T) {
	build := func(settleSync uint64, notifyWakes bool) *history.History {
		b := newHist(8)
		b.init(1, 2)
		w := b.wait(2, 0, 0, 0, "async", 3, 4)
		b.h.Events[len(b.h.Events)-1].Op = "Atomics.waitAsync"
		var woken []history.Ref
		count := int64(0) // wakes nobody, legally
		if notifyWakes {
			woken, count = []history.Ref{w}, 1
		}
		n := b.notify(3, 0, count, woken, 5, 6)
		n.Sync = 77
		b.add(history.Event{Agent: 2, Kind: history.EvWaitSettle, Op: "Atomics.waitAsync", Buffer: 1, Size: 4, Result: "ok", Sync: settleSync, Call: 5, Return: 5})
		return &b.h
	}
	wantLin(t, build(77, true), checker.Ok)
	wantLin(t, build(0, false), checker.Illegal, "settled \"ok\"", "no notify")
	wantLin(t, build(78, false), checker.Illegal, "settled \"ok\"", "no notify")
	wantLin(t, build(77, false), checker.Illegal, "settled \"ok\"")
}

// TestLinExtremeInstants: instants are any int64s (the file format allows
// them); the check must order them as given, not as a doubled instant
// that overflows.
func TestLinExtremeInstants(t *testing.T) {
	const maxT = 1<<63 - 1
	b := newHist(8)
	b.init(1, 2)
	b.load(2, 0, 4, 1, maxT, maxT) // after the init returned: reads its zero, not 1
	wantLin(t, &b.h, checker.Illegal, "memory b1[0:4]", "it read 01000000")
	b = newHist(8)
	b.init(-1<<63, -1<<63+1)
	b.store(3, 0, 4, 1, 0, 1)
	b.load(2, 0, 4, 0, maxT-1, maxT) // after the store: 1, not 0
	wantLin(t, &b.h, checker.Illegal, "memory b1[0:4]")
}

// TestLinInstantaneousTimeout: a wait whose Call and Return are one
// instant enqueued and left at that instant; a later notify that wakes
// nobody is then legal.
func TestLinInstantaneousTimeout(t *testing.T) {
	for _, res := range []string{"timed-out", "cancelled"} {
		b := newHist(8)
		b.init(1, 2)
		b.wait(2, 0, 0, 0, res, 3, 3)
		b.notify(4, 0, 1, nil, 5, 6)
		wantLin(t, &b.h, checker.Ok)
		w := b.wait(3, 0, 0, 0, "ok", 7, 20)
		b.notify(4, 0, 1, []history.Ref{w}, 8, 9)
		wantLin(t, &b.h, checker.Ok)
	}
}

// hardThenEasy: partition b1[0:4] is hard for porcupine and not
// linearizable (n concurrent stores and a load of a value none wrote: every
// order of the stores is tried), partition b1[8:12] is plainly not
// linearizable.
func hardThenEasy(n int) *history.History {
	b := newHist(16)
	b.init(1, 2)
	for i := 0; i < n; i++ {
		b.store(10+i, 0, 4, uint64(i+1), 3, 1000)
	}
	b.load(9, 0, 4, 99, 3, 1000)
	b.store(2, 8, 4, 1, 2000, 2001)
	b.load(2, 8, 4, 2, 2002, 2003)
	return &b.h
}

// TestLinExplainHonoursContextAndBudget: once porcupine has found a
// partition illegal, explaining it must still end when the context does,
// and within the one budget of the check (not a second one of its own);
// the easy partition at fault is explained before the hard one.
func TestLinExplainHonoursContextAndBudget(t *testing.T) {
	h := hardThenEasy(20)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	r, err := checker.Linearizability(ctx, h, checker.Options{})
	if took := time.Since(start); err != nil || took > 10*time.Second {
		t.Fatalf("cancelled after 100ms, returned after %v: %v", took, err)
	}
	if r.Verdict != checker.Illegal {
		t.Errorf("verdict %v: %s", r.Verdict, r.Reason)
	}
	const budget = time.Second
	start = time.Now()
	r, err = checker.Linearizability(context.Background(), h, checker.Options{Budget: budget})
	if took := time.Since(start); err != nil || took > 5*budget {
		t.Fatalf("budget %v, returned after %v: %v", budget, took, err)
	}
	if r.Verdict != checker.Illegal || !strings.Contains(r.Reason, "memory b1[8:12]") {
		t.Errorf("the easy partition is not the one explained: %v %s", r.Verdict, r.Reason)
	}
}

// TestLinInitsCostTheirFirstCover: an Init adds an operation only where it
// is the first Init of a byte, so k Inits over m components cost m
// operations, not k·m (4,000 Inits of a buffer with 4,000 components made
// 16 million operations and ran a minute past a one-second budget).
func TestLinInitsCostTheirFirstCover(t *testing.T) {
	const k, m = 1000, 1000
	b := newHist(8 * m)
	for i := int64(0); i < k; i++ {
		b.init(1+2*i, 2+2*i)
	}
	for i := 0; i < m; i++ {
		b.load(2, 8*i, 4, 0, int64(10*k+2*i), int64(10*k+2*i+1))
	}
	r := wantLin(t, &b.h, checker.Ok)
	if r.Checked != 2*m || r.Partitions != m {
		t.Errorf("checked %d operations in %d partitions, want %d in %d", r.Checked, r.Partitions, 2*m, m)
	}
	// Inits that cover parts of a component, and again: each byte's zero is
	// still there (a load of a known zero), and a read of bytes no Init
	// covers is free.
	b = newHist(16)
	b.add(history.Event{Agent: 1, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: 1, ByteIndex: 2, Size: 2, Call: 1, Return: 2})
	b.add(history.Event{Agent: 1, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: 1, ByteIndex: 0, Size: 3, Call: 3, Return: 4})
	b.add(history.Event{Agent: 1, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: 1, ByteIndex: 1, Size: 2, Call: 5, Return: 6})
	b.load(2, 0, 8, 0x0700000000000000, 7, 8) // bytes 0-3 zero, 4-7 unknown
	b.load(2, 0, 4, 0, 9, 10)
	r = wantLin(t, &b.h, checker.Ok)
	if r.Checked != 4 {
		t.Errorf("checked %d operations, want 2 inits (bytes 2-3, then 0-1) and 2 loads", r.Checked)
	}
	b.load(2, 2, 2, 1, 11, 12)
	wantLin(t, &b.h, checker.Illegal, "memory b1[0:8]")
}

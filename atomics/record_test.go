package atomics

import (
	"context"
	"errors"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/shared"
)

func TestRecordedEvents(t *testing.T) {
	rec := history.NewRecorder()
	a := shared.NewAgent("a")
	buf, err := shared.NewBuffer(16, shared.CreatedBy(a), shared.WithRecorder(rec))
	if err != nil {
		t.Fatal(err)
	}
	defer buf.SetRecorder(nil)
	i32, _ := shared.View(buf, shared.Int32)
	i8, _ := shared.View(buf, shared.Int8)
	u64, _ := shared.View(buf, shared.BigUint64)
	rec.Reset() // drop the Init event

	Store(i32, 1, 0x01020304)              // write
	Load(i32, 1)                           // read: the Int32 fast path must defer to recording
	Add(i32, 1, 1)                         // rmw
	CompareExchange(i32, 1, 0x01020305, 9) // successful: rmw
	CompareExchange(i32, 1, 1234, 5)       // failing: read only
	Exchange(i8, 1, -1)                    // sub-word rmw
	Sub(u64, 1, 1)                         // 64-bit rmw, wraps
	Or(i8, 0, 0x10)

	type want struct {
		kind          history.Kind
		op            string
		index, size   int
		read, written uint64
	}
	wants := []want{
		{history.EvWrite, "Atomics.store", 4, 4, 0, 0x01020304},
		{history.EvRead, "Atomics.load", 4, 4, 0x01020304, 0},
		{history.EvRMW, "Atomics.add", 4, 4, 0x01020304, 0x01020305},
		{history.EvRMW, "Atomics.compareExchange", 4, 4, 0x01020305, 9},
		{history.EvRead, "Atomics.compareExchange", 4, 4, 9, 0},
		{history.EvRMW, "Atomics.exchange", 1, 1, 0, 0xff},
		{history.EvRMW, "Atomics.sub", 8, 8, 0, 0xffffffffffffffff},
		{history.EvRMW, "Atomics.or", 0, 1, 0, 0x10},
	}
	evs := rec.Events()
	if len(evs) != len(wants) {
		t.Fatalf("%d events, want %d: %v", len(evs), len(wants), evs)
	}
	var seq uint64
	for j, w := range wants {
		e := evs[j]
		if e.Kind != w.kind || e.Op != w.op || e.ByteIndex != w.index || e.Size != w.size ||
			e.Read != w.read || e.Written != w.written {
			t.Errorf("event %d = %v (read %#x written %#x), want %+v", j, e, e.Read, e.Written, w)
		}
		if e.Order != model.SeqCst || !e.NoTear {
			t.Errorf("event %d: order %v, NoTear %v", j, e.Order, e.NoTear)
		}
		if e.Agent != a.ID() || e.Seq <= seq || e.Buffer != buf.ID() {
			t.Errorf("event %d: agent %d seq %d buffer %d", j, e.Agent, e.Seq, e.Buffer)
		}
		seq = e.Seq
		if e.Call <= 0 || e.Return < e.Call {
			t.Errorf("event %d: call %d return %d", j, e.Call, e.Return)
		}
	}
	// Errors are not recorded.
	rec.Reset()
	Load(i32, 99)
	if rec.Len() != 0 {
		t.Errorf("a failed Load was recorded: %v", rec.Events())
	}
}

func TestRecordedWaitNotify(t *testing.T) {
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	defer main.SetRecorder(nil)
	buf, _ := shared.NewBuffer(8, shared.CreatedBy(main))
	v, _ := shared.View(buf, shared.Int32)
	worker := shared.NewAgent("worker")
	worker.SetRecorder(rec)
	defer worker.SetRecorder(nil)
	wv := v.For(worker)
	rec.Reset()

	if res, _ := Wait(v, 0, 5, time.Millisecond); res != NotEqual {
		t.Fatal(res)
	}
	if res, _ := Wait(v, 0, 0, 0); res != TimedOut {
		t.Fatal(res)
	}
	done := make(chan WaitResult)
	go func() {
		res, _ := Wait(wv, 1, 0, Forever)
		done <- res
	}()
	eventually(t, "worker enqueued", func() bool { return count(v, 1) == 1 })
	if n, _ := Notify(v, 1, All); n != 1 {
		t.Fatal(n)
	}
	if res := recv(t, done, "worker"); res != OK {
		t.Fatal(res)
	}
	p, _ := WaitAsync(v, 0, 0, Forever)
	Notify(v, 0, 1)
	<-p.Done()

	evs := rec.Events()
	if len(evs) != 7 {
		t.Fatalf("%d events: %v", len(evs), evs)
	}
	arg := func(e history.Event) int64 {
		if e.Kind == history.EvNotify {
			return e.Count
		}
		return e.Timeout
	}
	check := func(j int, kind history.Kind, ag *shared.Agent, op, result string, want int64) history.Event {
		t.Helper()
		e := evs[j]
		if e.Kind != kind || e.Agent != ag.ID() || e.Op != op || e.Result != result || arg(e) != want {
			t.Errorf("event %d = %v arg %d, want %v %s -> %s arg %d by %v", j, e, arg(e), kind, op, result, want, ag)
		}
		return e
	}
	check(0, history.EvWait, main, "Atomics.wait", "not-equal", int64(time.Millisecond))
	check(1, history.EvWait, main, "Atomics.wait", "timed-out", 0)
	// Events merge by call instant: the worker's wait began before the notify.
	w := check(2, history.EvWait, worker, "Atomics.wait", "ok", -1)
	n := check(3, history.EvNotify, main, "Atomics.notify", "1", -1)
	if n.Sync == 0 || n.Sync != w.Sync {
		t.Errorf("notify sync %d, woken wait sync %d: want one shared token", n.Sync, w.Sync)
	}
	if len(n.Woken) != 1 || n.Woken[0] != w.Ref() {
		t.Errorf("notify woke %v, want the worker's wait %v", n.Woken, w.Ref())
	}
	if w.ByteIndex != 4 || w.Size != 4 || w.Read != 0 || n.ByteIndex != 4 {
		t.Errorf("locations: wait %v, notify %v", w, n)
	}
	aw := check(4, history.EvWait, main, "Atomics.waitAsync", "async", -1)
	n2 := check(5, history.EvNotify, main, "Atomics.notify", "1", 1)
	// The settlement is an event of its own, outside agent-order, with the notify's token.
	st := evs[6]
	if st.Kind != history.EvWaitSettle || st.Agent != main.ID() || st.Seq != 0 || st.Result != "ok" || st.Sync != n2.Sync || n2.Woken[0] != aw.Ref() {
		t.Errorf("settlement %v after notify %v", st, n2)
	}
}

// TestWokenOrderMatchesCallOrder: a Notify's Woken list is in the order of
// the woken Waits' Call instants, so FIFO order can be checked from a
// history alone.
func TestWokenOrderMatchesCallOrder(t *testing.T) {
	rec, v := recordedView(t)
	const n = 8
	done := make(chan struct{})
	for k := 0; k < n; k++ {
		go func() {
			Wait(v.For(shared.NewAgent("w")), 0, 0, Forever)
			done <- struct{}{}
		}()
	}
	eventually(t, "all waiting", func() bool { return count(v, 0) == n })
	if k, _ := Notify(v, 0, All); k != n {
		t.Fatalf("woke %d", k)
	}
	for k := 0; k < n; k++ {
		<-done
	}
	calls := map[history.Ref]int64{}
	var woken []history.Ref
	for _, e := range rec.Events() {
		switch e.Kind {
		case history.EvWait:
			calls[e.Ref()] = e.Call
		case history.EvNotify:
			woken = e.Woken
		}
	}
	if len(woken) != n {
		t.Fatalf("notify lists %d woken", len(woken))
	}
	for k := 1; k < n; k++ {
		if calls[woken[k-1]] >= calls[woken[k]] {
			t.Fatalf("woken %v at calls %d, %d: not in Call order", woken, calls[woken[k-1]], calls[woken[k]])
		}
	}
}

// TestCancelledWaitIsRecordedAsCancelled: a Wait its context cancelled is
// recorded with Result "cancelled", not an ECMAScript outcome it did not
// have.
func TestCancelledWaitIsRecordedAsCancelled(t *testing.T) {
	rec, v := recordedView(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := WaitContext(ctx, v, 0, 0, Forever)
		done <- err
	}()
	eventually(t, "enqueued", func() bool { return count(v, 0) == 1 })
	cancel()
	if err := recv(t, done, "the cancelled wait"); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	var got string
	for _, e := range rec.Events() {
		if e.Kind == history.EvWait {
			got = e.Result
		}
	}
	if got != Cancelled {
		t.Fatalf("recorded %q, want %q", got, Cancelled)
	}
}

// recordedView returns a recorder and an Int32 view of a new 8-byte buffer
// it records; the recorder is detached when the test ends.
func recordedView(t *testing.T) (*history.Recorder, *shared.TypedArray) {
	t.Helper()
	rec := history.NewRecorder()
	buf, err := shared.NewBuffer(8, shared.WithRecorder(rec))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { buf.SetRecorder(nil) })
	v, _ := shared.View(buf, shared.Int32)
	return rec, v
}

// TestNotifyNegativeCountRecordsZero: Notify with a negative count wakes
// nobody (ECMA-262 clamps the count to 0), and its event must say so: a
// recorded Count of -1 means "all", and one below -1 is refused by
// history.Validate.
func TestNotifyNegativeCountRecordsZero(t *testing.T) {
	for _, c := range []int{-1, -2, -1 << 40} {
		rec, v := recordedView(t)
		w, err := WaitAsync(v, 0, 0, Forever)
		if err != nil || !w.Async() {
			t.Fatalf("WaitAsync: %v %v", w, err)
		}
		if n, err := Notify(v, 0, c); n != 0 || err != nil {
			t.Fatalf("Notify(count %d) = %d, %v; want 0", c, n, err)
		}
		w.Cancel()
		h := rec.History()
		if err := h.Validate(); err != nil {
			t.Fatalf("count %d: the recorded history is invalid: %v", c, err)
		}
		for _, e := range h.Events {
			if e.Kind == history.EvNotify && (e.Count != 0 || e.Result != "0") {
				t.Errorf("count %d: recorded count %d, result %q; want count 0, result \"0\"", c, e.Count, e.Result)
			}
		}
	}
}

package shared

import (
	"context"
	"errors"
	"fmt"
	"github.com/sabre-mm/sabre/history"
	"math/rand"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func qMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// qWaiters returns the numbers of waiting gets and puts and of puts woken for a slot.
func qWaiters(q *Queue) (getters, putters, waking int) {
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	return len(q.s.getters), len(q.s.putters), q.s.waking
}

// qUntil polls cond for up to two seconds.
func qUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestQueueFIFOAndSizes(t *testing.T) {
	q := NewQueue(3)
	if !q.Empty() || q.Full() || q.Size() != 0 || q.MaxSize() != 3 {
		t.Fatalf("new queue: empty=%v full=%v size=%d max=%d", q.Empty(), q.Full(), q.Size(), q.MaxSize())
	}
	for i := 1; i <= 3; i++ {
		qMust(t, q.PutNowait(i))
	}
	if q.Empty() || !q.Full() || q.Size() != 3 {
		t.Fatalf("after 3 puts: empty=%v full=%v size=%d", q.Empty(), q.Full(), q.Size())
	}
	err := q.PutNowait(4)
	wantKind(t, err, QueueFull, "put_nowait on a full queue")
	if !strings.Contains(err.Error(), "Queue.put_nowait") {
		t.Errorf("error %q does not name the operation", err)
	}
	for i := 1; i <= 3; i++ {
		v, err := q.GetNowait()
		if err != nil || v != i {
			t.Fatalf("get %d: %v, %v", i, v, err)
		}
	}
	_, err = q.GetNowait()
	wantKind(t, err, QueueEmpty, "get_nowait on an empty queue")
	var e *Error
	if !errors.As(err, &e) || e.Kind != QueueEmpty || e.Op != "Queue.get_nowait" {
		t.Fatalf("errors.As: %#v", e)
	}
	if !strings.Contains(q.String(), "maxsize 3") {
		t.Errorf("String() = %q", q.String())
	}
}

func TestQueueUnbounded(t *testing.T) {
	for _, max := range []int{0, -1, -100} {
		q := NewQueue(max)
		for i := 0; i < 1000; i++ {
			qMust(t, q.PutNowait(i))
		}
		if q.Full() || q.Size() != 1000 || q.MaxSize() != max {
			t.Fatalf("maxsize %d: full=%v size=%d", max, q.Full(), q.Size())
		}
		for i := 0; i < 1000; i++ {
			if v, err := q.GetNowait(); v != i || err != nil {
				t.Fatalf("maxsize %d: get %d = %v, %v", max, i, v, err)
			}
		}
	}
}

func TestQueueTimeouts(t *testing.T) {
	q := NewQueue(1)
	start := time.Now()
	_, err := q.GetTimeout(30 * time.Millisecond)
	wantKind(t, err, QueueEmpty, "get timeout")
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Fatalf("get timed out after %v, before its timeout", el)
	}
	for _, d := range []time.Duration{0, -time.Second} {
		start = time.Now()
		_, err = q.GetTimeout(d)
		wantKind(t, err, QueueEmpty, fmt.Sprintf("get timeout %v", d))
		if time.Since(start) > time.Second {
			t.Fatalf("timeout %v waited", d)
		}
	}
	qMust(t, q.PutTimeout("a", 0))
	start = time.Now()
	wantKind(t, q.PutTimeout("b", 30*time.Millisecond), QueueFull, "put timeout")
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Fatalf("put timed out after %v, before its timeout", el)
	}
	wantKind(t, q.PutTimeout("b", 0), QueueFull, "put timeout 0")
	if v, err := q.GetTimeout(0); v != "a" || err != nil {
		t.Fatalf("get timeout 0 with an item: %v, %v", v, err)
	}
	if g, p, r := qWaiters(q); g+p+r != 0 {
		t.Fatalf("waiters left: %d gets, %d puts, %d granted", g, p, r)
	}
}

func TestQueueContext(t *testing.T) {
	q := NewQueue(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := q.Get(ctx)
	wantKind(t, err, QueueEmpty, "get with a deadline")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%q does not wrap context.DeadlineExceeded", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != QueueEmpty {
		t.Fatalf("errors.As(%q) = %v", err, e)
	}

	// Cancelled from another goroutine while waiting.
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		qUntil(t, "the get to wait", func() bool { g, _, _ := qWaiters(q); return g == 1 })
		cancel2()
	}()
	_, err = q.Get(ctx2)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, QueueEmpty) {
		t.Fatalf("cancelled get: %v", err)
	}

	// A put on a full queue, cancelled.
	qMust(t, q.PutNowait(1))
	ctx3, cancel3 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel3()
	err = q.Put(ctx3, 2)
	if !errors.Is(err, QueueFull) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("put with a deadline on a full queue: %v", err)
	}

	// An operation that can complete does so even if its context is done.
	if v, err := q.Get(ctx3); v != 1 || err != nil {
		t.Fatalf("get with a done context and an item: %v, %v", v, err)
	}
	if err := q.Put(ctx3, 3); err != nil {
		t.Fatalf("put with a done context and room: %v", err)
	}
	// A nil context never ends.
	var none context.Context
	if v, err := q.Get(none); v != 3 || err != nil {
		t.Fatalf("get with a nil context: %v, %v", v, err)
	}
	if g, p, r := qWaiters(q); g+p+r != 0 {
		t.Fatalf("waiters left: %d gets, %d puts, %d granted", g, p, r)
	}
}

func TestQueueBlocking(t *testing.T) {
	q := NewQueue(1)
	got := make(chan any)
	go func() {
		v, err := q.Get(context.Background())
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	qUntil(t, "the get to wait", func() bool { g, _, _ := qWaiters(q); return g == 1 })
	select {
	case v := <-got:
		t.Fatalf("get returned %v from an empty queue", v)
	default:
	}
	qMust(t, q.PutNowait("x"))
	if v := <-got; v != "x" {
		t.Fatalf("blocked get received %v", v)
	}

	qMust(t, q.PutNowait(1))
	done := make(chan error)
	go func() { done <- q.Put(context.Background(), 2) }()
	qUntil(t, "the put to wait", func() bool { _, p, _ := qWaiters(q); return p == 1 })
	select {
	case err := <-done:
		t.Fatalf("put on a full queue returned %v", err)
	default:
	}
	if v, _ := q.GetNowait(); v != 1 {
		t.Fatalf("got %v, want 1", v)
	}
	qMust(t, <-done)
	if v, _ := q.GetNowait(); v != 2 {
		t.Fatalf("got %v, want 2", v)
	}
}

// TestQueueWaitersFIFO checks that waiting gets are served in the order they
// began waiting, and so are waiting puts.
func TestQueueWaitersFIFO(t *testing.T) {
	q := NewQueue(1)
	const n = 5
	results := make([]chan any, n)
	for i := range results {
		results[i] = make(chan any, 1)
		go func() {
			v, err := q.Get(context.Background())
			if err != nil {
				t.Error(err)
			}
			results[i] <- v
		}()
		qUntil(t, "get to wait", func() bool { g, _, _ := qWaiters(q); return g == i+1 })
	}
	for i := 0; i < n; i++ {
		qMust(t, q.PutNowait(i))
	}
	for i := range results {
		if v := <-results[i]; v != i {
			t.Fatalf("get #%d received %v", i, v)
		}
	}

	qMust(t, q.PutNowait(-1))
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qMust(t, q.Put(context.Background(), i))
		}()
		qUntil(t, "put to wait", func() bool { _, p, _ := qWaiters(q); return p == i+1 })
	}
	for i := -1; i < n; i++ {
		v, err := q.Get(context.Background())
		if err != nil || v != i {
			t.Fatalf("get: %v, %v; want %d", v, err, i)
		}
	}
	wg.Wait()
}

func TestQueueNilAndZero(t *testing.T) {
	for name, q := range map[string]*Queue{"nil": nil, "zero": {}} {
		wantKind(t, q.PutNowait(1), TypeError, name+" put")
		_, err := q.GetNowait()
		wantKind(t, err, TypeError, name+" get")
		if q.Size() != 0 || !q.Empty() || q.Full() || q.ID() != 0 || q.MaxSize() != 0 || q.Same(q) {
			t.Fatalf("%s queue accessors", name)
		}
		_ = q.String()
		if h := q.For(NewAgent("x")); h.Agent() == nil || h.PutNowait(1) == nil {
			t.Fatalf("%s queue: For", name)
		}
	}
}

type qPoint struct{ X, Y int }
type qID int64
type qBlob []byte

func TestQueueRefusesNonShareable(t *testing.T) {
	buf, _ := NewBuffer(8)
	ab, _ := NewArrayBuffer(8)
	ab2, _ := NewArrayBuffer(8)
	gone, _ := NewArrayBuffer(8)
	if _, err := gone.Transfer(); err != nil {
		t.Fatal(err)
	}
	abView, _ := NewTypedArray(ab, Uint8, 0, 8)
	abDV, _ := NewDataView(ab, 0, 8)
	x := 1
	cases := []struct {
		name     string
		item     any
		transfer []Backing
		kind     ErrorKind
		mention  string
	}{
		{"struct", qPoint{1, 2}, nil, NotShareable, "shared.qPoint"},
		{"map", map[string]int{"a": 1}, nil, NotShareable, "map[string]int"},
		{"pointer", &x, nil, NotShareable, "*int"},
		{"func", func() {}, nil, NotShareable, "func()"},
		{"chan", make(chan int), nil, NotShareable, "chan int"},
		{"[]int", []int{1}, nil, NotShareable, "[]int"},
		{"[]string", []string{"a"}, nil, NotShareable, "[]string"},
		{"array", [4]byte{}, nil, NotShareable, "[4]uint8"},
		{"error", errors.New("e"), nil, NotShareable, "*errors.errorString"},
		{"agent", NewAgent("x"), nil, NotShareable, "*shared.Agent"},
		{"recorder", history.NewRecorder(), nil, NotShareable, "*history.Recorder"},
		{"tuple with a map", []any{1, "a", map[int]int{}}, nil, NotShareable, "item[2]"},
		{"nested tuple with a pointer", []any{[]any{&x}}, nil, NotShareable, "item[0][0]"},
		{"nil *Buffer", (*Buffer)(nil), nil, NotShareable, "nil"},
		{"nil *Queue", (*Queue)(nil), nil, NotShareable, "nil"},
		{"zero Queue", &Queue{}, nil, NotShareable, "nil"},
		{"nil view", (*TypedArray)(nil), nil, NotShareable, "nil"},
		{"ArrayBuffer not in the transfer list", ab, nil, NotShareable, "transfer list"},
		{"view over an ArrayBuffer not transferred", abView, nil, NotShareable, "transfer list"},
		{"DataView over an ArrayBuffer not transferred", abDV, nil, NotShareable, "transfer list"},
		{"detached ArrayBuffer", gone, nil, NotShareable, "detached"},
		{"transfer list names another buffer", ab, []Backing{ab2}, NotShareable, "transfer list"},
		{"transfer list names a buffer not in the item", 7, []Backing{ab}, TypeError, "does not occur"},
		{"tuple with one of two buffers listed", []any{ab, ab2}, []Backing{ab}, NotShareable, "item[1]"},
		{"SharedArrayBuffer in the transfer list", buf, []Backing{buf}, TypeError, "cannot transfer a SharedArrayBuffer"},
		{"nil transfer entry", ab, []Backing{nil}, TypeError, "entry 0"},
		{"typed nil transfer entry", ab, []Backing{ab, (*ArrayBuffer)(nil)}, TypeError, "entry 1"},
		{"buffer listed twice", ab, []Backing{ab, ab}, TypeError, "same ArrayBuffer"},
		{"buffer listed twice under two bindings", ab, []Backing{ab, ab.For(NewAgent("y"))}, TypeError, "same ArrayBuffer"},
		{"detached buffer in the transfer list", gone, []Backing{gone}, TypeError, "detached"},
	}
	q := NewQueue(0)
	for _, c := range cases {
		for _, put := range []func() error{
			func() error { return q.PutNowait(c.item, c.transfer...) },
			func() error { return q.Put(context.Background(), c.item, c.transfer...) },
			func() error { return q.PutTimeout(c.item, time.Millisecond, c.transfer...) },
		} {
			err := put()
			wantKind(t, err, c.kind, c.name)
			if !errors.Is(err, TypeError) {
				t.Errorf("%s: %q is not a TypeError", c.name, err)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, c.mention)
			}
		}
		if q.Size() != 0 || ab.Detached() || ab2.Detached() {
			t.Fatalf("%s: a refused put changed something: size %d, detached %v %v", c.name, q.Size(), ab.Detached(), ab2.Detached())
		}
		if c.transfer == nil && IsShareable(c.item) {
			t.Errorf("IsShareable(%s) = true", c.name)
		}
	}
}

func TestQueueShareableScalars(t *testing.T) {
	q := NewQueue(0)
	items := []any{nil, true, false, int(-1), int8(-2), int16(-3), int32(-4), int64(-5), uint(6), uint8(7),
		uint16(8), uint32(9), uint64(10), uintptr(11), float32(1.5), 2.5, complex64(1 + 2i), 3 + 4i,
		"", "héllo", qID(42), time.Second, []any{1, "a", []any{nil, 2.5}}, []any(nil)}
	for _, it := range items {
		if !IsShareable(it) {
			t.Errorf("IsShareable(%#v) = false", it)
		}
		qMust(t, q.PutNowait(it))
	}
	for _, want := range items {
		got, err := q.GetNowait()
		qMust(t, err)
		if fmt.Sprintf("%T %#v", got, got) != fmt.Sprintf("%T %#v", want, want) {
			t.Errorf("received %T %#v, sent %T %#v", got, got, want, want)
		}
	}
}

func TestQueueCopiesBytes(t *testing.T) {
	q := NewQueue(0)
	p := []byte("hello")
	blob := qBlob("world")
	tuple := []any{p, 1}
	qMust(t, q.PutNowait(p))
	qMust(t, q.PutNowait(blob))
	qMust(t, q.PutNowait(tuple))
	qMust(t, q.PutNowait([]byte(nil)))
	p[0], blob[0], tuple[1] = 'j', 'W', 2
	if v, _ := q.GetNowait(); string(v.([]byte)) != "hello" {
		t.Fatalf("received %q after the sender changed its slice", v)
	}
	if v, _ := q.GetNowait(); string(v.(qBlob)) != "world" {
		t.Fatalf("received %T %q, want the qBlob copied", v, v)
	}
	v, _ := q.GetNowait()
	if got := v.([]any); string(got[0].([]byte)) != "hello" || got[1] != 1 {
		t.Fatalf("received tuple %v, want the tuple and its bytes copied", got)
	}
	if v, _ := q.GetNowait(); v.([]byte) != nil {
		t.Fatalf("nil []byte arrived as %#v", v)
	}
}

func TestQueueSharesBuffersViewsAndQueues(t *testing.T) {
	a, b := NewAgent("sender"), NewAgent("receiver")
	buf, _ := NewBuffer(16, CreatedBy(a))
	tv, _ := NewTypedArray(buf, Int32, 4, 2)
	dv, _ := NewDataView(buf, 1, 8)
	inner := NewQueue(2)
	q := NewQueue(0)
	qa, qb := q.For(a), q.For(b)
	qMust(t, qa.PutNowait(buf))
	qMust(t, qa.PutNowait([]any{tv, dv, inner}))

	v, err := qb.GetNowait()
	qMust(t, err)
	rb := v.(*Buffer)
	if !rb.Same(buf) || rb.Agent() != b || buf.Agent() != a {
		t.Fatalf("received buffer: same=%v agent=%v", rb.Same(buf), rb.Agent())
	}
	rv, _ := NewTypedArray(rb, Uint8, 0, 16)
	qMust(t, rv.SetInt(3, 99))
	if buf.Bytes()[3] != 99 {
		t.Fatal("a write through the received buffer is not seen through the sender's")
	}

	v, err = qb.GetNowait()
	qMust(t, err)
	tup := v.([]any)
	rtv, rdv, rq := tup[0].(*TypedArray), tup[1].(*DataView), tup[2].(*Queue)
	if rtv.Agent() != b || rtv.BufferID() != buf.ID() || rtv.Length() != 2 || rtv.Kind() != Int32 {
		t.Fatalf("received typed array %v bound to %v", rtv, rtv.Agent())
	}
	qMust(t, tv.SetInt(1, -7))
	if x, _ := rtv.GetInt(1); x != -7 {
		t.Fatal("the received typed array does not see the sender's write")
	}
	if rdv.Agent() != b || rdv.BufferID() != buf.ID() || !rdv.Buffer().(*Buffer).Same(buf) || rdv.Buffer().(*Buffer).Agent() != b {
		t.Fatal("received DataView")
	}
	qMust(t, dv.SetUint16(0, 0xbeef, false))
	if x, _ := rdv.GetUint16(0, false); x != 0xbeef {
		t.Fatal("the received DataView does not see the sender's write")
	}
	if !rq.Same(inner) || rq.Agent() != b || rq.MaxSize() != 2 || rq.ID() != inner.ID() {
		t.Fatal("received queue")
	}
	qMust(t, rq.PutNowait("via received"))
	if v, _ := inner.GetNowait(); v != "via received" {
		t.Fatal("the received queue is not the same queue")
	}
	// A queue may carry itself.
	qMust(t, q.PutNowait(q))
	if v, _ := qb.GetNowait(); !v.(*Queue).Same(q) {
		t.Fatal("queue through itself")
	}
}

func TestQueueTransfer(t *testing.T) {
	a, b := NewAgent("sender"), NewAgent("receiver")
	ab, _ := NewArrayBuffer(8, CreatedBy(a))
	u8, _ := NewTypedArray(ab, Uint8, 0, 8)
	for i := 0; i < 8; i++ {
		qMust(t, u8.SetInt(i, int64(i+1)))
	}
	dv, _ := NewDataView(ab, 0, 8)
	q := NewQueue(0)
	qMust(t, q.For(a).PutNowait(ab, ab))
	if !ab.Detached() || ab.ByteLength() != 0 {
		t.Fatal("the sender's ArrayBuffer is not detached")
	}
	_, err := u8.GetInt(0)
	wantKind(t, err, TypeError, "typed array over the transferred buffer")
	_, err = dv.GetUint8(0)
	wantKind(t, err, TypeError, "DataView over the transferred buffer")
	_, err = ab.Bytes()
	wantKind(t, err, TypeError, "Bytes of the transferred buffer")
	_, err = NewDataView(ab, 0, 0)
	wantKind(t, err, TypeError, "new DataView over the transferred buffer")

	v, err := q.For(b).GetNowait()
	qMust(t, err)
	got := v.(*ArrayBuffer)
	p, err := got.Bytes()
	if err != nil || string(p) != "\x01\x02\x03\x04\x05\x06\x07\x08" || got.Detached() || got.Agent() != b || got.ID() == ab.ID() {
		t.Fatalf("received buffer %v (%v) agent %v", p, err, got.Agent())
	}

	// A tuple with the same buffer twice and views over it, one transfer.
	ab2, _ := NewArrayBuffer(4)
	v2, _ := NewTypedArray(ab2, Uint16, 2, 1)
	d2, _ := NewDataView(ab2, 1, 2)
	qMust(t, v2.SetInt(0, 0x1234))
	qMust(t, q.PutNowait([]any{ab2, v2, ab2, d2, "tag"}, ab2))
	if !ab2.Detached() {
		t.Fatal("ab2 not detached")
	}
	v, err = q.For(b).GetNowait()
	qMust(t, err)
	tup := v.([]any)
	r0, r1, r2, r3 := tup[0].(*ArrayBuffer), tup[1].(*TypedArray), tup[2].(*ArrayBuffer), tup[3].(*DataView)
	if r0.ID() != r2.ID() || r1.BufferID() != r0.ID() || r3.BufferID() != r0.ID() || r0.ID() == ab2.ID() {
		t.Fatal("the buffer named twice did not arrive as one buffer, or views are not over it")
	}
	if x, err := r1.GetInt(0); x != 0x1234 || err != nil || r1.Agent() != b {
		t.Fatalf("received view reads %#x, %v", x, err)
	}
	if x, err := r3.GetUint8(1); err != nil || x != 0x34 && x != 0x12 {
		t.Fatalf("received DataView reads %#x, %v", x, err)
	}
	if r3.Buffer().(*ArrayBuffer).ID() != r0.ID() {
		t.Fatal("received DataView's Buffer()")
	}
}

// TestQueueTransferAtomicity checks that a put that fails — full, timed out,
// cancelled, or whose buffer was detached while it waited — detaches nothing
// and enqueues nothing, and that a waiting put transfers only when it
// enters the queue.
func TestQueueTransferAtomicity(t *testing.T) {
	q := NewQueue(1)
	qMust(t, q.PutNowait("filler"))
	ab, _ := NewArrayBuffer(8)
	wantKind(t, q.PutNowait(ab, ab), QueueFull, "nowait transfer on a full queue")
	wantKind(t, q.PutTimeout(ab, 5*time.Millisecond, ab), QueueFull, "timed transfer on a full queue")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	wantKind(t, q.Put(ctx, []any{ab}, ab), QueueFull, "cancelled transfer on a full queue")
	if ab.Detached() || q.Size() != 1 {
		t.Fatalf("failed puts: detached=%v size=%d", ab.Detached(), q.Size())
	}

	// A waiting put transfers only when it enters the queue.
	done := make(chan error)
	go func() { done <- q.Put(context.Background(), ab, ab) }()
	qUntil(t, "put to wait", func() bool { _, p, _ := qWaiters(q); return p == 1 })
	if ab.Detached() {
		t.Fatal("a waiting put detached its buffer")
	}
	if v, _ := q.GetNowait(); v != "filler" {
		t.Fatal(v)
	}
	qMust(t, <-done)
	if !ab.Detached() {
		t.Fatal("the completed put did not detach")
	}
	if v, _ := q.GetNowait(); v.(*ArrayBuffer).ByteLength() != 8 {
		t.Fatal("transferred buffer")
	}

	// Two buffers, one of which the sender (wrongly) transfers while the put
	// waits: the put fails with a TypeError, the other buffer is restored,
	// and the slot goes to the next waiting put.
	qMust(t, q.PutNowait("filler"))
	b1, _ := NewArrayBuffer(4)
	b2, _ := NewArrayBuffer(4)
	go func() { done <- q.Put(context.Background(), []any{b1, b2}, b1, b2) }()
	qUntil(t, "put to wait", func() bool { _, p, _ := qWaiters(q); return p == 1 })
	next := make(chan error)
	go func() { next <- q.Put(context.Background(), "next") }()
	qUntil(t, "second put to wait", func() bool { _, p, _ := qWaiters(q); return p == 2 })
	if _, err := b2.Transfer(); err != nil {
		t.Fatal(err)
	}
	if v, _ := q.GetNowait(); v != "filler" {
		t.Fatal(v)
	}
	err := <-done
	wantKind(t, err, TypeError, "put whose buffer was detached while waiting")
	if b1.Detached() {
		t.Fatal("b1 stayed detached after the failed put")
	}
	qMust(t, <-next)
	if v, _ := q.GetNowait(); v != "next" {
		t.Fatalf("after the failed put the queue holds %v", v)
	}
	if g, p, r := qWaiters(q); g+p+r != 0 || q.Size() != 0 {
		t.Fatalf("left: %d gets, %d puts, %d granted, size %d", g, p, r, q.Size())
	}
}

func TestQueueRecording(t *testing.T) {
	r := history.NewRecorder()
	a, b := NewAgent("a"), NewAgent("b")
	a.SetRecorder(r)
	b.SetRecorder(r)
	defer a.SetRecorder(nil)
	defer b.SetRecorder(nil)
	q := NewQueue(0)
	qa, qb := q.For(a), q.For(b)
	qMust(t, qa.PutNowait(1))
	qMust(t, qa.PutNowait(2))
	ab, _ := NewArrayBuffer(4)
	qMust(t, qa.PutNowait(ab, ab))
	for i := 0; i < 3; i++ {
		_, err := qb.GetNowait()
		qMust(t, err)
	}
	_, err := qb.GetNowait()
	wantKind(t, err, QueueEmpty, "empty")
	qMust(t, q.PutNowait("unbound")) // not recorded: the handle has no agent
	v, _ := qb.GetNowait()
	if v != "unbound" {
		t.Fatal(v)
	}

	var puts, gets, transfers []history.Event
	for _, e := range r.Events() {
		switch e.Kind {
		case history.EvQueuePut:
			puts = append(puts, e)
		case history.EvQueueGet:
			gets = append(gets, e)
		case history.EvTransfer:
			transfers = append(transfers, e)
		}
	}
	if len(puts) != 3 || len(gets) != 5 || len(transfers) != 1 {
		t.Fatalf("recorded %d puts, %d gets, %d transfers: %v", len(puts), len(gets), len(transfers), r.Events())
	}
	for i := 0; i < 3; i++ {
		p, g := puts[i], gets[i]
		if p.Sync == 0 || p.Sync != g.Sync || p.Agent != a.ID() || g.Agent != b.ID() || p.Peer != q.ID() || g.Peer != q.ID() ||
			p.Result != "ok" || g.Result != "ok" || p.Call > p.Return || g.Call > g.Return || p.Op != "Queue.put_nowait" {
			t.Errorf("pair %d: put %+v get %+v", i, p, g)
		}
		if g.Return < p.Call {
			t.Errorf("pair %d: the get returned before the put began", i)
		}
		if p.Count != 0 || g.Count != 0 {
			t.Errorf("pair %d: an unbounded queue's events record maxsize %d and %d, not 0", i, p.Count, g.Count)
		}
	}
	if puts[0].Sync == puts[1].Sync || puts[1].Sync == puts[2].Sync {
		t.Error("Sync tokens are not distinct")
	}
	if e := gets[3]; e.Result != "empty" || e.Sync != 0 {
		t.Errorf("empty get %+v", e)
	}
	if e := gets[4]; e.Sync != 0 || e.Result != "ok" {
		t.Errorf("get of an unrecorded put %+v", e)
	}
	tr := transfers[0]
	if tr.Agent != a.ID() || tr.Buffer != ab.ID() || tr.Size != 4 || tr.Peer == 0 || tr.Seq != puts[2].Seq+1 {
		t.Errorf("transfer %+v: want it numbered within the put that carries it (put seq %d)", tr, puts[2].Seq)
	}
	if err := qa.PutTimeout(struct{}{}, 0); err == nil {
		t.Fatal("struct accepted")
	}
	if n := len(r.Events()); n != 3+5+1 {
		t.Errorf("a refused value was recorded (%d events)", n)
	}
}

// TestQueueRecordingAcrossAgents pairs puts and blocked gets between a
// parent agent and children it starts: every get's Sync token is the token
// of exactly one put, and each pair carries the item from that put.
func TestQueueRecordingAcrossAgents(t *testing.T) {
	r := history.NewRecorder()
	parent := NewAgent("parent")
	parent.SetRecorder(r)
	defer parent.SetRecorder(nil)
	q := NewQueue(2)
	const children, each = 3, 20
	var hs []*Handle
	for c := 0; c < children; c++ {
		hs = append(hs, parent.Start(fmt.Sprint("child", c), func(me *Agent) error {
			mq := q.For(me)
			for i := 0; i < each; i++ {
				if _, err := mq.Get(context.Background()); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	pq := q.For(parent)
	for i := 0; i < children*each; i++ {
		qMust(t, pq.Put(context.Background(), i))
	}
	for _, h := range hs {
		qMust(t, h.Join(parent))
	}
	putBy := map[uint64]history.Event{}
	nGets := 0
	for _, e := range r.Events() {
		if e.Kind == history.EvQueuePut {
			if _, dup := putBy[e.Sync]; dup || e.Sync == 0 {
				t.Fatalf("put token %d", e.Sync)
			}
			putBy[e.Sync] = e
		}
	}
	for _, e := range r.Events() {
		if (e.Kind == history.EvQueuePut || e.Kind == history.EvQueueGet) && e.Count != 2 {
			t.Fatalf("%v records maxsize %d, not 2", e, e.Count)
		}
		if e.Kind == history.EvQueueGet {
			nGets++
			p, ok := putBy[e.Sync]
			if !ok || p.Agent != parent.ID() || e.Agent == parent.ID() {
				t.Fatalf("get %+v has no matching put", e)
			}
			delete(putBy, e.Sync)
		}
	}
	if nGets != children*each || len(putBy) != 0 {
		t.Fatalf("%d gets, %d unmatched puts", nGets, len(putBy))
	}
}

// TestQueueConcurrentFIFO: producers into a small queue, one consumer: every
// item arrives exactly once and each producer's items in order.
func TestQueueConcurrentFIFO(t *testing.T) {
	const producers, each = 4, 500
	q := NewQueue(4)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := q.Put(context.Background(), []any{p, i}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	next := make([]int, producers)
	for n := 0; n < producers*each; n++ {
		v, err := q.GetTimeout(5 * time.Second)
		qMust(t, err)
		tup := v.([]any)
		p, i := tup[0].(int), tup[1].(int)
		if i != next[p] {
			t.Fatalf("producer %d: received item %d, expected %d", p, i, next[p])
		}
		next[p]++
	}
	wg.Wait()
	if !q.Empty() {
		t.Fatal("items left")
	}
}

// TestQueueManyProducersManyConsumers: every item received exactly once.
func TestQueueManyProducersManyConsumers(t *testing.T) {
	const producers, consumers, each = 4, 3, 400
	q := NewQueue(3)
	var seen sync.Map
	var received atomic.Int64
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				qMust(t, q.Put(context.Background(), p*each+i))
			}
		}()
	}
	var cw sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for c := 0; c < consumers; c++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			for {
				v, err := q.Get(ctx)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Error(err)
					}
					return
				}
				if _, dup := seen.LoadOrStore(v, true); dup {
					t.Errorf("item %v received twice", v)
				}
				if received.Add(1) == producers*each {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	cw.Wait()
	cancel()
	if n := received.Load(); n != producers*each {
		t.Fatalf("received %d of %d", n, producers*each)
	}
}

// TestQueueCancellationLosesNothing races timed-out and cancelled puts and
// gets: the items received are exactly the items whose put succeeded —
// nothing lost, nothing duplicated, and nothing taken by a get that
// reported failure or from a put that reported failure.
func TestQueueCancellationLosesNothing(t *testing.T) {
	const producers, consumers, each = 4, 4, 300
	q := NewQueue(2)
	var put, got sync.Map
	var wg sync.WaitGroup
	var producing atomic.Int32
	producing.Store(producers)
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer producing.Add(-1)
			r := rand.New(rand.NewSource(int64(p)))
			for i := 0; i < each; i++ {
				id := p*each + i
				var err error
				switch r.Intn(3) {
				case 0:
					err = q.PutTimeout(id, time.Duration(r.Intn(50))*time.Microsecond)
				case 1:
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(r.Intn(50))*time.Microsecond)
					err = q.Put(ctx, id)
					cancel()
				default:
					err = q.PutNowait(id)
				}
				if err == nil {
					put.Store(id, true)
				} else if !errors.Is(err, QueueFull) {
					t.Error(err)
				}
			}
		}()
	}
	for c := 0; c < consumers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(100 + c)))
			for producing.Load() > 0 || !q.Empty() {
				var v any
				var err error
				if r.Intn(2) == 0 {
					v, err = q.GetTimeout(time.Duration(r.Intn(50)) * time.Microsecond)
				} else {
					ctx, cancel := context.WithCancel(context.Background())
					if r.Intn(2) == 0 {
						cancel()
					} else {
						time.AfterFunc(time.Duration(r.Intn(50))*time.Microsecond, cancel)
					}
					v, err = q.Get(ctx)
					cancel()
				}
				if err != nil {
					if !errors.Is(err, QueueEmpty) {
						t.Error(err)
					}
					continue
				}
				if _, dup := got.LoadOrStore(v, true); dup {
					t.Errorf("item %v received twice", v)
				}
			}
		}()
	}
	wg.Wait()
	for {
		v, err := q.GetNowait()
		if err != nil {
			break
		}
		got.Store(v, true)
	}
	nPut := 0
	put.Range(func(k, _ any) bool {
		nPut++
		if _, ok := got.Load(k); !ok {
			t.Errorf("item %v was put but never received", k)
		}
		return true
	})
	got.Range(func(k, _ any) bool {
		if _, ok := put.Load(k); !ok {
			t.Errorf("item %v was received but its put failed", k)
		}
		return true
	})
	if g, p, r := qWaiters(q); g+p+r != 0 {
		t.Fatalf("waiters left: %d gets, %d puts, %d granted", g, p, r)
	}
	t.Logf("%d of %d puts succeeded", nPut, producers*each)
}

// TestQueueNoGoroutineLeak cancels and times out many waiting gets and puts
// and checks that no goroutine or waiter is left behind.
func TestQueueNoGoroutineLeak(t *testing.T) {
	settle := func() int {
		n := runtime.NumGoroutine()
		for i := 0; i < 100; i++ {
			runtime.Gosched()
			time.Sleep(time.Millisecond)
			if m := runtime.NumGoroutine(); m <= n {
				n = m
			}
		}
		return n
	}
	before := settle()
	empty, full := NewQueue(1), NewQueue(1)
	qMust(t, full.PutNowait(0))
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(4)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { defer wg.Done(); _, _ = empty.Get(ctx) }()
		go func() { defer wg.Done(); _ = full.Put(ctx, i) }()
		go func() { defer wg.Done(); _, _ = empty.GetTimeout(time.Millisecond) }()
		go func() { defer wg.Done(); _ = full.PutTimeout(i, time.Millisecond) }()
		time.AfterFunc(time.Millisecond, cancel)
	}
	wg.Wait()
	for _, q := range []*Queue{empty, full} {
		if g, p, r := qWaiters(q); g+p+r != 0 {
			t.Fatalf("waiters left: %d gets, %d puts, %d granted", g, p, r)
		}
	}
	if full.Size() != 1 || !empty.Empty() {
		t.Fatal("a failed operation changed a queue")
	}
	// No cancelled get steals a later item.
	qMust(t, empty.PutNowait("later"))
	if v, err := empty.GetNowait(); v != "later" || err != nil {
		t.Fatalf("later item: %v, %v", v, err)
	}
	after := settle()
	if after > before {
		t.Fatalf("%d goroutines before, %d after", before, after)
	}
}

// BenchmarkQueuePutGetNowait and BenchmarkChanSendRecv compare one put and
// one get without waiting against a buffered channel's send and receive.
func BenchmarkQueuePutGetNowait(b *testing.B) {
	q := NewQueue(16)
	for i := 0; i < b.N; i++ {
		_ = q.PutNowait(i)
		_, _ = q.GetNowait()
	}
}

func BenchmarkChanSendRecv(b *testing.B) {
	c := make(chan any, 16)
	for i := 0; i < b.N; i++ {
		c <- i
		<-c
	}
}

// BenchmarkQueuePingPong and BenchmarkChanPingPongAny pass a token back and
// forth between two goroutines through two queues (two channels).
func BenchmarkQueuePingPong(b *testing.B) {
	ping, pong := NewQueue(0), NewQueue(0)
	go func() {
		for {
			v, err := ping.Get(context.Background())
			if err != nil || v == nil {
				return
			}
			_ = pong.PutNowait(v)
		}
	}()
	for i := 0; i < b.N; i++ {
		_ = ping.PutNowait(1)
		_, _ = pong.Get(context.Background())
	}
	_ = ping.PutNowait(nil)
}

func BenchmarkChanPingPongAny(b *testing.B) {
	ping, pong := make(chan any), make(chan any)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < b.N; i++ {
		ping <- 1
		<-pong
	}
	close(ping)
}

package atomics

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/shared"
)

// eventually polls cond until it holds, failing the test after a generous
// deadline (the deadline is a hang guard, not a timing assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// recv receives from c, failing after a hang-guard deadline.
func recv[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case x := <-c:
		return x
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	panic("unreachable")
}

func count(v *shared.TypedArray, i int) int {
	return waiterCount(v.BufferID(), v.ByteOffset()+i*v.Kind().Size())
}

// listsEmpty reports whether no waiter is left in any shard, and no shard
// keeps more than its one idle empty list.
func listsEmpty() bool {
	for i := range shards {
		s := &shards[i]
		s.mu.Lock()
		n, waiters := len(s.lists), 0
		for _, l := range s.lists {
			waiters += l.n
		}
		idle := s.idle
		s.mu.Unlock()
		if waiters != 0 || n > 1 || (n == 1 && idle == nil) {
			return false
		}
	}
	return true
}

func TestIdleListsBounded(t *testing.T) {
	// Many locations, each waited on and timed out: afterwards each shard
	// holds at most its one idle list.
	buf, _ := shared.NewBuffer(4 * 1000)
	v, _ := shared.View(buf, shared.Int32)
	for i := 0; i < 1000; i++ {
		if res, _ := Wait(v, i, 0, 0); res != TimedOut {
			t.Fatal(res)
		}
	}
	total := 0
	for i := range shards {
		shards[i].mu.Lock()
		total += len(shards[i].lists)
		shards[i].mu.Unlock()
	}
	if total > len(shards) || !listsEmpty() {
		t.Fatalf("%d waiter lists kept for %d shards", total, len(shards))
	}
}

func TestWaitNotEqualAndTimeout(t *testing.T) {
	for _, k := range []shared.Kind{shared.Int32, shared.BigInt64} {
		v := newView(t, true, k, 4)
		Store(v, 1, -1)
		if res, err := Wait(v, 1, 0, Forever); err != nil || res != NotEqual {
			t.Fatalf("%v: Wait(expected 0) on -1 = %q, %v", k, res, err)
		}
		// expected is converted to the kind first: for Int32, 2^32-1 is -1.
		exp := int64(-1)
		if k == shared.Int32 {
			exp = 1<<32 - 1
		}
		for _, d := range []time.Duration{0, -time.Second, time.Millisecond} {
			if res, err := Wait(v, 1, exp, d); err != nil || res != TimedOut {
				t.Fatalf("%v: Wait(timeout %v) = %q, %v; want timed-out", k, d, res, err)
			}
		}
		if n := count(v, 1); n != 0 {
			t.Fatalf("a timed-out waiter stayed enqueued: %d", n)
		}
	}
	if !listsEmpty() {
		t.Fatal("waiter lists left behind")
	}
}

func TestTimeoutFromMillis(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		ms   float64
		want time.Duration
	}{
		{0, 0}, {-1, 0}, {-inf, 0}, {inf, Forever}, {inf - inf, Forever},
		{1.5, 1500 * time.Microsecond}, {1e300, Forever},
	}
	for _, c := range cases {
		if got := TimeoutFromMillis(c.ms); got != c.want {
			t.Errorf("TimeoutFromMillis(%v) = %v, want %v", c.ms, got, c.want)
		}
	}
}

// enqueueWaiters starts n Wait calls on element i of v one at a time, each
// confirmed enqueued before the next starts, and returns the channel on which
// each reports its number when it returns.
func enqueueWaiters(t *testing.T, v *shared.TypedArray, i, n int, timeout time.Duration) <-chan int {
	t.Helper()
	woke := make(chan int, n)
	base := count(v, i)
	for k := 0; k < n; k++ {
		go func() {
			res, err := Wait(v, i, 0, timeout)
			if err != nil || res != OK {
				t.Errorf("waiter %d: %q, %v", k, res, err)
			}
			woke <- k
		}()
		eventually(t, "waiter enqueued", func() bool { return count(v, i) == base+k+1 })
	}
	return woke
}

func TestNotifyFIFO(t *testing.T) {
	for _, k := range []shared.Kind{shared.Int32, shared.BigInt64} {
		v := newView(t, true, k, 4)
		const n = 6
		woke := enqueueWaiters(t, v, 2, n, Forever)
		for want := 0; want < n; want++ {
			if got, err := Notify(v, 2, 1); got != 1 || err != nil {
				t.Fatalf("Notify(1) = %d, %v", got, err)
			}
			if got := recv(t, woke, "a woken waiter"); got != want {
				t.Fatalf("%v: woke waiter %d, want %d (FIFO)", k, got, want)
			}
		}
		if got, _ := Notify(v, 2, All); got != 0 {
			t.Fatalf("Notify on an empty list woke %d", got)
		}
	}
	if !listsEmpty() {
		t.Fatal("waiter lists left behind")
	}
}

func TestNotifyCount(t *testing.T) {
	v := newView(t, true, shared.Int32, 4)
	woke := enqueueWaiters(t, v, 0, 5, 20*time.Second)
	for _, c := range []struct{ count, want int }{{0, 0}, {-3, 0}, {2, 2}, {All, 3}, {All, 0}} {
		got, err := Notify(v, 0, c.count)
		if err != nil || got != c.want {
			t.Fatalf("Notify(%d) = %d, %v; want %d", c.count, got, err, c.want)
		}
		for j := 0; j < got; j++ {
			recv(t, woke, "woken waiter")
		}
	}
	if len(woke) != 0 || count(v, 0) != 0 || !listsEmpty() {
		t.Fatal("waiters left over")
	}
}

func TestLocationsAreSeparate(t *testing.T) {
	v := newView(t, true, shared.Int32, 4)
	w := newView(t, true, shared.Int32, 4) // another buffer
	woke := enqueueWaiters(t, v, 1, 1, Forever)
	if n, _ := Notify(v, 0, All); n != 0 {
		t.Fatalf("Notify on index 0 woke a waiter on index 1")
	}
	if n, _ := Notify(w, 1, All); n != 0 {
		t.Fatalf("Notify on another buffer woke a waiter")
	}
	if n, _ := Notify(v, 1, All); n != 1 {
		t.Fatalf("Notify on the location woke %d", n)
	}
	recv(t, woke, "woken waiter")
}

func TestSameLocationThroughAnotherView(t *testing.T) {
	buf, _ := shared.NewBuffer(32)
	a, _ := shared.View(buf, shared.Int32)
	b, _ := shared.NewTypedArray(buf, shared.Int32, 8, 4) // element 0 of b is element 2 of a
	woke := enqueueWaiters(t, a, 2, 1, Forever)
	if n, _ := Notify(b, 0, 1); n != 1 {
		t.Fatalf("Notify through another view woke %d", n)
	}
	recv(t, woke, "woken waiter")
}

// TestNoLostWakeup: the waiter checks the value and enqueues in one critical
// section, so a Store followed by Notify cannot fall between them.
func TestNoLostWakeup(t *testing.T) {
	v := newView(t, true, shared.Int32, 1)
	for round := 0; round < 300; round++ {
		Store(v, 0, 0)
		done := make(chan struct{})
		go func() {
			for {
				x, _ := Load(v, 0)
				if x != 0 {
					break
				}
				Wait(v, 0, 0, Forever)
			}
			close(done)
		}()
		for spin := 0; spin < round%32*50; spin++ { // vary where the store lands
			Pause()
		}
		Store(v, 0, 1)
		Notify(v, 0, All)
		recv(t, done, "the waiter to see the store")
	}
	if !listsEmpty() {
		t.Fatal("waiter lists left behind")
	}
}

func TestTimeoutRacesNotify(t *testing.T) {
	// Waiters with short timeouts and notifiers race: every wait returns ok
	// or timed-out, every ok is accounted for by a Notify, and nothing leaks.
	v := newView(t, true, shared.Int32, 1)
	const waiters = 50
	oks := make(chan int, waiters)
	for k := 0; k < waiters; k++ {
		go func() {
			res, err := Wait(v, 0, 0, time.Duration(k%5)*100*time.Microsecond)
			if err != nil {
				t.Error(err)
			}
			if res == OK {
				oks <- 1
			} else {
				oks <- 0
			}
		}()
	}
	woken := 0
	for k := 0; k < 200; k++ {
		n, _ := Notify(v, 0, 1)
		woken += n
	}
	got := 0
	for k := 0; k < waiters; k++ {
		got += recv(t, oks, "a waiter")
	}
	woken += func() int { n, _ := Notify(v, 0, All); return n }()
	if got != woken {
		t.Fatalf("%d waits returned ok, but Notify woke %d", got, woken)
	}
	eventually(t, "lists empty", listsEmpty)
}

func TestWaitAsync(t *testing.T) {
	v := newView(t, true, shared.Int32, 4)
	Store(v, 0, 7)
	r, err := WaitAsync(v, 0, 8, Forever)
	if err != nil || r.Async() {
		t.Fatalf("WaitAsync not-equal = %+v, %v", r, err)
	}
	if res, ok := r.Value(); !ok || res != NotEqual {
		t.Fatalf("not-equal result = %q, %v", res, ok)
	}
	<-r.Done() // already closed
	if r.Cancel() {
		t.Fatal("Cancel of a settled result")
	}
	r, _ = WaitAsync(v, 0, 7, 0)
	if res, ok := r.Value(); r.Async() || !ok || res != TimedOut {
		t.Fatalf("zero timeout = %q, %v, async %v", res, ok, r.Async())
	}
	if count(v, 0) != 0 {
		t.Fatal("an immediate result was enqueued")
	}

	// Pending, then notified.
	p, _ := WaitAsync(v, 0, 7, Forever)
	if !p.Async() {
		t.Fatal("WaitAsync with a matching value did not enqueue")
	}
	if _, ok := p.Value(); ok {
		t.Fatal("pending result already settled")
	}
	if n := count(v, 0); n != 1 {
		t.Fatalf("%d waiters, want 1", n)
	}
	if n, _ := Notify(v, 0, All); n != 1 {
		t.Fatalf("Notify woke %d", n)
	}
	if res, err := p.Await(context.Background()); err != nil || res != OK {
		t.Fatalf("Await = %q, %v", res, err)
	}

	// Pending, then timed out.
	p, _ = WaitAsync(v, 0, 7, time.Millisecond)
	recv(t, p.Done(), "async timeout")
	if res, _ := p.Value(); res != TimedOut {
		t.Fatalf("timed out async = %q", res)
	}
	if count(v, 0) != 0 {
		t.Fatal("timed-out async waiter left enqueued")
	}

	// Await with a context that ends, then Cancel.
	p, _ = WaitAsync(v, 0, 7, Forever)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if _, err := p.Await(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Await with an ended context: %v", err)
	}
	if !p.Cancel() || p.Cancel() {
		t.Fatal("Cancel should withdraw once")
	}
	if res, _ := p.Value(); res != TimedOut {
		t.Fatalf("cancelled = %q", res)
	}
	if n, _ := Notify(v, 0, All); n != 0 {
		t.Fatalf("Notify counted a cancelled waiter: %d", n)
	}
	if !listsEmpty() {
		t.Fatal("waiter lists left behind")
	}
}

func TestWaitAsyncSharesFIFO(t *testing.T) {
	v := newView(t, true, shared.BigInt64, 2)
	a1, _ := WaitAsync(v, 1, 0, Forever)
	woke := enqueueWaiters(t, v, 1, 1, Forever) // sync waiter 0, after a1
	a2, _ := WaitAsync(v, 1, 0, time.Hour)
	if n := count(v, 1); n != 3 {
		t.Fatalf("%d waiters, want 3", n)
	}
	Notify(v, 1, 1)
	recv(t, a1.Done(), "first async waiter")
	if _, ok := a2.Value(); ok {
		t.Fatal("second async waiter woken out of order")
	}
	Notify(v, 1, 1)
	if got := recv(t, woke, "sync waiter"); got != 0 {
		t.Fatal("wrong sync waiter")
	}
	if _, ok := a2.Value(); ok {
		t.Fatal("second async waiter woken out of order")
	}
	Notify(v, 1, 1)
	if res, _ := a2.Await(context.Background()); res != OK {
		t.Fatalf("a2 = %q", res)
	}
	if !listsEmpty() {
		t.Fatal("waiter lists left behind")
	}
}

// TestWaitersConserved: many goroutines wait (sync and async, with and
// without timeouts, some cancelled) on a few locations while others notify.
// Every wait ends with a valid result, the number of OK results equals the
// total Notify reported, and no waiter or list is left behind.
func TestWaitersConserved(t *testing.T) {
	buf, _ := shared.NewBuffer(4 * 4)
	v, _ := shared.View(buf, shared.Int32)
	const waiters, locs = 120, 4
	results := make(chan WaitResult, waiters)
	notified, stop, finished := make(chan int, 1), make(chan struct{}), make(chan struct{})
	go func() { // notifier
		total, k := 0, 0
		for {
			select {
			case <-finished:
				notified <- total
				return
			case <-stop:
				// Release everyone still waiting, however late they enqueue.
				n, _ := Notify(v, k%locs, All)
				total += n
			default:
				n, _ := Notify(v, k%locs, 1+k%3)
				total += n
			}
			k++
			Pause()
		}
	}()
	for w := 0; w < waiters; w++ {
		go func() {
			i := w % locs
			switch w % 4 {
			case 0:
				res, _ := Wait(v, i, 0, time.Duration(w%7)*50*time.Microsecond)
				results <- res
			case 1:
				res, _ := Wait(v, i, 0, 200*time.Millisecond)
				results <- res
			case 2:
				a, _ := WaitAsync(v, i, 0, time.Duration(w%5)*100*time.Microsecond)
				res, _ := a.Await(context.Background())
				results <- res
			case 3:
				a, _ := WaitAsync(v, i, 0, Forever)
				if w%8 == 3 {
					a.Cancel()
				}
				res, _ := a.Await(context.Background())
				results <- res
			}
		}()
	}
	oks := 0
	// Let the waiters run against the notifier for a while, then have it
	// release everyone.
	time.Sleep(20 * time.Millisecond)
	close(stop)
	for w := 0; w < waiters; w++ {
		switch res := recv(t, results, "a waiter"); res {
		case OK:
			oks++
		case TimedOut:
		default:
			t.Fatalf("unexpected result %q", res)
		}
	}
	close(finished)
	if total := recv(t, notified, "the notifier"); total != oks {
		t.Fatalf("Notify woke %d waiters, but %d waits returned ok", total, oks)
	}
	if !listsEmpty() {
		t.Fatal("waiters or lists left behind")
	}
}

// TestWaitContextCancel: a host ending a Wait through its context releases
// the agent, and the waiter list is left as after a timeout: the waiter is
// gone and a later Notify counts nobody.
func TestWaitContextCancel(t *testing.T) {
	for _, timeout := range []time.Duration{Forever, time.Hour} {
		v := newView(t, true, shared.Int32, 4)
		ctx, cancel := context.WithCancel(context.Background())
		type result struct {
			res WaitResult
			err error
		}
		done := make(chan result, 1)
		go func() {
			res, err := WaitContext(ctx, v, 2, 0, timeout)
			done <- result{res, err}
		}()
		eventually(t, "waiter enqueued", func() bool { return count(v, 2) == 1 })
		cancel()
		r := recv(t, done, "the cancelled wait")
		if !errors.Is(r.err, context.Canceled) || r.res != "" {
			t.Fatalf("cancelled wait (timeout %v) returned %q, %v; want context.Canceled", timeout, r.res, r.err)
		}
		if n := count(v, 2); n != 0 {
			t.Fatalf("the cancelled waiter is still listed (%d)", n)
		}
		if n, _ := Notify(v, 2, All); n != 0 {
			t.Fatalf("Notify woke %d after the wait was cancelled", n)
		}
	}
	// A context already ended still checks the value first: not-equal wins.
	v := newView(t, true, shared.Int32, 4)
	Store(v, 0, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := WaitContext(ctx, v, 0, 0, Forever); res != NotEqual || err != nil {
		t.Fatalf("WaitContext on a changed value = %q, %v", res, err)
	}
	if !listsEmpty() {
		t.Fatal("waiter lists left behind")
	}
}

// TestWaitAsyncContextCancel: a pending waitAsync is withdrawn when its
// context ends, settling with timed-out.
func TestWaitAsyncContextCancel(t *testing.T) {
	v := newView(t, true, shared.Int32, 4)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := WaitAsyncContext(ctx, v, 3, 0, Forever)
	if err != nil || !a.Async() {
		t.Fatal(err)
	}
	if count(v, 3) != 1 {
		t.Fatal("not enqueued")
	}
	cancel()
	recv(t, a.Done(), "the withdrawn waitAsync")
	if res, ok := a.Value(); !ok || res != TimedOut {
		t.Fatalf("settled with %q, %v", res, ok)
	}
	if n, _ := Notify(v, 3, All); n != 0 || count(v, 3) != 0 {
		t.Fatalf("Notify woke %d after the waitAsync was withdrawn", n)
	}
	if !listsEmpty() {
		t.Fatal("waiter lists left behind")
	}
}

// TestZeroAsyncWait: a zero AsyncWait (not returned by WaitAsync) is no
// wait. Its Done channel used to be nil and Await to block forever on it.
func TestZeroAsyncWait(t *testing.T) {
	for name, a := range map[string]*AsyncWait{"nil": nil, "zero": {}} {
		select {
		case <-a.Done():
		default:
			t.Fatalf("%s AsyncWait: Done is not closed", name)
		}
		if _, err := a.Await(context.Background()); !errors.Is(err, shared.TypeError) {
			t.Fatalf("%s AsyncWait: Await returned %v, not a TypeError", name, err)
		}
		if r, ok := a.Value(); ok || r != "" || a.Async() || a.Cancel() {
			t.Fatalf("%s AsyncWait: Value, Async, Cancel", name)
		}
	}
}

// TestWaitAsyncContextAlreadyDone: a waitAsync whose context has already
// ended is never enqueued, so it cannot absorb a Notify meant for others.
func TestWaitAsyncContextAlreadyDone(t *testing.T) {
	v := newView(t, true, shared.Int32, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for k := 0; k < 100; k++ {
		a, err := WaitAsyncContext(ctx, v, 0, 0, Forever)
		if err != nil || a.Async() {
			t.Fatalf("WaitAsyncContext with an ended context: async %v, %v", a.Async(), err)
		}
		if res, ok := a.Value(); !ok || res != TimedOut {
			t.Fatalf("settled with %q, %v", res, ok)
		}
		if n, _ := Notify(v, 0, 1); n != 0 {
			t.Fatalf("iteration %d: a withdrawn waiter absorbed a Notify", k)
		}
	}
}

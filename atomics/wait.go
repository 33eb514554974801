package atomics

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/sabre-mm/sabre/shared"
)

// WaitResult is the string Atomics.wait returns, and the value an
// Atomics.waitAsync result settles with.
type WaitResult string

// The results of Wait and WaitAsync.
const (
	OK       WaitResult = "ok"        // woken by Notify
	NotEqual WaitResult = "not-equal" // the element did not hold the expected value
	TimedOut WaitResult = "timed-out" // the timeout expired first
)

// Forever is the timeout that never expires: Atomics.wait's default
// (+Infinity). Any timeout at or above it waits forever; a negative timeout
// is 0, as ECMA-262 clamps it.
const Forever time.Duration = math.MaxInt64

// All is the Notify count that wakes every waiter: Atomics.notify's default
// (+Infinity, when count is undefined).
const All = math.MaxInt

// TimeoutFromMillis converts an Atomics.wait timeout in milliseconds, as a
// JavaScript Number, to a Duration, as DoWait does: NaN and +Infinity wait
// forever, -Infinity and negative values are 0, and values too large for a
// Duration wait forever.
func TimeoutFromMillis(ms float64) time.Duration {
	switch {
	case ms != ms || ms >= float64(Forever/time.Millisecond):
		return Forever
	case ms <= 0:
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// waitElement validates the arguments of Atomics.wait, waitAsync in
// ECMA-262's order (DoWait steps 1–4): TypeError for a nil view, a detached
// buffer or a view other than Int32 or BigInt64; TypeError if the buffer is
// not shared; RangeError for an index out of range.
func waitElement(v *shared.TypedArray, i int, op string) (shared.Element, error) {
	if err := v.ValidateIntegerTypedArray(op, true); err != nil {
		return shared.Element{}, err
	}
	if !v.IsShared() {
		return shared.Element{}, shared.Errorf(shared.TypeError, op, "%s is not over a SharedArrayBuffer", v.Kind().ArrayName())
	}
	return v.Element(op, i)
}

// waitStart is what Wait and WaitAsync work out before they take the
// location's lock: the expected value as element bits, whether the wait is
// recorded (and its call instant), the location and its shard.
type waitStart struct {
	bits uint64
	rec  bool
	t0   int64
	loc  location
	s    *shard
}

func startWait(e shared.Element, expected int64) waitStart {
	ws := waitStart{bits: e.Kind().FromInt64(expected), rec: e.Recorded(), loc: location{e.BufferID(), e.ByteIndex()}}
	if ws.rec {
		ws.t0 = shared.Now()
	}
	ws.s = shardOf(ws.loc)
	return ws
}

func timeoutArg(t time.Duration) int64 {
	if t >= Forever {
		return -1
	}
	return int64(max(t, 0))
}

// Wait suspends the calling goroutine until element i of v is notified, if
// the element holds expected (converted to v's kind, as ToInt32 or
// ToBigInt64), as Atomics.wait. It returns NotEqual at once if the element
// holds another value, OK when woken by Notify, and TimedOut when timeout
// (Forever for none) expires first; a zero timeout still enqueues the waiter
// and then times out, as the spec does for a synchronous wait.
//
// The read of the element and the enqueueing are one critical section with
// respect to Notify on the same location, so a Store followed by Notify in
// another agent cannot slip between them (no lost wake-up). Waiters on one
// location are woken in FIFO order.
//
// Errors, in ECMA-262's order: TypeError for a nil view, a detached buffer,
// or a view that is neither Int32 nor BigInt64; TypeError if the buffer is
// not shared; RangeError for an index out of range; TypeError if v's agent
// cannot block (Agent.CanBlock false). A view bound to no agent may block.
func Wait(v *shared.TypedArray, i int, expected int64, timeout time.Duration) (WaitResult, error) {
	e, err := waitElement(v, i, opWait)
	if err != nil {
		return "", err
	}
	if a := e.Agent(); a != nil && !a.CanBlock() {
		return "", shared.Errorf(shared.TypeError, opWait, "%v cannot block (its [[CanBlock]] is false)", a)
	}
	ws := startWait(e, expected)
	bits, rec, t0, loc, s := ws.bits, ws.rec, ws.t0, ws.loc, ws.s

	s.mu.Lock()
	cur := e.Load()
	if cur != bits {
		s.mu.Unlock()
		if rec {
			recordWait(e, opWait, cur, timeout, NotEqual, 0, t0)
		}
		return NotEqual, nil
	}
	w := syncWaiters.Get().(*waiter)
	s.enqueue(loc, w)
	s.mu.Unlock()

	res := OK
	if d, finite := timeoutOf(timeout); !finite {
		<-w.wake
	} else if !waitFor(w.wake, d) {
		// Timed out, unless a Notify removed w meanwhile: then its token is on the way.
		s.mu.Lock()
		if w.listed {
			s.remove(w)
			res = TimedOut
		}
		s.mu.Unlock()
		if res == OK {
			<-w.wake
		}
	}
	token := w.token
	w.token = 0
	syncWaiters.Put(w)
	if rec {
		recordWait(e, opWait, cur, timeout, res, token, t0)
	}
	return res, nil
}

// waitFor receives from c for at most d, and reports whether it did.
func waitFor(c chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	select {
	case <-c:
		t.Stop()
		return true
	case <-t.C:
		return false
	}
}

func recordWait(e shared.Element, op string, read uint64, timeout time.Duration, res WaitResult, token uint64, t0 int64) {
	e.Record(shared.Event{Kind: shared.EvWait, Order: shared.SeqCst, Op: op, NoTear: true, Read: read,
		Arg: timeoutArg(timeout), Result: string(res), Sync: token, Call: t0, Return: shared.Now()})
}

// AsyncWait is the result of WaitAsync, ECMA-262's {async, value} object:
// either settled at once (Async false: NotEqual, or TimedOut for a zero
// timeout), or a pending waiter (Async true) that settles with OK when
// notified or TimedOut when its timeout expires — the promise of
// Atomics.waitAsync. Its methods are safe for concurrent use.
type AsyncWait struct {
	async  bool
	done   chan struct{}
	result WaitResult // written once, before done is closed
	w      *waiter
	s      *shard
	timer  *time.Timer // guarded by s.mu
}

// Async reports whether the wait was enqueued (the result's "async" field):
// false when it settled at once.
func (a *AsyncWait) Async() bool { return a.async }

// Done returns a channel that is closed once the wait has settled (already
// closed when Async is false).
func (a *AsyncWait) Done() <-chan struct{} { return a.done }

// Value returns the result and true once the wait has settled, or "" and
// false while it is pending. It does not block.
func (a *AsyncWait) Value() (WaitResult, bool) {
	select {
	case <-a.done:
		return a.result, true
	default:
		return "", false
	}
}

// Await blocks until the wait settles and returns its result, or returns
// ctx's error if ctx ends first (the waiter then stays enqueued; see Cancel).
func (a *AsyncWait) Await(ctx context.Context) (WaitResult, error) {
	select {
	case <-a.done:
		return a.result, nil
	case <-ctx.Done():
		select {
		case <-a.done: // settled too: prefer the result
			return a.result, nil
		default:
		}
		return "", ctx.Err()
	}
}

// Cancel withdraws a pending waiter from its waiter list, as if its timeout
// expired now: it settles with TimedOut, and a later Notify does not count
// it. It reports whether it withdrew the waiter (false once settled). An
// asynchronous waiter with no timeout that is never notified stays enqueued,
// as in JavaScript; Cancel is how a Go program lets go of it. (Cancel is an
// addition to the ECMAScript API.)
func (a *AsyncWait) Cancel() bool {
	if !a.async {
		return false
	}
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if !a.w.listed {
		return false
	}
	a.s.remove(a.w)
	a.settle(TimedOut)
	return true
}

// settle records the result and wakes everyone awaiting it. The caller holds
// a.s.mu and has just removed a.w from its list, so settle runs once.
func (a *AsyncWait) settle(r WaitResult) {
	if a.timer != nil {
		a.timer.Stop()
	}
	a.result = r
	close(a.done)
}

var settled = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// WaitAsync is Atomics.waitAsync: it checks that element i of v holds
// expected, as Wait does, but never blocks. It returns a result settled at
// once with NotEqual if the element holds another value, or with TimedOut
// if timeout is zero or negative; otherwise it enqueues a waiter, in the
// same FIFO waiter list as Wait's, and returns a pending result that
// settles with OK when Notify wakes it or TimedOut when timeout expires
// (Forever for none). The agent's CanBlock does not matter. Errors as Wait,
// except that there is no CanBlock check.
func WaitAsync(v *shared.TypedArray, i int, expected int64, timeout time.Duration) (*AsyncWait, error) {
	e, err := waitElement(v, i, opWaitAsync)
	if err != nil {
		return nil, err
	}
	ws := startWait(e, expected)
	bits, rec, t0, loc, s := ws.bits, ws.rec, ws.t0, ws.loc, ws.s
	d, finite := timeoutOf(timeout)

	s.mu.Lock()
	cur := e.Load()
	var a *AsyncWait
	switch {
	case cur != bits:
		a = &AsyncWait{done: settled, result: NotEqual}
	case finite && d == 0:
		a = &AsyncWait{done: settled, result: TimedOut}
	default:
		a = &AsyncWait{async: true, done: make(chan struct{}), s: s}
		a.w = &waiter{async: a}
		s.enqueue(loc, a.w)
		if finite {
			a.timer = time.AfterFunc(d, a.expire)
		}
	}
	s.mu.Unlock()
	if rec {
		res := a.result
		if a.async {
			res = "async"
		}
		recordWait(e, opWaitAsync, cur, timeout, res, 0, t0)
	}
	return a, nil
}

// expire is the timeout job of a pending WaitAsync.
func (a *AsyncWait) expire() {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if a.w.listed {
		a.s.remove(a.w)
		a.settle(TimedOut)
	}
}

// Notify wakes up to count of the waiters on element i of v, in the order
// they began waiting, and returns how many it woke (Atomics.notify). count
// All wakes them all; a negative count wakes none, as ECMA-262 clamps it to
// 0. On a view of a non-shared ArrayBuffer, where nobody can wait, it
// returns 0. Both Wait and WaitAsync waiters are woken.
//
// Errors, in ECMA-262's order: TypeError for a nil view, a detached buffer,
// or a view that is neither Int32 nor BigInt64; RangeError for an index out
// of range.
func Notify(v *shared.TypedArray, i int, count int) (int, error) {
	if err := v.ValidateIntegerTypedArray(opNotify, true); err != nil {
		return 0, err
	}
	e, err := v.Element(opNotify, i)
	if err != nil {
		return 0, err
	}
	c := max(count, 0)
	rec := e.Recorded()
	var t0 int64
	if rec {
		t0 = shared.Now()
	}
	n := 0
	var token uint64
	if e.Shared() {
		tok := func() uint64 { return 0 }
		if shared.Recording() {
			// Woken waiters record the token; so does this Notify if it is recorded.
			tok = func() uint64 {
				if token == 0 {
					token = shared.NewSyncToken()
				}
				return token
			}
		}
		loc := location{e.BufferID(), e.ByteIndex()}
		s := shardOf(loc)
		s.mu.Lock()
		n = s.notify(loc, c, tok)
		s.mu.Unlock()
	}
	if rec {
		arg := int64(count)
		if count == All {
			arg = -1
		}
		e.Record(shared.Event{Kind: shared.EvNotify, Order: shared.SeqCst, Op: opNotify, Arg: arg,
			Result: strconv.Itoa(n), Sync: token, Call: t0, Return: shared.Now()})
	}
	return n, nil
}

// waiterCount returns the number of waiters on a location (for tests).
func waiterCount(buf uint64, byteIndex int) int {
	loc := location{buf, byteIndex}
	return shardOf(loc).count(loc)
}

package atomics

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/internal/mutant"
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

// Cancelled is the Result a recorded Wait or WaitAsync has when its context
// or its controller cancelled it (Wait returned the context's or the
// controller's error): not an ECMAScript outcome, but what happened. Its
// waiter list is left as a timeout would leave it.
const Cancelled = "cancelled"

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
func (e *loc) waitElement(v *shared.TypedArray, i int, op string) error {
	a := arrayOf(v)
	if a == nil || a.Blk == nil {
		return shared.Errorf(shared.TypeError, op, "not a TypedArray (nil, or not made by NewTypedArray)")
	}
	k := shared.Kind(a.Kind)
	switch {
	case a.Blk.Detached():
		return shared.Errorf(shared.TypeError, op, "%s's buffer is detached", k.ArrayName())
	case k != shared.Int32 && k != shared.BigInt64:
		return shared.Errorf(shared.TypeError, op, "%s is neither an Int32Array nor a BigInt64Array", k.ArrayName())
	case !a.Blk.Shared:
		return shared.Errorf(shared.TypeError, op, "%s is not over a SharedArrayBuffer", k.ArrayName())
	}
	return e.index(a, k, i, op)
}

// startWait is what Wait and WaitAsync do before they take the location's
// lock: the expected value as element bits, the EvWait event and its
// bracket (when anything is attached), the location and its shard.
// A controller may supply the value the check reads (w.sup, with
// w.supplied set: element bits).
func (e *loc) startWait(w *waitCheck, o *mem.Obs, ev *history.Event, op string, expected int64, timeout time.Duration) (bits uint64, l location, s *shard) {
	bits = e.kind.FromInt64(expected)
	ev.Kind = history.EvWait
	ev.Op = op
	ev.Expected = e.le(bits)
	ev.Timeout = timeoutArg(timeout)
	if mem.Attached() {
		if sup, ok := e.begin(o, ev); ok {
			w.sup, w.supplied = mem.FromLE(sup&mem.Mask(e.size), e.size), true
		}
	}
	l = location{e.blk.ID, e.at}
	return bits, l, shardOf(l)
}

// waitCheck is what a controller supplied for a wait's value check.
type waitCheck struct {
	sup      uint64
	supplied bool
}

// current is the value a wait's check reads: the element, or what the
// controller supplied.
func (e *loc) current(w *waitCheck) uint64 {
	if w.supplied {
		return w.sup
	}
	return e.blk.Load(e.at, e.size)
}

func timeoutArg(t time.Duration) int64 {
	if t >= Forever {
		return -1
	}
	return int64(max(t, 0))
}

// Wait suspends the calling goroutine until element i of v is notified, if
// the element holds expected (converted to v's kind, as ToInt32 or
// ToBigInt64), as Atomics.wait. It is WaitContext with a context that never
// ends.
func Wait(v *shared.TypedArray, i int, expected int64, timeout time.Duration) (WaitResult, error) {
	return WaitContext(context.Background(), v, i, expected, timeout)
}

// WaitContext is Atomics.wait, cancellable: it returns NotEqual at once if
// element i of v does not hold expected, OK when woken by Notify, and
// TimedOut when timeout (Forever for none) expires first; a zero timeout
// still enqueues the waiter and then times out, as the spec does for a
// synchronous wait. If ctx ends first (a host releasing an agent it tears
// down, a budget), the waiter is removed from its list as if it had timed
// out and WaitContext returns ctx's error (a Notify that removed the waiter
// first wins: then it returns OK). With a controller observing the agent,
// the controller decides when the wait ends (shared.Controller.Block).
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
// A nil ctx never ends.
func WaitContext(ctx context.Context, v *shared.TypedArray, i int, expected int64, timeout time.Duration) (WaitResult, error) {
	var e loc
	if err := e.waitElement(v, i, opWait); err != nil {
		return "", err
	}
	// DoWait steps 6-9 convert the value and the timeout (ToInt32 or
	// ToBigInt64, ToNumber): nothing to fail for Go's typed arguments. Step
	// 10, AgentCanSuspend, comes after the index check and before the value
	// is read, so an agent that cannot block gets its TypeError even when the
	// element does not hold expected.
	if a := e.agent; a != nil && !a.CanBlock.Load() {
		return "", shared.Errorf(shared.TypeError, opWait, "%v cannot block (its [[CanBlock]] is false)", v.Agent())
	}
	var ev history.Event
	var o mem.Obs
	var wc waitCheck
	bits, l, s := e.startWait(&wc, &o, &ev, opWait, expected, timeout)

	s.mu.Lock()
	if o.Observed() {
		// The Call instant is taken inside the critical section, so that
		// waits on one location enqueue in the order of their Call instants
		// (and a checker can check a Notify's FIFO order from a history).
		ev.Call = history.Now()
	}
	cur := e.current(&wc)
	ev.Read = e.le(cur)
	if cur != bits {
		s.mu.Unlock()
		ev.Result = string(NotEqual)
		o.End(&ev)
		return NotEqual, nil
	}
	var w *waiter
	if o.Controlled() {
		w = &waiter{wake: make(chan struct{}), closeWake: true}
	} else {
		w = syncWaiters.Get().(*waiter)
	}
	w.ref = ev.Ref()
	s.enqueue(l, w)
	s.mu.Unlock()

	res := OK
	d, finite := timeoutOf(timeout)
	var cause error
	switch {
	case !finite && !o.Controlled() && (ctx == nil || ctx.Done() == nil):
		<-w.wake
	case finite && d == 0:
		res = TimedOut // enqueued, then timed out at once
	default:
		if !finite {
			d = -1
		}
		var timedOut bool
		timedOut, cause = o.Await(&ev, w.wake, d, ctx)
		if timedOut || cause != nil {
			res = TimedOut
		}
	}
	if res == TimedOut {
		// Timed out or cancelled, unless a Notify removed w meanwhile: then its token is on the way.
		s.mu.Lock()
		switch {
		case w.listed:
			s.remove(w)
		case mutant.Enabled && w.lost: // mutant.NotifyLosesWakeup: removed, but never woken
			w.lost = false
		default:
			res, cause = OK, nil
		}
		s.mu.Unlock()
		if res == OK && !w.closeWake {
			<-w.wake
		}
	}
	ev.Result, ev.Sync = string(res), w.token
	if cause != nil {
		// Not an outcome ECMAScript has: the host cancelled the wait (its
		// waiter list is left as a timeout would leave it).
		ev.Result = Cancelled
	}
	if !w.closeWake {
		w.token, w.ref = 0, history.Ref{}
		syncWaiters.Put(w)
	}
	o.End(&ev)
	if cause != nil {
		return "", cause
	}
	return res, nil
}

// AsyncWait is the result of WaitAsync, ECMA-262's {async, value} object:
// either settled at once (Async false: NotEqual, or TimedOut for a zero
// timeout), or a pending waiter (Async true) that settles with OK when
// notified or TimedOut when its timeout expires — the promise of
// Atomics.waitAsync. Its methods are safe for concurrent use. A nil or zero
// AsyncWait (not returned by WaitAsync) is no wait: Async is false, Done is
// closed, Value returns "" and false, Await a TypeError, Cancel false.
type AsyncWait struct {
	async  bool
	done   chan struct{}
	result WaitResult // written once, before done is closed
	w      *waiter
	s      *shard
	timer  *time.Timer // guarded by s.mu
	stop   func() bool // stops the context's AfterFunc; guarded by s.mu
	obs    mem.Obs     // the bracket of the WaitAsync, to record the settlement
	ctx    context.Context
	settle history.Event
}

// Async reports whether the wait was enqueued (the result's "async" field):
// false when it settled at once.
func (a *AsyncWait) Async() bool { return a != nil && a.async }

// Done returns a channel that is closed once the wait has settled (already
// closed when Async is false).
func (a *AsyncWait) Done() <-chan struct{} {
	if a == nil || a.done == nil {
		return settled
	}
	return a.done
}

// Value returns the result and true once the wait has settled, or "" and
// false while it is pending. It does not block.
func (a *AsyncWait) Value() (WaitResult, bool) {
	if a == nil {
		return "", false
	}
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
	if a == nil || a.done == nil {
		return "", shared.Errorf(shared.TypeError, opWaitAsync, "not an AsyncWait (nil, or not returned by WaitAsync)")
	}
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case <-a.done:
		return a.result, nil
	case <-done:
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
// as in JavaScript; Cancel (or WaitAsyncContext's context) is how a Go
// program lets go of it. (Cancel is an addition to the ECMAScript API.)
func (a *AsyncWait) Cancel() bool {
	if a == nil || !a.async {
		return false
	}
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if !a.w.listed {
		return false
	}
	a.s.remove(a.w)
	a.settleWith(TimedOut, Cancelled)
	return true
}

// settleWith records the result and wakes everyone awaiting it. The caller
// holds a.s.mu and has just removed a.w from its list, so it runs once.
//
// recorded is the settlement's recorded Result: r's, or Cancelled when the
// wait was withdrawn.
func (a *AsyncWait) settleWith(r WaitResult, recorded string) {
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.stop != nil {
		a.stop()
	}
	a.result = r
	if a.obs.Recorded() {
		ev := a.settle
		ev.Result, ev.Sync = recorded, a.w.token
		ev.Call = history.Now()
		ev.Return = ev.Call
		a.obs.Append(&ev)
	}
	close(a.done)
}

var settled = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// WaitAsync is Atomics.waitAsync: WaitAsyncContext with a context that
// never ends.
func WaitAsync(v *shared.TypedArray, i int, expected int64, timeout time.Duration) (*AsyncWait, error) {
	return WaitAsyncContext(context.Background(), v, i, expected, timeout)
}

// WaitAsyncContext is Atomics.waitAsync: it checks that element i of v
// holds expected, as Wait does, but never blocks. It returns a result
// settled at once with NotEqual if the element holds another value, or with
// TimedOut if timeout is zero or negative; otherwise it enqueues a waiter,
// in the same FIFO waiter list as Wait's, and returns a pending result that
// settles with OK when Notify wakes it, or TimedOut when timeout expires
// (Forever for none) or ctx ends (then the waiter is withdrawn, as Cancel
// does). The agent's CanBlock does not matter. With a controller observing
// the agent, the controller decides when a finite timeout expires
// (shared.Controller.Block, on a goroutine of its own, with the
// EvWaitSettle event). Errors as Wait, except that there is no CanBlock
// check.
//
// When recorded, the WaitAsync is an EvWait event with Result "async" (or
// its immediate result), and a pending wait's settlement is an EvWaitSettle
// event of the same agent, outside its agent-order (Seq 0), with the
// waking Notify's Sync token.
func WaitAsyncContext(ctx context.Context, v *shared.TypedArray, i int, expected int64, timeout time.Duration) (*AsyncWait, error) {
	var e loc
	if err := e.waitElement(v, i, opWaitAsync); err != nil {
		return nil, err
	}
	var ev history.Event
	var o mem.Obs
	var wc waitCheck
	bits, l, s := e.startWait(&wc, &o, &ev, opWaitAsync, expected, timeout)
	d, finite := timeoutOf(timeout)

	s.mu.Lock()
	if o.Observed() {
		// The Call instant is taken inside the critical section, so that
		// waits on one location enqueue in the order of their Call instants
		// (and a checker can check a Notify's FIFO order from a history).
		ev.Call = history.Now()
	}
	cur := e.current(&wc)
	var a *AsyncWait
	res := "async"
	switch {
	case cur != bits:
		a, res = &AsyncWait{done: settled, result: NotEqual}, string(NotEqual)
	case finite && d == 0:
		a, res = &AsyncWait{done: settled, result: TimedOut}, string(TimedOut)
	case ctx != nil && ctx.Err() != nil:
		// Already cancelled: withdrawn before it is enqueued, as Cancel would.
		a, res = &AsyncWait{done: settled, result: TimedOut}, Cancelled
	default:
		a = &AsyncWait{async: true, done: make(chan struct{}), s: s, obs: o, ctx: ctx,
			settle: history.Event{Agent: ev.Agent, Kind: history.EvWaitSettle, Op: opWaitAsync, Buffer: ev.Buffer, ByteIndex: e.at, Size: e.size}}
		a.w = &waiter{async: a, ref: ev.Ref()}
		s.enqueue(l, a.w)
		switch {
		case finite && o.Controlled():
			go a.controlledTimeout()
		case finite:
			a.timer = time.AfterFunc(d, a.expire)
		}
		if ctx != nil && ctx.Done() != nil {
			a.stop = context.AfterFunc(ctx, func() { a.Cancel() })
		}
	}
	s.mu.Unlock()
	ev.Read, ev.Result = e.le(cur), res
	o.End(&ev)
	return a, nil
}

// controlledTimeout lets the controller decide whether a pending waiter's
// timeout expires before a Notify settles it.
func (a *AsyncWait) controlledTimeout() {
	ev := a.settle
	timedOut, err := a.obs.Await(&ev, a.done, -1, a.ctx)
	switch {
	case err != nil:
		a.Cancel()
	case timedOut:
		a.expire()
	}
}

// expire is the timeout job of a pending WaitAsync.
func (a *AsyncWait) expire() {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if a.w.listed {
		a.s.remove(a.w)
		a.settleWith(TimedOut, string(TimedOut))
	}
}

// Notify wakes up to count of the waiters on element i of v, in the order
// they began waiting, and returns how many it woke (Atomics.notify). count
// All wakes them all; a negative count wakes none, as ECMA-262 clamps it to
// 0. On a view of a non-shared ArrayBuffer, where nobody can wait, it
// returns 0. Both Wait and WaitAsync waiters are woken. When recorded, the
// EvNotify event lists the waiters it woke (Event.Woken), in order.
//
// Errors, in ECMA-262's order: TypeError for a nil view, a detached buffer,
// or a view that is neither Int32 nor BigInt64; RangeError for an index out
// of range.
func Notify(v *shared.TypedArray, i int, count int) (int, error) {
	// Atomics.notify: ValidateIntegerTypedArray(waitable) and
	// ValidateAtomicAccess (the index) first; only then the count,
	// ToIntegerOrInfinity(count) clamped to 0 (nothing to fail for a Go
	// int); and only after both, the +0 of a non-shared buffer.
	var e loc
	if err := e.element(v, i, opNotify, true); err != nil {
		return 0, err
	}
	c := max(count, 0)
	// The recorded count is the clamped one (a negative count wakes none;
	// history's -1 means All).
	arg := int64(c)
	if count == All {
		arg = -1
	}
	var ev history.Event
	ev.Kind = history.EvNotify
	ev.Op = opNotify
	ev.Count = arg
	ev.ByteIndex = e.at
	ev.Size = e.size
	var o mem.Obs
	observed := mem.Attached()
	if observed {
		o.Begin(e.blk, e.agent, &ev)
	}
	n := 0
	if e.blk.Shared {
		l := location{e.blk.ID, e.at}
		s := shardOf(l)
		var woken *[]history.Ref
		if o.Recorded() {
			woken = &ev.Woken
		}
		s.mu.Lock()
		if o.Observed() {
			ev.Call = history.Now() // inside the critical section, as a Wait's
		}
		// Woken waiters record the token when anything observes; so does this Notify.
		n = s.notify(l, c, observed, &ev.Sync, woken)
		s.mu.Unlock()
	}
	ev.Result = strconv.Itoa(n)
	o.End(&ev)
	return n, nil
}

// waiterCount returns the number of waiters on a location (for tests).
func waiterCount(buf uint64, byteIndex int) int {
	l := location{buf, byteIndex}
	return shardOf(l).count(l)
}

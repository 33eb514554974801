package js

import (
	"container/heap"
	"sync"
	"time"
)

// The event loop of an Agent.
//
// We use a small loop of our own rather than
// github.com/dop251/goja_nodejs/eventloop, for three reasons:
//
//   - eventloop.NewEventLoop always enables require() with a module loader
//     that reads the filesystem: that breaks the sandbox (an agent sees
//     nothing but the ECMAScript built-ins and what package js installs).
//   - its Run returns as soon as no timer or interval remains, so a
//     pending Atomics.waitAsync promise (settled later by a notify from
//     another goroutine) would be dropped: the realm needs Host.Hold to
//     keep the loop alive while such a promise is pending.
//   - its timers fire from Go timer goroutines on wall time, whereas the
//     explorer needs a pluggable clock (VirtualClock) for deterministic
//     runs.
//
// The loop is a FIFO of macrotasks (Post, expired timers), a heap of
// timers (setTimeout) ordered by due time then creation, and a count of
// holds. Promise jobs are goja's: it runs them when control returns from
// the top-level call, which the loop forces after every macrotask (see
// Agent.drainJobs), so they always run on the agent's goroutine. The loop
// is idle, and Agent.RunScript returns, when no macrotask, no timer and no
// hold remains.

// Clock is the time an agent's timers, $262.agent.monotonicNow and
// $262.agent.sleep read. Now is the time elapsed since the clock's origin.
// Advance is called by an otherwise idle loop (no macrotask, no hold)
// whose earliest timer is due at t > Now(): a virtual clock jumps to t and
// returns true; a real clock returns false (the loop then waits t-Now() of
// wall time).
type Clock interface {
	Now() time.Duration
	Advance(t time.Duration) bool
}

// RealClock returns a Clock reading wall (monotonic) time since its
// creation; its Advance never jumps.
func RealClock() Clock { return realClock{start: time.Now()} }

type realClock struct{ start time.Time }

func (c realClock) Now() time.Duration           { return time.Since(c.start) }
func (c realClock) Advance(t time.Duration) bool { return false }

// VirtualClock is a Clock that only moves when told: an idle loop advances
// it straight to its next timer, so setTimeout(f, 1000) runs at once and a
// run's order of timers depends on nothing but the program. It is safe
// for concurrent use; several agents may share one.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Duration
}

// Now is the virtual time.
func (c *VirtualClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock to t if t is later than Now; it returns true.
func (c *VirtualClock) Advance(t time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t > c.now {
		c.now = t
	}
	return true
}

// timer is one pending setTimeout.
type timer struct {
	id    int64
	due   time.Duration
	seq   int64
	fn    func()
	index int
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// loop is the scheduling state of an Agent's event loop. tasks, holds
// and closed are shared with other goroutines (under mu); the timers
// belong to the agent's goroutine.
type loop struct {
	mu     sync.Mutex
	tasks  []func()
	holds  int
	closed bool
	wake   chan struct{} // capacity 1: a Post or a release since the loop last looked

	clock  Clock
	timers timerHeap
	byID   map[int64]*timer
	nextID int64
	seq    int64
}

func newLoop(c Clock) *loop {
	if c == nil {
		c = RealClock()
	}
	return &loop{wake: make(chan struct{}, 1), clock: c, byID: map[int64]*timer{}}
}

func (l *loop) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// post queues fn; false once the loop is closed.
func (l *loop) post(fn func()) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.tasks = append(l.tasks, fn)
	l.mu.Unlock()
	l.signal()
	return true
}

// hold adds a keep-alive; the returned release removes it once.
func (l *loop) hold() func() {
	l.mu.Lock()
	l.holds++
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.holds--
			l.mu.Unlock()
			l.signal()
		})
	}
}

// close refuses further posts and drops the queued ones.
func (l *loop) close() {
	l.mu.Lock()
	l.closed = true
	l.tasks = nil
	l.mu.Unlock()
	l.signal()
}

// next takes the next queued macrotask (nil if none) and reports the
// number of holds.
func (l *loop) next() (fn func(), holds int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tasks) > 0 {
		fn = l.tasks[0]
		l.tasks[0] = nil
		l.tasks = l.tasks[1:]
	}
	return fn, l.holds
}

// addTimer schedules fn after d (negative d counts as 0) and returns the
// timer's id (> 0).
func (l *loop) addTimer(d time.Duration, fn func()) int64 {
	if d < 0 {
		d = 0
	}
	l.nextID++
	l.seq++
	t := &timer{id: l.nextID, due: l.clock.Now() + d, seq: l.seq, fn: fn}
	heap.Push(&l.timers, t)
	l.byID[t.id] = t
	return t.id
}

// clearTimer cancels a pending timer (unknown ids are ignored).
func (l *loop) clearTimer(id int64) {
	t, ok := l.byID[id]
	if !ok {
		return
	}
	delete(l.byID, id)
	heap.Remove(&l.timers, t.index)
}

// dueTimer pops the earliest timer if it is due; otherwise it returns nil
// and the earliest due time (ok false when there is no timer).
func (l *loop) dueTimer() (t *timer, due time.Duration, ok bool) {
	if len(l.timers) == 0 {
		return nil, 0, false
	}
	first := l.timers[0]
	if first.due <= l.clock.Now() {
		heap.Pop(&l.timers)
		delete(l.byID, first.id)
		return first, first.due, true
	}
	return nil, first.due, true
}

package js

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/shared"
)

// scenarioLoop is the event loop of a JS agent of a scenario: the Host of
// its realm. It is deterministic, as the explorer needs agents to be:
//
//   - Time is virtual. setTimeout(fn, ms) schedules fn at now+ms of the
//     loop's own clock, which starts at 0 and jumps to the earliest timer
//     whenever the loop has nothing else to run (a timer never fires while
//     a posted job or promise job is ready). Timers of equal time run in
//     the order they were set.
//   - Promise jobs run as goja runs them: after each macrotask.
//   - A job posted from another goroutine (an Atomics.waitAsync settled by
//     another agent's notify) runs at the loop's next turn. When the loop
//     has no job and no timer but is held (Host.Hold: a pending waitAsync),
//     it waits for a post; under the explorer that wait is a blocking
//     operation of the agent (shared.Controller.Block, ready when a post
//     arrives), so that the explorer schedules it and reports a deadlock
//     when every agent waits.
//   - The loop ends when it has no job, no timer and no hold.
type scenarioLoop struct {
	rt    *goja.Runtime
	agent *shared.Agent
	ctx   context.Context

	mu     sync.Mutex
	posted []func()
	holds  int
	ended  bool
	wake   chan struct{} // closed by the next Post or release, if not nil

	// settled, if not nil, returns a channel closed when a pending
	// Atomics.waitAsync of the realm settles (closed already if one has),
	// or nil if it knows of none. Under the explorer the loop blocks on it
	// rather than on the post that follows: the realm posts a settlement
	// from a goroutine of its own, an instant after the notify, and the
	// explorer must see the waiter ready as soon as the notify is made
	// (else it may take the instant between for a deadlock).
	settled func() <-chan struct{}

	now    time.Duration
	timers loopTimerHeap
	seq    int
	byID   map[int]*loopTimer
	nextID int

	call goja.Callable // runs *next as a JS call (runJob)
	next *func()
}

type loopTimer struct {
	id    int
	when  time.Duration
	seq   int
	fn    goja.Callable
	args  []goja.Value
	index int
}

type loopTimerHeap []*loopTimer

func (h loopTimerHeap) Len() int { return len(h) }
func (h loopTimerHeap) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return h[i].seq < h[j].seq
}
func (h loopTimerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *loopTimerHeap) Push(x any)   { t := x.(*loopTimer); t.index = len(*h); *h = append(*h, t) }
func (h *loopTimerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	t.index = -1
	return t
}
func (h *loopTimerHeap) remove(t *loopTimer) {
	if t.index >= 0 && t.index < len(*h) && (*h)[t.index] == t {
		heap.Remove(h, t.index)
	}
}

func newScenarioLoop(ctx context.Context, rt *goja.Runtime, a *shared.Agent) *scenarioLoop {
	return &scenarioLoop{rt: rt, agent: a, ctx: ctx, byID: map[int]*loopTimer{}}
}

// Post implements Host.
func (l *scenarioLoop) Post(fn func()) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended || fn == nil {
		return false
	}
	l.posted = append(l.posted, fn)
	l.wakeLocked()
	return true
}

func (l *scenarioLoop) wakeLocked() {
	if l.wake != nil {
		close(l.wake)
		l.wake = nil
	}
}

// Hold implements Host.
func (l *scenarioLoop) Hold() (release func()) {
	l.mu.Lock()
	l.holds++
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.holds--
			l.wakeLocked()
			l.mu.Unlock()
		})
	}
}

// Context implements Host.
func (l *scenarioLoop) Context() context.Context { return l.ctx }

// install defines setTimeout and clearTimeout in the loop's runtime.
func (l *scenarioLoop) install() {
	l.rt.Set("setTimeout", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(l.rt.NewTypeError("setTimeout: the callback is not a function"))
		}
		ms := call.Argument(1).ToFloat()
		if !(ms > 0) { // NaN, negative, 0
			ms = 0
		}
		var args []goja.Value
		if len(call.Arguments) > 2 {
			args = append(args, call.Arguments[2:]...)
		}
		l.nextID++
		l.seq++
		t := &loopTimer{id: l.nextID, when: l.now + time.Duration(ms*float64(time.Millisecond)), seq: l.seq, fn: fn, args: args}
		heap.Push(&l.timers, t)
		l.byID[t.id] = t
		return l.rt.ToValue(t.id)
	})
	l.rt.Set("clearTimeout", func(id goja.Value) {
		n := int(id.ToInteger())
		if t, ok := l.byID[n]; ok {
			l.timers.remove(t)
			delete(l.byID, n)
		}
	})
}

// run runs the loop until it has nothing left to do. A JS exception thrown
// by a timer callback ends it with that exception.
func (l *scenarioLoop) run() error {
	defer func() {
		l.mu.Lock()
		l.ended = true
		l.posted = nil
		l.mu.Unlock()
	}()
	for {
		l.mu.Lock()
		jobs := l.posted
		l.posted = nil
		l.mu.Unlock()
		if len(jobs) > 0 {
			for _, fn := range jobs {
				if err := l.runJob(fn); err != nil {
					return err
				}
			}
			continue
		}
		if l.timers.Len() > 0 {
			t := heap.Pop(&l.timers).(*loopTimer)
			delete(l.byID, t.id)
			l.now = max(l.now, t.when)
			if _, err := t.fn(goja.Undefined(), t.args...); err != nil {
				return err
			}
			continue
		}
		l.mu.Lock()
		if len(l.posted) > 0 {
			l.mu.Unlock()
			continue
		}
		if l.holds == 0 {
			l.ended = true
			l.mu.Unlock()
			return nil
		}
		wake := make(chan struct{})
		l.wake = wake
		l.mu.Unlock()
		if err := l.await(wake); err != nil {
			return err
		}
	}
}

// runJob runs a posted Go function as a JS call, so that the promise
// jobs it queues (a settled waitAsync's resolution) run when the call
// ends, after fn, not inside the resolve fn makes (where a job re-entering
// the realm's settle pass would see it half done); a JS exception thrown
// by fn, or by a job, is the loop's error.
func (l *scenarioLoop) runJob(fn func()) error {
	if l.call == nil {
		var next func()
		f, _ := goja.AssertFunction(l.rt.ToValue(func(goja.FunctionCall) goja.Value {
			next()
			return goja.Undefined()
		}))
		l.next, l.call = &next, f
	}
	*l.next = fn
	_, err := l.call(goja.Undefined())
	*l.next = nil
	return err
}

// await waits until wake is closed (a post or a release). Under a
// controller (the explorer) the wait is a blocking operation of the agent:
// a scheduling point the explorer resumes once wake is closed.
func (l *scenarioLoop) await(wake chan struct{}) error {
	if c := l.agent.Controller(); c != nil {
		ready := (<-chan struct{})(wake)
		if l.settled != nil {
			if ch := l.settled(); ch != nil {
				ready = ch
			}
		}
		select {
		case <-ready: // settled: its post is on its way
		default:
			// The explorer implements Block for any event; a join of no
			// agent (Peer 0) is how the loop's wait shows: a blocked
			// agent, ready when ready is closed, with no timeout, local.
			ev := history.Event{Kind: history.EvAgentJoin, Agent: l.agent.ID(), Op: "its event loop, waiting for a pending Atomics.waitAsync", Timeout: -1}
			if _, err := c.Block(l.ctx, &ev, ready); err != nil {
				return fmt.Errorf("event loop: %w", err)
			}
		}
		select {
		case <-wake:
			return nil
		case <-l.ctx.Done():
			return l.ctx.Err()
		}
	}
	select {
	case <-wake:
		return nil
	case <-l.ctx.Done():
		return fmt.Errorf("event loop: %w", l.ctx.Err())
	}
}

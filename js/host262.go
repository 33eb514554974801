package js

import (
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// Host262 is test262's host-defined $262 object (test262's
// INTERPRETING.md, "Host-Defined Functions") for one main agent and the
// agents it starts with $262.agent.start. It owns those agents: Close ends
// and joins them.
//
// The main agent's $262 has:
//   - global: the global object;
//   - createRealm: ABSENT (a goja object cannot cross runtimes, so a second
//     realm in the same agent is not possible; test262 lists such tests
//     under the cross-realm feature);
//   - detachArrayBuffer(buffer): detaches a non-shared ArrayBuffer
//     (Realm.DetachArrayBuffer); a TypeError for anything else;
//   - evalScript(src): runs src as a Script in the global scope and
//     returns its completion value (a SyntaxError is thrown, not reported);
//   - gc: ABSENT (goja has no hook into Go's collector; tests needing it
//     are marked host-gc-required);
//   - agent.start(src): runs src in a new agent (its own runtime and
//     goroutine, [[CanBlock]] true, attributed to a shared.Agent started by
//     the main one) with its own $262;
//   - agent.broadcast(sab, num): hands the SharedArrayBuffer (by reference:
//     BufferOf in the sender, Realm.WrapBuffer in each receiver) and num (a
//     Number or BigInt) to every started agent's receiveBroadcast callback,
//     blocking until each agent still alive has taken it;
//   - agent.getReport(): the oldest report not yet taken, a string, or null;
//   - agent.sleep(ms): blocks the agent ms milliseconds (of its clock);
//   - agent.monotonicNow(): milliseconds since the Host262 was made (of
//     the main agent's clock), never decreasing.
//
// A started agent's $262 has global, detachArrayBuffer, evalScript and
// agent.receiveBroadcast(cb) (cb(sab, num) runs on the agent's goroutine
// for each broadcast; the agent stays alive until it has received one),
// agent.report(v) (String(v) is queued for getReport), agent.sleep,
// agent.monotonicNow and agent.leaving() (a no-op: the agent ends when its
// event loop is idle).
type Host262 struct {
	main  *Agent
	clock Clock
	t0    time.Duration

	mu       sync.Mutex
	reports  []string
	children []*child262
	closed   bool
}

// child262 is an agent started by $262.agent.start.
type child262 struct {
	name   string
	handle *shared.Handle
	done   chan struct{} // closed when the child's goroutine ends

	mu      sync.Mutex
	agent   *Agent
	cb      goja.Callable
	release func() // the keep-alive until the first broadcast
	pending []*broadcast262
	ended   bool
	err     error
}

// broadcast262 is one $262.agent.broadcast as one child takes it.
type broadcast262 struct {
	buf   *shared.Buffer // nil: broadcast of null/undefined
	num   any            // float64, *big.Int or nil
	taken chan struct{}
}

// NewHost262 installs $262 (and the test262 host's print, already
// installed by NewAgent) in main.
func NewHost262(main *Agent) (*Host262, error) {
	if !main.ok() {
		return nil, errors.New("js.NewHost262: no agent (nil, or not made by NewAgent)")
	}
	h := &Host262{main: main, clock: main.loop.clock}
	h.t0 = h.clock.Now()
	if err := h.install(main, nil); err != nil {
		return nil, fmt.Errorf("js.NewHost262 %q: %w", main.name, err)
	}
	return h, nil
}

// Reports is the number of reports not yet taken by getReport.
func (h *Host262) Reports() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reports)
}

// Agents is the number of agents started so far.
func (h *Host262) Agents() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.children)
}

// Close closes the main agent (cancelling every started agent: a blocked
// Atomics.wait is released, a running script interrupted), waits for each
// started agent's goroutine to end, and returns the errors of the started
// agents that failed for another reason than this cancellation (joined,
// each naming its agent). Safe more than once; later calls return nil.
func (h *Host262) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	children := append([]*child262(nil), h.children...)
	h.mu.Unlock()
	h.main.Close()
	var errs []error
	for _, c := range children {
		<-c.done
		if err := c.handle.Join(h.main.shared); err != nil {
			errs = append(errs, err)
		}
		c.mu.Lock()
		if c.err != nil {
			errs = append(errs, c.err)
		}
		c.mu.Unlock()
	}
	return errors.Join(errs...)
}

// install defines $262 in a (the main agent when c is nil).
func (h *Host262) install(a *Agent, c *child262) error {
	rt := a.rt
	o := rt.NewObject()
	ag := rt.NewObject()
	set := func(obj *goja.Object, name string, v any) error { return obj.Set(name, v) }
	must := []error{
		set(o, "global", rt.GlobalObject()),
		set(o, "evalScript", func(call goja.FunctionCall) goja.Value {
			v, err := rt.RunScript("evalScript", call.Argument(0).String())
			if err != nil {
				var ex *goja.Exception
				if errors.As(err, &ex) {
					panic(ex)
				}
				panic(err)
			}
			return v
		}),
		set(o, "detachArrayBuffer", func(call goja.FunctionCall) goja.Value {
			a.realm.Throw(a.realm.DetachArrayBuffer(call.Argument(0)))
			return goja.Null()
		}),
		set(o, "agent", ag),
		set(ag, "sleep", func(call goja.FunctionCall) goja.Value {
			h.sleep(a, call.Argument(0).ToFloat())
			return goja.Undefined()
		}),
		set(ag, "monotonicNow", func(goja.FunctionCall) goja.Value {
			return rt.ToValue(float64(h.clock.Now()-h.t0) / float64(time.Millisecond))
		}),
	}
	if c == nil {
		must = append(must,
			set(ag, "start", func(call goja.FunctionCall) goja.Value {
				if err := h.start(call.Argument(0).String()); err != nil {
					panic(rt.NewTypeError(err.Error()))
				}
				return goja.Undefined()
			}),
			set(ag, "broadcast", func(call goja.FunctionCall) goja.Value {
				h.broadcast(a, call.Argument(0), call.Argument(1))
				return goja.Undefined()
			}),
			set(ag, "getReport", func(goja.FunctionCall) goja.Value {
				h.mu.Lock()
				defer h.mu.Unlock()
				if len(h.reports) == 0 {
					return goja.Null()
				}
				r := h.reports[0]
				h.reports = h.reports[1:]
				return rt.ToValue(r)
			}),
		)
	} else {
		must = append(must,
			set(ag, "receiveBroadcast", func(call goja.FunctionCall) goja.Value {
				cb, ok := goja.AssertFunction(call.Argument(0))
				if !ok {
					panic(rt.NewTypeError("$262.agent.receiveBroadcast: callback is not a function"))
				}
				c.receive(cb)
				return goja.Undefined()
			}),
			set(ag, "report", func(call goja.FunctionCall) goja.Value {
				s := call.Argument(0).String()
				h.mu.Lock()
				h.reports = append(h.reports, s)
				h.mu.Unlock()
				return goja.Undefined()
			}),
			set(ag, "leaving", func(goja.FunctionCall) goja.Value { return goja.Undefined() }),
		)
	}
	must = append(must, rt.Set("$262", o))
	return errors.Join(must...)
}

// sleep blocks a for ms milliseconds of the host's clock (a virtual clock
// jumps), or until a is cancelled.
func (h *Host262) sleep(a *Agent, ms float64) {
	if ms != ms || ms <= 0 {
		return
	}
	d := time.Duration(ms * float64(time.Millisecond))
	if h.clock.Advance(h.clock.Now() + d) {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-a.ctx.Done():
	}
}

// start runs src in a new agent on a new goroutine.
func (h *Host262) start(src string) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return errors.New("$262.agent.start: the host is closed")
	}
	c := &child262{name: fmt.Sprintf("%s.agent%d", h.main.name, len(h.children)+1), done: make(chan struct{})}
	h.children = append(h.children, c)
	h.mu.Unlock()
	ready := make(chan struct{})
	c.handle = h.main.shared.Start(c.name, func(sa *shared.Agent) error {
		defer close(c.done)
		defer func() {
			c.mu.Lock()
			c.ended = true
			if c.release != nil {
				c.release()
			}
			for _, m := range c.pending {
				close(m.taken) // nobody will take them: do not block broadcast
			}
			c.pending = nil
			c.mu.Unlock()
		}()
		<-ready
		ag, err := NewAgent(AgentOptions{
			Name: c.name, Shared: sa, CanBlock: true, Context: h.main.ctx,
			Stdout: h.main.stdout, Clock: h.clock,
		})
		if err == nil {
			err = h.install(ag, c)
		}
		if err != nil {
			if ag != nil {
				ag.Close()
			}
			if h.main.ctx.Err() == nil { // else: torn down while starting
				c.fail(err)
			}
			return nil
		}
		defer ag.Close()
		c.mu.Lock()
		c.agent = ag
		c.mu.Unlock()
		if err := ag.RunScript(c.name+".js", src); err != nil && h.main.ctx.Err() == nil {
			c.fail(err)
		}
		return nil
	})
	close(ready)
	return nil
}

// fail records the child's error (the first).
func (c *child262) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = fmt.Errorf("$262 agent %s: %w", c.name, err)
	}
}

// receive registers the broadcast callback (on the child's goroutine).
func (c *child262) receive(cb goja.Callable) {
	c.mu.Lock()
	first := c.cb == nil
	c.cb = cb
	if first {
		c.release = c.agent.Hold()
	}
	post := len(c.pending) > 0
	ag := c.agent
	c.mu.Unlock()
	if post {
		ag.Post(c.deliver)
	}
}

// offer queues a broadcast for the child; it reports false if the child
// has ended (m.taken is then never closed by it).
func (c *child262) offer(m *broadcast262) bool {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return false
	}
	c.pending = append(c.pending, m)
	ag, ready := c.agent, c.cb != nil
	c.mu.Unlock()
	if ready && !ag.Post(c.deliver) {
		return true // the child is ending: its teardown closes m.taken
	}
	return true
}

// deliver runs on the child's goroutine: each pending broadcast is taken
// (unblocking the sender), then given to the callback.
func (c *child262) deliver() {
	for {
		c.mu.Lock()
		if len(c.pending) == 0 || c.cb == nil {
			c.mu.Unlock()
			return
		}
		m := c.pending[0]
		c.pending = c.pending[1:]
		cb, ag := c.cb, c.agent
		c.mu.Unlock()
		close(m.taken)
		rt := ag.rt
		sab := goja.Null()
		if m.buf != nil {
			v, err := ag.realm.WrapBuffer(m.buf)
			if err != nil {
				panic(rt.NewTypeError(fmt.Sprintf("$262.agent.receiveBroadcast: %v", err)))
			}
			sab = v
		}
		num := goja.Undefined()
		if m.num != nil {
			num = rt.ToValue(m.num)
		}
		if _, err := cb(goja.Undefined(), sab, num); err != nil {
			panic(err)
		}
		c.mu.Lock()
		if c.release != nil {
			c.release()
		}
		c.mu.Unlock()
	}
}

// broadcast sends (sab, num) to every started agent and blocks the main
// agent until each one alive has taken it.
func (h *Host262) broadcast(a *Agent, sab, num goja.Value) {
	rt := a.rt
	var buf *shared.Buffer
	if !goja.IsUndefined(sab) && !goja.IsNull(sab) {
		b, ok := BufferOf(sab)
		if !ok {
			panic(rt.NewTypeError("$262.agent.broadcast: %s is not a SharedArrayBuffer", sab))
		}
		buf = b
	}
	var n any
	switch x := export(num).(type) {
	case nil:
	case *big.Int:
		n = new(big.Int).Set(x)
	default:
		n = num.ToFloat()
	}
	h.mu.Lock()
	children := append([]*child262(nil), h.children...)
	h.mu.Unlock()
	var waits []*broadcast262
	var dones []chan struct{}
	for _, c := range children {
		m := &broadcast262{buf: buf, num: n, taken: make(chan struct{})}
		if c.offer(m) {
			waits = append(waits, m)
			dones = append(dones, c.done)
		}
	}
	for i, m := range waits {
		select {
		case <-m.taken:
		case <-dones[i]:
		case <-a.ctx.Done():
			panic(rt.NewGoError(a.cause()))
		}
	}
}

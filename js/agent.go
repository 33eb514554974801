package js

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// AgentOptions configure NewAgent.
type AgentOptions struct {
	// Name names the agent in errors (and the fresh shared.Agent when
	// Shared is nil). Empty means "js".
	Name string
	// Shared is the shared.Agent the agent's shared accesses are
	// attributed to. Nil means a new root agent named Name.
	Shared *shared.Agent
	// CanBlock is the agent's [[CanBlock]] (ECMA-262 §9.7, Agents):
	// whether Atomics.wait may block. It is set on Shared.
	CanBlock bool
	// Budget bounds the wall time of the agent's runs, counted from its
	// first RunScript, RunProgram or Start; 0 means no bound. Over budget
	// the runtime is interrupted and the agent's context is cancelled (a
	// blocked Atomics.wait is released); the run returns an error naming
	// the agent and the budget (errors.Is ErrBudget).
	Budget time.Duration
	// Context, if not nil, is the parent of the agent's context: the
	// agent is cancelled (as by Interrupt) when it ends.
	Context context.Context
	// Stdout receives print's lines (one Write per line). Nil discards
	// them. Agents started by $262.agent.start share their parent's
	// (lines are serialised).
	Stdout io.Writer
	// Clock is the time of the agent's timers; nil means RealClock().
	Clock Clock
	// NewBuffer is passed to Install (Options.NewBuffer).
	NewBuffer func(length, maxByteLength int) (*shared.Buffer, error)
	// MaxCallStackSize, if > 0, bounds the runtime's call stack
	// (goja.Runtime.SetMaxCallStackSize); deeper recursion throws a
	// RangeError.
	MaxCallStackSize int
	// AwaitSettled, if not nil, is how the loop waits when it has nothing
	// to run but a pending Atomics.waitAsync (a hold, no macrotask, no
	// timer): it is called with Realm.WaitAsyncSettled's channel and must
	// return once that channel is closed, or with an error, which ends
	// the run. The scenario layer makes the wait a blocking operation of
	// the explorer (shared.Controller.Block), so that the explorer
	// schedules the waiter and reports a deadlock when nothing will ever
	// notify it. Nil waits on the Go channels alone.
	AwaitSettled func(ctx context.Context, settled <-chan struct{}) error
}

// ErrBudget is the cause of an agent's cancellation when it outlives
// AgentOptions.Budget (the error returned wraps it).
var ErrBudget = errors.New("over budget")

// ErrClosed is the cause of an agent's cancellation by Close.
var ErrClosed = errors.New("agent closed")

// Agent is one JavaScript agent: a goja.Runtime with sabre's realm
// installed (Install), owned by one goroutine at a time, and its own event
// loop (setTimeout, clearTimeout, promise jobs, Post from any goroutine,
// Hold). It implements Host.
//
// Sandbox: the runtime has nothing but goja's ECMAScript built-ins, the
// realm (SharedArrayBuffer, typed-array shims, DataView, Atomics),
// setTimeout, clearTimeout and print: no require, no module loader, no
// filesystem, no network, no process.
type Agent struct {
	name   string
	rt     *goja.Runtime
	realm  *Realm
	shared *shared.Agent
	loop   *loop
	budget time.Duration
	stdout *lineWriter
	await  func(context.Context, <-chan struct{}) error

	ctx       context.Context
	cancel    context.CancelCauseFunc
	stopAfter func() bool

	running    atomic.Bool
	budgetOnce sync.Once
	budgetT    *time.Timer
	budgetMu   sync.Mutex
	closeOnce  sync.Once

	// invoke is the JS function (f) => f(): a macrotask runs inside it,
	// so that promise jobs it queues (a resolve called from Go) wait for
	// the task's end instead of running inside it.
	invoke goja.Callable
}

var _ Host = (*Agent)(nil)

// invokeProgram makes the function a macrotask runs in.
var invokeProgram = goja.MustCompile("", "(function (f) { f(); })", true)

// NewAgent makes an agent: a new goja.Runtime with the realm installed
// (Install, with the agent as its Host), the timers and print.
func NewAgent(opts AgentOptions) (*Agent, error) {
	name := opts.Name
	if name == "" {
		name = "js"
	}
	if opts.Budget < 0 {
		return nil, fmt.Errorf("js.NewAgent %q: negative budget %v", name, opts.Budget)
	}
	if opts.MaxCallStackSize < 0 {
		return nil, fmt.Errorf("js.NewAgent %q: negative MaxCallStackSize %d", name, opts.MaxCallStackSize)
	}
	sa := opts.Shared
	if sa == nil {
		sa = shared.NewAgent(name)
	}
	sa.SetCanBlock(opts.CanBlock)
	parent := opts.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancelCause(parent)
	a := &Agent{
		name:   name,
		rt:     goja.New(),
		shared: sa,
		loop:   newLoop(opts.Clock),
		budget: opts.Budget,
		stdout: lineWriterFor(opts.Stdout),
		await:  opts.AwaitSettled,
		ctx:    ctx,
		cancel: cancel,
	}
	if opts.MaxCallStackSize > 0 {
		a.rt.SetMaxCallStackSize(opts.MaxCallStackSize)
	}
	// Whatever ends the context (Interrupt, the budget, Close, the
	// parent's end) also stops the JavaScript running.
	a.stopAfter = context.AfterFunc(ctx, func() { a.rt.Interrupt(a.cause()) })
	realm, err := Install(a.rt, Options{Agent: sa, Host: a, NewBuffer: opts.NewBuffer})
	if err != nil {
		cancel(err)
		return nil, fmt.Errorf("js.NewAgent %q: %w", name, err)
	}
	a.realm = realm
	inv, err := a.rt.RunProgram(invokeProgram)
	if err != nil {
		cancel(err)
		return nil, fmt.Errorf("js.NewAgent %q: %w", name, err)
	}
	a.invoke, _ = goja.AssertFunction(inv)
	if err := a.installGlobals(); err != nil {
		cancel(err)
		return nil, fmt.Errorf("js.NewAgent %q: %w", name, err)
	}
	return a, nil
}

// Name is the agent's name.
func (a *Agent) Name() string { return a.name }

// Runtime is the agent's goja runtime. Use it only on the goroutine
// running the agent (or while it is not running).
func (a *Agent) Runtime() *goja.Runtime { return a.rt }

// Realm is the realm installed in the agent's runtime.
func (a *Agent) Realm() *Realm { return a.realm }

// Shared is the shared.Agent the agent's accesses are attributed to.
func (a *Agent) Shared() *shared.Agent { return a.shared }

// Clock is the agent's clock.
func (a *Agent) Clock() Clock { return a.loop.clock }

// Post runs fn on the agent's goroutine at a later turn of its event loop
// (Host). Safe from any goroutine; false once the agent is closed or
// cancelled.
func (a *Agent) Post(fn func()) bool {
	if fn == nil || !a.ok() || a.ctx.Err() != nil {
		return false
	}
	return a.loop.post(fn)
}

// Hold keeps the event loop alive until release is called (Host).
func (a *Agent) Hold() (release func()) {
	if !a.ok() {
		return func() {}
	}
	return a.loop.hold()
}

// Context is the agent's context (Host): cancelled by Interrupt, Close,
// the budget or the parent context; its cause says which.
func (a *Agent) Context() context.Context {
	if !a.ok() {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(errNoAgent)
		return ctx
	}
	return a.ctx
}

// ok reports whether a was made by NewAgent (a nil or zero Agent is not:
// its methods then do nothing, or return an error saying so).
func (a *Agent) ok() bool { return a != nil && a.rt != nil && a.loop != nil && a.cancel != nil }

// errNoAgent is the error of a method of a nil or zero Agent.
var errNoAgent = errors.New("js: no agent (nil, or not made by NewAgent)")

// Interrupt stops the agent from any goroutine: its context is cancelled
// with cause err (nil: "interrupted"), running JavaScript is interrupted,
// a blocked Atomics.wait is released; the run returns an error wrapping
// err.
func (a *Agent) Interrupt(err error) {
	if !a.ok() {
		return
	}
	if err == nil {
		err = errors.New("interrupted")
	}
	a.cancel(fmt.Errorf("js agent %q: %w", a.name, err))
}

// Close ends the agent: it is cancelled (cause ErrClosed) if still
// running, further Posts are refused and queued ones dropped. Safe from
// any goroutine, more than once.
func (a *Agent) Close() {
	if !a.ok() {
		return
	}
	a.closeOnce.Do(func() {
		a.cancel(fmt.Errorf("js agent %q: %w", a.name, ErrClosed))
		a.loop.close()
		a.budgetMu.Lock()
		if a.budgetT != nil {
			a.budgetT.Stop()
		}
		a.budgetMu.Unlock()
	})
}

// cause is the error that ended the agent's context (nil while it runs).
func (a *Agent) cause() error {
	if a.ctx.Err() == nil {
		return nil
	}
	return context.Cause(a.ctx)
}

// RunScript compiles src (named name in positions: errors read
// name:line:col) and runs it on the calling goroutine, then runs the event
// loop until it is idle: no macrotask, no timer and no hold. The error is
// the first uncaught exception (a *goja.Exception, whose Error carries
// file:line:col), a syntax error, or the cause of the agent's
// cancellation.
func (a *Agent) RunScript(name, src string) error {
	if !a.ok() {
		return errNoAgent
	}
	p, err := goja.Compile(name, src, false)
	if err != nil {
		return err
	}
	return a.RunProgram(p)
}

// RunProgram is RunScript for a compiled program (a *goja.Program may be
// shared by many agents).
func (a *Agent) RunProgram(p *goja.Program) error {
	if !a.ok() {
		return errNoAgent
	}
	if p == nil {
		return fmt.Errorf("js agent %q: RunProgram of a nil program", a.name)
	}
	return a.Do(func() error {
		_, err := a.rt.RunProgram(p)
		return err
	})
}

// Do runs fn on the calling goroutine as the agent's code — its budget
// running, an interruption reported as the cause of the agent's
// cancellation — then the event loop until it is idle, as RunProgram does
// with a script: for hosts that drive the runtime themselves (calls of JS
// functions from Go). An error fn returns (a JS exception) ends the run
// before the loop. Errors as RunScript.
func (a *Agent) Do(fn func() error) error {
	if !a.ok() {
		return errNoAgent
	}
	if fn == nil {
		return fmt.Errorf("js agent %q: Do of a nil function", a.name)
	}
	if !a.running.CompareAndSwap(false, true) {
		return fmt.Errorf("js agent %q: already running on another goroutine", a.name)
	}
	defer a.running.Store(false)
	if err := a.cause(); err != nil {
		return err
	}
	a.startBudget()
	if err := fn(); err != nil {
		return a.runErr(err)
	}
	return a.runLoop()
}

// Start runs RunScript(name, src) on a new goroutine; the channel receives
// its result.
func (a *Agent) Start(name, src string) <-chan error {
	done := make(chan error, 1)
	go func() { done <- a.RunScript(name, src) }()
	return done
}

// Eval runs src on the calling goroutine without running the event loop
// and returns its completion value (for hosts and tests).
func (a *Agent) Eval(name, src string) (goja.Value, error) {
	if !a.ok() {
		return nil, errNoAgent
	}
	if !a.running.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("js agent %q: already running on another goroutine", a.name)
	}
	defer a.running.Store(false)
	if err := a.cause(); err != nil {
		return nil, err
	}
	a.startBudget()
	v, err := a.rt.RunScript(name, src)
	if err != nil {
		return nil, a.runErr(err)
	}
	return v, nil
}

func (a *Agent) startBudget() {
	if a.budget <= 0 {
		return
	}
	a.budgetOnce.Do(func() {
		b := a.budget
		a.budgetMu.Lock()
		a.budgetT = time.AfterFunc(b, func() {
			a.cancel(fmt.Errorf("js agent %q over its budget of %v: %w", a.name, b, ErrBudget))
		})
		a.budgetMu.Unlock()
	})
}

// runErr turns an interruption into the cause of the agent's
// cancellation; other errors (exceptions, syntax errors) pass.
func (a *Agent) runErr(err error) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if c := a.cause(); c != nil {
			return c
		}
		if e, ok := ie.Value().(error); ok {
			return e
		}
	}
	if c := a.cause(); c != nil && !errors.Is(err, c) {
		// A cancelled Atomics.wait may surface as an exception; the
		// cancellation is the reason.
		return fmt.Errorf("%w (%v)", c, err)
	}
	return err
}

// runLoop runs macrotasks and timers until the loop is idle.
func (a *Agent) runLoop() error {
	l := a.loop
	var wait *time.Timer
	defer func() {
		if wait != nil {
			wait.Stop()
		}
	}()
	for {
		if err := a.cause(); err != nil {
			return err
		}
		fn, holds := l.next()
		if fn != nil {
			if err := a.runTask(fn); err != nil {
				return err
			}
			continue
		}
		t, due, has := l.dueTimer()
		if t != nil {
			if err := a.runTask(t.fn); err != nil {
				return err
			}
			continue
		}
		if !has && holds == 0 {
			return nil
		}
		var tc <-chan time.Time
		if has {
			if l.clock.Advance(due) {
				continue // a virtual clock: the next timer is due now
			}
			d := due - l.clock.Now()
			if d <= 0 {
				continue
			}
			if wait == nil {
				wait = time.NewTimer(d)
			} else {
				wait.Reset(d)
			}
			tc = wait.C
		} else if a.await != nil {
			if settled := a.realm.WaitAsyncSettled(); settled != nil {
				if err := a.await(a.ctx, settled); err != nil {
					return a.runErr(err)
				}
			}
		}
		select {
		case <-l.wake:
		case <-tc:
		case <-a.ctx.Done():
		}
		if wait != nil {
			wait.Stop() // Go 1.23+ timers need no draining before Reset
		}
	}
}

// runTask runs one macrotask, then the promise jobs it queued.
//
// goja runs the queued promise jobs whenever control returns from a
// top-level call (RunProgram, or a Callable called from Go with an empty
// JS stack). Were fn run directly, each resolve it calls from Go (a
// Callable) would run the jobs at once, in the middle of the task. fn
// runs instead inside a JS function (invoke), so goja runs the jobs when
// invoke returns: at the end of the task, on this goroutine, as the
// spec's HostEnqueuePromiseJob and HTML's microtask checkpoint have it.
func (a *Agent) runTask(fn func()) (err error) {
	defer func() {
		if x := recover(); x != nil {
			if e, ok := x.(error); ok {
				err = a.runErr(e)
			} else {
				err = fmt.Errorf("js agent %q: task panicked: %v", a.name, x)
			}
		}
	}()
	task := a.rt.ToValue(func(goja.FunctionCall) goja.Value {
		fn()
		return goja.Undefined()
	})
	if _, err := a.invoke(goja.Undefined(), task); err != nil {
		return a.runErr(err)
	}
	return nil
}

// installGlobals installs setTimeout, clearTimeout and print.
func (a *Agent) installGlobals() error {
	rt := a.rt
	setTimeout := func(call goja.FunctionCall) goja.Value {
		f, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(rt.NewTypeError("setTimeout: callback is not a function"))
		}
		ms := call.Argument(1).ToFloat()
		if ms != ms || ms < 0 { // NaN
			ms = 0
		}
		if ms > 1<<31-1 {
			ms = 1
		}
		args := append([]goja.Value(nil), call.Arguments[min(2, len(call.Arguments)):]...)
		id := a.loop.addTimer(time.Duration(ms*float64(time.Millisecond)), func() {
			if _, err := f(goja.Undefined(), args...); err != nil {
				panic(err)
			}
		})
		return rt.ToValue(id)
	}
	clearTimeout := func(call goja.FunctionCall) goja.Value {
		a.loop.clearTimer(call.Argument(0).ToInteger())
		return goja.Undefined()
	}
	print := func(call goja.FunctionCall) goja.Value {
		parts := make([]string, len(call.Arguments))
		for i, v := range call.Arguments {
			parts[i] = v.String()
		}
		a.stdout.writeLine(strings.Join(parts, " "))
		return goja.Undefined()
	}
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		"setTimeout": setTimeout, "clearTimeout": clearTimeout, "print": print,
	} {
		if err := rt.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}

// lineWriter serialises whole lines to one writer shared by agents.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func lineWriterFor(w io.Writer) *lineWriter {
	if w == nil {
		return &lineWriter{w: io.Discard}
	}
	if lw, ok := w.(*lineWriter); ok {
		return lw
	}
	return &lineWriter{w: w}
}

func (l *lineWriter) writeLine(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, s+"\n")
}

// Write implements io.Writer (serialised).
func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

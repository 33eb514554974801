package js

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// ScenarioOptions configure Scenario.
type ScenarioOptions struct {
	// Print receives what print(...) and console.log(...) write, one line
	// per call; nil discards it (an exploration runs the file thousands of
	// times).
	Print io.Writer
	// AgentBudget bounds each JS agent's running time in one execution
	// (0: DefaultAgentBudget): past it its runtime is interrupted (a busy
	// loop), and a blocking Atomics.wait or Queue operation is released;
	// the agent then fails with an error saying so.
	AgentBudget time.Duration
}

// DefaultAgentBudget is a JS agent's running time budget in one execution
// when ScenarioOptions.AgentBudget is 0. It is wall-clock time, waiting
// for its turn under the explorer included.
const DefaultAgentBudget = 30 * time.Second

// ScenarioFile reads the JS scenario file at path and returns it as a
// scenario (Scenario(path, its contents, opts)).
func ScenarioFile(path string, opts ScenarioOptions) (*scenarios.Scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Scenario(path, string(src), opts)
}

// Scenario turns the JavaScript scenario src, named filename in messages,
// into a scenarios.Scenario that package scenarios explores (Run) or
// stresses (Stress), docs/js.md explains the file's API: a global sabre
// with agent, setup, observe, forbid, allow, require, queue and config.
//
// The file is compiled once, then evaluated once here (a probe: its
// declarations, predicates and top-level errors), once per execution by
// Setup (on the main agent: each new SharedArrayBuffer becomes a World
// buffer named sab0, sab1, … in creation order, sabre.queue(n) a World
// queue, each sabre.agent a World agent, and sabre.setup's function runs),
// and once per agent per execution on the agent's goroutine, where the
// k-th new SharedArrayBuffer is the World's k-th buffer and only the
// agent's own function runs, followed by its event loop. Top-level code
// must therefore be deterministic and must not touch shared memory.
//
// Errors: a syntax error ("file:line:col: SyntaxError: …"), a top-level
// exception of the probe (with its file:line:col), a file that declares
// no agent, or a bad sabre call (its file:line:col).
func Scenario(filename, src string, opts ScenarioOptions) (*scenarios.Scenario, error) {
	prog, err := goja.Compile(filename, src, false)
	if err != nil {
		var se *goja.CompilerSyntaxError
		if errors.As(err, &se) {
			// goja says "FILE: Line L:C MESSAGE".
			if m := syntaxPos.FindStringSubmatch(se.Message); m != nil {
				return nil, fmt.Errorf("%s:%s:%s: SyntaxError: %s", filename, m[1], m[2], m[3])
			}
			return nil, fmt.Errorf("%s: SyntaxError: %s", filename, strings.TrimPrefix(se.Message, filename+": "))
		}
		return nil, fmt.Errorf("%s: %v", filename, err)
	}
	if opts.AgentBudget <= 0 {
		opts.AgentBudget = DefaultAgentBudget
	}
	s := &jsScenario{file: filename, prog: prog, opts: opts}
	if err := s.probe(); err != nil {
		return nil, err
	}
	sc := &scenarios.Scenario{
		Name:     s.name,
		Doc:      s.doc,
		Setup:    s.setup,
		MaxSteps: s.maxSteps,
		Checks:   s.checks,
	}
	for i, p := range s.preds {
		switch p.kind {
		case "forbid":
			sc.Expect = append(sc.Expect, scenarios.Expectation{Name: p.name, Forbidden: true, Match: s.matcher(i)})
		case "allow":
			sc.Expect = append(sc.Expect, scenarios.Expectation{Name: p.name, Match: s.matcher(i)})
		}
	}
	if len(s.preds) > 0 {
		// Every predicate is judged on every allowed outcome: a require
		// that does not hold fails the execution, and so does a predicate
		// that throws (a forbid or allow whose Match would otherwise count
		// the exception as "no match" and silently check nothing).
		sc.Check = func(o *scenarios.Outcome) error {
			for i := range s.preds {
				ok, err := s.judge(i, o)
				if err != nil {
					return err
				}
				if !ok && s.preds[i].kind == "require" {
					return fmt.Errorf("sabre.require %s does not hold for %s", s.preds[i].name, o.Key())
				}
			}
			return nil
		}
	}
	return sc, nil
}

var syntaxPos = regexp.MustCompile(`(?s): Line (\d+):(\d+) (.*)$`)

// jsScenario is a compiled scenario file.
type jsScenario struct {
	file string
	prog *goja.Program
	opts ScenarioOptions

	// What the probe found.
	name, doc string
	maxSteps  int
	checks    []checker.Check
	agents    []string
	preds     []predicate

	// The judge: the probe's runtime, which evaluates the predicates
	// (serialised: Check and Match may be called from several goroutines).
	mu      sync.Mutex
	judgeRT *goja.Runtime
	// judged and lastVerdicts are the last outcome judged and the
	// predicates' verdicts on it (under mu).
	judged       *scenarios.Outcome
	lastVerdicts []verdict
	fns          []goja.Callable
}

type predicate struct {
	kind string // forbid, allow, require
	name string
	pos  string // file:line:col of the call
}

// mode is what a runtime evaluating the file is for.
type mode int

const (
	modeProbe mode = iota // Scenario's probe, kept as the judge
	modeSetup             // an execution's Setup, on the main agent
	modeAgent             // one agent of an execution
)

// evaluation is one evaluation of the file in one runtime.
type evaluation struct {
	s     *jsScenario
	mode  mode
	rt    *goja.Runtime
	realm *Realm
	agent *shared.Agent // the agent observe reports for (nil in the probe)
	world *scenarios.World
	exec  *execState // the execution's World objects (setup, agent)
	top   bool       // the top-level code is running

	agentNames []string
	agentFns   []goja.Callable
	setupFn    goja.Callable
	queues     int
	buffers    int
	preds      []predicate
	predFns    []goja.Callable
	name, doc  string
	maxSteps   int
	checks     []checker.Check
}

// execState is what one execution's Setup made, in order, for its agents.
type execState struct {
	buffers []*shared.Buffer
	lengths []int
	maxLens []int
	queues  []*shared.Queue
}

// newEvaluation makes a runtime for the file with the realm, print and
// the sabre global installed; host and newBuffer as Options's.
func (s *jsScenario) newEvaluation(m mode, a *shared.Agent, host Host, newBuffer func(int, int) (*shared.Buffer, error)) (*evaluation, error) {
	rt := goja.New()
	realm, err := Install(rt, Options{Agent: a, Host: host, NewBuffer: newBuffer})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.file, err)
	}
	return s.evaluationIn(rt, realm, m, a, nil), nil
}

// pos is the file:line:col of the JS code calling the current Go function.
func (e *evaluation) pos() string {
	var frames [2]goja.StackFrame
	st := e.rt.CaptureCallStack(2, frames[:0])
	for _, f := range st {
		if p := f.Position(); p.Line > 0 {
			return p.String()
		}
	}
	return e.s.file
}

func (e *evaluation) typeError(format string, a ...any) {
	panic(e.rt.NewTypeError(fmt.Sprintf(format, a...)))
}

// installSabre defines the global sabre object.
func (e *evaluation) installSabre() {
	rt := e.rt
	sab := rt.NewObject()
	sab.Set("agent", func(call goja.FunctionCall) goja.Value {
		if !e.top {
			e.typeError("sabre.agent: agents are declared by the file's top-level code, not from a function")
		}
		name := fmt.Sprintf("a%d", len(e.agentFns))
		fv := call.Argument(0)
		if len(call.Arguments) >= 2 {
			if n, ok := export(call.Argument(0)).(string); ok {
				name, fv = n, call.Argument(1)
			} else {
				e.typeError("sabre.agent(name, fn): the name %s is not a string", call.Argument(0))
			}
		}
		fn, ok := goja.AssertFunction(fv)
		if !ok {
			e.typeError("sabre.agent: %s is not a function", fv)
		}
		if name == "" || name == "main" {
			e.typeError("sabre.agent: the agent name %q is reserved or empty", name)
		}
		if strings.ContainsAny(name, ": \t\n=") {
			// outcome keys read agent:key=value
			e.typeError("sabre.agent: the agent name %q has a colon, a space or '=': outcome keys read agent:key=value", name)
		}
		for _, n := range e.agentNames {
			if n == name {
				e.typeError("sabre.agent: two agents are named %q", name)
			}
		}
		e.agentNames = append(e.agentNames, name)
		e.agentFns = append(e.agentFns, fn)
		return goja.Undefined()
	})
	sab.Set("setup", func(call goja.FunctionCall) goja.Value {
		if !e.top {
			e.typeError("sabre.setup: called from a function; call it at top level")
		}
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			e.typeError("sabre.setup: %s is not a function", call.Argument(0))
		}
		if e.setupFn != nil {
			e.typeError("sabre.setup: called twice")
		}
		e.setupFn = fn
		return goja.Undefined()
	})
	for _, kind := range []string{"forbid", "allow", "require"} {
		sab.Set(kind, func(call goja.FunctionCall) goja.Value {
			if !e.top {
				e.typeError("sabre.%s: called from a function; call it at top level", kind)
			}
			fn, ok := goja.AssertFunction(call.Argument(0))
			if !ok {
				e.typeError("sabre.%s: %s is not a function (a predicate over the observed outcome)", kind, call.Argument(0))
			}
			p := predicate{kind: kind, pos: e.pos()}
			if n := call.Argument(1); !goja.IsUndefined(n) {
				p.name = n.String()
			} else {
				p.name = fmt.Sprintf("%s #%d (%s)", kind, len(e.preds)+1, p.pos)
			}
			e.preds = append(e.preds, p)
			e.predFns = append(e.predFns, fn)
			return goja.Undefined()
		})
	}
	sab.Set("observe", func(call goja.FunctionCall) goja.Value {
		if e.top {
			e.typeError("sabre.observe: called by top-level code; call it from an agent (or sabre.setup) function")
		}
		arg0 := call.Argument(0)
		if _, isObj := arg0.(*goja.Object); !isObj {
			e.typeError("sabre.observe: %s is not an object of named values ({x: …})", arg0)
		}
		obj := arg0.ToObject(rt)
		keys := obj.Keys()
		vals := make([]int64, len(keys))
		for i, k := range keys {
			v, err := observedValue(obj.Get(k))
			if err != "" {
				e.typeError("sabre.observe: %s: %s", k, err)
			}
			vals[i] = v
		}
		if e.mode == modeProbe || e.world == nil {
			return goja.Undefined()
		}
		for i, k := range keys {
			e.world.Report(e.agent, k, vals[i])
		}
		return goja.Undefined()
	})
	sab.Set("queue", func(call goja.FunctionCall) goja.Value {
		maxsize := 0
		if v := call.Argument(0); !goja.IsUndefined(v) {
			f := v.ToFloat()
			if f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
				e.typeError("sabre.queue: maxsize %s is not an integer", v)
			}
			maxsize = int(f)
		}
		k := e.queues
		e.queues++
		var q *shared.Queue
		switch e.mode {
		case modeProbe:
			q = shared.NewQueue(maxsize)
		case modeSetup:
			if !e.top {
				e.typeError("sabre.queue: queues are made by top-level code")
			}
			q = e.world.Queue(maxsize)
			if q == nil {
				e.typeError("sabre.queue(%d): the World refused it", maxsize)
			}
			e.exec.queues = append(e.exec.queues, q)
		case modeAgent:
			if k >= len(e.exec.queues) {
				e.typeError("sabre.queue: queue #%d was not made by the setup's evaluation: the top-level code is not deterministic", k)
			}
			q = e.exec.queues[k].For(e.agent)
		}
		return NewQueueObject(e.realm, q)
	})
	sab.Set("config", func(call goja.FunctionCall) goja.Value {
		if !e.top {
			e.typeError("sabre.config: called from a function; call it at top level")
		}
		o := call.Argument(0).ToObject(rt)
		for _, k := range o.Keys() {
			v := o.Get(k)
			switch k {
			case "name":
				e.name = v.String()
			case "doc":
				e.doc = v.String()
			case "maxSteps":
				f := v.ToFloat()
				if f != math.Trunc(f) || f < 0 || f > 1e9 {
					e.typeError("sabre.config: maxSteps %s is not a non-negative integer", v)
				}
				e.maxSteps = int(f)
			case "checks":
				cs, err := checker.ParseChecks(v.String())
				if err != nil {
					e.typeError("sabre.config: checks: %v", err)
				}
				e.checks = cs
			default:
				e.typeError("sabre.config: unknown key %q (want name, doc, maxSteps, checks)", k)
			}
		}
		return goja.Undefined()
	})
	rt.Set("sabre", sab)
}

// observedValue converts an observed JS value: an integral number (within
// ±2^53), a boolean (1 or 0) or a BigInt within int64.
func observedValue(v goja.Value) (int64, string) {
	switch x := export(v).(type) {
	case int64:
		return x, ""
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int64(x), ""
		}
		return 0, fmt.Sprintf("%v is not an integer", v)
	case bool:
		if x {
			return 1, ""
		}
		return 0, ""
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), ""
		}
		return 0, fmt.Sprintf("the BigInt %vn does not fit in 64 bits", x)
	}
	if v == nil || goja.IsUndefined(v) {
		return 0, "undefined is not an integer, boolean or BigInt"
	}
	return 0, fmt.Sprintf("%s (%s) is not an integer, boolean or BigInt", v, typeName(v))
}

func typeName(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if t := v.ExportType(); t != nil {
		return t.String()
	}
	return "value"
}

// run evaluates the file's top-level code.
func (e *evaluation) run() error {
	e.top = true
	defer func() { e.top = false }()
	if e.mode == modeAgent { // the Agent's budget runs
		_, err := e.rt.RunProgram(e.s.prog)
		return jsError(err)
	}
	return e.s.bounded(e.rt, "the top-level code", func() error {
		_, err := e.rt.RunProgram(e.s.prog)
		return err
	})
}

// bounded runs fn, JS code of the scenario's runtimes outside any agent
// (the top-level code of the setup and of the probe, sabre.setup's
// function, a predicate), under the agent budget: past it the runtime is
// interrupted and the error names what ran over.
func (s *jsScenario) bounded(rt *goja.Runtime, what string, fn func() error) error {
	t := time.AfterFunc(s.opts.AgentBudget, func() {
		rt.Interrupt(fmt.Errorf("%s ran over its budget of %v", what, s.opts.AgentBudget))
	})
	err := fn()
	if !t.Stop() {
		rt.ClearInterrupt()
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if v, ok := ie.Value().(error); ok {
			return v // goja's interrupt has no reliable position
		}
	}
	return jsError(err)
}

// jsError turns a goja exception into an error whose text starts with the
// JS error and ends with its position (file:line:col).
func jsError(err error) error {
	if err == nil {
		return nil
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg := "exception"
		if v := ex.Value(); v != nil {
			msg = v.String()
		}
		if p := userPos(ex.Stack()); p != "" {
			return fmt.Errorf("%s: %s", p, msg)
		}
		return errors.New(ex.Error())
	}
	return err
}

// probe evaluates the file once on its own: its declarations, predicates,
// config and top-level errors. The runtime stays, as the judge.
func (s *jsScenario) probe() error {
	e, err := s.newEvaluation(modeProbe, shared.NewAgent("probe"), nil, nil)
	if err != nil {
		return err
	}
	if err := e.run(); err != nil {
		return fmt.Errorf("%s: top-level code: %w", s.file, err)
	}
	if len(e.agentFns) == 0 {
		return fmt.Errorf("%s: declares no agent (call sabre.agent(fn) at top level)", s.file)
	}
	s.name, s.doc, s.maxSteps, s.checks = e.name, e.doc, e.maxSteps, e.checks
	if s.name == "" {
		s.name = s.file
	}
	s.agents, s.preds = e.agentNames, e.preds
	s.judgeRT, s.fns = e.rt, e.predFns
	return nil
}

// setup is the Scenario's Setup: it evaluates the file on the main agent,
// making the World's buffers, queues and agents.
func (s *jsScenario) setup(w *scenarios.World) error {
	ex := &execState{}
	var e *evaluation
	newBuffer := func(length, maxLen int) (*shared.Buffer, error) {
		if !e.top {
			return nil, errors.New("a SharedArrayBuffer of the scenario must be made by top-level code")
		}
		name := fmt.Sprintf("sab%d", len(ex.buffers))
		var b *shared.Buffer
		if maxLen >= 0 {
			b = w.GrowableBuffer(name, length, maxLen)
		} else {
			b = w.Buffer(name, length)
		}
		if b == nil {
			return nil, fmt.Errorf("new SharedArrayBuffer(%d): the World refused it", length)
		}
		ex.buffers = append(ex.buffers, b)
		ex.lengths = append(ex.lengths, length)
		ex.maxLens = append(ex.maxLens, maxLen)
		return b.For(w.Main()), nil
	}
	e, err := s.newEvaluation(modeSetup, w.Main(), nil, newBuffer)
	if err != nil {
		return err
	}
	e.world, e.exec = w, ex
	if err := e.run(); err != nil {
		return err
	}
	if len(e.agentNames) != len(s.agents) {
		return fmt.Errorf("%s: the top-level code declared %d agents, not %d as when it was loaded: it must be deterministic", s.file, len(e.agentNames), len(s.agents))
	}
	if e.setupFn != nil {
		var v goja.Value
		if err := s.bounded(e.rt, "sabre.setup's function", func() (err error) { v, err = e.setupFn(goja.Undefined()); return err }); err != nil {
			return fmt.Errorf("sabre.setup: %w", jsError(err))
		}
		// An async setup function: its promise has settled by now (its
		// jobs ran when the call returned) unless it waits, which it may
		// not (the setup has no event loop); a rejection is the setup's
		// error.
		if err := promiseError(v); err != nil {
			return fmt.Errorf("sabre.setup: %w", err)
		}
	}
	for k, name := range e.agentNames {
		w.Agent(name, func(a *shared.Agent) error { return s.runAgent(k, a, w, ex) })
	}
	return nil
}

// runAgent is agent k of one execution: a fresh runtime on the agent's
// goroutine that evaluates the file over the execution's buffers, then
// runs the agent's function and its event loop.
func (s *jsScenario) runAgent(k int, a *shared.Agent, w *scenarios.World, ex *execState) error {
	made := 0
	newBuffer := func(length, maxLen int) (*shared.Buffer, error) {
		i := made
		made++
		if i >= len(ex.buffers) {
			return nil, fmt.Errorf("SharedArrayBuffer #%d was not made by the setup's evaluation: the top-level code must be deterministic and make buffers only at top level", i)
		}
		b := ex.buffers[i]
		if ex.lengths[i] != length || ex.maxLens[i] != maxLen {
			return nil, fmt.Errorf("SharedArrayBuffer #%d: made with length %d (max %d), not %d (max %d) as by the setup: the top-level code must be deterministic", i, length, maxLen, ex.lengths[i], ex.maxLens[i])
		}
		return b.For(a), nil
	}
	// The agent's event loop is deterministic: virtual time, and a wait
	// for a pending waitAsync made a blocking operation the explorer sees.
	ag, err := NewAgent(AgentOptions{
		Name: a.Name(), Shared: a, CanBlock: a.CanBlock(), Budget: s.opts.AgentBudget,
		Clock: &VirtualClock{}, NewBuffer: newBuffer, AwaitSettled: awaitSettledUnder(a),
	})
	if err != nil {
		return err
	}
	defer ag.Close()
	e := s.evaluationIn(ag.Runtime(), ag.Realm(), modeAgent, a, ag.Clock())
	e.world, e.exec = w, ex
	var p *goja.Promise
	err = ag.Do(func() error {
		if err := e.run(); err != nil {
			return err
		}
		if k >= len(e.agentFns) {
			return fmt.Errorf("%s: agent #%d was not declared by this evaluation: the top-level code must be deterministic", s.file, k)
		}
		v, err := e.agentFns[k](goja.Undefined())
		if err != nil {
			return err
		}
		// An async agent: its promise must settle, and not be rejected.
		if o, ok := v.(*goja.Object); ok {
			p, _ = exported[*goja.Promise](o)
		}
		return nil
	})
	if err != nil {
		return jsError(err)
	}
	if p != nil {
		if err := promiseError(p); err != nil {
			return fmt.Errorf("the agent's %w", err)
		}
	}
	return nil
}

// promiseError is the error of a settled-badly promise: a rejection (with
// the reason's file:line:col when it is an error with a stack) or a
// promise still pending; nil for anything else (not a promise, or
// fulfilled). v is a goja.Value or a *goja.Promise.
func promiseError(v any) error {
	p, _ := v.(*goja.Promise)
	if o, ok := v.(*goja.Object); ok {
		p, _ = exported[*goja.Promise](o)
	}
	if p == nil {
		return nil
	}
	switch p.State() {
	case goja.PromiseStateRejected:
		r := p.Result()
		if o, ok := r.(*goja.Object); ok {
			if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
				if m := stackPos.FindStringSubmatch(st.String()); m != nil {
					return fmt.Errorf("promise was rejected: %s: %s", m[1], r.String())
				}
			}
		}
		return fmt.Errorf("promise was rejected: %s", r)
	case goja.PromiseStatePending:
		return errors.New("promise never settled (no event loop job or timer was left to settle it)")
	}
	return nil
}

// stackPos finds the first file:line:col of a goja stack trace ("at f
// (file:line:col(pc))" or "at file:line:col(pc)").
var stackPos = regexp.MustCompile(`at (?:[^\n(]*\()?([^\s()]+:\d+:\d+)`)

// awaitSettledUnder is AgentOptions.AwaitSettled for a scenario agent:
// under a controller (the explorer) the wait for a pending waitAsync's
// settlement is a blocking operation of the agent, ready once the notify
// settles it; with none (stress) it is a plain wait.
func awaitSettledUnder(a *shared.Agent) func(context.Context, <-chan struct{}) error {
	return func(ctx context.Context, settled <-chan struct{}) error {
		select {
		case <-settled:
			return nil
		default:
		}
		c := a.Controller()
		if c == nil {
			select {
			case <-settled:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		// The explorer implements Block for any event; a join of no agent
		// (Peer 0) is how the loop's wait shows: a blocked agent, ready
		// when settled is closed, with no timeout, local.
		ev := history.Event{Kind: history.EvAgentJoin, Agent: a.ID(), Op: "its event loop, waiting for a pending Atomics.waitAsync", Timeout: -1}
		if _, err := c.Block(ctx, &ev, settled); err != nil {
			return fmt.Errorf("event loop: %w", err)
		}
		return nil
	}
}

// evaluationIn is an evaluation of the file in rt, whose realm is
// installed already.
func (s *jsScenario) evaluationIn(rt *goja.Runtime, realm *Realm, m mode, a *shared.Agent, clock Clock) *evaluation {
	e := &evaluation{s: s, mode: m, rt: rt, agent: a, realm: realm}
	// Deterministic, as the explorer needs every evaluation to be:
	// Math.random is the same seeded sequence in every runtime, and Date
	// reads the agent's virtual clock (the scenario's epoch, 0, plus the
	// virtual time its timers advanced).
	rng := rand.New(rand.NewPCG(1, 2))
	rt.SetRandSource(rng.Float64)
	rt.SetTimeSource(func() time.Time {
		var d time.Duration
		if clock != nil {
			d = clock.Now()
		}
		return time.Unix(0, 0).Add(d)
	})
	s.installPrint(rt)
	e.installSabre()
	return e
}

func (s *jsScenario) installPrint(rt *goja.Runtime) {
	printFn := func(call goja.FunctionCall) goja.Value {
		if s.opts.Print != nil {
			parts := make([]string, len(call.Arguments))
			for i, v := range call.Arguments {
				parts[i] = v.String()
			}
			fmt.Fprintln(s.opts.Print, strings.Join(parts, " "))
		}
		return goja.Undefined()
	}
	rt.Set("print", printFn)
	console := rt.NewObject()
	console.Set("log", printFn)
	rt.Set("console", console)
}

// matcher is Expectation.Match for predicate i.
func (s *jsScenario) matcher(i int) func(o *scenarios.Outcome) bool {
	return func(o *scenarios.Outcome) bool {
		ok, err := s.judge(i, o)
		return err == nil && ok
	}
}

// judge is predicate i's verdict on o (see verdicts).
func (s *jsScenario) judge(i int, o *scenarios.Outcome) (bool, error) {
	v := s.verdicts(o)[i]
	return v.ok, v.err
}

// verdict is one predicate's result on an outcome.
type verdict struct {
	ok  bool
	err error
}

// verdicts evaluates every predicate on o's observed values in the judge
// runtime, building the object they see once; the verdicts of the last
// outcome are kept, since the explorer asks about each outcome twice
// (Scenario.Check, then each Expectation's Match).
func (s *jsScenario) verdicts(o *scenarios.Outcome) []verdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o == s.judged && s.judged != nil {
		return s.lastVerdicts
	}
	obj := OutcomeObject(s.judgeRT, o)
	vs := make([]verdict, len(s.preds))
	for i, p := range s.preds {
		var v goja.Value
		err := s.bounded(s.judgeRT, "sabre."+p.kind+"'s predicate", func() (err error) {
			v, err = s.fns[i](goja.Undefined(), obj)
			return err
		})
		if err != nil {
			vs[i].err = fmt.Errorf("sabre.%s %s: %w", p.kind, p.name, jsError(err))
		} else {
			vs[i].ok = v.ToBoolean()
		}
	}
	s.judged, s.lastVerdicts = o, vs
	return vs
}

// OutcomeObject is the object a predicate sees for o: for each agent that
// observed something, o[agent][key] (main for sabre.setup's observations),
// and o[key] for each key only one agent observed; o.errors[agent] is an
// agent's error message, if it failed. Values are numbers.
func OutcomeObject(rt *goja.Runtime, o *scenarios.Outcome) *goja.Object {
	obj := rt.NewObject()
	byKey := map[string][]int64{}
	per := map[string]*goja.Object{}
	keys := make([]string, 0, len(o.Values))
	for k := range o.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		agent, key, ok := strings.Cut(k, ":")
		if !ok {
			continue
		}
		a := per[agent]
		if a == nil {
			a = rt.NewObject()
			per[agent] = a
			obj.Set(agent, a)
		}
		a.Set(key, o.Values[k])
		byKey[key] = append(byKey[key], o.Values[k])
	}
	for key, vs := range byKey {
		if len(vs) == 1 && per[key] == nil {
			obj.Set(key, vs[0])
		}
	}
	if len(o.Errors) > 0 {
		errs := rt.NewObject()
		for a, m := range o.Errors {
			errs.Set(a, m)
		}
		obj.Set("errors", errs)
	}
	return obj
}

package scenarios

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// This file is the controlled scheduler: execution implements
// shared.Controller and runs the agents of one execution one at a time,
// handing a baton from goroutine to goroutine. The goroutine holding the
// baton is the only one touching the execution's state (each hand-off is a
// channel operation, which orders it for the race detector); mu guards the
// agent table, which a started agent's goroutine reads on arrival.

// slot states.
const (
	stStarting = iota // registered by its parent's AgentStart; its goroutine may not have arrived
	stParked          // waiting in Before with a pending operation (or running it)
	stBlocked         // waiting in Block
	stDone            // passed its AgentEnd (main: returned)
)

// resume is how a parked or blocked agent goes on when it gets the baton.
type resume uint8

const (
	resumeGo      resume = iota // perform the pending operation; a blocked one completes
	resumeTimeout               // the blocked operation times out
)

// slot is one agent of an execution (slot 0 is main).
type slot struct {
	idx     int
	name    string
	id      int
	state   int
	arrived chan struct{} // closed when the goroutine has arrived (parked in Before)
	wake    chan resume   // capacity 1: a release never blocks
	ev      history.Event // the pending or blocked operation
	ready   <-chan struct{}
	timeout bool // blocked with a timeout that may fire
	run     int  // steps taken in a row (the canonical schedule's quantum)
	started int  // agents it has started
	// lastRun is the last step it took; enabledSince the step since which
	// it has been able to go on without a break (0: it cannot now).
	lastRun, enabledSince int
}

func (s *slot) isReady() bool {
	select {
	case <-s.ready:
		return true
	default:
		return false
	}
}

// errAborted is what a blocked operation returns when the explorer aborts
// its execution (a deadlock, a livelock, a failure): the agents unwind.
var errAborted = errors.New("sabre: the explorer aborted this execution")

// abortPanic unwinds an agent parked in Before when its execution aborts.
type abortPanic struct{}

// quantum is how many local steps the canonical schedule lets an agent
// take in a row before the next one runs (so that a spin loop does not
// starve the agent it waits for).
const quantum = 32

// execution is the explorer's state: exploration-wide fields, then those
// of the current execution (reset by begin).
type execution struct {
	sc      *Scenario
	strat   Strategy
	opt     *Options
	variant model.Variant
	k       *Knowledge
	ctx     context.Context

	n             int
	mu            sync.Mutex
	byID          map[int]*slot
	slots         []*slot
	aborted       atomic.Bool
	fail          *Failure // guarded by mu
	live          sync.WaitGroup
	over          chan struct{} // closed when the execution ends
	trail         Schedule
	steps         int
	weak          int
	spec          int
	recheck       bool              // a weak read happened since the last prefix check
	pruned        bool              // rejected by a prefix check that relied on Knowledge
	prefixes      map[string]Status // checkPrefix's results
	prune         bool              // the strategy wants executions pruned early (see pruner)
	bufs          []*bufState
	bufIdx        map[uint64]int
	buffers       []namedBuffer
	values        map[string]int64
	errs          map[string]string
	rec           *history.Recorder
	main          *shared.Agent
	world         *World
	final         finalMem
	writes        []writeRec // this execution's writes to tracked buffers (when pruning)
	growable      bool       // the World has a growable buffer
	fp            uint64     // fingerprint of the operations performed so far
	agentsStarted bool       // main has started the World's agents
	// lastWeak and lastWeakUnordered are the steps of the last weak read
	// and of the last weak Unordered read (notLivelock).
	lastWeak, lastWeakUnordered int
	progress                    atomic.Int64 // steps taken, for the stall watchdog
	cut                         bool         // the execution reached the step budget
	stalled                     bool         // an execution stalled: the exploration ends

	opts   []Option // reused by schedule
	choice SchedChoice
	rc     ReadChoice
}

func (x *execution) lookup(id int) *slot {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.byID[id]
}

func (x *execution) addSlot(s *slot) {
	s.wake = make(chan resume, 1)
	x.mu.Lock()
	s.idx = len(x.slots)
	x.slots = append(x.slots, s)
	x.byID[s.id] = s
	x.mu.Unlock()
}

// Before is a scheduling point (shared.Controller).
func (x *execution) Before(ev *history.Event) (uint64, bool) {
	s := x.lookup(ev.Agent)
	if s == nil {
		who := fmt.Sprintf("agent %d", ev.Agent)
		if ev.Agent == 0 {
			who = "a view bound to no agent"
		}
		x.abortWith(FailAgent, fmt.Sprintf("%s made %s%s, but was not started through the scenario: every access must be made by an agent declared with World.Agent or started with Agent.Start by one, through a view bound to it (Buffer.For)", who, ev.Op, x.bufName(ev.Buffer)))
		x.releaseAll(nil)
		panic(abortPanic{})
	}
	if x.aborted.Load() {
		return x.unwind(s, ev)
	}
	if s.state == stStarting {
		// A started agent's goroutine arrives: it waits to be scheduled.
		close(s.arrived)
		<-s.wake
		if x.aborted.Load() {
			return x.unwind(s, ev)
		}
		s.state = stParked
		return x.perform(s, ev)
	}
	s.ev = *ev
	s.state = stParked
	if x.step(s) != resumeGo || x.aborted.Load() {
		return x.unwind(s, ev)
	}
	return x.perform(s, ev)
}

// unwind is Before during an abort: an agent's end passes (Agent.Start's
// goroutine records it after recovering); anything else unwinds the
// agent's goroutine.
func (x *execution) unwind(s *slot, ev *history.Event) (uint64, bool) {
	if ev.Kind == history.EvAgentEnd {
		x.mu.Lock()
		if s.state != stDone {
			s.state = stDone
			if s.idx != 0 {
				x.live.Done()
			}
		}
		x.mu.Unlock()
		return 0, false
	}
	panic(abortPanic{})
}

// Block is a blocking operation's scheduling point (shared.Controller).
func (x *execution) Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (bool, error) {
	if ev.Kind == history.EvWaitSettle {
		// A pending waitAsync's timeout: it never fires under the explorer
		// (the settlement is not an agent it schedules); a notify settles
		// it, and the end of the execution withdraws it.
		select {
		case <-ready:
			return false, nil
		case <-x.over:
			return false, errAborted
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	s := x.lookup(ev.Agent)
	if s == nil || x.aborted.Load() {
		return false, errAborted
	}
	if ev.Kind == history.EvAgentJoin {
		// Joining an agent that has passed its end completes at once (its
		// goroutine closes ready right after): not a scheduling point.
		if p := x.lookup(int(ev.Peer)); p != nil && p.state == stDone {
			select {
			case <-ready:
				return false, nil
			case <-ctx.Done():
				return false, ctx.Err()
			}
		}
	}
	s.ev = *ev
	s.state = stBlocked
	s.ready = ready
	s.timeout = ev.Kind != history.EvAgentJoin && ev.Timeout >= 0
	r := x.step(s)
	s.state = stParked
	s.ready = nil
	if x.aborted.Load() {
		return false, errAborted
	}
	if r == resumeGo {
		// Ready, or about to be: a joined agent closes it right after its
		// end, which the scheduler has seen.
		select {
		case <-ready:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	return r == resumeTimeout, nil
}

// step is a scheduling point reached by s, the baton holder: the strategy
// chooses what happens next; unless it is s's own step, the baton goes to
// that agent and s waits for its turn. It returns how s goes on.
func (x *execution) step(s *slot) resume {
	next, r := x.schedule(s)
	if next == nil {
		x.releaseAll(s)
		return resumeTimeout // unwind
	}
	if next == s {
		return r
	}
	x.handTo(next, r)
	return <-s.wake
}

// handTo gives the baton to next.
func (x *execution) handTo(next *slot, r resume) {
	<-next.arrived
	next.wake <- r
}

// schedule lets the strategy choose the next step; nil when the execution
// aborts (a deadlock, a livelock, a bad choice).
func (x *execution) schedule(s *slot) (*slot, resume) {
	if x.aborted.Load() {
		return nil, resumeGo
	}
	x.steps++
	x.progress.Add(1)
	if x.recheck && x.prune {
		// A weak read has happened since the last check: prune the
		// execution now if the model forbids every completion of it.
		x.recheck = false
		if x.checkPrefix(true) == Rejected {
			x.pruned = true
			x.abortWith(failRejected, "")
			return nil, resumeGo
		}
	}
	if x.steps > x.opt.MaxSteps {
		x.cut = true
		if why := x.notLivelock(); why != "" {
			x.abortWith(failRejected, why)
		} else {
			x.abortChecked(FailLivelock, fmt.Sprintf("no end after %d steps (the step budget: Options.MaxSteps, else Scenario.MaxSteps): a livelock, or an execution longer than the budget", x.opt.MaxSteps))
		}
		return nil, resumeGo
	}
	opts := x.options()
	if len(opts) == 0 {
		x.abortChecked(FailDeadlock, "deadlock: "+x.blockedText())
		return nil, resumeGo
	}
	c := &x.choice
	*c = SchedChoice{Step: x.steps, Current: -1, Options: opts, Canonical: x.canonical(s, opts), Fingerprint: x.fp}
	if s != nil {
		c.Current = s.idx
	}
	i := x.strat.Schedule(c)
	if c.kind != "" {
		x.abortWith(c.kind, c.msg)
		return nil, resumeGo
	}
	if i < 0 || i >= len(opts) {
		if !x.aborted.Load() {
			x.abortWith(FailStrategy, fmt.Sprintf("strategy %s chose option %d of %d", x.strat.Name(), i, len(opts)))
		}
		return nil, resumeGo
	}
	o := opts[i]
	x.mu.Lock()
	x.trail = append(x.trail, Step{Agent: o.Agent, Timeout: o.Timeout})
	x.mu.Unlock()
	next := x.slots[o.Agent]
	next.lastRun = x.steps
	if next == s {
		next.run++
	} else {
		for _, t := range x.slots {
			t.run = 0
		}
		next.run = 1
	}
	if o.Timeout {
		return next, resumeTimeout
	}
	return next, resumeGo
}

// options lists what may happen next, by slot.
func (x *execution) options() []Option {
	opts := x.opts[:0]
	for _, t := range x.slots {
		enabled := t.state == stStarting || t.state == stParked || (t.state == stBlocked && (t.isReady() || x.joinable(t)))
		switch {
		case !enabled:
			t.enabledSince = 0
		case t.enabledSince == 0:
			t.enabledSince = x.steps
		}
		switch t.state {
		case stStarting, stParked:
			opts = append(opts, Option{Agent: t.idx, Name: t.name, Op: &t.ev, Local: x.local(&t.ev)})
		case stBlocked:
			if t.isReady() || x.joinable(t) {
				opts = append(opts, Option{Agent: t.idx, Name: t.name, Op: &t.ev, Blocked: true, Local: !isQueueOp(t.ev.Kind)})
			} else if t.timeout {
				opts = append(opts, Option{Agent: t.idx, Name: t.name, Op: &t.ev, Blocked: true, Timeout: true})
			}
		}
	}
	x.opts = opts
	return opts
}

// joinable reports whether t is blocked joining an agent that has passed
// its end (its goroutine is about to close the join's ready).
func (x *execution) joinable(t *slot) bool {
	if t.ev.Kind != history.EvAgentJoin {
		return false
	}
	p := x.lookup(int(t.ev.Peer))
	return p != nil && p.state == stDone
}

// notLivelock says why an execution that ran out of steps is no livelock
// the model allows ("" if it may be one), looking at its last steps (the
// second half, at most 256): an agent that could go on at every one of
// them and never did makes the schedule unfair (a fair scheduler would have
// run it); weak reads that were all seq-cst make it one the liveness clause
// of Sequentially Consistent Atomics forbids to go on forever (no seq-cst
// write is memory-order-preceded by infinitely many reads).
func (x *execution) notLivelock() string {
	w := min(x.steps/2, 256)
	from := x.steps - w
	for _, t := range x.slots {
		if t.state != stDone && t.enabledSince > 0 && t.enabledSince <= from && t.lastRun < from {
			return fmt.Sprintf("unfair: %s could go on for the last %d steps and never did", t.name, w)
		}
	}
	if x.lastWeak >= from && x.lastWeakUnordered < from {
		return "the liveness clause: its last weak reads are seq-cst"
	}
	return ""
}

func isQueueOp(k history.Kind) bool { return k == history.EvQueuePut || k == history.EvQueueGet }

// local reports whether an operation commutes with every other agent's in
// the explorer's execution graph: see Option.Local.
//
// An access to a growable buffer is not local (its bounds depend on when a
// Grow happens), and in a world with a growable buffer neither is an
// agent's begin: an access out of the buffer's bounds makes no event and
// reaches no scheduling point (the bounds check comes first), so a Grow
// that is to come before it must be ordered against the agent's last
// scheduling point before it that a Grow does not commute with — an
// access to the growable buffer (which was in bounds, so it is in bounds
// after a Grow too: the order between them does not matter), or else the
// agent's begin.
func (x *execution) local(ev *history.Event) bool {
	switch ev.Kind {
	case history.EvRMW:
		// A read-modify-write's written value depends on what it reads,
		// and its atomicity orders it against the other read-modify-writes
		// of its bytes: the value another order makes may be one no
		// allowed execution of the canonical order writes, so speculation
		// cannot stand in for the order. It is an ordering choice.
		return false
	case history.EvRead, history.EvWrite, history.EvInit:
		if b := x.bufByID(ev.Buffer); b != nil && b.growable {
			return false
		}
		return true
	case history.EvAgentBegin:
		return !x.growable
	case history.EvAgentStart, history.EvAgentEnd, history.EvAgentJoin:
		return true
	}
	// Wait (its enqueueing), Notify, queue operations, Grow, Transfer.
	return false
}

// canonical is the option the reduced schedule takes without branching:
// the current agent while its steps are local and within the quantum, else
// the next agent after it (round-robin) whose step is local; -1 if none is.
func (x *execution) canonical(s *slot, opts []Option) int {
	start := 0
	if s != nil {
		for i, o := range opts {
			if o.Agent == s.idx && o.Local && !o.Timeout && s.run < quantum {
				return i
			}
		}
		start = s.idx + 1
	}
	best := -1
	for i, o := range opts {
		if !o.Local {
			continue
		}
		if best < 0 || rotated(o.Agent, start, len(x.slots)) < rotated(opts[best].Agent, start, len(x.slots)) {
			best = i
		}
	}
	return best
}

func rotated(a, start, n int) int { return (a - start + n) % n }

func (x *execution) blockedText() string {
	s := ""
	for _, t := range x.slots {
		if t.state == stBlocked {
			if s != "" {
				s += "; "
			}
			s += fmt.Sprintf("%s is blocked in %s%s", t.name, describe(&t.ev), x.bufName(t.ev.Buffer))
		}
	}
	if s == "" {
		s = "no agent can go on"
	}
	return s
}

// bufName names a buffer in a message: " of NAME" for a buffer of the
// World, "" otherwise.
func (x *execution) bufName(id uint64) string {
	if b := x.bufByID(id); b != nil && b.name != "" {
		return " of " + b.name
	}
	return ""
}

func describe(ev *history.Event) string {
	switch {
	case ev.Kind.IsMemory() || ev.Kind == history.EvWait || ev.Kind == history.EvNotify:
		return fmt.Sprintf("%s at byte %d", ev.Op, ev.ByteIndex)
	case ev.Op != "":
		return ev.Op
	}
	return ev.Kind.String()
}

// perform runs when s, holding the baton, performs its operation ev: it
// chooses what a read returns and tracks the operation's effect.
func (x *execution) perform(s *slot, ev *history.Event) (uint64, bool) {
	x.fingerprint(s, ev)
	switch ev.Kind {
	case history.EvInit:
		b := x.bufByID(ev.Buffer)
		if b == nil {
			b = x.newBuf(ev.Buffer)
		}
		b.initialize(ev.ByteIndex, ev.Size)
	case history.EvWrite:
		if b := x.bufByID(ev.Buffer); b != nil {
			b.write(ev.ByteIndex, ev.Size, ev.Written)
			x.wrote(s, b, ev)
			b.access(model.AccessStore, ev.ByteIndex, ev.Size, ev.NoTear)
		}
	case history.EvRead, history.EvRMW, history.EvWait:
		if b := x.bufByID(ev.Buffer); b != nil && ev.Size <= 8 {
			k := model.AccessLoad
			if ev.Kind == history.EvRMW {
				k = model.AccessRMW
			}
			b.access(k, ev.ByteIndex, ev.Size, ev.NoTear)
			return x.read(s, b, ev), true
		}
	case history.EvAgentStart:
		// Children are named by the World's declarations (main starts them
		// in order), else after their parent: "P0/1" is P0's first child.
		s.started++
		name := fmt.Sprintf("%s/%d", s.name, s.started)
		if s.idx == 0 && x.world != nil && s.started <= len(x.world.agents) {
			name = x.world.agents[s.started-1].name
		}
		child := &slot{name: name, id: int(ev.Peer), state: stStarting, arrived: make(chan struct{})}
		child.ev = history.Event{Kind: history.EvAgentBegin, Agent: child.id, Op: "agent.begin"}
		x.addSlot(child)
		x.live.Add(1)
	case history.EvAgentEnd:
		if ev.Result != "" && ev.Result != "ok" {
			x.errs[s.name] = ev.Result // also a nested agent's, whose parent may ignore its Join's error
		}
		// The agent will not call again: the baton passes on now.
		x.mu.Lock()
		s.state = stDone
		x.mu.Unlock()
		if next, r := x.schedule(nil); next != nil {
			x.handTo(next, r)
		} else {
			x.releaseAll(s)
		}
		x.live.Done()
	}
	return 0, false
}

// read chooses what the read ev of buffer b returns (the strategy's
// choice, or the default) and, for a read-modify-write, tracks its write.
func (x *execution) read(s *slot, b *bufState, ev *history.Event) uint64 {
	def := b.load(ev.ByteIndex, ev.Size)
	v := def
	if b.tracked {
		c := &x.rc
		*c = ReadChoice{Step: x.steps, Agent: s.idx, Op: ev, Loc: Loc{x.bufIdx[ev.Buffer], ev.ByteIndex, ev.Size},
			Default: unpack(def, ev.Size), Fingerprint: x.fp, k: x.k, x: x}
		got := x.strat.Read(c)
		if c.kind != "" {
			x.abortWith(c.kind, c.msg)
			x.releaseAll(s)
			panic(abortPanic{})
		}
		if got != nil && len(got) != ev.Size {
			x.abortWith(FailStrategy, fmt.Sprintf("strategy %s gave %d bytes to a read of %d", x.strat.Name(), len(got), ev.Size))
			x.releaseAll(s)
			panic(abortPanic{})
		}
		if got != nil {
			if p := pack(got); p != def {
				v = p
				x.weak++
				x.recheck = true
				x.lastWeak = x.steps
				if ev.Order != model.SeqCst {
					x.lastWeakUnordered = x.steps
				}
				if x.speculative(b, ev.ByteIndex, got) {
					x.spec++
				}
				x.mu.Lock()
				if n := len(x.trail); n > 0 {
					x.trail[n-1].Value = got
				}
				x.mu.Unlock()
			}
		}
	}
	if ev.Kind == history.EvRMW {
		m := uint64(1)<<(8*ev.Size) - 1
		if ev.Size == 8 {
			m = ^uint64(0)
		}
		if w, ok := modify(ev.ModifyOp, v, ev.Operand, ev.Expected, m); ok {
			b.write(ev.ByteIndex, ev.Size, w)
			x.wrote(s, b, ev)
		} else if x.variant == model.ES2017 {
			// Under the 2017 text a compareExchange that does not store is
			// still a read-modify-write: it writes back what it read — a
			// write whose value is the read's, which may be stale.
			b.write(ev.ByteIndex, ev.Size, v)
			x.wrote(s, b, ev)
		}
	}
	return v
}

// fingerprint folds the operation s performs into the execution's
// fingerprint: agent, kind, order, modify operation, location, size and the
// bytes it writes or operates with. A replayed prefix must reproduce it:
// an agent that does something else given the same values read is
// nondeterministic.
func (x *execution) fingerprint(s *slot, ev *history.Event) {
	h := x.fp
	for _, v := range [...]uint64{uint64(s.idx)<<32 | uint64(ev.Kind)<<16 | uint64(ev.ModifyOp)<<8 | uint64(ev.Order),
		uint64(x.bufIdx[ev.Buffer])<<40 | uint64(ev.ByteIndex)<<8 | uint64(ev.Size), ev.Written, ev.Operand, ev.Expected} {
		h = (h ^ v) * 0x100000001b3
		h ^= h >> 29
	}
	x.fp = h
}

// wrote notes a write by s for the knowledge of writers (when pruning,
// which needs it).
func (x *execution) wrote(s *slot, b *bufState, ev *history.Event) {
	if x.prune && b.tracked {
		x.writes = append(x.writes, writeRec{x.bufIdx[ev.Buffer], ev.ByteIndex, ev.Size, s.idx, ev.Seq})
	}
}

type writeRec struct {
	buf, at, size, slot int
	seq                 uint64
}

// speculative reports whether some byte of got is a value no write of this
// execution has written to that byte yet.
func (x *execution) speculative(b *bufState, i int, got []byte) bool {
	for k, v := range got {
		if !b.written[i+k].has(v) {
			return true
		}
	}
	return false
}

// modify is what a read-modify-write writes when it read r: (w, true), or
// false for a compareExchange that does not store. Payloads are
// little-endian packed; m masks the element's bytes.
func modify(op model.ModifyOp, r, operand, expected, m uint64) (uint64, bool) {
	switch op {
	case model.Add:
		return (r + operand) & m, true
	case model.Sub:
		return (r - operand) & m, true
	case model.And:
		return r & operand, true
	case model.Or:
		return r | operand, true
	case model.Xor:
		return r ^ operand, true
	case model.Exchange:
		return operand, true
	case model.CompareExchange:
		return operand, r&m == expected&m
	}
	return 0, false
}

func (x *execution) bufByID(id uint64) *bufState {
	if i, ok := x.bufIdx[id]; ok {
		return x.bufs[i]
	}
	return nil
}

func (x *execution) newBuf(id uint64) *bufState {
	b := &bufState{id: id}
	x.bufIdx[id] = len(x.bufs)
	x.bufs = append(x.bufs, b)
	return b
}

// releaseAll wakes every goroutine parked or blocked in the execution
// after an abort, except self, so that it unwinds. It reads nothing the
// woken goroutines write (they may already be unwinding): a wake-up sent to
// a slot whose goroutine has ended, or will not wait again, is never
// received (the channel has room for it).
func (x *execution) releaseAll(self *slot) {
	x.mu.Lock()
	slots := x.slots
	x.mu.Unlock()
	for _, t := range slots {
		if t == self {
			continue
		}
		select {
		case t.wake <- resumeGo:
		default:
		}
	}
}

// abortWith records a failure and aborts the execution.
func (x *execution) abortWith(kind FailureKind, msg string) {
	x.mu.Lock()
	if x.fail == nil {
		x.fail = &Failure{Kind: kind, Message: msg}
	}
	x.mu.Unlock()
	x.aborted.Store(true)
}

// abortChecked aborts the execution with a failure if its prefix (what
// the agents have done so far) is allowed by the model; a prefix the model
// forbids is no failure (a weak read led there) and is only discarded.
func (x *execution) abortChecked(kind FailureKind, msg string) {
	switch x.checkPrefix(false) {
	case Rejected:
		x.abortWith(failRejected, "")
	case Undecided:
		x.abortWith(kind, msg+" (the model check of this prefix was undecided)")
	default:
		x.abortWith(kind, msg)
	}
}

package scenarios

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"time"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// Options configure an exploration.
type Options struct {
	// Model is the memory model executions are checked against; the zero
	// Variant means model.ES2024.
	Model model.Variant
	// Strategy chooses the schedules; nil means Exhaustive(0).
	Strategy Strategy
	// Executions bounds the number of executions (0: no bound but the
	// strategy's own).
	Executions int
	// Duration bounds the exploration's running time (0: none); the
	// execution under way finishes.
	Duration time.Duration
	// MaxSteps bounds the steps of one execution (0: the scenario's
	// MaxSteps, else DefaultMaxSteps); an execution that reaches it is
	// reported as a livelock.
	MaxSteps int
	// CheckBudget bounds each model check (0: 2 s); past it the execution
	// is Undecided.
	CheckBudget time.Duration
	// MaxFailures stops the exploration after that many failures (0: 1).
	MaxFailures int
	// StallTimeout (0: 10 s) is how long an execution may go without a
	// step before it is a failure: an agent looping without shared
	// accesses or blocking operations, or one that left the explorer's
	// control, never reaches a scheduling point, and Go cannot stop it;
	// it is abandoned, and the exploration ends.
	StallTimeout time.Duration
	// CheckAll checks every execution against the model, also those whose
	// reads all returned the latest write in the schedule: such an
	// execution is sequentially consistent by construction, which every
	// model allows, so by default it is not checked (and its Outcome has
	// no Witness).
	CheckAll bool
	// Knowledge, if not nil, is what earlier explorations of the same
	// scenario learned (and this one adds to): the values a read may take
	// from writes still to come. Explore's rapid strategy shares one across
	// its test cases, each a Run of one execution.
	Knowledge *Knowledge
}

// DefaultMaxSteps is the step budget of an execution when neither
// Options.MaxSteps nor Scenario.MaxSteps sets one.
const DefaultMaxSteps = 10_000

// FailureKind classifies failures.
type FailureKind string

// The failures an exploration reports.
const (
	FailDeadlock       FailureKind = "deadlock"       // every agent blocked, no timeout pending
	FailLivelock       FailureKind = "livelock"       // the step budget ran out
	FailAgent          FailureKind = "agent"          // an agent returned an error or panicked
	FailCheck          FailureKind = "check"          // Scenario.Check or Scenario.Checks failed, or a forbidden outcome was reached
	FailExpect         FailureKind = "expect"         // a complete exploration never reached an expected outcome
	FailSetup          FailureKind = "setup"          // Scenario.Setup failed
	FailNondeterminism FailureKind = "nondeterminism" // an agent did something else on a replayed prefix
	FailReplay         FailureKind = "replay"         // a replayed schedule does not fit the scenario
	FailStrategy       FailureKind = "strategy"       // a strategy made an impossible choice
	FailInternal       FailureKind = "internal"       // the explorer contradicts itself (a bug)
	failRejected       FailureKind = "rejected"       // not a failure: the aborted prefix is not allowed
	failRedundant      FailureKind = "redundant"      // not a failure: a sleep set cut a redundant execution
)

// Failure is one failed execution.
type Failure struct {
	Kind    FailureKind
	Message string
	// Execution is the execution's number; Schedule replays it.
	Execution int
	Schedule  Schedule
	// Outcome is the execution's outcome, when it completed.
	Outcome *Outcome
	// Expected: the failure is the one its scenario exists to show
	// (Scenario.Fails): finding it is what the exploration is for.
	Expected bool
}

func (f *Failure) Error() string {
	return fmt.Sprintf("%s: %s (schedule %s)", f.Kind, f.Message, f.Schedule)
}

// Stats count what an exploration did.
type Stats struct {
	// Executions run; Allowed, Rejected (the model forbids them),
	// Failed and Undecided among them (an aborted prefix the model
	// forbids counts as Rejected).
	Executions, Allowed, Rejected, Failed, Undecided int
	// Redundant: allowed executions whose graph (events, values read,
	// host-synchronizes-with) an earlier one had (counted by Exhaustive).
	Redundant int
	// SleepBlocked: executions Exhaustive cut short because every option
	// at a choice slept (its sleep sets: each would repeat an execution
	// explored from a sibling choice).
	SleepBlocked int
	// Rounds: Exhaustive's search rounds (another runs when a read was
	// explored before a value it may return was learned).
	Rounds int
	// Steps taken in all executions; WeakReads that did not return the
	// default; Speculations that returned a value not yet written.
	Steps, WeakReads, Speculations int
	// StepBudget: executions cut at the step budget (MaxSteps) — reported
	// as livelocks, or rejected as unfair or by the liveness clause. What
	// their longer completions would have produced was not explored, so a
	// complete exploration's outcomes are those of executions within the
	// budget (StressGrade treats such a set as incomplete).
	StepBudget int
	// Elapsed is the exploration's running time.
	Elapsed time.Duration
}

// Report is the result of an exploration.
type Report struct {
	Scenario string
	Strategy string
	Model    string
	// Outcomes are the distinct outcomes of allowed executions (by Key),
	// each with the schedule of the first execution that reached it, in
	// the order reached.
	Outcomes []*Outcome
	// Failures are the failed executions, in order.
	Failures []*Failure
	Stats    Stats
	// Truncated: a read had more values than Exhaustive's limit, so some
	// were not explored.
	Truncated bool
	// Complete: the strategy ended of itself (for Exhaustive: every
	// execution the model allows was reached), not on a budget, no model
	// check was undecided, and no read had more values than Exhaustive's
	// limit.
	Complete bool
}

// Run explores sc under opt and reports what it reached. Errors are for
// bad arguments (a nil scenario or Setup, an invalid model); failures of
// executions are in the report.
func Run(ctx context.Context, sc *Scenario, opt Options) (*Report, error) {
	if sc == nil || sc.Setup == nil {
		return nil, errors.New("scenarios: a nil Scenario or Setup")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	v := opt.Model
	if v == (model.Variant{}) {
		v = model.ES2024
	}
	if _, err := model.VariantByName(v.Name()); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	switch {
	case opt.Executions < 0:
		return nil, fmt.Errorf("scenarios: Options.Executions %d is negative", opt.Executions)
	case opt.Duration < 0:
		return nil, fmt.Errorf("scenarios: Options.Duration %v is negative", opt.Duration)
	case opt.MaxSteps < 0:
		return nil, fmt.Errorf("scenarios: Options.MaxSteps %d is negative", opt.MaxSteps)
	case opt.MaxFailures < 0:
		return nil, fmt.Errorf("scenarios: Options.MaxFailures %d is negative", opt.MaxFailures)
	case sc.MaxSteps < 0:
		return nil, fmt.Errorf("scenarios: Scenario.MaxSteps %d is negative", sc.MaxSteps)
	}
	for i, e := range sc.Expect {
		if e.Match == nil {
			return nil, fmt.Errorf("scenarios: Scenario.Expect[%d] (%q) has no Match", i, e.Name)
		}
	}
	if opt.Strategy == nil {
		opt.Strategy = Exhaustive(0)
	}
	if n := opt.Strategy.Name(); (n == "random" || n == "pct") && opt.Executions == 0 && opt.Duration == 0 {
		if _, ok := ctx.Deadline(); !ok {
			return nil, fmt.Errorf("scenarios: the %s strategy never ends of itself: give Options.Executions or Duration (or a context with a deadline)", n)
		}
	}
	if opt.CheckBudget <= 0 {
		opt.CheckBudget = 2 * time.Second
	}
	if opt.MaxFailures <= 0 {
		opt.MaxFailures = 1
	}
	if opt.StallTimeout <= 0 {
		opt.StallTimeout = 10 * time.Second
	}
	if opt.MaxSteps <= 0 {
		opt.MaxSteps = sc.MaxSteps
	}
	if opt.MaxSteps <= 0 {
		opt.MaxSteps = DefaultMaxSteps
	}
	k := opt.Knowledge
	if k == nil {
		k = &Knowledge{}
	}
	x := &execution{sc: sc, strat: opt.Strategy, opt: &opt, variant: v, k: k, ctx: ctx, byID: map[int]*slot{}, bufIdx: map[uint64]int{}, prefixes: map[string]Status{}}
	if p, ok := opt.Strategy.(pruner); ok {
		x.prune = p.prunes()
	}
	rep := &Report{Scenario: sc.Name, Strategy: opt.Strategy.Name(), Model: v.Name()}
	seen := map[string]bool{}
	start := time.Now()
	complete := true
	for n := 0; ; n++ {
		if (opt.Executions > 0 && n >= opt.Executions) || (opt.Duration > 0 && time.Since(start) > opt.Duration) || ctx.Err() != nil {
			complete = false
			break
		}
		if !x.strat.Start(n) {
			break
		}
		res := x.run(n)
		rep.Stats.Executions++
		if x.cut {
			rep.Stats.StepBudget++
		}
		rep.Stats.Steps += res.Steps
		rep.Stats.WeakReads += res.WeakReads
		rep.Stats.Speculations += res.Speculations
		switch res.Status {
		case Allowed:
			rep.Stats.Allowed++
			if k := res.Outcome.Key(); !seen[k] {
				seen[k] = true
				rep.Outcomes = append(rep.Outcomes, res.Outcome)
			}
		case Rejected:
			rep.Stats.Rejected++
		case Redundant:
			rep.Stats.SleepBlocked++
		case Undecided:
			rep.Stats.Undecided++
			complete = false
		case Failed:
			rep.Stats.Failed++
			res.Failure.Expected = sc.Fails != "" && res.Failure.Kind == sc.Fails
			rep.Failures = append(rep.Failures, res.Failure)
			if o := res.Failure.Outcome; o != nil {
				if k := o.Key(); !seen[k] {
					seen[k] = true
					rep.Outcomes = append(rep.Outcomes, o)
				}
			}
		}
		if x.stalled {
			complete = false
			break
		}
		x.strat.Finish(res)
		if l, ok := x.strat.(interface{ leftover() string }); ok && res.Status == Allowed {
			if msg := l.leftover(); msg != "" {
				rep.Failures = append(rep.Failures, &Failure{Kind: FailReplay, Message: msg, Execution: n, Schedule: res.Schedule})
			}
		}
		if len(rep.Failures) >= opt.MaxFailures {
			complete = false
			break
		}
	}
	if r, ok := x.strat.(interface{ counts() (int, int) }); ok {
		rep.Stats.Redundant, rep.Stats.Rounds = r.counts()
	}
	if i, ok := x.strat.(interface{ incomplete() bool }); ok && i.incomplete() {
		complete, rep.Truncated = false, true
	}
	rep.Stats.Elapsed = time.Since(start)
	// Completeness is a property of sabre's own searches, asked of the
	// strategy itself (not of its name, which any strategy may take).
	switch search(x.strat) {
	case searchAll:
		rep.Complete = complete && rep.Stats.Undecided == 0
	case searchSC:
		rep.Complete = complete && drfComplete(sc, x.variant, len(rep.Failures))
	}
	if rep.Complete {
		if sc.Fails != "" && !slices.ContainsFunc(rep.Failures, func(f *Failure) bool { return f.Expected }) {
			rep.Failures = append(rep.Failures, &Failure{Kind: FailExpect, Execution: -1,
				Message: fmt.Sprintf("the scenario's %s failure was not found in %d executions (a complete exploration)", sc.Fails, rep.Stats.Executions)})
		}
		for _, e := range sc.Expect {
			if e.Forbidden || e.Match == nil {
				continue
			}
			if !matchesAny(e, rep.Outcomes) {
				rep.Failures = append(rep.Failures, &Failure{Kind: FailExpect, Execution: -1,
					Message: fmt.Sprintf("no allowed execution reached the expected outcome %q (%d executions explored, every one the model allows)", e.Name, rep.Stats.Executions)})
			}
		}
	}
	return rep, nil
}

// run runs execution n to its end and judges it.
func (x *execution) run(n int) *Execution {
	x.n = n
	x.mu.Lock()
	clear(x.byID)
	x.fail = nil
	x.mu.Unlock()
	x.slots = x.slots[:0]
	x.aborted.Store(false)
	x.over = make(chan struct{})
	x.trail = nil
	x.steps, x.weak, x.spec, x.recheck, x.pruned, x.cut = 0, 0, 0, false, false, false
	x.writes = x.writes[:0]
	x.growable = false
	x.fp = 14695981039346656037
	x.agentsStarted = false
	x.lastWeak, x.lastWeakUnordered = -1, -1
	x.bufs = x.bufs[:0]
	clear(x.bufIdx)
	x.buffers = x.buffers[:0]
	x.values = map[string]int64{}
	x.errs = map[string]string{}
	x.rec = history.NewRecorder()
	x.main = shared.NewAgent("main")
	x.world = &World{x: x, main: x.main, ops: &opLog{}}
	x.addSlot(&slot{name: "main", id: x.main.ID(), state: stParked, arrived: closedChan})
	x.main.SetRecorder(x.rec)
	x.main.SetController(x)

	done := make(chan struct{})
	go x.harness(done)
	if !x.await(done) {
		// Stalled: the agents are abandoned (each unwinds when it next
		// calls the explorer, if ever), and so is the exploration.
		close(x.over)
		x.main.SetController(nil)
		x.main.SetRecorder(nil)
		x.stalled = true
		x.mu.Lock()
		f := x.fail
		trail := slices.Clone(x.trail)
		x.mu.Unlock()
		f.Execution, f.Schedule = n, trail
		return &Execution{N: n, Status: Failed, Failure: f, Schedule: trail, Steps: len(trail)}
	}
	x.live.Wait()
	close(x.over)
	x.learnWriters()
	x.main.SetController(nil)
	x.main.SetRecorder(nil)

	res := &Execution{N: n, Schedule: x.trail, Steps: x.steps, WeakReads: x.weak, Speculations: x.spec, Pruned: x.pruned}
	x.mu.Lock()
	f := x.fail
	x.mu.Unlock()
	switch {
	case f != nil && f.Kind == failRejected:
		res.Status = Rejected
	case f != nil && f.Kind == failRedundant:
		res.Status = Redundant
	case f != nil:
		res.Status = Failed
		f.Execution, f.Schedule = n, x.trail
		res.Failure = f
	default:
		x.judge(res)
	}
	return res
}

// await waits for the execution's main agent to end (done), watching that
// the execution makes progress: if no step is taken for
// Options.StallTimeout, an agent is looping without shared accesses or has
// left the explorer's control, and no scheduling point will come; the
// execution fails (FailAgent) and await returns false. Once the context
// is done, 200 ms without a step is enough.
func (x *execution) await(done <-chan struct{}) bool {
	limit := x.opt.StallTimeout
	tick := time.NewTicker(min(limit/4, 100*time.Millisecond))
	defer tick.Stop()
	last, since := x.progress.Load(), time.Now()
	for {
		select {
		case <-done:
			return true
		case <-tick.C:
			if p := x.progress.Load(); p != last {
				last, since = p, time.Now()
				continue
			}
			if x.ctx.Err() != nil {
				limit = min(limit, 200*time.Millisecond) // the caller wants out
			}
			if time.Since(since) < limit {
				continue
			}
			x.abortWith(FailAgent, fmt.Sprintf("no agent reached a scheduling point for %v (Options.StallTimeout): an agent loops without shared accesses or blocking operations, or left the explorer's control (Agent.SetController); it is abandoned", limit))
			x.releaseAll(nil)
			return false
		}
	}
}

var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// harness is the main agent: Setup, start the agents, join them, read the
// final memory.
func (x *execution) harness(done chan<- struct{}) {
	defer close(done)
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(abortPanic); !ok {
				x.abortWith(FailSetup, fmt.Sprintf("main panicked: %v", p))
				x.releaseAll(nil)
			}
		}
	}()
	w := x.world
	err := x.sc.Setup(w)
	w.sealed = true
	if err != nil || w.err != nil {
		x.abortWith(FailSetup, errors.Join(err, w.err).Error())
		return
	}
	hs := make([]*shared.Handle, len(w.agents))
	for i, d := range w.agents {
		hs[i] = x.main.Start(d.name, d.f)
	}
	x.agentsStarted = true
	for i, h := range hs {
		err := h.Join(x.main)
		if x.aborted.Load() {
			return
		}
		if err != nil {
			x.errs[w.agents[i].name] = err.Error()
		}
	}
	for _, t := range x.slots[1:] {
		if t.state != stDone {
			x.abortWith(FailAgent, fmt.Sprintf("agent %s was started but not joined: an agent that starts another must join it", t.name))
			x.releaseAll(nil)
			return
		}
	}
	x.finalReads()
}

// finalMem is the final memory read so far, by buffer name.
type finalMem = map[string][]byte

// finalReads reads each buffer's final memory, one plain read per touched
// cell (model.FinalCellsOf over the execution's accesses), as the
// enumerator does; the results are the outcome's Memory.
func (x *execution) finalReads() {
	if x.pruneFinal() {
		return // the agents did something the model forbids
	}
	mem := finalMem{}
	for _, nb := range x.buffers {
		var ops []model.Op
		if b := x.bufByID(nb.b.ID()); b != nil {
			for sh := range b.shapes {
				ops = append(ops, model.Op{Kind: sh.kind, ByteIndex: sh.at, ElementSize: sh.size, NoTear: sh.noTear})
			}
		}
		n := nb.b.ByteLength()
		out := make([]byte, n)
		b := nb.b.For(x.main)
		for _, c := range model.FinalCellsOf(n, ops) {
			if !c.Touched {
				continue
			}
			if c.NoTear {
				v, _ := shared.NewTypedArray(b, unsignedKind(c.Size), c.Start, 1)
				w := x.weak
				bits, _ := v.GetBits(0)
				copy(out[c.Start:c.End()], unpack(bits, c.Size))
				if x.weak > w && x.pruneFinal() {
					return
				}
				continue
			}
			dv, _ := shared.NewDataView(b, 0, n)
			for pos := c.Start; pos < c.End(); {
				sz := 8
				for sz > c.End()-pos {
					sz /= 2
				}
				w := x.weak
				bits, _ := dv.GetBits(unsignedKind(sz), pos, true)
				copy(out[pos:pos+sz], unpack(bits, sz))
				pos += sz
				if x.weak > w && x.pruneFinal() {
					return
				}
			}
		}
		mem[nb.name] = out
	}
	x.final = mem
}

func unsignedKind(size int) shared.Kind {
	switch size {
	case 1:
		return shared.Uint8
	case 2:
		return shared.Uint16
	case 4:
		return shared.Uint32
	}
	return shared.BigUint64
}

// pruneFinal is called when the final reads begin and after each weak
// final read: when the execution has made a weak choice, it checks what has happened so far against the model and
// aborts the execution as rejected if the model forbids it. This pruning
// is sound because no write can follow: every agent has ended and main
// only reads, so no read of the prefix could take its bytes from a write
// still to come, and a prefix (closed under agent-order and
// reads-bytes-from, with happens-before edges only from earlier events)
// of an allowed execution is allowed. (Before the final reads a read may
// still take a value from a write to come, so a prefix the model forbids
// could still be completed into an allowed execution: no pruning there.)
func (x *execution) pruneFinal() bool {
	if x.weak == 0 {
		return false // sequentially consistent so far: allowed
	}
	if x.checkPrefix(false) == Rejected {
		x.abortWith(failRejected, "")
		return true
	}
	return false
}

// neutral is h with every event's interval spanning the whole run: the
// explorer simulates real time, so instants constrain nothing (a read may
// return a write its schedule has not reached yet).
func neutral(h *history.History) *history.History {
	end := int64(len(h.Events) + 1)
	for i := range h.Events {
		h.Events[i].Call, h.Events[i].Return = int64(i), end
	}
	return h
}

// conform runs the conformance check on h.
func (x *execution) conform(h *history.History) (*checker.ConformanceReport, error) {
	return checker.Conformance(x.ctx, h, checker.Options{Model: x.variant, Budget: x.opt.CheckBudget})
}

// checkPrefix judges what the agents have done so far (for a deadlock or a
// livelock report): Allowed, Rejected or Undecided.
//
// With ghosts, writes still to come are stood for by ghost writes
// (addGhosts): the check says whether the prefix may still be completed
// into an allowed execution (for pruning). Without, the prefix must be
// allowed as it is (for a deadlock or livelock report: no write comes).
// Results are cached by schedule (and knowledge, with ghosts): the
// exhaustive search replays a prefix once per execution below it.
func (x *execution) checkPrefix(ghosts bool) Status {
	key := fmt.Sprintf("%v %d %s", ghosts, x.k.Version(), x.trail)
	if !ghosts {
		key = "exact " + x.trail.String()
	}
	if st, ok := x.prefixes[key]; ok {
		return st
	}
	st := x.checkPrefixNow(ghosts)
	if len(x.prefixes) > 1<<16 {
		clear(x.prefixes)
	}
	x.prefixes[key] = st
	return st
}

func (x *execution) checkPrefixNow(ghosts bool) Status {
	h := x.rec.History()
	// A wait blocked now has made its value check, which the recorder will
	// see only when it returns: the check is part of the prefix.
	for _, t := range x.slots {
		if t.state == stBlocked && t.ev.Kind == history.EvWait {
			e := t.ev
			e.Result, e.Return = "cancelled", e.Call
			h.Events = append(h.Events, e)
		}
	}
	// In call order, as the recorder gives events: neutral stamps them by
	// position, and a wait's position orders its critical section against
	// the notifies' (appended last, a wait blocked before a notify looked
	// like one after it, which cannot read what it read: a deadlock's
	// prefix was rejected and the lost wake-up never reported).
	slices.SortStableFunc(h.Events, func(a, b history.Event) int {
		return cmp.Or(cmp.Compare(a.Call, b.Call), cmp.Compare(a.Agent, b.Agent), cmp.Compare(a.Seq, b.Seq))
	})
	if ghosts {
		x.addGhosts(h)
	}
	rep, err := x.conform(neutral(h))
	switch {
	case err != nil:
		return Undecided
	case rep.Verdict == checker.Ok:
		return Allowed
	case rep.Verdict == checker.Illegal:
		return Rejected
	}
	return Undecided
}

// (The agents main has not started yet, and those running agents may
// start, are running too: they may write later.)

// ghostAgent numbers the agents of ghost writes (addGhosts), above any
// real agent's ID.
const ghostAgent = 1 << 48

// addGhosts adds to the prefix h ghost writes standing for the writes
// still to come that a read of h could take its bytes from: for each byte
// value a read returned that some allowed execution wrote there
// (Knowledge), one ghost per read of it, up to the number of writes of
// that byte, in some allowed execution, by agents that are still running —
// not the reader, and not main, which only reads once its agents start —
// at agent-order positions they have not reached yet (each may write the
// byte again, and with this value: a read-modify-write's value depends on
// what it reads). One ghost per value is not enough under sc: two reads of
// a value with another write between them need two writes of it. A ghost is as
// permissive as a write can be (a 1-byte Unordered write by an agent of its
// own: no happens-before edge, no tear-free or memory-order constraint),
// so a prefix the model forbids even with its ghosts has no allowed
// completion whose writes to come are like learned ones; Exhaustive runs
// another round if anything is learned after it pruned (Execution.Pruned).
func (x *execution) addGhosts(h *history.History) {
	reached := map[int]uint64{} // running agent slot → the last position recorded
	for _, t := range x.slots[1:] {
		if t.state != stDone {
			reached[t.idx] = 0
		}
	}
	// Agents not started yet (slots this execution has not made) may be
	// started later, by main or by a running agent, and write then.
	started := len(x.slots)
	mayStart := len(reached) > 0 || !x.agentsStarted
	if len(reached) == 0 && !mayStart {
		return
	}
	for i := range h.Events {
		e := &h.Events[i]
		if s := x.slotOf(e.Agent); s > 0 {
			if r, ok := reached[s]; ok && e.Seq > r {
				reached[s] = e.Seq
			}
		}
	}
	ghosts := map[byteValue]int{} // ghosts added, per byte value
	added := 0
	n := len(h.Events)
	for i := 0; i < n; i++ {
		e := &h.Events[i]
		if e.Kind != history.EvRead && e.Kind != history.EvRMW && e.Kind != history.EvWait {
			continue
		}
		bi, ok := x.bufIdx[e.Buffer]
		if !ok {
			continue
		}
		reader := x.slotOf(e.Agent)
		for k := 0; k < e.Size; k++ {
			g := byteValue{bi, e.ByteIndex + k, byte(e.Read >> (8 * k))}
			if ks := x.k.at(bi, g.i); ks == nil || !ks.has(g.v) {
				continue // no allowed execution wrote it
			}
			// One ghost per read of the value, up to the number of writes
			// to come that may write it: under sc (and for seq-cst
			// accesses) two reads of a value with another write between
			// them need two writes of it.
			future := 0
			for _, w := range x.k.writers[byteAt{bi, g.i}] {
				r, ok := reached[w.slot]
				if !ok && mayStart && w.slot >= started {
					ok, r = true, 0
				}
				if ok && w.slot != reader && w.seq > r {
					future++
				}
			}
			if ghosts[g] < future {
				ghosts[g]++
				added++
				h.Events = append(h.Events, history.Event{Agent: ghostAgent + added, Seq: 1, Kind: history.EvWrite,
					Order: model.Unordered, Op: "ghost", Buffer: e.Buffer, ByteIndex: g.i, Size: 1, Written: uint64(g.v)})
			}
		}
	}
}

// learnWriters records which writes of the execution (allowed or not)
// wrote which bytes of tracked buffers (Knowledge), for pruning.
func (x *execution) learnWriters() {
	for _, w := range x.writes {
		for k := range w.size {
			x.k.learnWriter(w.buf, w.at+k, w.slot, w.seq)
		}
	}
}

// slotOf returns the slot of the agent with ID id, or -1.
func (x *execution) slotOf(id int) int {
	if s := x.lookup(id); s != nil {
		return s.idx
	}
	return -1
}

// judge checks a completed execution against the model and the
// scenario's expectations, and learns its writes if it is allowed.
func (x *execution) judge(res *Execution) {
	o := &Outcome{Values: x.values, Memory: x.final, Errors: x.errs, Schedule: res.Schedule, Operations: x.world.ops.ops, rec: x.rec, Weak: x.weak > 0}
	var witness *model.Execution
	var source []int // witness event → index in o.History().Events
	if x.weak > 0 || x.opt.CheckAll {
		h := o.History()
		rep, err := x.conform(h)
		if err != nil {
			res.Status = Failed
			res.Failure = &Failure{Kind: FailInternal, Message: "the recorded history does not check: " + err.Error(), Execution: res.N, Schedule: res.Schedule}
			return
		}
		switch rep.Verdict {
		case checker.Illegal:
			res.Status = Rejected
			return
		case checker.Unknown:
			res.Status = Undecided
			return
		}
		if err := model.ValidExecution(rep.Witness, x.variant); err != nil {
			res.Status = Failed
			res.Failure = &Failure{Kind: FailInternal, Message: "the conformance witness is not valid under the model: " + err.Error(), Execution: res.N, Schedule: res.Schedule}
			return
		}
		witness, source = rep.Witness, rep.Source
	}
	res.Status = Allowed
	x.learn()
	o.Witness = witness
	res.Outcome = o
	fail := func(kind FailureKind, msg string) {
		res.Status = Failed
		res.Failure = &Failure{Kind: kind, Message: msg, Execution: res.N, Schedule: res.Schedule, Outcome: o}
	}
	if len(x.errs) > 0 {
		names := sortedKeys(x.errs)
		fail(FailAgent, fmt.Sprintf("agent %s: %s", names[0], x.errs[names[0]]))
		return
	}
	if x.sc.Check != nil {
		if err := check(x.sc.Check, o); err != nil {
			fail(FailCheck, err.Error())
			return
		}
	}
	for _, e := range x.sc.Expect {
		if !e.Forbidden || e.Match == nil {
			continue
		}
		if msg := forbiddenReached(e, o); msg != "" {
			fail(FailCheck, msg)
			return
		}
	}
	checks := x.sc.Checks
	if o.Weak && slices.Contains(checks, checker.Race) {
		// The history's instants constrain nothing here, so checker.Race
		// would guess each read's source among the writes of its value;
		// the witness has the reads-bytes-from the model check chose.
		checks = slices.DeleteFunc(slices.Clone(checks), func(c checker.Check) bool { return c == checker.Race })
		if msg := witnessRaces(witness, source, o.History(), x.describe); msg != "" {
			fail(FailCheck, fmt.Sprintf("%s: %s", checker.Race, msg))
			return
		}
	}
	if len(checks) > 0 {
		results, err := checker.Run(x.ctx, o.History(), checks, checker.Options{Model: x.variant, Budget: x.opt.CheckBudget})
		if err != nil {
			fail(FailInternal, "checker.Run: "+err.Error())
			return
		}
		for _, r := range results {
			if r.Verdict == checker.Illegal {
				fail(FailCheck, fmt.Sprintf("%s: %s", r.Check, r.Reason))
				return
			}
		}
	}
}

// witnessRaces describes the data races of a weak execution's witness
// (ECMA-262 #sec-data-races, model.Analysis.DataRaces), naming each event
// by the history event it stands for (describe); "" when there is none.
func witnessRaces(w *model.Execution, source []int, h *history.History, describe func(checker.EventRef) string) string {
	a, err := model.Analyze(w)
	if err != nil {
		return "the witness does not analyze: " + err.Error()
	}
	races := a.DataRaces()
	if len(races) == 0 {
		return ""
	}
	name := func(id model.EventID) string {
		if int(id) < len(source) && source[id] >= 0 {
			return describe(checker.RefOf(h, source[id]))
		}
		return w.Name(id)
	}
	r := races[0]
	return fmt.Sprintf("%d data race(s) in the execution (by the witness's reads-bytes-from), the first between %s and %s", len(races), name(r.E), name(r.D))
}

// describe names a history event by what stays the same when the
// execution is replayed: its agent's and buffer's names (not their
// process-wide IDs), its position in agent-order, its operation and bytes.
func (x *execution) describe(r checker.EventRef) string {
	agent := fmt.Sprintf("a%d", r.Agent)
	if s := x.lookup(r.Agent); s != nil {
		agent = s.name
	}
	d := fmt.Sprintf("%s#%d %s", agent, r.Seq, r.Op)
	if r.Buffer != 0 {
		buf := fmt.Sprintf("b%d", r.Buffer)
		for _, nb := range x.buffers {
			if uint64(nb.b.ID()) == r.Buffer {
				buf = nb.name
			}
		}
		d += fmt.Sprintf(" %s[%d:%d]", buf, r.ByteIndex, r.ByteIndex+r.Size)
	}
	return d
}

// forbiddenReached says why o is the Forbidden expectation e's outcome
// ("" when it is not); a panic of e.Match is reported too (as is one of
// Scenario.Check), not raised.
func forbiddenReached(e Expectation, o *Outcome) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprintf("Expectation %q's Match panicked: %v", e.Name, p)
		}
	}()
	if e.Match(o) {
		return fmt.Sprintf("the forbidden outcome %q was reached: %s", e.Name, o.Key())
	}
	return ""
}

// matchesAny reports whether e matches one of outs; a panic of e.Match
// counts as no match.
func matchesAny(e Expectation, outs []*Outcome) bool {
	return slices.ContainsFunc(outs, func(o *Outcome) (m bool) {
		defer func() {
			if recover() != nil {
				m = false
			}
		}()
		return e.Match(o)
	})
}

// check calls Scenario.Check, turning a panic into an error.
func check(f func(*Outcome) error, o *Outcome) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Scenario.Check panicked: %v", p)
		}
	}()
	return f(o)
}

// learn adds the values an allowed execution's writes wrote (each
// tracked byte's written set, but for the initial zero unless a write
// wrote 0 there) to the knowledge.
func (x *execution) learn() {
	var vals []byte
	for bi, b := range x.bufs {
		if !b.tracked {
			continue
		}
		for i := range b.written {
			w := b.written[i]
			if i >= len(b.wrote0) || !b.wrote0[i] {
				w[0] &^= 1
			}
			vals = w.appendTo(vals[:0])
			for _, v := range vals {
				x.k.learn(bi, i, v)
			}
		}
	}
}

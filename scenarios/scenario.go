package scenarios

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// Scenario is a concurrent program the explorer runs: agents — Go
// functions over the real shared and atomics API — over buffers and queues
// made for each execution, what they report, and what is expected.
//
// Agents must be deterministic given the values they read: no clocks, no
// randomness of their own, no goroutines or channels of their own between
// agents (they communicate only through shared memory, Wait/Notify, the
// Queue and start/join), and no shared Go variables other than through the
// World. The explorer re-runs them from the start for every execution and
// replays prefixes of earlier ones; an agent that does something else on a
// replayed prefix is reported (FailNondeterminism), not silently explored.
type Scenario struct {
	// Name names the scenario in reports.
	Name string
	// Doc says in a sentence or two what the scenario shows (optional).
	Doc string
	// Setup builds one execution's world, on the main agent's goroutine,
	// before any agent starts: buffers and queues (World.Buffer, …) and
	// agents (World.Agent). It runs once per execution and must build the
	// same world every time. An error fails the exploration.
	Setup func(w *World) error
	// Check, if not nil, is called with the outcome of every execution the
	// model allows; an error is a failure (FailCheck) of that execution.
	Check func(o *Outcome) error
	// Expect lists outcomes the scenario expects: a Forbidden one reached
	// by an allowed execution is a failure (FailCheck) of that execution;
	// an allowed one that a Complete exploration never reached is a
	// failure (FailExpect) of the exploration.
	Expect []Expectation
	// Fails, if not empty, is the failure the scenario exists to show (a
	// buggy example: a lost wake-up found as a deadlock): failures of that
	// kind are Expected, and a complete exploration that finds none fails
	// with FailExpect.
	Fails FailureKind
	// MaxSteps, if positive, is the step budget of one execution this
	// scenario needs (Options.MaxSteps, when set, wins): a scenario that
	// may spin forever sets a small one, so that its livelock is found
	// quickly.
	MaxSteps int
	// Checks are checker's checks run on the history of every execution
	// the model allows (Outcome.History: with its instants in schedule
	// order when no read was weak, else every call and return instant
	// overlapping: real time is simulated); a verdict Illegal is a failure.
	Checks []checker.Check
}

// Expectation is an outcome a scenario expects to be reached, or never.
type Expectation struct {
	// Name names the outcome in messages ("stale data", "both read 0").
	Name string
	// Match reports whether an outcome is this one.
	Match func(o *Outcome) bool
	// Forbidden: no allowed execution may reach it. Otherwise some
	// allowed execution must (checked only when the exploration is
	// Complete: a strategy that samples cannot show an outcome is
	// unreachable).
	Forbidden bool
}

// World is one execution of a scenario, as Setup sees it.
type World struct {
	x      *execution   // the explorer's execution; nil under stress
	st     *stressWorld // the stress runner's iteration; nil under the explorer
	main   *shared.Agent
	agents []agentDecl
	err    error
	sealed bool // Setup has returned
	ops    *opLog
}

type agentDecl struct {
	name string
	f    func(a *shared.Agent) error
}

// Main returns the main agent: it creates the world, starts the agents,
// joins them and then reads the final memory.
func (w *World) Main() *shared.Agent { return w.main }

// Buffer returns a new shared buffer of length bytes, named name in
// outcomes (its final memory is Outcome.Memory[name]). The explorer
// chooses what reads of it return; under stress (Stress) it is a plain
// shared buffer, with no controller. A bad length fails the setup (the
// buffer is nil, whose views are TypeErrors).
func (w *World) Buffer(name string, length int) *shared.Buffer {
	if !w.open("Buffer") {
		return nil
	}
	if w.st != nil {
		b, err := shared.NewBuffer(length, shared.CreatedBy(w.main))
		return w.buffer(name, b, err, false)
	}
	// The explorer controls the buffer too, so that an access through a
	// view bound to no agent (or to one the World did not start) is
	// reported rather than made behind its back.
	b, err := shared.NewBuffer(length, shared.CreatedBy(w.main), shared.WithController(w.x))
	return w.buffer(name, b, err, false)
}

// open reports whether the World may still be built: Setup is running.
// A call from an agent, after Setup, is a setup failure (under stress, a
// failure of the iteration, and the call does nothing).
func (w *World) open(what string) bool {
	if w.sealed && w.st != nil {
		w.st.lateCall(what)
		return false
	}
	if w.sealed {
		w.x.abortWith(FailSetup, fmt.Sprintf("World.%s was called after Setup returned (from an agent?): the World is built by Setup only", what))
		w.x.releaseAll(nil)
		panic(abortPanic{})
	}
	return true
}

// GrowableBuffer returns a new growable shared buffer of length bytes
// that may grow to maxLength. Its accesses, and in a world with one every
// agent's begin, are ordering choices for the explorer (an access's bounds
// depend on when a Grow happens, and an access out of bounds reaches no
// scheduling point).
func (w *World) GrowableBuffer(name string, length, maxLength int) *shared.Buffer {
	if !w.open("GrowableBuffer") {
		return nil
	}
	if w.st != nil {
		b, err := shared.NewGrowableBuffer(length, maxLength, shared.CreatedBy(w.main))
		return w.buffer(name, b, err, true)
	}
	b, err := shared.NewGrowableBuffer(length, maxLength, shared.CreatedBy(w.main), shared.WithController(w.x))
	return w.buffer(name, b, err, true)
}

func (w *World) buffer(name string, b *shared.Buffer, err error, growable bool) *shared.Buffer {
	if err != nil {
		w.fail(fmt.Errorf("buffer %q: %w", name, err))
		return nil
	}
	if w.st != nil {
		if !w.st.addBuffer(name, b) {
			w.fail(fmt.Errorf("two buffers are named %q", name))
			return nil
		}
		return b
	}
	x := w.x
	for _, nb := range x.buffers {
		if nb.name == name {
			w.fail(fmt.Errorf("two buffers are named %q", name))
			return nil
		}
	}
	bs := x.bufByID(b.ID())
	if bs == nil {
		bs = x.newBuf(b.ID())
	}
	bs.name, bs.tracked, bs.growable = name, true, growable
	x.growable = x.growable || growable
	x.buffers = append(x.buffers, namedBuffer{name, b})
	return b
}

// Queue returns a new queue of at most maxsize items (≤ 0: unbounded),
// bound to the main agent; agents bind it with Queue.For.
func (w *World) Queue(maxsize int) *shared.Queue {
	if !w.open("Queue") {
		return nil
	}
	return shared.NewQueue(maxsize).For(w.main)
}

// Agent declares an agent named name running f; Setup's agents start, in
// the order declared, once Setup returns. Names must be unique and not
// "main". f's error is a failure of the execution (FailAgent) if the model
// allows it.
func (w *World) Agent(name string, f func(a *shared.Agent) error) {
	if !w.open("Agent") {
		return
	}
	switch {
	case name == "" || name == "main":
		w.fail(fmt.Errorf("agent name %q is reserved or empty", name))
		return
	case f == nil:
		w.fail(fmt.Errorf("agent %q has a nil function", name))
		return
	}
	for _, d := range w.agents {
		if d.name == name {
			w.fail(fmt.Errorf("two agents are named %q", name))
			return
		}
	}
	w.agents = append(w.agents, agentDecl{name, f})
}

// Report records value v under key for agent a: Outcome.Values[a's name +
// ":" + key]. A later report of the same key replaces it. Agents may
// report concurrently (under stress they run in parallel).
func (w *World) Report(a *shared.Agent, key string, v int64) {
	name := "main"
	if a != nil {
		name = a.Name()
	}
	if w.st != nil {
		w.st.report(name+":"+key, v)
		return
	}
	w.x.values[name+":"+key] = v
}

func (w *World) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

type namedBuffer struct {
	name string
	b    *shared.Buffer
}

// Outcome is what one allowed execution produced.
type Outcome struct {
	// Values are the agents' reports, by "agent:key".
	Values map[string]int64
	// Memory is each buffer's final memory, by name: what plain reads
	// that happen after every agent's events return (one read per cell of
	// bytes connected by the execution's accesses, as model.FinalCellsOf).
	Memory map[string][]byte
	// Errors are the agents' errors, by agent name (only agents whose
	// function returned one).
	Errors map[string]string
	// Schedule replays the execution.
	Schedule Schedule
	// Operations are the operations the agents recorded with World.Call,
	// in the order called (CheckLinearizable checks them).
	Operations []Operation
	// Witness is a valid execution of the outcome's history under the
	// model (model.ValidExecution holds); nil for an execution whose reads
	// all returned the latest write in the schedule (sequentially
	// consistent by construction, which every model allows), which is not
	// checked unless Options.CheckAll.
	Witness *model.Execution
	// Weak: some read of the execution returned a value other than the
	// latest write in its schedule. The schedule is then not a real-time
	// order of the execution (the model has none: memory-order may put a
	// read before a write the schedule ran first), so instants — the
	// History's and the Operations' — order only each agent's own events:
	// the History's all span the run, CheckLinearizable checks sequential
	// consistency, and Scenario.Checks' race check takes reads-bytes-from
	// from the Witness. False for outcomes of stress runs (real time).
	Weak bool

	rec  *history.Recorder
	hist *history.History
}

// History returns the execution's recorded history. When every read
// returned the latest write in the schedule (no weak read), the schedule
// is an interleaving, a real-time order of the execution, and the events
// keep their call and return instants, taken in schedule order (so that a
// checker choosing reads-bytes-from by instants, as history.Convert does,
// finds the write each read did read even when several wrote its value).
// Otherwise every event's call and return instants span the whole run:
// the explorer simulates real time, and a weak read may return a write its
// schedule has not reached yet, so instants constrain nothing. It is built
// on the first call.
func (o *Outcome) History() *history.History {
	if o.hist == nil && o.rec != nil {
		o.hist = o.rec.History()
		if o.Weak {
			o.hist = neutral(o.hist)
		}
	}
	return o.hist
}

// Key is a canonical text of the outcome's observable state (values,
// memory, errors; not the schedule), equal for equal states.
func (o *Outcome) Key() string {
	var b strings.Builder
	for _, k := range sortedKeys(o.Values) {
		fmt.Fprintf(&b, "%s=%d ", keyName(k), o.Values[k])
	}
	for _, k := range sortedKeys(o.Memory) {
		fmt.Fprintf(&b, "%s[%s] ", keyName(k), hex.EncodeToString(o.Memory[k]))
	}
	for _, k := range sortedKeys(o.Errors) {
		fmt.Fprintf(&b, "%s!%q ", keyName(k), o.Errors[k])
	}
	return strings.TrimSpace(b.String())
}

// keyName is a report key or a name as Key writes it: as it is, or quoted
// if it could be read as part of Key's syntax (so that different outcomes
// never share a Key).
func keyName(k string) string {
	if k == "" || strings.ContainsAny(k, " =[]!\"\\") || strings.IndexFunc(k, unicode.IsControl) >= 0 || !utf8.ValidString(k) {
		return strconv.Quote(k)
	}
	return k
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

package scenarios

import (
	"github.com/sabre-mm/sabre/history"
)

// Strategy chooses, at every scheduling point of an execution, which agent
// runs next, and for every read what it returns. The explorer calls its
// methods from one goroutine at a time (the agent holding the baton); a
// strategy need not be safe for concurrent use, and is used by one
// exploration at a time. The strategies are Random, PCT, Exhaustive,
// Replay and Rapid; Metered wraps one to count what it does.
type Strategy interface {
	// Name is the strategy's name as -sabre.strategy spells it.
	Name() string
	// Start begins execution n (0, 1, …); false ends the exploration.
	Start(n int) bool
	// Schedule returns the index in c.Options of the option that runs next.
	Schedule(c *SchedChoice) int
	// Read returns what the read c returns: nil for c.Default (the
	// sequentially consistent choice: the latest write in the schedule), or
	// c.Loc.Size bytes, little-endian by position. Any bytes are accepted:
	// the model decides at the end whether the execution is allowed.
	Read(c *ReadChoice) []byte
	// Finish reports the end of the execution Start began.
	Finish(x *Execution)
}

// Option is one thing that may happen next: an agent performs its
// pending operation (or its blocked operation completes), or an agent's
// blocked operation times out.
type Option struct {
	// Agent is the agent's slot: 0 for main, then the agents in the order
	// they were started.
	Agent int
	// Name is the agent's name.
	Name string
	// Timeout: the option is the timeout of Agent's blocked operation.
	Timeout bool
	// Op is the pending (or blocked) operation: its Kind, Op, Buffer,
	// ByteIndex and Size (Buffer is the shared.Buffer's ID).
	Op *history.Event
	// Blocked: the operation is blocked (Timeout false: it can complete now).
	Blocked bool
	// Local: the option commutes with every other agent's operation in the
	// explorer's execution graph (a memory access whose value the explorer
	// chooses, an agent's start or end, a completed wait or join): the
	// order of local steps does not change which executions are reachable,
	// so a reducing strategy need not branch on it.
	Local bool
}

// SchedChoice is one scheduling point.
type SchedChoice struct {
	// Step is the number of steps taken so far in this execution.
	Step int
	// Current is the slot of the agent that was running (the one that just
	// reached this point).
	Current int
	// Options are what may happen next, by agent slot; never empty.
	Options []Option
	// Canonical is the index of the option the explorer's reduced schedule
	// takes without branching, or -1 when every option is an ordering
	// choice (no option is Local): see Option.Local. Exhaustive branches
	// only where Canonical is -1.
	Canonical int
	// Fingerprint hashes the operations performed so far in the
	// execution (agents, kinds, locations, bytes written): a replayed
	// prefix must reproduce it.
	Fingerprint uint64
	abort
}

// abort lets a strategy abort the execution with a failure (a replay that
// does not fit, an agent that behaves differently on a replayed prefix).
type abort struct {
	kind FailureKind
	msg  string
}

// Abort makes the execution fail with kind and msg once the strategy's
// method returns (its return value is then ignored).
func (a *abort) Abort(kind FailureKind, msg string) { a.kind, a.msg = kind, msg }

// Loc is the bytes a read reads: ByteIndex and Size bytes of the
// execution's Buf-th buffer (buffers numbered in the order they were
// created, from 0).
type Loc struct {
	Buf, ByteIndex, Size int
}

// ReadChoice is a read about to happen.
type ReadChoice struct {
	Step  int
	Agent int
	Op    *history.Event
	Loc   Loc
	// Default is what a sequentially consistent execution reads: the bytes
	// of the latest writes in the schedule.
	Default []byte
	// Fingerprint: as SchedChoice's.
	Fingerprint uint64
	k           *Knowledge
	x           *execution
	abort
}

// Values returns, for each byte of the read, the values it may take: its
// initial zero, every value a write of this execution has written to it so
// far, and every value a write of an allowed earlier execution wrote to it
// (a read may take its bytes from a write its peers have not made yet:
// load buffering). Sorted; the slices are the caller's.
func (c *ReadChoice) Values() [][]byte {
	out := make([][]byte, c.Loc.Size)
	for k := range out {
		out[k] = c.x.valuesAt(c.Loc.Buf, c.Loc.ByteIndex+k)
	}
	return out
}

// Knowledge returns what the exploration has learned of the values
// written to each byte (for a strategy that revisits reads later).
func (c *ReadChoice) Knowledge() *Knowledge { return c.k }

// Execution is what Finish is told about one execution.
type Execution struct {
	N        int
	Status   Status
	Schedule Schedule
	Steps    int
	// Outcome is set when the model allows the execution.
	Outcome *Outcome
	// Failure is set when Status is Failed.
	Failure *Failure
	// WeakReads counts the reads that did not return the default;
	// Speculations those that returned a value no write of the execution
	// had made yet (the counterpart of GenMC's backward revisits).
	WeakReads, Speculations int
	// Pruned: the execution was rejected before its end by a check of its
	// prefix that counted on the values learned so far (Knowledge) being
	// the only ones writes still to come may write: a strategy that wants
	// completeness revisits it if a value is learned later (Exhaustive does).
	Pruned bool
}

// Status is how an execution ended.
type Status uint8

const (
	// Allowed: the execution completed and the model allows it.
	Allowed Status = iota + 1
	// Rejected: the model forbids the execution (a weak read the model
	// does not allow at that point); it is discarded, not reported.
	Rejected
	// Failed: the execution is allowed (or, for a deadlock or livelock,
	// its prefix is) and something failed: see Failure.
	Failed
	// Undecided: the model check ran out of budget.
	Undecided
	// Redundant: cut short as a repetition of an execution explored
	// already (Exhaustive's sleep sets).
	Redundant
)

func (s Status) String() string {
	switch s {
	case Allowed:
		return "allowed"
	case Rejected:
		return "rejected"
	case Failed:
		return "failed"
	case Undecided:
		return "undecided"
	case Redundant:
		return "redundant"
	}
	return "status?"
}

// pruner is implemented by the strategies whose executions the explorer
// prunes as soon as the model forbids every completion of their prefix
// (with ghost writes standing for the writes to come, from what earlier
// executions did: see execution.addGhosts): Exhaustive, whose search
// would otherwise enumerate every continuation of a forbidden prefix. A
// strategy that replays a given schedule does not prune: its writes to
// come are what the schedule makes, which no earlier execution need have
// shown; random and pct do not either: they make few weak reads, and one
// model check at the end of an execution costs less than one per weak read.
type pruner interface{ prunes() bool }

func (*exhaustive) prunes() bool { return true }
func (m *Metered) prunes() bool {
	p, ok := m.Strategy.(pruner)
	return ok && p.prunes()
}

package shared

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Agent is the unit of agent-order: one thread of control (a goroutine now,
// a JavaScript runtime in package js). Every operation is attributed to the
// agent its view or buffer is bound to (see TypedArray.For, Buffer.For).
// An agent must be used by one goroutine at a time.
type Agent struct {
	id       int
	name     string
	seq      atomic.Uint64
	rec      atomic.Pointer[Recorder]
	canBlock atomic.Bool
}

var agentIDs atomic.Int64

// NewAgent returns a new root agent (one not started by another). It may
// block (its [[CanBlock]] is true) until SetCanBlock(false).
func NewAgent(name string) *Agent {
	a := &Agent{id: int(agentIDs.Add(1)), name: name}
	a.canBlock.Store(true)
	return a
}

// ID returns the agent's identity in recorded histories (never 0).
func (a *Agent) ID() int { return a.id }

// Name returns the name given to the agent.
func (a *Agent) Name() string { return a.name }

func (a *Agent) String() string { return fmt.Sprintf("agent %d (%s)", a.id, a.name) }

// CanBlock reports the agent's [[CanBlock]]: whether Atomics.wait may suspend it.
func (a *Agent) CanBlock() bool { return a.canBlock.Load() }

// SetCanBlock sets [[CanBlock]]; an agent that cannot block (like a browser's
// main thread) gets a TypeError from Atomics.wait.
func (a *Agent) SetCanBlock(ok bool) { a.canBlock.Store(ok) }

// SetRecorder attaches r to the agent (nil detaches): every operation the
// agent performs is recorded in r. Agents it starts inherit the recorder.
func (a *Agent) SetRecorder(r *Recorder) { swapRecorder(&a.rec, r) }

// Recorder returns the recorder attached to the agent, or nil.
func (a *Agent) Recorder() *Recorder { return a.rec.Load() }

// Record stamps ev with the agent and its next sequence number and appends it
// to the agent's recorder, if any. Operations that are not on a buffer (for
// example a Queue's) use it.
func (a *Agent) Record(ev Event) {
	if a != nil && attached.Load() != 0 {
		record(nil, a, &ev)
	}
}

// Handle is a started agent, to be joined.
type Handle struct {
	child *Agent
	done  chan struct{}
	err   error
	token uint64
	once  sync.Once
}

// Start runs f on a new goroutine as a new agent named name. Starting is a
// host-synchronizes-with edge from this point of the parent to the child's
// first event; the child inherits the parent's recorder. A panic in f is
// recovered and returned by Join as an error.
func (a *Agent) Start(name string, f func(child *Agent) error) *Handle {
	child := NewAgent(name)
	child.canBlock.Store(true)
	if r := a.rec.Load(); r != nil {
		child.SetRecorder(r)
	}
	tok := NewSyncToken()
	t := Now()
	a.Record(Event{Kind: EvAgentStart, Op: "agent.start", Sync: tok, Peer: uint64(child.id), Call: t, Return: t})
	h := &Handle{child: child, done: make(chan struct{}), token: NewSyncToken()}
	go func() {
		defer close(h.done)
		defer func() {
			if p := recover(); p != nil {
				h.err = fmt.Errorf("%v panicked: %v", child, p)
			}
			t := Now()
			child.Record(Event{Kind: EvAgentEnd, Op: "agent.end", Sync: h.token, Call: t, Return: t})
			child.SetRecorder(nil)
		}()
		t := Now()
		child.Record(Event{Kind: EvAgentBegin, Op: "agent.begin", Sync: tok, Call: t, Return: t})
		h.err = f(child)
	}()
	return h
}

// Agent returns the started agent.
func (h *Handle) Agent() *Agent { return h.child }

// Join waits for the agent to finish and returns what f returned (or its
// panic as an error). The agent's end host-synchronizes-with the join; the
// join is recorded by the joining agent (parent may be nil: then it is not
// recorded). Joining twice returns the same result and records once.
func (h *Handle) Join(parent *Agent) error {
	<-h.done
	h.once.Do(func() {
		t := Now()
		parent.Record(Event{Kind: EvAgentJoin, Op: "agent.join", Sync: h.token, Peer: uint64(h.child.id), Call: t, Return: t})
	})
	return h.err
}

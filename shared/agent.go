package shared

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
)

// Agent is the unit of agent-order: one thread of control (a goroutine now,
// a JavaScript runtime in package js). Every operation is attributed to the
// agent its view or buffer is bound to (see TypedArray.For, Buffer.For).
// An agent must be used by one goroutine at a time.
//
// The methods of a nil *Agent do nothing and return zero values (ID 0,
// CanBlock false, a nil Recorder); Start on a nil *Agent starts a root agent.
// A zero Agent (one not made by NewAgent, such as &Agent{}) is no agent
// either: it behaves as a nil *Agent, and buffers and views bound to it are
// bound to no agent.
type Agent struct {
	core mem.Agent // first: agentOf converts a *mem.Agent back
}

// agentOf returns the *Agent whose core is a (nil for nil).
func agentOf(a *mem.Agent) *Agent { return (*Agent)(unsafe.Pointer(a)) }

// ok reports whether a is an agent made by NewAgent (not nil, not a zero
// Agent, whose ID 0 would collide with the events of no agent).
func (a *Agent) ok() bool { return a != nil && a.core.ID != 0 }

// coreOf returns a's core, or nil (also for a zero Agent).
func coreOf(a *Agent) *mem.Agent {
	if !a.ok() {
		return nil
	}
	return &a.core
}

var _ [0]struct{} = [unsafe.Offsetof(Agent{}.core)]struct{}{} // core is at offset 0

// NewAgent returns a new root agent (one not started by another). It may
// block (its [[CanBlock]] is true) until SetCanBlock(false).
func NewAgent(name string) *Agent {
	return agentOf(mem.NewAgent(name))
}

// ID returns the agent's identity in recorded histories (never 0; 0 for a
// nil agent).
func (a *Agent) ID() int {
	if !a.ok() {
		return 0
	}
	return a.core.ID
}

// Name returns the name given to the agent.
func (a *Agent) Name() string {
	if !a.ok() {
		return ""
	}
	return a.core.Name
}

func (a *Agent) String() string {
	if !a.ok() {
		return "no agent"
	}
	return fmt.Sprintf("agent %d (%s)", a.core.ID, a.core.Name)
}

// CanBlock reports the agent's [[CanBlock]]: whether Atomics.wait may suspend it.
func (a *Agent) CanBlock() bool { return a.ok() && a.core.CanBlock.Load() }

// SetCanBlock sets [[CanBlock]]; an agent that cannot block (like a browser's
// main thread) gets a TypeError from Atomics.wait.
func (a *Agent) SetCanBlock(ok bool) {
	if a.ok() {
		a.core.CanBlock.Store(ok)
	}
}

// SetRecorder attaches r to the agent (nil detaches): every operation the
// agent performs is recorded in r. Agents it starts inherit the recorder.
func (a *Agent) SetRecorder(r *history.Recorder) {
	if a.ok() {
		a.core.SetRecorder(r)
	}
}

// Recorder returns the recorder attached to the agent, or nil.
func (a *Agent) Recorder() *history.Recorder {
	if !a.ok() {
		return nil
	}
	return a.core.Recorder()
}

// SetController attaches c to the agent (nil detaches): every operation the
// agent performs calls c first (see Controller). Agents it starts inherit
// the controller.
func (a *Agent) SetController(c Controller) {
	if a.ok() {
		a.core.SetController(c)
	}
}

// Controller returns the controller attached to the agent, or nil.
func (a *Agent) Controller() Controller {
	if !a.ok() {
		return nil
	}
	return a.core.Controller()
}

// hostEvent passes a host event of the agent (one on no buffer) through the
// bracket: the controller sees it before it happens and the recorder records
// it. It returns the bracket, for operations that may block.
func (a *Agent) hostEvent(ev *history.Event) mem.Obs {
	if !mem.Attached() {
		return mem.Obs{}
	}
	var o mem.Obs
	o.Begin(nil, coreOf(a), ev)
	return o
}

// Record passes ev, a host event of the agent's own (for example one a
// JavaScript host makes for a promise job), through the bracket: it is
// stamped with the agent, its next agent-order position and the instants,
// the controller sees it, and the recorder records it. Only host kinds that
// are in agent-order may be recorded this way (Notify, QueuePut, QueueGet,
// Transfer, AgentStart, AgentBegin, AgentEnd, AgentJoin, Grow): a memory
// access, a WaitSettle or an invalid kind is a TypeError, since recording it
// without performing it would make the history lie. A nil or zero agent is
// a TypeError too, and so is a Sync token that history.NewSyncToken did not
// issue (a token names one edge: take a fresh one for each, and record its
// sending end once), and a Count on a kind that has none (a RangeError for a
// notify's below -1 or a queue event's below 0).
func (a *Agent) Record(ev history.Event) error {
	const op = "Agent.Record"
	if !a.ok() {
		return Errorf(TypeError, op, "no agent (nil, or not made by NewAgent)")
	}
	if !ev.Kind.Valid() || ev.Kind.IsMemory() || ev.Kind == history.EvWaitSettle {
		return Errorf(TypeError, op, "a %v event cannot be recorded by hand: only host events in agent-order can", ev.Kind)
	}
	if ev.Size < 0 {
		return Errorf(RangeError, op, "negative size %d", ev.Size)
	}
	if len(ev.Woken) > 0 && ev.Kind != history.EvNotify {
		return Errorf(TypeError, op, "only a notify wakes waiters, not a %v", ev.Kind)
	}
	switch ev.Kind {
	case history.EvNotify:
		if ev.Count < -1 {
			return Errorf(RangeError, op, "a notify's count is -1 (all) or at least 0, not %d", ev.Count)
		}
	case history.EvQueuePut, history.EvQueueGet:
		if ev.Count < 0 {
			return Errorf(RangeError, op, "a queue event's count is its queue's maxsize (0 for unbounded), not %d", ev.Count)
		}
	default:
		if ev.Count != 0 {
			return Errorf(TypeError, op, "a %v event has no count", ev.Kind)
		}
	}
	if ev.Sync != 0 && !history.IssuedSyncToken(ev.Sync) {
		return Errorf(TypeError, op, "sync token %d was not issued by history.NewSyncToken", ev.Sync)
	}
	if len(ev.Woken) == 0 {
		ev.Woken = nil
	}
	// A host event touches no memory: the memory fields are not its to set.
	ev.Buffer, ev.Order, ev.NoTear, ev.Read, ev.Written = 0, 0, false, 0, 0
	ev.ModifyOp, ev.Operand, ev.Expected = 0, 0, 0
	ev.Op, ev.Result = strings.ToValidUTF8(ev.Op, "\uFFFD"), strings.ToValidUTF8(ev.Result, "\uFFFD")
	o := a.hostEvent(&ev)
	o.End(&ev)
	return nil
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
// first event; the child inherits the parent's recorder and controller. A
// panic in f, or f ending its goroutine (runtime.Goexit), is reported by
// Join as an error. A nil parent starts a root agent.
func (a *Agent) Start(name string, f func(child *Agent) error) *Handle {
	child := NewAgent(name)
	if a.ok() {
		if r := a.core.Recorder(); r != nil {
			child.core.SetRecorder(r)
		}
		if c := a.core.Controller(); c != nil {
			child.core.SetController(c)
		}
	}
	tok := history.NewSyncToken()
	ev := history.Event{Kind: history.EvAgentStart, Op: "agent.start", Sync: tok, Peer: uint64(child.core.ID)}
	o := a.hostEvent(&ev)
	o.End(&ev)
	h := &Handle{child: child, done: make(chan struct{}), token: history.NewSyncToken()}
	if f == nil {
		h.err = Errorf(TypeError, "agent.start", "%v: Start was given a nil function", child)
	}
	go func() {
		defer close(h.done)
		returned := false
		defer func() {
			if p := recover(); p != nil {
				h.err = fmt.Errorf("%v panicked: %v", child, p)
			} else if !returned {
				h.err = fmt.Errorf("%v ended its goroutine (runtime.Goexit) before its function returned", child)
			}
			res := "ok"
			if h.err != nil {
				res = resultText(h.err)
			}
			end := history.Event{Kind: history.EvAgentEnd, Op: "agent.end", Sync: h.token, Result: res}
			o := child.hostEvent(&end)
			o.End(&end)
			child.core.SetRecorder(nil)
			child.core.SetController(nil)
		}()
		begin := history.Event{Kind: history.EvAgentBegin, Op: "agent.begin", Sync: tok}
		o := child.hostEvent(&begin)
		o.End(&begin)
		if f != nil {
			h.err = f(child)
		}
		returned = true
	}()
	return h
}

// maxResult bounds the error text an EvAgentEnd event records: a history
// line stays small, whatever an agent's error says.
const maxResult = 4096

// resultText is err's text as an event's Result: valid UTF-8, at most
// maxResult bytes.
func resultText(err error) string {
	s := strings.ToValidUTF8(err.Error(), "\uFFFD")
	if len(s) > maxResult {
		s = strings.ToValidUTF8(s[:maxResult], "") + "…"
	}
	return s
}

// Agent returns the started agent (nil for a nil Handle).
func (h *Handle) Agent() *Agent {
	if h == nil {
		return nil
	}
	return h.child
}

// Join waits for the agent to finish and returns what f returned (or its
// panic as an error). It is JoinContext with no deadline.
func (h *Handle) Join(parent *Agent) error { return h.JoinContext(context.Background(), parent) }

// JoinContext waits for the agent to finish, or for ctx to end (then it
// returns ctx's error and the agent runs on; join again later). The agent's
// end host-synchronizes-with the join; the join is recorded by the joining
// agent (parent may be nil: then it is not recorded). Joining twice returns
// the same result and records once. With a controller attached to parent,
// the controller decides when the join completes (Controller.Block). A nil
// Handle is a TypeError.
func (h *Handle) JoinContext(ctx context.Context, parent *Agent) error {
	if h == nil || h.done == nil {
		return Errorf(TypeError, "agent.join", "nil Handle")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ev := history.Event{Kind: history.EvAgentJoin, Op: "agent.join", Sync: h.token, Peer: uint64(h.child.core.ID)}
	o := parent.hostEvent(&ev)
	select {
	case <-h.done:
	default:
		if _, err := o.Await(&ev, h.done, -1, ctx); err != nil {
			return err
		}
		select {
		case <-h.done:
		default: // a controller that returns before the agent ends
			<-h.done
		}
	}
	h.once.Do(func() { o.End(&ev) })
	return h.err
}

package shared

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sabre-mm/sabre/model"
)

// EventKind says what a recorded event did.
type EventKind uint8

// The kinds of recorded events. Read, Write and RMW are the memory model's
// ReadSharedMemory, WriteSharedMemory and ReadModifyWriteSharedMemory; Init
// is a block's initial (zero) contents; the others are host events, of which
// the pairs that share a Sync token are host-synchronizes-with edges.
const (
	EvRead       EventKind = iota + 1 // ReadSharedMemory (also a failing compareExchange)
	EvWrite                           // WriteSharedMemory
	EvRMW                             // ReadModifyWriteSharedMemory
	EvInit                            // the Init writes of a new block (or of bytes a Grow adds)
	EvWait                            // Atomics.wait: the read of the value and the suspension
	EvNotify                          // Atomics.notify
	EvQueuePut                        // a Queue put; host-synchronizes-with the get that takes its item
	EvQueueGet                        // a Queue get
	EvTransfer                        // an ArrayBuffer's bytes moved to a new buffer; the source is detached
	EvAgentStart                      // a parent started an agent; synchronizes with the child's EvAgentBegin
	EvAgentBegin                      // the first event of a started agent
	EvAgentEnd                        // the last event of a started agent; synchronizes with EvAgentJoin
	EvAgentJoin                       // a parent joined an agent
	EvGrow                            // a growable buffer grew (the new bytes get an EvInit event too)
)

var eventKindNames = [...]string{"", "read", "write", "rmw", "init", "wait", "notify", "queue-put",
	"queue-get", "transfer", "agent-start", "agent-begin", "agent-end", "agent-join", "grow"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && k != 0 {
		return eventKindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Order is a memory-model event's [[Order]] field: recorded events use the
// model's own type, so histories feed package model and the checkers as they are.
type Order = model.Order

// The orders of ECMA-262's memory model.
const (
	Unordered = model.Unordered
	SeqCst    = model.SeqCst
	Init      = model.Init
)

// Event is one recorded operation.
//
// Read and Written hold the bytes the access read and wrote, packed
// little-endian by position in the access: byte j of the access (the byte at
// ByteIndex+j) is bits 8j..8j+7. An EvInit event covers Size bytes, all zero.
type Event struct {
	Agent     int    // the agent's ID; 0 when the access was not attributed to an agent
	Seq       uint64 // position in the agent's agent-order, from 1; 0 when unattributed
	Kind      EventKind
	Order     Order
	Op        string // the operation, e.g. "Atomics.add", "Int32Array.set", "DataView.getUint16"
	Buffer    uint64 // the block's ID; 0 for events not on a buffer
	ByteIndex int
	Size      int
	NoTear    bool
	Read      uint64 // bytes read (EvRead, EvRMW, EvWait)
	Written   uint64 // bytes written (EvWrite, EvRMW)
	Arg       int64  // Wait: timeout in ns (-1 = none); Notify: count (-1 = all)
	Result    string // Wait: "ok", "not-equal", "timed-out"; WaitAsync: "async" when it enqueued a waiter (its settlement is not recorded); Notify: number woken; Queue: "ok", "full", "empty"
	Sync      uint64 // host-synchronizes-with token shared by the two ends of an edge
	Peer      uint64 // Transfer: the new block's ID; AgentStart/Join: the child agent's ID; QueuePut/Get: the queue's ID
	Call      int64  // call instant, ns on the recorders' monotonic clock (Now)
	Return    int64  // return instant
}

func (e Event) String() string {
	s := fmt.Sprintf("a%d#%d %s %s", e.Agent, e.Seq, e.Kind, e.Op)
	if e.Buffer != 0 {
		s += fmt.Sprintf(" b%d[%d:%d] %s", e.Buffer, e.ByteIndex, e.ByteIndex+e.Size, e.Order)
	}
	switch e.Kind {
	case EvRead, EvWait:
		s += fmt.Sprintf(" read=%#x", e.Read)
	case EvWrite:
		s += fmt.Sprintf(" wrote=%#x", e.Written)
	case EvRMW:
		s += fmt.Sprintf(" read=%#x wrote=%#x", e.Read, e.Written)
	}
	if e.Result != "" {
		s += " -> " + e.Result
	}
	if e.Sync != 0 {
		s += fmt.Sprintf(" sync=%d", e.Sync)
	}
	return s
}

// Recorder captures events. Attach one to a Buffer, an ArrayBuffer or an
// Agent; every access through that buffer, or by that agent, appends one
// event. A Recorder may be shared by many buffers and agents and is safe
// for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	events []Event
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Append adds an event. Operations call it; users rarely need to.
func (r *Recorder) Append(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// Events returns a copy of the events recorded so far, in the order they were appended.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Len returns the number of events recorded so far.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Reset discards the events recorded so far. It keeps the memory that held
// them for the events to come (Events returns copies, so nothing handed out
// is overwritten).
func (r *Recorder) Reset() {
	r.mu.Lock()
	clear(r.events)
	r.events = r.events[:0]
	r.mu.Unlock()
}

var clockOrigin = time.Now()

// Now returns the recorders' clock: monotonic nanoseconds since the process
// started using this package. Call and Return instants are on this clock.
func Now() int64 { return int64(time.Since(clockOrigin)) }

// attached counts the recorders attached to any buffer or agent, in units of
// attachedUnit. While it is zero, operations skip recording after one atomic
// load. The unit is larger than any element index, so the Int32 fast paths
// test "nothing is recorded" and "the index is in range" with one compare:
// uint64(i)|attached < length (see fast.go).
var attached atomic.Int64

const attachedUnit = 1 << 40

// Recording reports whether any recorder is attached anywhere. It is the
// fast-path test operations make before looking for their recorders.
func Recording() bool { return attached.Load() != 0 }

func swapRecorder(p *atomic.Pointer[Recorder], r *Recorder) {
	old := p.Swap(r)
	if old == nil && r != nil {
		attached.Add(attachedUnit)
	} else if old != nil && r == nil {
		attached.Add(-attachedUnit)
	}
}

var syncTokens atomic.Uint64

// NewSyncToken returns a fresh token for a host-synchronizes-with edge.
func NewSyncToken() uint64 { return syncTokens.Add(1) }

// record stamps ev with its agent and sequence number and appends it to the
// recorders of blk and ag (once to each distinct recorder). It reports
// whether any recorder took it.
func record(blk *block, ag *Agent, ev *Event) bool {
	var r1, r2 *Recorder
	if blk != nil {
		r1 = blk.rec.Load()
		ev.Buffer = blk.id
	}
	if ag != nil {
		r2 = ag.rec.Load()
	}
	if r1 == nil && r2 == nil {
		return false
	}
	if ag != nil {
		ev.Agent = ag.id
		ev.Seq = ag.seq.Add(1)
	}
	if r1 != nil {
		r1.Append(*ev)
	}
	if r2 != nil && r2 != r1 {
		r2.Append(*ev)
	}
	return true
}

// wantsRecord reports whether an access through blk by ag would be recorded.
func wantsRecord(blk *block, ag *Agent) bool {
	if attached.Load() == 0 {
		return false
	}
	return (blk != nil && blk.rec.Load() != nil) || (ag != nil && ag.rec.Load() != nil)
}

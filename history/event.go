package history

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/sabre-mm/sabre/model"
)

// Kind says what a recorded event did.
type Kind uint8

// The kinds of recorded events. Read, Write and RMW are the memory model's
// ReadSharedMemory, WriteSharedMemory and ReadModifyWriteSharedMemory; Init
// is a block's initial (zero) contents; the others are host events, of which
// the pairs that share a Sync token are host-synchronizes-with edges (see
// Event.Sync).
const (
	EvRead       Kind = iota + 1 // ReadSharedMemory (also a failing compareExchange)
	EvWrite                      // WriteSharedMemory
	EvRMW                        // ReadModifyWriteSharedMemory (Atomics RMWs, a successful compareExchange)
	EvInit                       // the Init writes of a new block, or of the bytes a Grow adds
	EvWait                       // Atomics.wait or waitAsync: the seq-cst read of the value and the suspension
	EvWaitSettle                 // a pending Atomics.waitAsync settled ("ok" or "timed-out")
	EvNotify                     // Atomics.notify
	EvQueuePut                   // a Queue put; host-synchronizes-with the get that takes its item
	EvQueueGet                   // a Queue get
	EvTransfer                   // an ArrayBuffer's bytes moved (or copied) to a new buffer; the source is detached
	EvAgentStart                 // a parent started an agent; host-synchronizes-with the child's EvAgentBegin
	EvAgentBegin                 // the first event of a started agent
	EvAgentEnd                   // the last event of a started agent; host-synchronizes-with EvAgentJoin
	EvAgentJoin                  // a parent joined an agent
	EvGrow                       // a growable buffer grew (the new bytes get an Init event too)
	numKinds
)

var kindNames = [...]string{"", "read", "write", "rmw", "init", "wait", "wait-settle", "notify", "queue-put",
	"queue-get", "transfer", "agent-start", "agent-begin", "agent-end", "agent-join", "grow"}

// String returns the kind's name as the file format spells it, e.g. "rmw"
// or "queue-put".
func (k Kind) String() string {
	if k.Valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool { return k >= EvRead && k < numKinds }

// IsMemory reports whether events of kind k access a buffer's bytes as
// memory-model events: Read, Write, RMW, Init and Wait (whose value check is
// a seq-cst read).
func (k Kind) IsMemory() bool {
	return k == EvRead || k == EvWrite || k == EvRMW || k == EvInit || k == EvWait
}

// ParseKind returns the kind named s (as Kind.String spells it).
func ParseKind(s string) (Kind, bool) {
	for k := EvRead; k < numKinds; k++ {
		if kindNames[k] == s {
			return k, true
		}
	}
	return 0, false
}

// Ref names an event by its agent and its position in that agent's
// agent-order: Event.Agent and Event.Seq.
type Ref struct {
	Agent int    `json:"agent"`
	Seq   uint64 `json:"seq"`
}

func (r Ref) String() string { return fmt.Sprintf("a%d#%d", r.Agent, r.Seq) }

// Event is one recorded operation: everything the memory model and a checker
// need to know about it.
//
// Byte payloads (Read, Written, Operand, Expected) hold up to 8 bytes packed
// little-endian by position in the access: byte j of the access (the byte at
// ByteIndex+j of the buffer) is bits 8j..8j+7, whatever the host's byte order
// and whatever byte order a DataView access asked for. An Init event covers
// Size bytes (possibly more than 8), all zero, and has no payload.
//
// Call and Return are instants of the recorders' clock (Now, a logical
// clock ordered consistently with real time): Call is taken before the
// operation takes effect and Return after, so the effect happened within the
// closed interval [Call, Return], and an operation whose Return is below
// another's Call finished before the other began. For a blocking operation
// the interval includes the time blocked. A Wait's and a Notify's Call is
// taken inside the location's waiter-list critical section, so waits on one
// location enqueue in the order of their Call instants. A WaitSettle, which
// has no duration, has Call equal to Return.
type Event struct {
	// Agent is the agent's ID; 0 when the operation was not attributed to
	// an agent.
	Agent int
	// Seq is the event's position in its agent's agent-order, from 1. Events
	// of agent 0 get a process-wide unique Seq (it names them; it implies no
	// order). A WaitSettle event is not in agent-order: its Seq is 0.
	Seq   uint64
	Kind  Kind
	Order model.Order // the memory model's [[Order]] for memory events; 0 for host events
	// NoTear is the access's [[NoTear]]: aligned, and never torn.
	NoTear bool
	// ModifyOp is an RMW's modification (Add … Exchange, CompareExchange),
	// and CompareExchange for a failing compareExchange (a Read).
	ModifyOp model.ModifyOp
	// Stored reports whether a compareExchange stored (it is then an RMW; a
	// failing one is a Read). For Transfer: true when the bytes were moved
	// without copying (the new buffer is the same memory).
	Stored bool
	// Op names the operation, e.g. "Atomics.add", "Int32Array.set",
	// "DataView.getUint16", "Queue.put".
	Op string
	// Buffer is the ID of the buffer accessed (see History.Buffers); 0 for
	// events not on a buffer.
	Buffer    uint64
	ByteIndex int    // first byte accessed
	Size      int    // bytes accessed (1..8; any length for EvInit and EvGrow; EvTransfer: bytes moved)
	Read      uint64 // bytes read: EvRead, EvRMW, EvWait
	Written   uint64 // bytes written: EvWrite, EvRMW
	// Operand is an RMW's [[Payload]]: the bytes ModifyOp combines with
	// what was read (the addend, the mask, the new value; compareExchange's
	// replacement), so Written = ModifyOp.Apply(Read, Operand).
	Operand uint64
	// Expected is compareExchange's expected bytes, and Wait's expected value.
	Expected uint64
	// Timeout is Wait's timeout in nanoseconds, -1 for none.
	Timeout int64
	// Count is Notify's count, -1 for all; and on Queue events (QueuePut,
	// QueueGet) the queue's maxsize, 0 for an unbounded queue. Other kinds
	// have none.
	Count int64
	// Woken lists the waiters a Notify woke, in the order it woke them:
	// each is the Wait event that enqueued the waiter.
	Woken []Ref
	// Result: Wait: "ok", "not-equal", "timed-out", "cancelled" (its context
	// or controller ended it; its waiter list is left as a timeout leaves
	// it), or "async" for a
	// waitAsync that enqueued a waiter (its WaitSettle event gives the
	// outcome); WaitSettle: "ok", "timed-out" or "cancelled"; Notify: the number woken;
	// Queue events: "ok", "full", "empty"; AgentEnd: "ok" or the error.
	Result string
	// Item identifies the item of a Queue put and of the get that took it.
	Item uint64
	// Sync is the host-synchronizes-with token shared by the two ends of an
	// edge: an AgentStart and its AgentBegin, an AgentEnd and its AgentJoin,
	// a QueuePut and its QueueGet, a Notify and the Waits and WaitSettles it
	// woke.
	Sync uint64
	// Peer: Transfer: the new buffer's ID; AgentStart and AgentJoin: the
	// child agent's ID; Queue events: the queue's ID.
	Peer   uint64
	Call   int64
	Return int64
}

// Ref returns the reference to e: its agent and sequence number (the zero
// Ref for a nil *Event).
func (e *Event) Ref() Ref {
	if e == nil {
		return Ref{}
	}
	return Ref{e.Agent, e.Seq}
}

// Range returns the memory model's byte range of a memory event, with block
// as the block number (the zero Range for a nil *Event).
func (e *Event) Range(block int) model.Range {
	if e == nil {
		return model.Range{}
	}
	return model.Range{Block: block, Start: e.ByteIndex, Size: e.Size}
}

func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "a%d#%d %s %s", e.Agent, e.Seq, e.Kind, e.Op)
	if e.Buffer != 0 {
		fmt.Fprintf(&b, " b%d[%d:%d]", e.Buffer, e.ByteIndex, e.ByteIndex+e.Size)
		if e.Order != 0 {
			fmt.Fprintf(&b, " %s", e.Order)
		}
	}
	switch e.Kind {
	case EvRead, EvWait:
		fmt.Fprintf(&b, " read=%#x", e.Read)
	case EvWrite:
		fmt.Fprintf(&b, " wrote=%#x", e.Written)
	case EvRMW:
		fmt.Fprintf(&b, " read=%#x wrote=%#x", e.Read, e.Written)
	}
	if e.ModifyOp != 0 {
		fmt.Fprintf(&b, " %s(%#x)", e.ModifyOp, e.Operand)
	}
	if e.ModifyOp == model.CompareExchange || e.Kind == EvWait {
		fmt.Fprintf(&b, " expected=%#x", e.Expected)
	}
	if e.Result != "" {
		b.WriteString(" -> " + e.Result)
	}
	if len(e.Woken) > 0 {
		fmt.Fprintf(&b, " woke=%v", e.Woken)
	}
	if e.Sync != 0 {
		fmt.Fprintf(&b, " sync=%d", e.Sync)
	}
	return b.String()
}

// clock is alone on its cache lines: every recorded operation increments
// it twice, and a read-mostly neighbour (another package's variable placed
// next to it) would be invalidated in every other core's cache each time.
var clock struct {
	_ [64]byte
	atomic.Int64
	_ [56]byte
}

// Now returns a new instant of the recorders' clock: a process-wide
// logical clock that every call advances by one. Instants are unique and
// totally ordered consistently with real time — if one operation returned
// before another was called, its Return instant is smaller than the other's
// Call instant — which is all that ordering operations in time needs (a
// linearizability check reads nothing else). They are not durations: a
// reading costs one atomic add, where the monotonic wall clock costs tens of
// nanoseconds on some hosts and would dominate the cost of recording.
func Now() int64 { return clock.Add(1) }

var syncTokens atomic.Uint64

// NewSyncToken returns a fresh, process-wide unique token for a
// host-synchronizes-with edge (never 0).
func NewSyncToken() uint64 { return syncTokens.Add(1) }

// IssuedSyncToken reports whether NewSyncToken has returned t.
func IssuedSyncToken(t uint64) bool { return t != 0 && t <= syncTokens.Load() }

package history

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/sabre-mm/sabre/model"
)

// MaxBufferLength is the largest buffer length a history may declare: 4 GiB,
// as package shared allows.
const MaxBufferLength = 1 << 32

// Validate reports the first fault of h as a *FormatError naming the event
// (its index in h.Events) and the field, or nil:
//
//   - buffers: IDs non-zero and unique, 0 ≤ Length ≤ MaxLength ≤ MaxBufferLength;
//   - every event: a valid Kind; Call ≤ Return; Agent ≥ 0;
//   - agent-order: every event of an agent other than 0 (except WaitSettle)
//     has a Seq ≥ 1 unique within its agent; events of agent 0 have unique
//     Seqs too (they name them);
//   - memory events (Read, Write, RMW, Init, Wait): a Buffer the header
//     declares, ByteIndex ≥ 0 and ByteIndex+Size within its MaxLength;
//     Size 1..8 (Init: ≥ 1); the Order the kind allows (Read: seq-cst or
//     unordered; Write: seq-cst or unordered; RMW and Wait: seq-cst and
//     NoTear; Init: init); NoTear only when aligned; payloads only within
//     Size bytes; an RMW's Written equal to ModifyOp.Apply(Read, Operand)
//     and a compareExchange's Stored agreeing with its kind and with
//     whether Read equalled Expected;
//   - no event carries a field its kind does not have (the file format
//     could not write it): payloads beyond those above, Woken on anything
//     but a Notify, Count on anything but a Notify (≥ -1) or a QueuePut or
//     QueueGet (≥ 0, the queue's maxsize); Size ≥ 0; Op and Result valid
//     UTF-8; a Buffer, on any kind, declared in the header;
//   - a Result the kind can have (validateResult): a Wait's one of ok,
//     not-equal, timed-out, cancelled, async; a WaitSettle's one of ok,
//     timed-out, cancelled; a Notify's (when given) the decimal number it
//     woke, at least len(Woken); a Queue event's (when given) ok, or full
//     for a put and empty for a get;
//   - the events of one queue (Peer) agree on its maxsize (Count);
//   - a Sync token is sent by at most one event (AgentStart, AgentEnd,
//     QueuePut, Notify).
//
// Woken may name waits the history does not contain: a Notify is recorded
// when it returns, the waits it woke when they return, and another
// recorder may have recorded them.
func (h *History) Validate() error {
	if h == nil {
		return &FormatError{Buffer: -1, Event: -1, Msg: "nil History"}
	}
	bufs := make(map[uint64]Buffer, len(h.Buffers))
	for i, b := range h.Buffers {
		f := func(field, format string, args ...any) error {
			return &FormatError{Buffer: i, Event: -1, Field: field, Msg: fmt.Sprintf(format, args...)}
		}
		switch {
		case b.ID == 0:
			return f("id", "buffer ID 0 is reserved for events on no buffer")
		case bufs[b.ID] != (Buffer{}):
			return f("id", "buffer %d is declared twice", b.ID)
		case b.Length < 0 || b.Length > b.MaxLength:
			return f("length", "length %d is not in [0, maxLength %d]", b.Length, b.MaxLength)
		case b.MaxLength > MaxBufferLength:
			return f("maxLength", "%d exceeds %d", b.MaxLength, MaxBufferLength)
		}
		bufs[b.ID] = b
	}
	var seqs seqSet
	senders := make(map[uint64]int)
	maxsizes := make(map[uint64]int) // queue → its first event

	for i := range h.Events {
		e := &h.Events[i]
		f := func(field, format string, args ...any) error {
			return &FormatError{Buffer: -1, Event: i, Field: field, Msg: fmt.Sprintf(format, args...)}
		}
		if !e.Kind.Valid() {
			return f("kind", "invalid kind %d", e.Kind)
		}
		if e.Agent < 0 {
			return f("agent", "negative agent %d", e.Agent)
		}
		if e.Return < e.Call {
			return f("return", "returns at %d before its call at %d", e.Return, e.Call)
		}
		if e.Kind == EvWaitSettle {
			if e.Seq != 0 {
				return f("seq", "a wait-settle event is not in agent-order: its seq is 0, not %d", e.Seq)
			}
		} else {
			if e.Seq == 0 {
				return f("seq", "missing: every event but wait-settle has a sequence number from 1")
			}
			if !seqs.add(e.Agent, e.Seq) {
				return f("seq", "%v appears twice", e.Ref())
			}
		}
		if err := validateFields(e, bufs, f); err != nil {
			return err
		}
		if err := validateMemory(e, bufs, f); err != nil {
			return err
		}
		if e.Kind == EvQueuePut || e.Kind == EvQueueGet {
			if j, ok := maxsizes[e.Peer]; !ok {
				maxsizes[e.Peer] = i
			} else if c := h.Events[j].Count; c != e.Count {
				return f("count", "queue %d's maxsize is %d here but %d at event %d: a queue's maxsize does not change", e.Peer, e.Count, c, j)
			}
		}
		switch e.Kind {
		case EvAgentStart, EvAgentEnd, EvQueuePut, EvNotify:
			if e.Sync == 0 {
				break
			}
			if j, ok := senders[e.Sync]; ok {
				return f("sync", "token %d is sent by event %d already: a host-synchronizes-with token has one sending end", e.Sync, j)
			}
			senders[e.Sync] = i
		}
	}
	return nil
}

// seqSet records the Seqs met per agent. An agent's events usually come in
// agent-order (a recorder's merge keeps it), so while an agent's Seqs
// increase, a new one is new, and they are kept as a sorted list; only an
// agent whose Seqs go back is given a set. (A map of every Ref cost most of
// Validate's time on large histories.)
type seqSet struct {
	lastAgent int
	last      *agentSeqs
	agents    map[int]*agentSeqs
}

type agentSeqs struct {
	sorted []uint64 // while the Seqs met increase
	set    map[uint64]bool
}

// add records agent's seq and reports whether it is new.
func (s *seqSet) add(agent int, seq uint64) bool {
	a := s.last
	if a == nil || agent != s.lastAgent {
		a = s.agents[agent]
		if a == nil {
			if s.agents == nil {
				s.agents = map[int]*agentSeqs{}
			}
			a = &agentSeqs{}
			s.agents[agent] = a
		}
		s.lastAgent, s.last = agent, a
	}
	if a.set != nil {
		if a.set[seq] {
			return false
		}
		a.set[seq] = true
		return true
	}
	if n := len(a.sorted); n == 0 || seq > a.sorted[n-1] {
		a.sorted = append(a.sorted, seq)
		return true
	}
	if _, found := slices.BinarySearch(a.sorted, seq); found {
		return false
	}
	a.set = make(map[uint64]bool, len(a.sorted)+1)
	for _, x := range a.sorted {
		a.set[x] = true
	}
	a.set[seq] = true
	a.sorted = nil
	return true
}

// validateFields refuses what the file format cannot carry for e's kind.
func validateFields(e *Event, bufs map[uint64]Buffer, f func(field, format string, args ...any) error) error {
	if e.Size < 0 {
		return f("size", "negative size %d", e.Size)
	}
	if !utf8.ValidString(e.Op) {
		return f("op", "not valid UTF-8")
	}
	if !utf8.ValidString(e.Result) {
		return f("result", "not valid UTF-8")
	}
	if e.Buffer != 0 {
		if _, ok := bufs[e.Buffer]; !ok {
			return f("buffer", "buffer %d is not declared in the header", e.Buffer)
		}
	}
	if e.ModifyOp != 0 && (!e.ModifyOp.Valid() || (e.Kind != EvRMW && e.Kind != EvRead)) {
		return f("modifyOp", "a %s event has no modifyOp %v", e.Kind, e.ModifyOp)
	}
	if len(e.Woken) > 0 && e.Kind != EvNotify {
		return f("woken", "only a notify wakes waiters, not a %s", e.Kind)
	}
	switch e.Kind {
	case EvNotify:
		if e.Count < -1 {
			return f("count", "a notify's count is -1 (all) or at least 0, not %d", e.Count)
		}
	case EvQueuePut, EvQueueGet:
		if e.Count < 0 {
			return f("count", "a queue event's count is its queue's maxsize (0 for unbounded), not %d", e.Count)
		}
	default:
		if e.Count != 0 {
			return f("count", "a %s event has no count", e.Kind)
		}
	}
	if err := validateResult(e, f); err != nil {
		return err
	}
	k := e.Kind
	for _, p := range []struct {
		name    string
		v       uint64
		allowed bool
	}{
		{"read", e.Read, k == EvRead || k == EvRMW || k == EvWait},
		{"written", e.Written, k == EvWrite || k == EvRMW},
		{"operand", e.Operand, e.ModifyOp != 0},
		{"expected", e.Expected, e.ModifyOp == model.CompareExchange || k == EvWait},
	} {
		if p.v != 0 && !p.allowed {
			return f(p.name, "a %s event has no %s", k, p.name)
		}
	}
	return nil
}

// validateResult refuses a Result the event's kind cannot have: a Wait's
// must be one of its outcomes and a WaitSettle's one of a settlement's; a
// Notify's, when given, the number of waiters it woke (at least the number
// it lists in Woken), in decimal; a Queue event's, when given, "ok" or its
// failure ("full" for a put, "empty" for a get). Checkers read these words:
// a misspelt one would otherwise pass for another outcome.
func validateResult(e *Event, f func(field, format string, args ...any) error) error {
	r := e.Result
	switch e.Kind {
	case EvWait:
		switch r {
		case "ok", "not-equal", "timed-out", "cancelled", "async":
			return nil
		}
		return f("result", "a wait's result is ok, not-equal, timed-out, cancelled or async, not %q", r)
	case EvWaitSettle:
		switch r {
		case "ok", "timed-out", "cancelled":
			return nil
		}
		return f("result", "a wait-settle's result is ok, timed-out or cancelled, not %q", r)
	case EvNotify:
		if r == "" {
			return nil
		}
		n, err := strconv.Atoi(r)
		if err != nil || n < 0 || strconv.Itoa(n) != r {
			return f("result", "a notify's result is the number of waiters it woke, in decimal, not %q", r)
		}
		if n < len(e.Woken) {
			return f("result", "the notify says it woke %d waiters but lists %d in woken", n, len(e.Woken))
		}
	case EvQueuePut, EvQueueGet:
		fail := "full"
		if e.Kind == EvQueueGet {
			fail = "empty"
		}
		if r != "" && r != "ok" && r != fail {
			return f("result", "a %s event's result is ok or %s, not %q", e.Kind, fail, r)
		}
	}
	return nil
}

func validateMemory(e *Event, bufs map[uint64]Buffer, f func(field, format string, args ...any) error) error {
	if !e.Kind.IsMemory() {
		if e.Order != 0 {
			return f("order", "a %s event has no order", e.Kind)
		}
		if e.Read != 0 || e.Written != 0 || e.ModifyOp != 0 {
			return f("read", "a %s event reads and writes no memory", e.Kind)
		}
		return nil
	}
	b, ok := bufs[e.Buffer]
	if !ok {
		return f("buffer", "buffer %d is not declared in the header", e.Buffer)
	}
	if e.ByteIndex < 0 || e.Size < 1 || e.ByteIndex > b.MaxLength-e.Size { // ByteIndex+Size > MaxLength, without overflow
		return f("index", "bytes [%d, %d) are not within buffer %d's %d bytes", e.ByteIndex, e.ByteIndex+e.Size, e.Buffer, b.MaxLength)
	}
	if e.Kind != EvInit && e.Size > 8 {
		return f("size", "a %s event accesses 1 to 8 bytes, not %d", e.Kind, e.Size)
	}
	if e.NoTear && e.ByteIndex%e.Size != 0 {
		return f("noTear", "a NoTear access must be aligned (index %d, size %d)", e.ByteIndex, e.Size)
	}
	var want []model.Order
	switch e.Kind {
	case EvRead, EvWrite:
		want = ordersPlainOrSeqCst
	case EvRMW, EvWait:
		want = ordersSeqCst
		if !e.NoTear {
			return f("noTear", "a %s event is always NoTear", e.Kind)
		}
	case EvInit:
		want = ordersInit
	}
	okOrder := false
	for _, o := range want {
		okOrder = okOrder || e.Order == o
	}
	if !okOrder {
		return f("order", "a %s event's order is %v, not %v", e.Kind, want, e.Order)
	}
	if e.Kind == EvInit {
		return nil
	}
	mask := ^uint64(0)
	if e.Size < 8 {
		mask = 1<<(8*uint(e.Size)) - 1
	}
	for _, p := range []struct {
		name string
		v    uint64
	}{{"read", e.Read}, {"written", e.Written}, {"operand", e.Operand}, {"expected", e.Expected}} {
		if p.v&^mask != 0 {
			return f(p.name, "%#x has bytes beyond the event's %d", p.v, e.Size)
		}
	}
	if e.ModifyOp != 0 && !e.ModifyOp.Valid() {
		return f("modifyOp", "invalid ModifyOp %d", e.ModifyOp)
	}
	switch e.Kind {
	case EvRMW:
		if e.ModifyOp == 0 {
			return f("modifyOp", "missing on an rmw event")
		}
		if e.ModifyOp == model.CompareExchange && (!e.Stored || e.Read != e.Expected) {
			return f("stored", "a compareExchange recorded as rmw stored, so it read its expected value")
		}
		var rb, ob [8]byte // on the stack: no allocation per event
		putBytes(rb[:e.Size], e.Read)
		putBytes(ob[:e.Size], e.Operand)
		got := fromBytes(e.ModifyOp.Apply(rb[:e.Size], ob[:e.Size]))
		if got != e.Written {
			return f("written", "%#x is not %s(%#x, %#x) = %#x", e.Written, e.ModifyOp, e.Read, e.Operand, got)
		}
	case EvRead:
		if e.ModifyOp != 0 && e.ModifyOp != model.CompareExchange {
			return f("modifyOp", "a read event's only modifyOp is compareExchange (a failing one), not %s", e.ModifyOp)
		}
		if e.ModifyOp == model.CompareExchange && (e.Stored || e.Read == e.Expected) {
			return f("stored", "a failing compareExchange read a value other than its expected one and did not store")
		}
	default:
		if e.ModifyOp != 0 {
			return f("modifyOp", "a %s event has no modifyOp", e.Kind)
		}
	}
	return nil
}

// The orders each memory kind allows (shared, read-only: no allocation per
// event).
var (
	ordersPlainOrSeqCst = []model.Order{model.SeqCst, model.Unordered}
	ordersSeqCst        = []model.Order{model.SeqCst}
	ordersInit          = []model.Order{model.Init}
)

// toBytes unpacks the low size bytes of x (little-endian by position).
func toBytes(x uint64, size int) []byte {
	b := make([]byte, size)
	putBytes(b, x)
	return b
}

// putBytes unpacks the low len(b) bytes of x into b.
func putBytes(b []byte, x uint64) {
	for j := range b {
		b[j] = byte(x >> (8 * j))
	}
}

func fromBytes(b []byte) uint64 {
	var x uint64
	for j, c := range b {
		x |= uint64(c) << (8 * j)
	}
	return x
}

package model

import (
	"bytes"
	"fmt"
)

// Order is the [[Order]] field of a Shared Data Block event: the weakest
// ordering the memory model guarantees for it.
type Order uint8

const (
	// SeqCst is ~seq-cst~: Atomics operations and every read-modify-write.
	SeqCst Order = iota + 1
	// Unordered is ~unordered~: plain TypedArray and DataView accesses.
	Unordered
	// Init is ~init~: the writes that give a new Shared Data Block its
	// initial contents (one 1-byte write per byte).
	Init
)

// String returns the spec's spelling: "seq-cst", "unordered" or "init".
func (o Order) String() string {
	switch o {
	case SeqCst:
		return "seq-cst"
	case Unordered:
		return "unordered"
	case Init:
		return "init"
	}
	return fmt.Sprintf("Order(%d)", uint8(o))
}

// ModifyOp is the [[ModifyOp]] of a ReadModifyWriteSharedMemory event: the
// read-modify-write modification function named after the Atomics method
// that introduces it. It combines the bytes read with the event's
// [[Payload]]; both are little-endian byte lists of the same length.
type ModifyOp uint8

const (
	// Add is Atomics.add: the sum, wrapping modulo 2^(8·size).
	Add ModifyOp = iota + 1
	// Sub is Atomics.sub: the difference, wrapping modulo 2^(8·size).
	Sub
	// And is Atomics.and: bitwise and.
	And
	// Or is Atomics.or: bitwise or.
	Or
	// Xor is Atomics.xor: bitwise exclusive or.
	Xor
	// Exchange is Atomics.exchange: the payload replaces what was read.
	Exchange
	// CompareExchange is Atomics.compareExchange. Since tc39/ecma262 PR
	// #2250 a compareExchange whose comparison fails introduces a
	// ReadSharedMemory event only, so a ReadModifyWriteSharedMemory event
	// with this op and no Event.Expected stands for a successful exchange
	// and Apply returns the payload (the replacement value). The 2017 text
	// (variant ES2017) makes every compareExchange a read-modify-write
	// whose modification captures the expected bytes (Event.Expected):
	// the replacement when the bytes read equal them, else the bytes read,
	// written back; Event.Modify applies it.
	CompareExchange
)

// String returns the Atomics method name, e.g. "add" or "compareExchange".
func (m ModifyOp) String() string {
	switch m {
	case Add:
		return "add"
	case Sub:
		return "sub"
	case And:
		return "and"
	case Or:
		return "or"
	case Xor:
		return "xor"
	case Exchange:
		return "exchange"
	case CompareExchange:
		return "compareExchange"
	}
	return fmt.Sprintf("ModifyOp(%d)", uint8(m))
}

// Valid reports whether m is one of the defined operations.
func (m ModifyOp) Valid() bool { return m >= Add && m <= CompareExchange }

// Apply returns the bytes m writes when it read `read` with payload
// `payload` (little-endian, equal lengths; the shorter length is used if
// they differ). It does not modify its arguments. For a ModifyOp that is
// not Valid it returns nil: no operation, so no bytes written.
func (m ModifyOp) Apply(read, payload []byte) []byte {
	if !m.Valid() {
		return nil
	}
	n := len(read)
	if len(payload) < n {
		n = len(payload)
	}
	out := make([]byte, n)
	switch m {
	case Add, Sub:
		carry := 0
		for i := 0; i < n; i++ {
			var s int
			if m == Add {
				s = int(read[i]) + int(payload[i]) + carry
				carry = s >> 8
			} else {
				s = int(read[i]) - int(payload[i]) - carry
				carry = 0
				if s < 0 {
					s += 256
					carry = 1
				}
			}
			out[i] = byte(s)
		}
	case And:
		for i := 0; i < n; i++ {
			out[i] = read[i] & payload[i]
		}
	case Or:
		for i := 0; i < n; i++ {
			out[i] = read[i] | payload[i]
		}
	case Xor:
		for i := 0; i < n; i++ {
			out[i] = read[i] ^ payload[i]
		}
	case Exchange, CompareExchange: // CompareExchange: a successful one
		copy(out, payload[:n])
	}
	return out
}

// EventKind says which kind of event an Event is.
type EventKind uint8

const (
	// ReadSharedMemory is a read of ElementSize bytes.
	ReadSharedMemory EventKind = iota + 1
	// WriteSharedMemory is a write of Payload.
	WriteSharedMemory
	// ReadModifyWriteSharedMemory reads ElementSize bytes and writes
	// ModifyOp(bytes read, Payload), atomically.
	ReadModifyWriteSharedMemory
	// HostEvent is a host-specific event (agent start and finish, Queue
	// send and receive, transfer). It touches no memory; it takes part in
	// agent-order and host-synchronizes-with.
	HostEvent
)

// String returns the spec's name of the kind.
func (k EventKind) String() string {
	switch k {
	case ReadSharedMemory:
		return "ReadSharedMemory"
	case WriteSharedMemory:
		return "WriteSharedMemory"
	case ReadModifyWriteSharedMemory:
		return "ReadModifyWriteSharedMemory"
	case HostEvent:
		return "HostEvent"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// EventID names an event of an Execution: its index in Execution.Events.
type EventID int

// Event is one event of a candidate execution. For Shared Data Block events
// the fields are those of ECMA-262's event records; host events use only
// Kind, Agent and Name.
type Event struct {
	Kind        EventKind
	Agent       int    // index into Execution.AgentOrder
	Name        string // for reports, e.g. "P0:1" or "init[3]"
	Line        int    // source line of the operation (0 when unknown)
	Order       Order
	NoTear      bool
	Block       int // which Shared Data Block (programs use block 0)
	ByteIndex   int
	ElementSize int
	Payload     []byte   // WriteSharedMemory, ReadModifyWriteSharedMemory
	ModifyOp    ModifyOp // ReadModifyWriteSharedMemory
	// Expected is nil except for a ReadModifyWriteSharedMemory event with
	// ModifyOp CompareExchange in the 2017 text's form: the expected bytes
	// (ElementSize, little-endian) its modification captures. See Modify.
	Expected []byte
}

// Modify returns the bytes read-modify-write event e writes when it read
// `read` (ElementSize bytes, little-endian; a new slice): for a
// CompareExchange with Expected set (the 2017 text, before tc39/ecma262 PR
// #2250) the Payload when read equals Expected and a copy of read (written
// back) otherwise; for every other ModifyOp, ModifyOp.Apply(read, Payload),
// which is nil when the ModifyOp is not Valid (as in an event that is no
// read-modify-write). A nil e gives nil.
func (e *Event) Modify(read []byte) []byte {
	if e == nil {
		return nil
	}
	return e.modify(read)
}

// modify is Modify for an event known to exist (the predicates' and the
// enumerator's inner loops).
func (e *Event) modify(read []byte) []byte {
	if e.ModifyOp == CompareExchange && e.Expected != nil && !bytes.Equal(read, e.Expected) {
		return append([]byte(nil), read...)
	}
	return e.ModifyOp.Apply(read, e.Payload)
}

// IsRead reports whether e reads memory (ReadSharedMemory or
// ReadModifyWriteSharedMemory); false for a nil e.
func (e *Event) IsRead() bool { return e != nil && e.isRead() }

// IsWrite reports whether e writes memory (WriteSharedMemory or
// ReadModifyWriteSharedMemory); false for a nil e.
func (e *Event) IsWrite() bool { return e != nil && e.isWrite() }

// IsMemory reports whether e is a Shared Data Block event; false for a
// nil e.
func (e *Event) IsMemory() bool { return e != nil && e.isMemory() }

// Range returns the event's byte range; the zero Range for a nil e.
func (e *Event) Range() Range {
	if e == nil {
		return Range{}
	}
	return e.byteRange()
}

// isRead, isWrite, isMemory and byteRange are IsRead, IsWrite, IsMemory
// and Range for an event known to exist: the package's loops over
// x.Events call them, without the nil checks of the API's entry points.
func (e *Event) isRead() bool {
	return e.Kind == ReadSharedMemory || e.Kind == ReadModifyWriteSharedMemory
}

func (e *Event) isWrite() bool {
	return e.Kind == WriteSharedMemory || e.Kind == ReadModifyWriteSharedMemory
}

func (e *Event) isMemory() bool { return e.isRead() || e.isWrite() }

func (e *Event) byteRange() Range {
	return Range{Block: e.Block, Start: e.ByteIndex, Size: e.ElementSize}
}

// String describes the event for reports ("<nil>" for a nil e).
func (e *Event) String() string {
	if e == nil {
		return "<nil>"
	}
	if e.Kind == HostEvent {
		return fmt.Sprintf("%s (host)", e.Name)
	}
	s := fmt.Sprintf("%s (%s %s %s", e.Name, e.Kind, e.Order, e.byteRange())
	if e.Kind == ReadModifyWriteSharedMemory {
		s += " " + e.ModifyOp.String()
		if e.Expected != nil {
			s += fmt.Sprintf(" expected % x", e.Expected)
		}
	}
	if e.Line > 0 {
		s += fmt.Sprintf(", line %d", e.Line)
	}
	return s + ")"
}

// Range is the byte range of an event: Size bytes from Start in Block. A
// Range with Size ≤ 0 holds no byte. Intersects, Overlapping, Disjoint and
// Contains are exact for every Range, even one that reaches past the
// largest int (which Execution.Check refuses in an event).
type Range struct {
	Block, Start, Size int
}

// End is one past the last byte of the range: Start+Size, which wraps
// around as int addition does for a range that reaches past the largest
// int.
func (r Range) End() int { return r.Start + r.Size }

// String formats the range as block:[start,end).
func (r Range) String() string {
	return fmt.Sprintf("b%d[%d,%d)", r.Block, r.Start, r.End())
}

// Equal reports whether the ranges are equal (same block, same bytes).
func (r Range) Equal(o Range) bool { return r == o }

// Intersects reports whether the ranges share at least one byte.
func (r Range) Intersects(o Range) bool {
	if r.Block != o.Block || r.Size <= 0 || o.Size <= 0 {
		return false
	}
	// The later start lies in the earlier range. The difference of the
	// starts, taken as a uint, is exact (it lies in [0, 2^64)); End could
	// overflow.
	if r.Start <= o.Start {
		return uint(o.Start-r.Start) < uint(r.Size)
	}
	return uint(r.Start-o.Start) < uint(o.Size)
}

// intersects is Intersects for ranges whose End does not overflow, as for
// the events of a checked execution or program: cheaper, so that
// initBefore, called for every pair of an init write and an event, stays
// inlined.
func (r Range) intersects(o Range) bool {
	return r.Block == o.Block && r.Start < o.End() && o.Start < r.End() && r.Size > 0 && o.Size > 0
}

// Overlapping reports whether the ranges overlap in the spec's sense: same
// block, intersecting, and not equal.
func (r Range) Overlapping(o Range) bool { return r.Intersects(o) && !r.Equal(o) }

// Disjoint reports whether the ranges are neither equal nor overlapping.
func (r Range) Disjoint(o Range) bool { return !r.Intersects(o) && !r.Equal(o) }

// Contains reports whether byte index b of block lies in the range.
func (r Range) Contains(block, b int) bool {
	return r.Block == block && r.Size > 0 && b >= r.Start && uint(b-r.Start) < uint(r.Size)
}

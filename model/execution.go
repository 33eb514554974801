package model

import (
	"errors"
	"fmt"
	"math"
)

// Execution is a candidate execution: the events of every agent in
// agent-order, the reads-bytes-from function, the chosen values, the
// host-synchronizes-with pairs, and optionally a memory-order witness.
//
// Init writes are ordinary events with Order Init; they belong to the agent
// that created the block, like every other event.
type Execution struct {
	// Events holds every event; an EventID is an index into it.
	Events []Event
	// AgentOrder[a] lists agent a's events in agent-order. Every event
	// appears in exactly one list, the one its Agent field names.
	AgentOrder [][]EventID
	// ReadsBytesFrom[r], for a read or read-modify-write r, lists for each
	// byte of r's range the write it takes that byte from (len ==
	// ElementSize). It is nil for other events.
	ReadsBytesFrom [][]EventID
	// ChosenValues[r] is the byte list r's evaluation chose (what the
	// program saw). It is nil for events that do not read.
	ChosenValues [][]byte
	// HostSynchronizesWith lists host-provided pairs (E, D) of host events:
	// E host-synchronizes-with D.
	HostSynchronizesWith [][2]EventID
	// MemoryOrder, when non-nil, is a witness memory-order: every event
	// exactly once. Predicates check it; when it is nil they search for one.
	MemoryOrder []EventID
}

// Name returns the name of event id for reports: its Name, "e<id>" when it
// has none, and "event <id>" for an id that is no event of x (or when x is
// nil).
func (x *Execution) Name(id EventID) string {
	if x == nil || int(id) < 0 || int(id) >= len(x.Events) {
		return fmt.Sprintf("event %d", id)
	}
	if n := x.Events[id].Name; n != "" {
		return n
	}
	return fmt.Sprintf("e%d", id)
}

// Check reports whether x is a well-formed candidate execution: agents and
// agent-order agree, every event has a valid kind, every memory event a
// valid order and a non-empty range that ends below the largest int,
// every read has one source per byte whose range holds that byte and
// which is not the read itself, host-synchronizes-with relates host
// events only, and a memory-order (if given) lists each event once. It
// does not judge validity; that is ValidExecution's job. A nil x is an
// error.
func (x *Execution) Check() error {
	if x == nil {
		return errors.New("model: no execution (nil *Execution)")
	}
	n := len(x.Events)
	seen := make([]bool, n)
	for a, list := range x.AgentOrder {
		for _, id := range list {
			if int(id) < 0 || int(id) >= n {
				return fmt.Errorf("agent %d lists event %d, which does not exist", a, id)
			}
			if seen[id] {
				return fmt.Errorf("event %s appears twice in agent-order", x.Name(id))
			}
			seen[id] = true
			if x.Events[id].Agent != a {
				return fmt.Errorf("event %s says agent %d but is listed by agent %d", x.Name(id), x.Events[id].Agent, a)
			}
		}
	}
	for i := range x.Events {
		e := &x.Events[i]
		id := EventID(i)
		if !seen[i] {
			return fmt.Errorf("event %s is in no agent's events", x.Name(id))
		}
		switch e.Kind {
		case ReadSharedMemory, WriteSharedMemory, ReadModifyWriteSharedMemory, HostEvent:
		default:
			return fmt.Errorf("event %s has no valid kind", x.Name(id))
		}
		if e.Kind == HostEvent {
			continue
		}
		if e.ElementSize <= 0 || e.ByteIndex < 0 {
			return fmt.Errorf("event %s has an empty or negative range %s", x.Name(id), e.byteRange())
		}
		if e.ElementSize > math.MaxInt-e.ByteIndex {
			return fmt.Errorf("event %s: %d bytes at byte index %d reach past the largest int", x.Name(id), e.ElementSize, e.ByteIndex)
		}
		switch {
		case e.Kind == ReadModifyWriteSharedMemory && (e.Order != SeqCst || !e.NoTear):
			return fmt.Errorf("event %s: a ReadModifyWriteSharedMemory event is always seq-cst and NoTear", x.Name(id))
		case e.Kind == ReadSharedMemory && e.Order != SeqCst && e.Order != Unordered:
			return fmt.Errorf("event %s: a ReadSharedMemory event's order is seq-cst or unordered, not %s", x.Name(id), e.Order)
		case e.Kind == WriteSharedMemory && e.Order != SeqCst && e.Order != Unordered && e.Order != Init:
			return fmt.Errorf("event %s: a WriteSharedMemory event has no valid order", x.Name(id))
		}
		if e.isWrite() && len(e.Payload) != e.ElementSize {
			return fmt.Errorf("event %s has a payload of %d bytes for an element size of %d", x.Name(id), len(e.Payload), e.ElementSize)
		}
		if e.Kind == ReadModifyWriteSharedMemory && !e.ModifyOp.Valid() {
			return fmt.Errorf("event %s has no valid ModifyOp", x.Name(id))
		}
		if e.Expected != nil && (e.Kind != ReadModifyWriteSharedMemory || e.ModifyOp != CompareExchange || len(e.Expected) != e.ElementSize) {
			return fmt.Errorf("event %s: Expected is for a compareExchange read-modify-write, %d bytes", x.Name(id), e.ElementSize)
		}
		if e.NoTear && e.ByteIndex%e.ElementSize != 0 {
			return fmt.Errorf("event %s is NoTear but not aligned (%s)", x.Name(id), e.byteRange())
		}
		if !e.isRead() {
			continue
		}
		if i >= len(x.ReadsBytesFrom) || len(x.ReadsBytesFrom[i]) != e.ElementSize {
			return fmt.Errorf("read %s needs reads-bytes-from with one write per byte (%d)", x.Name(id), e.ElementSize)
		}
		for k, w := range x.ReadsBytesFrom[i] {
			if int(w) < 0 || int(w) >= n {
				return fmt.Errorf("read %s byte %d reads from event %d, which does not exist", x.Name(id), e.ByteIndex+k, w)
			}
			if w == id {
				return fmt.Errorf("read %s reads byte %d from itself", x.Name(id), e.ByteIndex+k)
			}
			we := &x.Events[w]
			if !we.isWrite() {
				return fmt.Errorf("read %s byte %d reads from %s, which is not a write", x.Name(id), e.ByteIndex+k, x.Name(w))
			}
			if !we.byteRange().Contains(e.Block, e.ByteIndex+k) {
				return fmt.Errorf("read %s byte %d reads from %s, whose range %s does not hold it", x.Name(id), e.ByteIndex+k, x.Name(w), we.byteRange())
			}
		}
		if i >= len(x.ChosenValues) || x.ChosenValues[i] == nil {
			return fmt.Errorf("read %s has no chosen value", x.Name(id))
		}
	}
	for _, p := range x.HostSynchronizesWith {
		for _, id := range p {
			if int(id) < 0 || int(id) >= n || x.Events[id].Kind != HostEvent {
				return fmt.Errorf("host-synchronizes-with pair (%s, %s) relates a non-host event", x.Name(p[0]), x.Name(p[1]))
			}
		}
	}
	if x.MemoryOrder != nil {
		if len(x.MemoryOrder) != n {
			return fmt.Errorf("memory-order lists %d events, the execution has %d", len(x.MemoryOrder), n)
		}
		in := make([]bool, n)
		for _, id := range x.MemoryOrder {
			if int(id) < 0 || int(id) >= n || in[id] {
				return fmt.Errorf("memory-order is not a permutation of the events (at %d)", id)
			}
			in[id] = true
		}
	}
	return nil
}

// Analysis holds the relations derived from a well-formed candidate
// execution. Its predicate methods implement ECMA-262's validity
// conditions; each returns a nil error when the condition holds and a
// *Violation naming the events that break it otherwise.
//
// Every method first checks that the Analysis is usable: not nil, with an
// X that is well-formed (Execution.Check) and relations over X's events,
// as Analyze makes it. On one that is not (a nil *Analysis, the zero
// Analysis, one built by hand without its relations, one whose X was made
// malformed after Analyze) the predicates and ValueOfReadEvent return an
// error that is not a *Violation and names what is wrong; Races and
// DataRaces return nil, and DataRaceFree false.
type Analysis struct {
	X *Execution
	// AgentOrder: E is-agent-order-before D.
	AgentOrder Relation
	// ReadsFrom: R reads-from W (W supplies at least one byte of R).
	ReadsFrom Relation
	// HostSynchronizesWith as given by the host, as a relation.
	HostSynchronizesWith Relation
	// SynchronizesWith: W synchronizes-with R (seq-cst, equal ranges, R
	// reads-from W), plus host-synchronizes-with.
	SynchronizesWith Relation
	// HappensBefore: the transitive closure of agent-order,
	// synchronizes-with, and init writes before every other event whose
	// range holds their byte.
	HappensBefore Relation
}

// Analyze checks x (see Execution.Check; a nil x is refused) and derives
// its relations; the error is Check's, or says that x has more events than
// a Relation holds (see NewRelation).
func Analyze(x *Execution) (*Analysis, error) {
	if err := x.Check(); err != nil {
		return nil, err
	}
	n := len(x.Events)
	if n > 0 && !relationFits(n) {
		return nil, fmt.Errorf("model: Analyze: the execution has %d events, more than a Relation holds", n)
	}
	a := &Analysis{X: x, AgentOrder: NewRelation(n), ReadsFrom: NewRelation(n),
		HostSynchronizesWith: NewRelation(n), SynchronizesWith: NewRelation(n)}
	for _, list := range x.AgentOrder {
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				a.AgentOrder.set(int(list[i]), int(list[j]))
			}
		}
	}
	for r := range x.Events {
		if !x.Events[r].isRead() {
			continue
		}
		for _, w := range x.ReadsBytesFrom[r] {
			a.ReadsFrom.set(r, int(w))
			if synchronizes(&x.Events[w], &x.Events[r]) {
				a.SynchronizesWith.set(int(w), r)
			}
		}
	}
	for _, p := range x.HostSynchronizesWith {
		a.HostSynchronizesWith.set(int(p[0]), int(p[1]))
		a.SynchronizesWith.set(int(p[0]), int(p[1]))
	}
	hb := NewRelation(n)
	for i := range hb.bits {
		hb.bits[i] = a.AgentOrder.bits[i] | a.SynchronizesWith.bits[i]
	}
	for e := range x.Events {
		if x.Events[e].Order != Init || !x.Events[e].isWrite() {
			continue
		}
		for d := range x.Events {
			if d != e && x.Events[d].isMemory() && initBefore(&x.Events[e], &x.Events[d]) {
				hb.set(e, d)
			}
		}
	}
	a.HappensBefore = hb.TransitiveClosure()
	return a, nil
}

// synchronizes reports whether a read r that reads-from w is synchronized
// with it: both seq-cst with equal ranges.
func synchronizes(w, r *Event) bool {
	return w.Order == SeqCst && r.Order == SeqCst && w.byteRange().Equal(r.byteRange())
}

// initBefore is this package's reading of the happens-before clause for
// init events: an init write happens before every other Shared Data Block
// event whose range holds one of its bytes (equal or overlapping ranges;
// see docs/memory-model.md for why "overlapping" is read this way).
func initBefore(e, d *Event) bool {
	if d.Order == Init {
		return false
	}
	return e.byteRange().intersects(d.byteRange())
}

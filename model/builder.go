package model

import (
	"errors"
	"fmt"
	"strings"
)

// Builder assembles an Execution event by event, for checkers that turn a
// recorded run into a candidate execution and for tests. Events get names
// "<agent>:<index>" unless named; Execution runs Execution.Check, so the
// methods that add events accept any argument and a malformed event shows
// up as Execution's error. The methods return -1 for an event of an agent
// that was not added (Execution then reports it).
//
// The zero Builder is empty, like NewBuilder's. A nil *Builder builds
// nothing: Agent and the methods that add events return -1 (no agent, no
// event), Init returns nil, HostSynchronizesWith does nothing, and
// Execution returns an error.
type Builder struct {
	x      Execution
	agents []string
	err    error
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{} }

// Agent adds an agent and returns its index (-1 for a nil b).
func (b *Builder) Agent(name string) int {
	if b == nil {
		return -1
	}
	b.agents = append(b.agents, name)
	b.x.AgentOrder = append(b.x.AgentOrder, nil)
	return len(b.agents) - 1
}

func (b *Builder) add(e Event) EventID {
	if b == nil {
		return -1
	}
	if e.Agent < 0 || e.Agent >= len(b.agents) {
		if b.err == nil {
			b.err = fmt.Errorf("model: builder: event for agent %d, which was not added", e.Agent)
		}
		return -1
	}
	id := EventID(len(b.x.Events))
	if e.Name == "" {
		e.Name = fmt.Sprintf("%s:%d", b.agents[e.Agent], len(b.x.AgentOrder[e.Agent]))
	}
	b.x.Events = append(b.x.Events, e)
	b.x.AgentOrder[e.Agent] = append(b.x.AgentOrder[e.Agent], id)
	b.x.ReadsBytesFrom = append(b.x.ReadsBytesFrom, nil)
	b.x.ChosenValues = append(b.x.ChosenValues, nil)
	return id
}

// Init appends the init writes of a new block (one 1-byte write per byte
// of contents) to agent's events, as CreateSharedByteDataBlock does, and
// returns them by byte index (nil for a nil b).
func (b *Builder) Init(agent, block int, contents []byte) []EventID {
	if b == nil {
		return nil
	}
	ids := make([]EventID, len(contents))
	for i, c := range contents {
		ids[i] = b.add(Event{Kind: WriteSharedMemory, Agent: agent, Name: fmt.Sprintf("init[%d]", i), Order: Init, NoTear: true,
			Block: block, ByteIndex: i, ElementSize: 1, Payload: []byte{c}})
	}
	return ids
}

// Write appends a WriteSharedMemory event of payload at block[index].
func (b *Builder) Write(agent int, o Order, noTear bool, block, index int, payload []byte) EventID {
	return b.add(Event{Kind: WriteSharedMemory, Agent: agent, Order: o, NoTear: noTear, Block: block, ByteIndex: index,
		ElementSize: len(payload), Payload: append([]byte(nil), payload...)})
}

// Read appends a ReadSharedMemory event of size bytes at block[index] that
// takes byte i from sources[i] and returned chosen.
func (b *Builder) Read(agent int, o Order, noTear bool, block, index, size int, sources []EventID, chosen []byte) EventID {
	id := b.add(Event{Kind: ReadSharedMemory, Agent: agent, Order: o, NoTear: noTear, Block: block, ByteIndex: index, ElementSize: size})
	b.setRead(id, sources, chosen)
	return id
}

// ReadModifyWrite appends a ReadModifyWriteSharedMemory event (seq-cst,
// NoTear) applying m with payload at block[index]; it takes byte i from
// sources[i] and read chosen.
func (b *Builder) ReadModifyWrite(agent int, m ModifyOp, block, index int, payload []byte, sources []EventID, chosen []byte) EventID {
	id := b.add(Event{Kind: ReadModifyWriteSharedMemory, Agent: agent, Order: SeqCst, NoTear: true, Block: block, ByteIndex: index,
		ElementSize: len(payload), Payload: append([]byte(nil), payload...), ModifyOp: m})
	b.setRead(id, sources, chosen)
	return id
}

func (b *Builder) setRead(id EventID, sources []EventID, chosen []byte) {
	if b == nil || id < 0 {
		return
	}
	b.x.ReadsBytesFrom[id] = append([]EventID(nil), sources...)
	b.x.ChosenValues[id] = append([]byte{}, chosen...)
}

// Host appends a host event (agent start or finish, Queue send or
// receive, a transfer) named name.
func (b *Builder) Host(agent int, name string) EventID {
	return b.add(Event{Kind: HostEvent, Agent: agent, Name: name})
}

// HostSynchronizesWith records that host event e host-synchronizes-with d.
func (b *Builder) HostSynchronizesWith(e, d EventID) {
	if b == nil {
		return
	}
	b.x.HostSynchronizesWith = append(b.x.HostSynchronizesWith, [2]EventID{e, d})
}

// Execution returns the built execution after Execution.Check: its error
// for a malformed execution, the first event of an agent that was not
// added, or a nil b.
func (b *Builder) Execution() (*Execution, error) {
	if b == nil {
		return nil, errors.New("model: builder: nil *Builder")
	}
	if b.err != nil {
		return nil, b.err
	}
	x := b.x
	if err := x.Check(); err != nil {
		return nil, err
	}
	return &x, nil
}

// String lists the execution agent by agent: each event with its kind,
// order and range, what a read took each byte from and the value it
// returned, then the host-synchronizes-with pairs and the memory-order
// (when given). A nil x prints as "<nil>".
func (x *Execution) String() string {
	if x == nil {
		return "<nil>"
	}
	var s strings.Builder
	for a, list := range x.AgentOrder {
		fmt.Fprintf(&s, "agent %d:\n", a)
		for _, id := range list {
			if int(id) < 0 || int(id) >= len(x.Events) {
				fmt.Fprintf(&s, "  ?%d\n", id)
				continue
			}
			e := &x.Events[id]
			fmt.Fprintf(&s, "  %s", e.String())
			if e.isWrite() {
				fmt.Fprintf(&s, " payload % x", e.Payload)
			}
			if e.isRead() && int(id) < len(x.ReadsBytesFrom) {
				names := make([]string, len(x.ReadsBytesFrom[id]))
				for i, w := range x.ReadsBytesFrom[id] {
					names[i] = x.Name(w)
				}
				fmt.Fprintf(&s, " reads-bytes-from [%s]", strings.Join(names, " "))
				if int(id) < len(x.ChosenValues) {
					fmt.Fprintf(&s, " = % x", x.ChosenValues[id])
				}
			}
			s.WriteString("\n")
		}
	}
	for _, p := range x.HostSynchronizesWith {
		fmt.Fprintf(&s, "host-synchronizes-with %s -> %s\n", x.Name(p[0]), x.Name(p[1]))
	}
	if x.MemoryOrder != nil {
		names := make([]string, len(x.MemoryOrder))
		for i, id := range x.MemoryOrder {
			names[i] = x.Name(id)
		}
		fmt.Fprintf(&s, "memory-order %s\n", strings.Join(names, " < "))
	}
	return s.String()
}

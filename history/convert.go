package history

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"github.com/sabre-mm/sabre/model"
)

// Conversion is a history as a model.Execution, with the map back to the
// history's events.
type Conversion struct {
	// Execution is the candidate execution. Its agents are the history's
	// agents in ID order (AgentOrder[a] lists agent Agents[a]'s events),
	// followed by one single-event agent per event that is in no agent's
	// agent-order (events of agent 0 and WaitSettle events).
	Execution *model.Execution
	// Agents[a] is the history's agent ID of model agent a (0 for the
	// single-event agents).
	Agents []int
	// Source[id] is the index in History.Events of the event that model
	// event id stands for. An Init event becomes one 1-byte init write per
	// byte it covers (ECMA-262's initial writes) and a Wait that was woken
	// becomes its seq-cst read and a host event; all map to their source.
	Source []int
	// Blocks[b] is the buffer ID of model block b. A buffer whose bytes an
	// ArrayBuffer transfer moved without copying (Event.Stored) is the same
	// block as the buffer it came from.
	Blocks []uint64
	// Unique[id], for a read, reports whether each of its bytes had exactly
	// one candidate source (a write of that byte, of the value read, that
	// began before the read returned): then reads-bytes-from is what the
	// run did. Otherwise the candidate ToExecution chose is a guess that a
	// checker should revisit.
	Unique []bool
}

// ToExecution converts a history into a model.Execution that passes
// Execution.Check: Convert(h).Execution.
func ToExecution(h *History) (*model.Execution, error) {
	c, err := Convert(h)
	if err != nil {
		return nil, err
	}
	return c.Execution, nil
}

// Convert turns h (which must pass Validate) into a candidate execution:
//
//   - Read, Write and RMW events become ReadSharedMemory,
//     WriteSharedMemory and ReadModifyWriteSharedMemory events with their
//     Order, NoTear, range, payload (an RMW's Operand) and ModifyOp; a
//     failing compareExchange is a ReadSharedMemory event (tc39/ecma262
//     PR #2250).
//   - An Init event becomes 1-byte init writes of zero, one per byte it
//     covers that some memory event of the history touches (bytes no event
//     touches cannot matter to any relation).
//   - A Wait becomes a seq-cst ReadSharedMemory event (its value check)
//     between two host events, its entry to and exit from the waiter
//     list's critical section; if a Notify woke it (Sync ≠ 0), a host event
//     follows them in agent-order.
//   - The critical sections of one waiter list (the waits and notifies of
//     one location, in Call order) synchronize each with the next: a
//     host-synchronizes-with pair from each one's exit to the next one's
//     entry (a Notify's host event is both), as ECMA-262's
//     EnterCriticalSection and LeaveCriticalSection order them with
//     Synchronize events.
//   - Every other event is a host event. Events sharing a Sync token are
//     host-synchronizes-with pairs, from the sending end (AgentStart,
//     AgentEnd, QueuePut, Notify) to the receiving ends (AgentBegin,
//     AgentJoin, QueueGet, the Wait's host event, WaitSettle).
//   - Reads-bytes-from: for each byte a read returned, the write of that
//     byte and value that began last before the read returned (Unique says
//     where that was the only candidate). ChosenValues are the bytes read.
//
// It returns a *FormatError for a history that fails Validate, and an error
// naming the read and the byte when a read returned a value no recorded
// write (nor the initial zero) could have given it: such a history is
// incomplete (recording began after the write) or wrong.
func Convert(h *History) (*Conversion, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	c := &conv{h: h, out: &Conversion{Execution: &model.Execution{}}, block: map[uint64]int{}}
	c.blocks()
	c.agents()
	if err := c.events(); err != nil {
		return nil, err
	}
	c.hostSync()
	if err := c.readsBytesFrom(); err != nil {
		return nil, err
	}
	return c.out, nil
}

type conv struct {
	h     *History
	out   *Conversion
	block map[uint64]int // buffer ID → model block
	agent map[int]int    // history agent ID → model agent
	ids   [][]int        // per model agent: history event indices in agent-order
	first []model.EventID
	// touched[b]: the bytes of block b that some memory event other than
	// Init accesses, sorted.
	touched map[int][]int
	// inited: the bytes whose init write has been made.
	inited map[[2]int]bool
	// recv / send: model events per Sync token.
	send, recv map[uint64][]model.EventID
	// cs: the critical sections of each waiter list (block, byte index).
	cs map[[2]int][]csEvent
}

func (c *conv) blocks() {
	// A move (Transfer with Stored) aliases the new buffer to the old one's block.
	alias := map[uint64]uint64{}
	for i := range c.h.Events {
		e := &c.h.Events[i]
		if e.Kind == EvTransfer && e.Stored && e.Peer != 0 {
			alias[e.Peer] = e.Buffer
		}
	}
	// root follows a buffer's aliases to the buffer whose memory it is,
	// remembering every answer (so a chain of n moves costs n, not n²); a
	// cycle ends where it closes.
	roots := map[uint64]uint64{}
	root := func(id uint64) uint64 {
		var path []uint64
		r := id
		for {
			if known, ok := roots[r]; ok {
				r = known
				break
			}
			p, ok := alias[r]
			if !ok || slices.Contains(path, r) {
				break
			}
			path = append(path, r)
			r = p
		}
		for _, x := range path {
			roots[x] = r
		}
		return r
	}
	ids := make([]uint64, 0, len(c.h.Buffers))
	for _, b := range c.h.Buffers {
		ids = append(ids, b.ID)
	}
	for _, id := range ids {
		r := root(id)
		if _, ok := c.block[r]; !ok {
			c.block[r] = len(c.out.Blocks)
			c.out.Blocks = append(c.out.Blocks, r)
		}
		c.block[id] = c.block[r]
	}
}

func (c *conv) agents() {
	c.agent = map[int]int{}
	var ids []int
	for i := range c.h.Events {
		e := &c.h.Events[i]
		if e.Agent != 0 && e.Kind != EvWaitSettle {
			if _, ok := c.agent[e.Agent]; !ok {
				c.agent[e.Agent] = -1
				ids = append(ids, e.Agent)
			}
		}
	}
	slices.Sort(ids)
	for a, id := range ids {
		c.agent[id] = a
	}
	c.out.Agents = ids
	c.ids = make([][]int, len(ids))
	for i := range c.h.Events {
		e := &c.h.Events[i]
		if e.Agent != 0 && e.Kind != EvWaitSettle {
			a := c.agent[e.Agent]
			c.ids[a] = append(c.ids[a], i)
		} else {
			c.out.Agents = append(c.out.Agents, 0)
			c.ids = append(c.ids, []int{i})
		}
	}
	for _, l := range c.ids {
		slices.SortFunc(l, func(x, y int) int { return cmp.Compare(c.h.Events[x].Seq, c.h.Events[y].Seq) })
	}
	seen := map[[2]int]bool{}
	c.touched = map[int][]int{}
	for i := range c.h.Events {
		e := &c.h.Events[i]
		if e.Kind.IsMemory() && e.Kind != EvInit {
			b := c.block[e.Buffer]
			for k := 0; k < e.Size; k++ {
				if key := [2]int{b, e.ByteIndex + k}; !seen[key] {
					seen[key] = true
					c.touched[b] = append(c.touched[b], e.ByteIndex+k)
				}
			}
		}
	}
	for _, l := range c.touched {
		slices.Sort(l)
	}
}

func (c *conv) add(a, src int, ev model.Event) model.EventID {
	x := c.out.Execution
	id := model.EventID(len(x.Events))
	ev.Agent = a
	e := &c.h.Events[src]
	if ev.Name == "" {
		ev.Name = fmt.Sprintf("a%d#%d", e.Agent, e.Seq)
	}
	x.Events = append(x.Events, ev)
	x.AgentOrder[a] = append(x.AgentOrder[a], id)
	c.out.Source = append(c.out.Source, src)
	return id
}

func (c *conv) events() error {
	x := c.out.Execution
	x.AgentOrder = make([][]model.EventID, len(c.ids))
	c.send, c.recv = map[uint64][]model.EventID{}, map[uint64][]model.EventID{}
	c.inited = map[[2]int]bool{}
	for a, list := range c.ids {
		for _, i := range list {
			e := &c.h.Events[i]
			blk := c.block[e.Buffer]
			mem := model.Event{Order: e.Order, NoTear: e.NoTear, Block: blk, ByteIndex: e.ByteIndex, ElementSize: e.Size}
			switch e.Kind {
			case EvInit:
				// Only the touched bytes of [ByteIndex, ByteIndex+Size), and
				// each once however many Init events cover it: a cost in the
				// events, not in the bytes a buffer has.
				t := c.touched[blk]
				for j := sort.SearchInts(t, e.ByteIndex); j < len(t) && t[j] < e.ByteIndex+e.Size; j++ {
					if c.inited[[2]int{blk, t[j]}] {
						continue
					}
					c.inited[[2]int{blk, t[j]}] = true
					c.add(a, i, model.Event{Kind: model.WriteSharedMemory, Order: model.Init, Block: blk, ByteIndex: t[j],
						ElementSize: 1, Payload: []byte{0}, Name: fmt.Sprintf("init b%d[%d]", e.Buffer, t[j])})
				}
			case EvRead:
				mem.Kind = model.ReadSharedMemory
				c.add(a, i, mem)
			case EvWait:
				// The waiter list's critical section: entered before the
				// value check, left after it (ECMA-262 EnterCriticalSection
				// and LeaveCriticalSection, whose Synchronize events order
				// the critical sections of one list).
				enter := c.add(a, i, model.Event{Kind: model.HostEvent, Name: fmt.Sprintf("a%d#%d enter", e.Agent, e.Seq)})
				mem.Kind = model.ReadSharedMemory
				c.add(a, i, mem)
				leave := c.add(a, i, model.Event{Kind: model.HostEvent, Name: fmt.Sprintf("a%d#%d leave", e.Agent, e.Seq)})
				c.critical(blk, e, enter, leave)
				if e.Sync != 0 {
					id := c.add(a, i, model.Event{Kind: model.HostEvent, Name: fmt.Sprintf("a%d#%d wake", e.Agent, e.Seq)})
					c.recv[e.Sync] = append(c.recv[e.Sync], id)
				}
			case EvWrite:
				mem.Kind, mem.Payload = model.WriteSharedMemory, toBytes(e.Written, e.Size)
				c.add(a, i, mem)
			case EvRMW:
				mem.Kind, mem.Payload, mem.ModifyOp = model.ReadModifyWriteSharedMemory, toBytes(e.Operand, e.Size), e.ModifyOp
				c.add(a, i, mem)
			default:
				id := c.add(a, i, model.Event{Kind: model.HostEvent, Name: fmt.Sprintf("a%d#%d %s", e.Agent, e.Seq, e.Kind)})
				if e.Kind == EvNotify {
					c.critical(blk, e, id, id)
				}
				if e.Sync != 0 {
					switch e.Kind {
					case EvAgentStart, EvAgentEnd, EvQueuePut, EvNotify:
						c.send[e.Sync] = append(c.send[e.Sync], id)
					case EvAgentBegin, EvAgentJoin, EvQueueGet, EvWaitSettle:
						c.recv[e.Sync] = append(c.recv[e.Sync], id)
					}
				}
			}
		}
	}
	return nil
}

// csEvent is one critical section of a waiter list: the model events
// that enter and leave it.
type csEvent struct {
	call         int64
	enter, leave model.EventID
}

// critical notes a critical section of the waiter list of e's location.
func (c *conv) critical(blk int, e *Event, enter, leave model.EventID) {
	if c.cs == nil {
		c.cs = map[[2]int][]csEvent{}
	}
	k := [2]int{blk, e.ByteIndex}
	c.cs[k] = append(c.cs[k], csEvent{e.Call, enter, leave})
}

func (c *conv) hostSync() {
	x := c.out.Execution
	// Each critical section of a waiter list synchronizes with the next
	// (their order is that of the events' Call instants, taken inside the
	// critical section).
	locs := make([][2]int, 0, len(c.cs))
	for k := range c.cs {
		locs = append(locs, k)
	}
	slices.SortFunc(locs, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, k := range locs {
		l := c.cs[k]
		slices.SortStableFunc(l, func(a, b csEvent) int { return cmp.Compare(a.call, b.call) })
		for i := 1; i < len(l); i++ {
			x.HostSynchronizesWith = append(x.HostSynchronizesWith, [2]model.EventID{l[i-1].leave, l[i].enter})
		}
	}
	tokens := make([]uint64, 0, len(c.send))
	for t := range c.send {
		tokens = append(tokens, t)
	}
	slices.Sort(tokens)
	for _, t := range tokens {
		for _, s := range c.send[t] {
			for _, r := range c.recv[t] {
				x.HostSynchronizesWith = append(x.HostSynchronizesWith, [2]model.EventID{s, r})
			}
		}
	}
}

// readsBytesFrom chooses, for each byte of each read, the write of that
// byte and value that began last before the read returned.
func (c *conv) readsBytesFrom() error {
	x := c.out.Execution
	n := len(x.Events)
	x.ReadsBytesFrom = make([][]model.EventID, n)
	x.ChosenValues = make([][]byte, n)
	c.out.Unique = make([]bool, n)
	// writers[(block, byte, value)]: the writes of that value to that byte,
	// by call instant.
	writers := map[[3]int][]model.EventID{}
	call := func(id model.EventID) int64 {
		if x.Events[id].Order == model.Init {
			return -1 << 62 // the initial writes precede everything
		}
		return c.h.Events[c.out.Source[id]].Call
	}
	for id := range x.Events {
		e := &x.Events[id]
		if e.IsWrite() {
			for k := 0; k < e.ElementSize; k++ {
				key := [3]int{e.Block, e.ByteIndex + k, int(c.byteWritten(model.EventID(id), e.ByteIndex+k))}
				writers[key] = append(writers[key], model.EventID(id))
			}
		}
	}
	for _, ws := range writers {
		slices.SortStableFunc(ws, func(a, b model.EventID) int { return cmp.Compare(call(a), call(b)) })
	}
	for id := range x.Events {
		e := &x.Events[id]
		if !e.IsRead() {
			continue
		}
		src := &c.h.Events[c.out.Source[id]]
		val := toBytes(src.Read, e.ElementSize)
		rbf := make([]model.EventID, e.ElementSize)
		unique := true
		for k := range rbf {
			ws := writers[[3]int{e.Block, e.ByteIndex + k, int(val[k])}]
			// The candidates are the writes that began before the read
			// returned, but not the read itself (an RMW that wrote back the
			// byte it read is a writer of this value too): constant time,
			// not a scan, as one value may be written very often.
			n := sort.Search(len(ws), func(j int) bool { return call(ws[j]) > src.Return })
			self := e.IsWrite() && c.byteWritten(model.EventID(id), e.ByteIndex+k) == val[k]
			count := n
			if self {
				count--
			}
			if count <= 0 {
				return fmt.Errorf("history: event %d (%v) read %#02x at byte %d of buffer %d, which no recorded write (nor the initial zero) wrote before it returned: the history is incomplete or wrong",
					c.out.Source[id], src.Ref(), val[k], e.ByteIndex+k, src.Buffer)
			}
			latest := ws[n-1]
			if latest == model.EventID(id) {
				latest = ws[n-2]
			}
			rbf[k] = latest
			unique = unique && count == 1
		}
		x.ReadsBytesFrom[id] = rbf
		x.ChosenValues[id] = val
		c.out.Unique[id] = unique
	}
	return nil
}

// byteWritten returns the byte write w wrote at byte index b: for an RMW,
// what its ModifyOp produced (the history's Written).
func (c *conv) byteWritten(w model.EventID, b int) byte {
	e := &c.out.Execution.Events[w]
	if e.Kind == model.ReadModifyWriteSharedMemory {
		src := &c.h.Events[c.out.Source[w]]
		return byte(src.Written >> (8 * (b - e.ByteIndex)))
	}
	return e.Payload[b-e.ByteIndex]
}

package scenarios

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/history"
)

// Exhaustive returns the strategy that explores every execution of a
// scenario the model allows: a stateless depth-first search over the
// choices that matter, re-running the agents from the start for each
// execution.
//
// The choices: what each read returns — its default (the latest write in
// the schedule), or any other value of Alternatives, including values its
// peers write only later in the schedule (load buffering) — and, where no
// option is Local (SchedChoice.Canonical is -1), the order of operations
// that do not commute: waits, notifies, queue operations, read-modify-writes,
// grows, transfers, and timeouts, with sleep sets (Godefroid 1996) so that
// operations on different objects are not ordered both ways. Local steps
// follow the canonical round-robin schedule: with reads free to return any
// write's value, their order does not change which executions are reachable
// (docs/scenarios.md gives the argument). Each completed execution is
// checked against the model; the values its writes wrote are learned, and
// the search runs another round if a read was explored before a value it
// could return was learned, until nothing new is learned (the values of
// out-of-thin-air executions are never learned, so none is reached).
// Executions that repeat a graph are counted (Stats.Redundant,
// Stats.SleepBlocked).
//
// limit bounds the values explored per read (≤ 0: 4096); past it the
// exploration is not Complete. The strategy is exhaustive only for finite
// scenarios: a loop that may spin forever is cut at the step budget
// (Options.MaxSteps, Scenario.MaxSteps).
func Exhaustive(limit int) Strategy {
	if limit <= 0 {
		limit = 4096
	}
	return &exhaustive{limit: limit}
}

// PlainDFS is Exhaustive without its reduction: it branches at every
// scheduling point on every option, as a plain depth-first search of the
// interleavings does. It reaches the same outcomes with many more
// executions; it is here to measure what the reduction saves.
func PlainDFS(limit int) Strategy {
	e := Exhaustive(limit).(*exhaustive)
	e.plain = true
	return e
}

type exhaustive struct {
	limit     int
	plain     bool // no reduction: branch at every scheduling point
	stack     []xnode
	depth     int
	k         *Knowledge
	popped    map[Loc]uint64 // reads whose alternatives were exhausted, with the knowledge version then
	pruneVer  uint64         // the knowledge version at the round's first pruning (0: none)
	pruned    bool
	graphs    map[[32]byte]bool
	redund    int
	blocked   int      // executions cut because every option slept
	sleep     []Option // the sleep set where the execution is
	rounds    int
	truncated bool
}

type xnode struct {
	read  bool
	sleep []Option // the options asleep when the search reached it
	fp    uint64   // the execution's fingerprint at the choice
	// a scheduling choice
	options []Option // copied: the signature a replay must meet
	// a read
	agent int
	loc   Loc
	vals  [][]byte
	def   []byte
	alts  [][]byte // alts[0] is nil: the default
	tried int
}

func (e *exhaustive) Name() string {
	if e.plain {
		return "plain-dfs"
	}
	return "exhaustive"
}

func (e *exhaustive) Start(n int) bool {
	if n == 0 {
		e.stack, e.popped, e.graphs, e.redund, e.rounds, e.truncated, e.blocked = nil, map[Loc]uint64{}, map[[32]byte]bool{}, 0, 1, false, 0
	} else if len(e.stack) == 0 {
		// A round is over: another if a read was exhausted before a value
		// it could return was learned.
		again := e.pruned && e.k != nil && e.k.Version() > e.pruneVer
		for l, v := range e.popped {
			if e.k != nil && e.k.ChangedSince(l, v) {
				again = true
				break
			}
		}
		if !again {
			return false
		}
		clear(e.popped)
		e.pruned = false
		e.rounds++
	}
	e.depth, e.sleep = 0, nil
	return true
}

func (e *exhaustive) Schedule(c *SchedChoice) int {
	if c.Canonical >= 0 && (!e.plain || len(c.Options) == 1) {
		return c.Canonical
	}
	d := e.depth
	e.depth++
	if d < len(e.stack) {
		nd := &e.stack[d]
		if nd.read || !sameOptions(nd.options, c.Options) || nd.fp != c.Fingerprint {
			c.Abort(FailNondeterminism, fmt.Sprintf("replaying choice %d, the agents did something else before it (their operations differ) or the execution offered %s where it had offered %s", d+1, optionsText(c.Options), e.nodeText(nd)))
			return 0
		}
		e.sleep = nd.childSleep()
		return nd.tried
	}
	nd := xnode{options: slices.Clone(c.Options), fp: c.Fingerprint, sleep: e.sleep, tried: -1}
	for i := range nd.options {
		op := *nd.options[i].Op
		nd.options[i].Op = &op
	}
	if e.plain {
		nd.sleep = nil
	}
	nd.tried = nd.nextAwake(-1)
	if nd.tried < 0 {
		// Every option sleeps: each leads to an execution a sibling
		// explores (sleep sets, Godefroid 1996): this one is redundant.
		e.blocked++
		c.Abort(failRedundant, "every option sleeps")
		return 0
	}
	e.stack = append(e.stack, nd)
	e.sleep = nd.childSleep()
	return nd.tried
}

// nextAwake returns the first option after i that is not asleep at the
// node, or -1.
func (nd *xnode) nextAwake(i int) int {
	for j := i + 1; j < len(nd.options); j++ {
		if !nd.asleep(nd.options[j]) {
			return j
		}
	}
	return -1
}

func (nd *xnode) asleep(o Option) bool {
	for _, s := range nd.sleep {
		if s.Agent == o.Agent && s.Timeout == o.Timeout {
			return true
		}
	}
	return false
}

// childSleep is the sleep set below the node's chosen option: the options
// asleep at the node and those its search explored before (they lead to
// the same executions whichever comes first), but for those that do not
// commute with the chosen one.
func (nd *xnode) childSleep() []Option {
	chosen := nd.options[nd.tried]
	var out []Option
	add := func(o Option) {
		if independent(o, chosen) {
			out = append(out, o)
		}
	}
	for _, o := range nd.sleep {
		add(o)
	}
	for j := 0; j < nd.tried; j++ {
		if !nd.asleep(nd.options[j]) {
			add(nd.options[j])
		}
	}
	return out
}

// independent reports whether two options of different agents commute:
// their operations touch different objects (a waiter list, a queue, a
// buffer whose length or read-modify-writes they race on). Anything else,
// and anything this does not know, is dependent.
func independent(a, b Option) bool {
	if a.Agent == b.Agent {
		return false
	}
	oa, ka := object(a.Op)
	ob, kb := object(b.Op)
	return ka && kb && oa != ob
}

type objKey struct {
	kind byte
	id   uint64
	at   int
}

// object is the object an operation orders against others: a waiter list
// (its location), a queue, or a buffer (read-modify-writes, grows,
// transfers, accesses to a growable buffer); false for an operation this
// does not know (an agent's begin in a world with a growable buffer
// orders against every grow: dependent on everything).
func object(op *history.Event) (objKey, bool) {
	switch op.Kind {
	case history.EvWait, history.EvNotify:
		return objKey{'w', op.Buffer, op.ByteIndex}, true
	case history.EvQueuePut, history.EvQueueGet:
		return objKey{'q', op.Peer, 0}, true
	case history.EvRMW, history.EvRead, history.EvWrite, history.EvInit, history.EvGrow, history.EvTransfer:
		return objKey{'b', op.Buffer, 0}, true
	}
	return objKey{}, false
}

func (e *exhaustive) Read(c *ReadChoice) []byte {
	e.k = c.Knowledge()
	d := e.depth
	e.depth++
	if d < len(e.stack) {
		nd := &e.stack[d]
		if !nd.read || nd.agent != c.Agent || nd.loc != c.Loc || nd.fp != c.Fingerprint {
			c.Abort(FailNondeterminism, fmt.Sprintf("replaying choice %d, the agents did something else before it (their operations differ) or agent %d read %v where the earlier execution had %s", d+1, c.Agent, c.Loc, e.nodeText(nd)))
			return nil
		}
		return nd.alts[nd.tried]
	}
	alts, trunc := Alternatives(c, e.limit)
	e.truncated = e.truncated || trunc
	e.stack = append(e.stack, xnode{read: true, fp: c.Fingerprint, agent: c.Agent, loc: c.Loc, vals: c.Values(), def: c.Default, alts: append([][]byte{nil}, alts...)})
	return nil
}

func (e *exhaustive) Finish(x *Execution) {
	if x.Pruned && e.k != nil && (!e.pruned || e.k.Version() < e.pruneVer) {
		e.pruned, e.pruneVer = true, e.k.Version()
	}
	if x.Status == Allowed && x.Outcome != nil {
		g := graphKey(x.Outcome.History())
		if e.graphs[g] {
			e.redund++
		}
		e.graphs[g] = true
	}
	// Backtrack: the deepest choice with an alternative left takes it.
	e.stack = e.stack[:min(e.depth, len(e.stack))]
	for len(e.stack) > 0 {
		nd := &e.stack[len(e.stack)-1]
		if nd.read {
			e.extend(nd)
		}
		if !nd.read {
			if next := nd.nextAwake(nd.tried); next >= 0 {
				nd.tried = next
				return
			}
		} else if nd.tried+1 < len(nd.alts) {
			nd.tried++
			return
		}
		if nd.read && e.k != nil {
			if v, ok := e.popped[nd.loc]; !ok || e.k.Version() < v {
				e.popped[nd.loc] = e.k.Version()
			}
		}
		e.stack = e.stack[:len(e.stack)-1]
	}
}

// extend adds to a read's alternatives the values learned since it was
// first explored.
func (e *exhaustive) extend(nd *xnode) {
	if e.k == nil {
		return
	}
	grew := false
	for i := range nd.vals {
		if s := e.k.at(nd.loc.Buf, nd.loc.ByteIndex+i); s != nil {
			var set byteSet
			for _, v := range nd.vals[i] {
				set.add(v)
			}
			before := len(nd.vals[i])
			set.union(s)
			nd.vals[i] = set.appendTo(nd.vals[i][:0])
			grew = grew || len(nd.vals[i]) != before
		}
	}
	if !grew {
		return
	}
	have := map[string]bool{string(nd.def): true}
	for _, a := range nd.alts[1:] {
		have[string(a)] = true
	}
	if !product(nd.vals, func(v []byte) bool {
		if have[string(v)] {
			return true
		}
		if len(nd.alts) > e.limit {
			return false
		}
		have[string(v)] = true
		nd.alts = append(nd.alts, v)
		return true
	}) {
		e.truncated = true
	}
}

func (e *exhaustive) counts() (redundant, rounds int) { return e.redund, e.rounds }

func (e *exhaustive) searches() searchKind { return searchAll }

// sleepBlocked counts the executions cut short because every option slept.
func (e *exhaustive) sleepBlocked() int { return e.blocked }

// incomplete reports whether a read had more values than the limit, so
// that some were not explored.
func (e *exhaustive) incomplete() bool { return e.truncated }

func (e *exhaustive) nodeText(nd *xnode) string {
	if nd.read {
		return fmt.Sprintf("a read by agent %d of %v", nd.agent, nd.loc)
	}
	return optionsText(nd.options)
}

func sameOptions(a, b []Option) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Agent != b[i].Agent || a[i].Timeout != b[i].Timeout || a[i].Op.Kind != b[i].Op.Kind {
			return false
		}
	}
	return true
}

func optionsText(os []Option) string {
	s := "["
	for i, o := range os {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %s", o.Name, describe(o.Op))
		if o.Timeout {
			s += " times out"
		}
	}
	return s + "]"
}

// graphKey hashes an execution graph: the events of each agent in
// agent-order with the values they read and wrote and their results, and
// the host-synchronizes-with pairs — agents, buffers and tokens numbered
// canonically (by creation order), so that equal graphs of different
// executions have equal keys.
func graphKey(h *history.History) [32]byte {
	rank := func(ids []uint64) map[uint64]uint64 {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		m := make(map[uint64]uint64, len(ids))
		for i, id := range ids {
			m[id] = uint64(i)
		}
		return m
	}
	var agents, bufs []uint64
	for i := range h.Events {
		agents = append(agents, uint64(h.Events[i].Agent))
		bufs = append(bufs, h.Events[i].Buffer)
	}
	ar, br := rank(agents), rank(bufs)
	order := make([]int, len(h.Events))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ea, eb := &h.Events[a], &h.Events[b]
		if ea.Agent != eb.Agent {
			return int(ar[uint64(ea.Agent)]) - int(ar[uint64(eb.Agent)])
		}
		if ea.Seq != eb.Seq {
			if ea.Seq < eb.Seq {
				return -1
			}
			return 1
		}
		return a - b
	})
	sender := map[uint64][2]uint64{}
	for _, i := range order {
		e := &h.Events[i]
		switch e.Kind {
		case history.EvAgentStart, history.EvAgentEnd, history.EvQueuePut, history.EvNotify:
			if e.Sync != 0 {
				sender[e.Sync] = [2]uint64{ar[uint64(e.Agent)], e.Seq}
			}
		}
	}
	hs := sha256.New()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		hs.Write(buf[:])
	}
	for _, i := range order {
		e := &h.Events[i]
		put(ar[uint64(e.Agent)])
		put(e.Seq)
		put(uint64(e.Kind))
		hs.Write([]byte(e.Op))
		put(br[e.Buffer])
		put(uint64(e.ByteIndex))
		put(uint64(e.Size))
		put(e.Read)
		put(e.Written)
		hs.Write([]byte(e.Result))
		put(uint64(e.Count))
		if s, ok := sender[e.Sync]; ok && e.Sync != 0 {
			switch e.Kind {
			case history.EvAgentStart, history.EvAgentEnd, history.EvQueuePut, history.EvNotify:
			default:
				put(s[0] + 1)
				put(s[1])
			}
		}
	}
	var k [32]byte
	copy(k[:], hs.Sum(nil))
	return k
}

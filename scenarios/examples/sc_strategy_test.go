package examples_test

import (
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
)

// The primitives' tests explore sequentially consistent interleavings
// only, with two strategies defined here: scDFS (every interleaving of
// the synchronizing operations, depth first, with sleep sets) and
// defaultReads (another strategy's schedules, every read returning the
// latest write). Why not scenarios.Exhaustive, which also reaches the
// executions where reads return older or later values:
//
//   - Cost. Exhaustive lets each read return any combination, byte by
//     byte, of the values written there, and leaves the model to reject
//     the combinations it forbids. A futex's retry loop (Atomics.wait that
//     returns "not-equal", then another read-modify-write) multiplies
//     them: Mutex+2x1 under es2024 ran 33,765 executions in 40 s (33,763
//     rejected) without completing (TestExplorerBugFutexExhaustiveCost).
//   - Soundness of the linearizability check. World.Call stamps operations
//     with the schedule's order, but Exhaustive does not interleave local
//     steps (loads, stores, plain accesses): it runs them in a canonical
//     order and reaches other orders through the values reads return. An
//     execution whose read returns a value written later in the schedule
//     is allowed because another order explains it, and its operations'
//     instants are then not the real-time order of any execution: correct
//     objects fail CheckLinearizable (TestExplorerBugCallClockWeakReads).
//
// With every read returning the latest write in the schedule, each
// execution is an interleaving, its operations' instants are real time,
// and the model need not be consulted (every model allows it). Under
// es2024 that is enough: each scenario runs checker.Race on every
// execution, and a program none of whose sequentially consistent
// executions has a data race has only sequentially consistent executions
// (SC-DRF, ECMA-262's memory model, "Shared Memory Guidelines"; tc39/ecma262
// PR #1511). The plain accesses, which a race-free program orders by
// synchronization, are not interleaved (scDFS runs them as they come):
// their order changes no happens-before edge, so a race shows whatever
// their order.

// scDFS is a depth-first search of the interleavings of the synchronizing
// operations — seq-cst accesses (read-modify-writes, Atomics.load and
// store, compareExchange), waits, notifies, queue operations and
// timeouts — with sleep sets (Godefroid 1996) over operations on
// different locations. Plain (Unordered) accesses and the host's agent
// steps are not choices: the current agent goes on with them, else the
// lowest slot that has one. Every read returns the latest write.
type scDFS struct {
	stack    []scNode
	depth    int
	sleep    []scOpt
	finished bool
	branches int
}

// scOpt is what scDFS remembers of an option.
type scOpt struct {
	agent   int
	timeout bool
	kind    history.Kind
	buf     uint64
	at, n   int
}

type scNode struct {
	opts  []scOpt
	sleep []scOpt
	tried int
	dead  bool // every option slept: no alternative is explored
}

func (s *scDFS) Name() string { return "sc-dfs" }

func (s *scDFS) Start(n int) bool {
	if n == 0 {
		s.stack, s.finished, s.branches = nil, false, 0
	} else if len(s.stack) == 0 {
		s.finished = true
		return false
	}
	s.depth, s.sleep = 0, nil
	return true
}

func optOf(o scenarios.Option) scOpt {
	return scOpt{agent: o.Agent, timeout: o.Timeout, kind: o.Op.Kind, buf: o.Op.Buffer, at: o.Op.ByteIndex, n: max(o.Op.Size, 1)}
}

// free: the option is not an ordering choice: a plain access, an agent's
// start, begin, end or join, or a blocked operation that can complete (a
// woken wait).
func free(o scenarios.Option) bool {
	if o.Timeout {
		return false
	}
	if o.Blocked {
		// A woken wait (or join) completing; a blocked queue operation
		// that can complete is an ordering choice.
		return o.Op.Kind != history.EvQueuePut && o.Op.Kind != history.EvQueueGet
	}
	switch o.Op.Kind {
	case history.EvRead, history.EvWrite:
		return o.Op.Order == model.Unordered
	case history.EvAgentStart, history.EvAgentBegin, history.EvAgentEnd, history.EvAgentJoin, history.EvInit:
		return true
	}
	return false
}

// independent: two options of different agents on disjoint bytes, or
// both reads; a timeout is dependent on everything.
func (a scOpt) independent(b scOpt) bool {
	switch {
	case a.agent == b.agent || a.timeout || b.timeout:
		return false
	case a.buf == 0 || b.buf == 0:
		// Host steps (begin, end, start, join) touch no buffer.
		return a.kind >= history.EvAgentStart && b.kind >= history.EvAgentStart || a.buf != b.buf
	case a.buf != b.buf || a.at+a.n <= b.at || b.at+b.n <= a.at:
		return true
	}
	return a.kind == history.EvRead && b.kind == history.EvRead
}

func (s *scDFS) Schedule(c *scenarios.SchedChoice) int {
	pick := -1
	for i, o := range c.Options {
		if free(o) && (pick < 0 || o.Agent == c.Current) {
			pick = i
		}
	}
	if pick >= 0 {
		s.ran(optOf(c.Options[pick]))
		return pick
	}
	d := s.depth
	s.depth++
	if d < len(s.stack) {
		nd := &s.stack[d]
		if len(nd.opts) != len(c.Options) {
			c.Abort(scenarios.FailNondeterminism, fmt.Sprintf("sc-dfs: replaying choice %d, %d options where there were %d", d+1, len(c.Options), len(nd.opts)))
			return 0
		}
		s.sleep = nd.childSleep()
		return nd.tried
	}
	nd := scNode{sleep: slices.Clone(s.sleep), tried: -1}
	for _, o := range c.Options {
		nd.opts = append(nd.opts, optOf(o))
	}
	nd.tried = nd.nextAwake(-1)
	if nd.tried < 0 {
		// Every option sleeps: this execution repeats one a sibling
		// explores; it runs on without branching.
		nd.tried, nd.dead = 0, true
	} else {
		s.branches += len(nd.opts) - 1
	}
	s.stack = append(s.stack, nd)
	s.sleep = nd.childSleep()
	return nd.tried
}

// ran takes a step that is not a choice out of the sleep set where it
// does not commute.
func (s *scDFS) ran(o scOpt) {
	s.sleep = slices.DeleteFunc(s.sleep, func(z scOpt) bool { return !z.independent(o) })
}

func (nd *scNode) asleep(o scOpt) bool {
	return slices.ContainsFunc(nd.sleep, func(z scOpt) bool { return z.agent == o.agent && z.timeout == o.timeout })
}

func (nd *scNode) nextAwake(i int) int {
	if nd.dead {
		return -1
	}
	for j := i + 1; j < len(nd.opts); j++ {
		if !nd.asleep(nd.opts[j]) {
			return j
		}
	}
	return -1
}

// childSleep: the node's sleep set and the options it explored before
// the chosen one, but for those that do not commute with it.
func (nd *scNode) childSleep() []scOpt {
	chosen := nd.opts[nd.tried]
	var out []scOpt
	if nd.dead {
		return nil
	}
	for _, z := range nd.sleep {
		if z.independent(chosen) {
			out = append(out, z)
		}
	}
	for j := 0; j < nd.tried; j++ {
		if o := nd.opts[j]; !nd.asleep(o) && o.independent(chosen) {
			out = append(out, o)
		}
	}
	return out
}

func (s *scDFS) Read(*scenarios.ReadChoice) []byte { return nil }

func (s *scDFS) Finish(*scenarios.Execution) {
	s.stack = s.stack[:min(s.depth, len(s.stack))]
	for len(s.stack) > 0 {
		nd := &s.stack[len(s.stack)-1]
		if next := nd.nextAwake(nd.tried); next >= 0 {
			nd.tried = next
			return
		}
		s.stack = s.stack[:len(s.stack)-1]
	}
}

// defaultReads is strat with every read returning the latest write in
// the schedule (so that its executions are interleavings: see above).
type defaultReads struct{ scenarios.Strategy }

func (d defaultReads) Name() string                        { return d.Strategy.Name() + "-sc" }
func (d defaultReads) Read(c *scenarios.ReadChoice) []byte { d.Strategy.Read(c); return nil }

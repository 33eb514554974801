package scenarios

import (
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// SCDRF returns a strategy that runs every sequentially consistent
// interleaving of a scenario's synchronizing operations — seq-cst
// accesses (Atomics.load and store, read-modify-writes, compareExchange),
// waits, notifies, queue operations and timeouts — depth first, with sleep
// sets (Godefroid 1996) over operations of different agents on disjoint
// bytes; plain (Unordered) accesses and the agents' host steps are not
// choices (the current agent goes on with them). Every read returns the
// latest write in the schedule, so each execution is an interleaving:
// every model allows it, none needs a model check, and World.Call's
// instants are real time.
//
// Why that can be enough: a program none of whose sequentially consistent
// executions has a data race has only sequentially consistent executions
// (SC-DRF: ECMA-262's memory model since tc39/ecma262 PR #1511; not the
// 2017 text, issue #1354). The order of plain accesses, which a race-free
// program orders by synchronization, changes no happens-before edge, so a
// race shows in whichever order they run. A Run with SCDRF is therefore
// Complete — it covers every execution the model allows — only when the
// search ended, the model is es2024 or sc, the scenario's Checks include
// checker.Race (run on every execution), and no execution failed. With a
// data race the program may have weak executions SCDRF never runs:
// explore it with Exhaustive.
//
// It suits programs whose loops retry (futexes, spin-then-wait), where
// Exhaustive's read values multiply: Mutex 2×1 of scenarios/examples takes
// SCDRF 42 executions, and Exhaustive did not end in 33,765.
func SCDRF() Strategy { return &scDRF{} }

// LatestReads returns s with every read returning the latest write in the
// schedule: s's schedules, each an interleaving (as SCDRF's; e.g.
// LatestReads(PCT(3, seed)) for a sample of a program too large to search
// to its end). Its name is s's with "+latest".
func LatestReads(s Strategy) Strategy { return latestReads{s} }

type latestReads struct{ Strategy }

func (d latestReads) Name() string              { return d.Strategy.Name() + "+latest" }
func (d latestReads) Read(c *ReadChoice) []byte { d.Strategy.Read(c); return nil }

// searchKind is what a strategy that ends of itself has covered then.
type searchKind int

const (
	searchNone searchKind = iota // a sample (random, pct, replay, a user's strategy)
	searchAll                    // every execution the model allows (Exhaustive, PlainDFS)
	searchSC                     // every SC interleaving (SCDRF: see drfComplete)
)

// search is the searchKind of s: sabre's searches say so themselves.
func search(s Strategy) searchKind {
	if k, ok := s.(interface{ searches() searchKind }); ok {
		return k.searches()
	}
	return searchNone
}

func (s *scDRF) searches() searchKind { return searchSC }

// drfComplete reports whether a Run with SCDRF, which ended of itself,
// covered every execution the model allows (see SCDRF).
func drfComplete(sc *Scenario, v model.Variant, failures int) bool {
	return v != model.ES2017 && slices.Contains(sc.Checks, checker.Race) && failures == 0
}

// scDRF is a depth-first search of the interleavings of the synchronizing
// operations — seq-cst accesses (read-modify-writes, Atomics.load and
// store, compareExchange), waits, notifies, queue operations and
// timeouts — with sleep sets (Godefroid 1996) over operations on
// different locations. Plain (Unordered) accesses and the host's agent
// steps are not choices: the current agent goes on with them, else the
// lowest slot that has one. Every read returns the latest write.
type scDRF struct {
	stack    []scNode
	depth    int
	sleep    []scOpt
	finished bool
	branches int
}

// scOpt is what scDRF remembers of an option.
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

func (s *scDRF) Name() string { return "sc-drf" }

func (s *scDRF) Start(n int) bool {
	if n == 0 {
		s.stack, s.finished, s.branches = nil, false, 0
	} else if len(s.stack) == 0 {
		s.finished = true
		return false
	}
	s.depth, s.sleep = 0, nil
	return true
}

func optOf(o Option) scOpt {
	return scOpt{agent: o.Agent, timeout: o.Timeout, kind: o.Op.Kind, buf: o.Op.Buffer, at: o.Op.ByteIndex, n: max(o.Op.Size, 1)}
}

// free: the option is not an ordering choice: a plain access, an agent's
// start, begin, end or join, or a blocked operation that can complete (a
// woken wait).
func free(o Option) bool {
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

func (s *scDRF) Schedule(c *SchedChoice) int {
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
			c.Abort(FailNondeterminism, fmt.Sprintf("sc-drf: replaying choice %d, %d options where there were %d", d+1, len(c.Options), len(nd.opts)))
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
func (s *scDRF) ran(o scOpt) {
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

func (s *scDRF) Read(*ReadChoice) []byte { return nil }

func (s *scDRF) Finish(*Execution) {
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

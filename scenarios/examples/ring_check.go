package examples

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
)

// checkPrimitive is the primitives' scenarios' Check: the operations
// against spec (checkOperations), then data races (checkRaces).
func checkPrimitive(o *scenarios.Outcome, spec porcupine.Model) error {
	if err := checkOperations(o, spec); err != nil {
		return err
	}
	return checkRaces(o)
}

// checkRaces reports the data races of an outcome's execution (ECMA-262
// #sec-data-races), by the reads-bytes-from the execution had.
//
// It does not use Scenario.Checks' checker.Race on Outcome.History: that
// history's instants all span the whole run (the explorer simulates real
// time), so the race check, which takes each byte a read returned from the
// write of that value that began last before the read returned, takes it
// from the last write of that value anywhere in the execution — a lock
// word that goes 0, W, 0 has a read of the first 0 take it from the later
// store of 0, a happens-before cycle and invented races. Instead: an
// execution with weak reads has a witness (Outcome.Witness: a valid
// execution whose reads-bytes-from the model check chose), whose data
// races package model lists exactly; one without is sequentially
// consistent in schedule order, every read returning the latest write in
// the schedule, so giving its events the instants of their order (the
// history is ordered by call instant, which follows the schedule) makes
// the race check's choice the write the read did read.
func checkRaces(o *scenarios.Outcome) error {
	if o.Witness != nil {
		a, err := model.Analyze(o.Witness)
		if err != nil {
			return fmt.Errorf("race check: the witness does not analyze: %w", err)
		}
		races := a.DataRaces()
		if len(races) == 0 {
			return nil
		}
		r := races[0]
		return fmt.Errorf("race: %d data race(s) in the witness execution, the first between %s and %s",
			len(races), describeModelEvent(o.Witness, r.E), describeModelEvent(o.Witness, r.D))
	}
	h := o.History()
	if h == nil {
		return fmt.Errorf("race check: the outcome has no history")
	}
	hc := *h
	hc.Events = slices.Clone(h.Events)
	for i := range hc.Events {
		hc.Events[i].Call, hc.Events[i].Return = int64(2*i+1), int64(2*i+2)
	}
	rep, err := checker.Races(context.Background(), &hc, checker.Options{Budget: linBudget})
	if err != nil {
		return fmt.Errorf("race check: %w", err)
	}
	if rep.Verdict != checker.Ok {
		return fmt.Errorf("race: %s", rep.Reason)
	}
	return nil
}

// describeModelEvent names event id of x by its agent (its index in the
// execution) and place in agent-order, kind, order and range: names that
// stay the same when the execution is replayed (event names carry
// process-wide agent IDs).
func describeModelEvent(x *model.Execution, id model.EventID) string {
	e := x.Events[id]
	pos := -1
	if e.Agent >= 0 && e.Agent < len(x.AgentOrder) {
		pos = slices.Index(x.AgentOrder[e.Agent], id)
	}
	return fmt.Sprintf("agent %d's event %d (%v %v, bytes %d+%d)", e.Agent, pos, e.Order, e.Kind, e.ByteIndex, e.ElementSize)
}

// checkOperations checks the operations of one of the primitives'
// outcomes (recorded with scenarios.World.Call) against spec, the
// primitive's sequential specification: the ring buffer's, the seqlock's
// and the reader-writer lock's scenarios share it.
//
// An execution whose reads all returned the latest write in its schedule
// (Outcome.Witness nil) is sequentially consistent in schedule order: the
// schedule is a memory-order, and World.Call's instants are a real-time
// order of it, so the operations must be linearizable
// (scenarios.CheckLinearizable). An execution with weak reads is not in
// schedule order: a seq-cst Atomics.load may return a value that a store
// earlier in the schedule overwrote (the memory model has no real time;
// memory-order may put the load first), so the instants, which follow the
// schedule, order operations the execution does not order. There the
// check is sequential consistency: some interleaving of the agents'
// operations that keeps each agent's order is legal for spec. That still
// catches every lost, duplicated, reordered, stale or torn value the
// examples' bugs produce, but not a stale read that only real time rules
// out; ECMA-262's memory model promises no real-time order anyway, only
// happens-before, which the instants do not record.
func checkOperations(o *scenarios.Outcome, spec porcupine.Model) error {
	if o.Witness == nil {
		return scenarios.CheckLinearizable(o, spec, linBudget)
	}
	return checkSequential(o.Operations, spec)
}

// checkSequential reports whether the returned operations of ops have an
// order that keeps each agent's operations in the order called and that
// spec accepts: sequential consistency (Lamport 1979) of the object. It
// searches depth first, remembering the (positions, state) pairs that
// failed; the examples' histories have a handful of operations.
func checkSequential(ops []scenarios.Operation, spec porcupine.Model) error {
	if spec.Init == nil || spec.Step == nil {
		return fmt.Errorf("checkSequential: the specification has no Init or no Step")
	}
	var names []string
	byAgent := map[string][]scenarios.Operation{}
	for _, op := range ops {
		if op.Return == 0 {
			continue
		}
		if _, ok := byAgent[op.Agent]; !ok {
			names = append(names, op.Agent)
		}
		byAgent[op.Agent] = append(byAgent[op.Agent], op)
	}
	queues := make([][]scenarios.Operation, len(names))
	total := 0
	for i, n := range names {
		queues[i] = byAgent[n]
		total += len(queues[i])
	}
	pos := make([]int, len(queues))
	dead := map[string]bool{}
	var order []scenarios.Operation
	var best []scenarios.Operation
	var search func(state any) bool
	search = func(state any) bool {
		if len(order) == total {
			return true
		}
		key := fmt.Sprint(pos, "|", state)
		if dead[key] {
			return false
		}
		for i, q := range queues {
			if pos[i] == len(q) {
				continue
			}
			op := q[pos[i]]
			ok, next := spec.Step(state, op.Input, op.Output)
			if !ok {
				continue
			}
			pos[i]++
			order = append(order, op)
			if len(order) > len(best) {
				best = append(best[:0], order...)
			}
			if search(next) {
				return true
			}
			order = order[:len(order)-1]
			pos[i]--
		}
		dead[key] = true
		return false
	}
	if search(spec.Init()) {
		return nil
	}
	describe := spec.DescribeOperation
	if describe == nil {
		describe = func(in, out any) string { return fmt.Sprintf("%v → %v", in, out) }
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the %d operations are not sequentially consistent (no order keeping each agent's is legal): the longest legal prefix is [", total)
	for i, op := range best {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", op.Agent, describe(op.Input, op.Output))
	}
	b.WriteString("], and each agent's next operation cannot follow it:")
	for i, q := range queues {
		n := 0
		for _, op := range best {
			if op.Agent == names[i] {
				n++
			}
		}
		if n < len(q) {
			fmt.Fprintf(&b, " %s: %s;", names[i], describe(q[n].Input, q[n].Output))
		}
	}
	return fmt.Errorf("%s", strings.TrimSuffix(b.String(), ";"))
}

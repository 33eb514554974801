package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/shared"
)

// Operation is one call of an operation of a concurrent object a scenario
// builds on shared memory (a Mutex's Lock, a ring buffer's Put), recorded
// with World.Call, for a linearizability check against a sequential
// specification (CheckLinearizable).
//
// Call and Return are instants of one logical clock per execution, which
// every World.Call and every return ticks: under the explorer, agents run
// one at a time, so an operation whose Return is less than another's Call
// returned before the other was called in the execution's real time; under
// stress, the clock is an atomic counter read at the call and at the
// return, which orders them the same way.
type Operation struct {
	// Agent is the calling agent's name.
	Agent string
	// Input and Output are the operation's, as the specification reads
	// them; Output is nil until the operation returns.
	Input, Output any
	// Call and Return are the instants of the call and of the return;
	// Return is 0 for an operation that never returned.
	Call, Return int64
}

// Call records that agent a calls an operation with input, and returns the
// function that records its output when it returns. A scenario calls it
// around each operation of the object under test:
//
//	done := w.Call(a, lockInput{})
//	err := m.Lock()
//	done(lockOutput{})
//
// Operations appear in Outcome.Operations in the order called.
func (w *World) Call(a *shared.Agent, input any) (ret func(output any)) {
	name := "main"
	if a != nil {
		name = a.Name()
	}
	log := w.ops
	i := log.call(name, input)
	return func(output any) { log.ret(i, output) }
}

// opLog is an execution's operations and their clock. Its mutex orders
// the agents' calls and returns when they run in parallel (stress); under
// the explorer it is never contended.
type opLog struct {
	mu    sync.Mutex
	clock int64
	ops   []Operation
}

func (l *opLog) call(agent string, input any) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clock++
	l.ops = append(l.ops, Operation{Agent: agent, Input: input, Call: l.clock})
	return len(l.ops) - 1
}

func (l *opLog) ret(i int, output any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clock++
	l.ops[i].Output, l.ops[i].Return = output, l.clock
}

// CheckLinearizable reports whether o's operations (Outcome.Operations)
// are linearizable with respect to spec, a porcupine model (the sequential
// specification of the object: Init, Step, Equal, DescribeOperation), by
// porcupine's search within budget (0: no limit). Operations that never
// returned are left out.
//
// For a Weak outcome — some read returned a value other than the latest
// write in the schedule — the instants are not a real-time order (the
// memory model has none, and memory-order may put a seq-cst load before a
// store the schedule ran first), so the check is sequential consistency
// (Lamport 1979): some order of the operations that keeps each agent's in
// the order called is legal for spec. It catches every lost, duplicated,
// reordered, stale-within-an-agent or torn value; not a stale value only
// real time would rule out, which ECMA-262 does not promise. The error says which operations admit no
// linearization, with the longest partial linearization porcupine found;
// a search cut short by the budget is an error too (the verdict is
// unknown, never a guess).
//
// Source: Herlihy and Wing, "Linearizability: a correctness condition for
// concurrent objects" (TOPLAS 1990); porcupine
// (github.com/anishathalye/porcupine).
func CheckLinearizable(o *Outcome, spec porcupine.Model, budget time.Duration) (err error) {
	switch {
	case o == nil:
		return fmt.Errorf("CheckLinearizable: a nil outcome")
	case spec.Step == nil || spec.Init == nil:
		return fmt.Errorf("CheckLinearizable: the specification has no Init or no Step")
	case budget < 0:
		return fmt.Errorf("CheckLinearizable: a negative budget %v", budget)
	}
	// A panicking specification (a bad type assertion in Step) is an
	// error, not a crash: porcupine calls Step on goroutines of its own,
	// where the caller could not recover it.
	var panicked atomic.Pointer[string]
	spec = guardSpec(spec, &panicked)
	defer func() {
		if p := panicked.Load(); p != nil {
			err = fmt.Errorf("CheckLinearizable: the specification panicked: %s", *p)
		}
	}()
	if o.Weak {
		return checkSequential(o.Operations, spec, budget)
	}
	ids := map[string]int{}
	var ops []porcupine.Operation
	for _, op := range o.Operations {
		if op.Return == 0 {
			continue
		}
		id, ok := ids[op.Agent]
		if !ok {
			id = len(ids)
			ids[op.Agent] = id
		}
		ops = append(ops, porcupine.Operation{ClientId: id, Input: op.Input, Call: op.Call, Output: op.Output, Return: op.Return})
	}
	res, info := porcupine.CheckOperationsVerbose(spec, ops, budget)
	switch res {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("linearizability of %d operations undecided within %v", len(ops), budget)
	}
	return fmt.Errorf("the %d operations are not linearizable: %s", len(ops), describeIllegal(spec, ops, info))
}

// guardSpec returns spec with Init, Step and Equal turned from panicking
// into failing (Step returns false), the first panic's message kept in
// panicked.
func guardSpec(spec porcupine.Model, panicked *atomic.Pointer[string]) porcupine.Model {
	note := func(where string, p any) {
		msg := fmt.Sprintf("%s: %v", where, p)
		panicked.CompareAndSwap(nil, &msg)
	}
	init, step, equal := spec.Init, spec.Step, spec.Equal
	spec.Init = func() (s any) {
		defer func() {
			if p := recover(); p != nil {
				note("Init", p)
			}
		}()
		return init()
	}
	spec.Step = func(state, input, output any) (ok bool, next any) {
		defer func() {
			if p := recover(); p != nil {
				note("Step", p)
				ok, next = false, state
			}
		}()
		return step(state, input, output)
	}
	if equal == nil {
		// porcupine's default is ==, which panics on states of
		// uncomparable types (slices, maps): compare those deeply.
		equal = func(a, b any) bool {
			if ta, tb := reflect.TypeOf(a), reflect.TypeOf(b); ta != nil && tb != nil && (!ta.Comparable() || !tb.Comparable()) {
				return reflect.DeepEqual(a, b)
			}
			return a == b
		}
	}
	spec.Equal = func(a, b any) (eq bool) {
		defer func() {
			if p := recover(); p != nil {
				note("Equal", p)
				eq = false
			}
		}()
		return equal(a, b)
	}
	return spec
}

// describeIllegal names the longest partial linearization porcupine found
// (the first in call order among the longest, for a stable message) and
// the operations it could not extend it with.
func describeIllegal(spec porcupine.Model, ops []porcupine.Operation, info porcupine.LinearizationInfo) string {
	describe := spec.DescribeOperation
	if describe == nil {
		describe = func(in, out any) string { return fmt.Sprintf("%v → %v", in, out) }
	}
	var best []porcupine.Operation
	for _, part := range info.PartialLinearizationsOperations() {
		for _, lin := range part {
			if len(lin) > len(best) || (len(lin) == len(best) && lessCalls(lin, best)) {
				best = lin
			}
		}
	}
	var b strings.Builder
	b.WriteString("the longest linearizable prefix is [")
	in := map[int64]bool{} // by Call: the clock gives every call its own instant
	for i, op := range best {
		if i > 0 {
			b.WriteString("; ")
		}
		in[op.Call] = true
		b.WriteString(describe(op.Input, op.Output))
	}
	b.WriteString("], and none of the others can follow it: ")
	first := true
	for _, op := range ops {
		if in[op.Call] {
			continue
		}
		if !first {
			b.WriteString("; ")
		}
		first = false
		fmt.Fprintf(&b, "%s (called at %d, returned at %d)", describe(op.Input, op.Output), op.Call, op.Return)
	}
	return b.String()
}

func lessCalls(a, b []porcupine.Operation) bool {
	for i := range min(len(a), len(b)) {
		if a[i].Call != b[i].Call {
			return a[i].Call < b[i].Call
		}
	}
	return len(a) < len(b)
}

// checkSequential reports whether the returned operations of ops have an
// order that keeps each agent's operations in the order called and that
// spec accepts: sequential consistency (Lamport 1979) of the object. It
// searches depth first, remembering the (positions, state) pairs that
// failed (exponential at worst, in the number of agents; primitives' histories
// have a handful of operations).
func checkSequential(ops []Operation, spec porcupine.Model, budget time.Duration) error {
	var names []string
	byAgent := map[string][]Operation{}
	for _, op := range ops {
		if op.Return == 0 {
			continue
		}
		if _, ok := byAgent[op.Agent]; !ok {
			names = append(names, op.Agent)
		}
		byAgent[op.Agent] = append(byAgent[op.Agent], op)
	}
	queues := make([][]Operation, len(names))
	total := 0
	for i, n := range names {
		queues[i] = byAgent[n]
		total += len(queues[i])
	}
	pos := make([]int, len(queues))
	// dead: the states from which the rest failed, by positions; states
	// are compared with spec.Equal (== when nil, as porcupine does), never
	// by their printed form (two states may print alike).
	equal := spec.Equal // set by guardSpec
	dead := map[string][]any{}
	var deadline time.Time
	if budget > 0 {
		deadline = time.Now().Add(budget)
	}
	steps, late := 0, false
	var order []Operation
	var best []Operation
	var search func(state any) bool
	search = func(state any) bool {
		if len(order) == total {
			return true
		}
		if steps++; !deadline.IsZero() && steps%1024 == 0 && time.Now().After(deadline) {
			late = true
		}
		if late {
			return false
		}
		key := fmt.Sprint(pos)
		if slices.ContainsFunc(dead[key], func(d any) bool { return equal(d, state) }) {
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
		if !late {
			dead[key] = append(dead[key], state)
		}
		return false
	}
	if search(spec.Init()) {
		return nil
	}
	if late {
		return fmt.Errorf("sequential consistency of %d operations undecided within %v", total, budget)
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

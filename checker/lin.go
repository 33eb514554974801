package checker

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/sabre-mm/sabre/history"
)

// LinReport is the linearizability check's report: the Result, and what a
// visualisation needs.
type LinReport struct {
	Result
	// Partitions is the number of independent sub-histories checked:
	// memory components, waiter lists and queues.
	Partitions int `json:"partitions"`
	// SkippedParts says, for each partition left unchecked, why (a memory
	// component with Unordered accesses, which linearizability does not
	// cover; a waiter list or queue whose history is incomplete).
	SkippedParts []string `json:"skippedParts,omitempty"`

	ops   []porcupine.Operation
	parts [][]porcupine.Operation
	bad   []int // indices into parts of the partitions found non-linearizable
	h     *history.History
}

// Linearizability checks that the history's seq-cst Atomics, its Wait and
// Notify operations and its Queue operations are linearizable: that each
// took effect at one instant between its Call and Return, in an order that
// the sequential specification of shared memory, of waiter lists and of a
// FIFO queue accepts. It uses porcupine (github.com/anishathalye/porcupine,
// after Herlihy and Wing, "Linearizability", TOPLAS 1990, and the
// P-compositionality of Horn and Kroening, FORTE 2015) with three models:
//
//   - Memory: the state is a component's bytes, where a component is a
//     maximal run of bytes that seq-cst accesses of one block overlap
//     (accesses that do not overlap are independent partitions, and
//     overlapping accesses of different sizes share one). Loads (and a
//     failing compareExchange, and a Wait's value check) must return the
//     bytes; stores, read-modify-writes and Init write them. Bytes no Init
//     covers start unknown: the first read fixes them. A component that an
//     Unordered access touches is skipped: the memory model, not
//     linearizability, says what such reads may return (see Conformance).
//   - Waiter lists, one per location: a Wait that found its value enqueues
//     at its Call instant (taken inside the waiter list's critical
//     section); a Notify removes the oldest min(count, waiting) waiters at
//     its Call instant and must have woken exactly those, in order; a wait
//     that timed out or was cancelled leaves the list between its Call and
//     Return (a waitAsync's at its wait-settle event) and must still be on
//     it. So "ok" means a notify that began after the wait enqueued removed
//     it, "timed-out" that none did, and a notify's count is what it
//     removed, oldest first. A location whose notifies woke waiters the
//     history does not hold is skipped.
//   - Queues, one per queue: FIFO, each get takes the item at the head (an
//     item some put enqueued, once), a put fails "full" only at the
//     queue's maxsize and succeeds only below it (when the history records
//     the maxsize), a get fails "empty" only when the queue is.
//
// Besides porcupine's search, it checks what needs no search: a Wait's
// result agrees with its value check, every "ok" wait was woken by exactly
// one notify, every "ok" WaitSettle carries the Sync token of a notify of
// its location that woke an async wait of its agent, no item is taken
// twice.
//
// The verdict is Illegal with findings naming the partition, the operations
// porcupine could not place and why each cannot come next; Unknown when
// opt.Budget or ctx ends first. The error is non-nil only for bad input (a
// nil history, or one that fails history.Validate: its *history.FormatError).
//
// Linearizability presumes the history is complete for what it checks:
// every access to a checked component, every operation on a checked queue.
func Linearizability(ctx context.Context, h *history.History, opt Options) (*LinReport, error) {
	if err := opt.validate(h); err != nil {
		return nil, err
	}
	start := time.Now()
	if ctx == nil {
		ctx = context.Background()
	}
	b := newLinBuilder(h)
	b.build()
	r := &LinReport{h: h, ops: b.ops, parts: b.parts, Partitions: len(b.parts), SkippedParts: b.skipped}
	r.Check = Lin
	r.Checked = len(b.ops)
	r.Skipped = b.skippedOps
	r.Findings = b.findings

	// One deadline for the whole check (its budget, counted from its start,
	// or ctx's deadline if sooner): the search and the explanation share it.
	var deadline time.Time
	if opt.Budget > 0 {
		deadline = start.Add(opt.Budget)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	var res porcupine.CheckResult = porcupine.Ok
	if len(b.parts) > 0 {
		res = checkCancellable(ctx, linModel(r.parts), r.ops, timeLeft(deadline))
	}
	switch {
	case res == porcupine.Illegal:
		r.explain(ctx, deadline)
	case res == porcupine.Unknown && len(r.Findings) == 0:
		r.Verdict = Unknown
		why := "budget exhausted"
		if ctx.Err() != nil {
			why = ctx.Err().Error()
		}
		r.Reason = fmt.Sprintf("undecided: %s before porcupine placed all %d operations in %d partitions", why, len(r.ops), len(r.parts))
	}
	if len(r.Findings) > 0 {
		r.Verdict = Illegal
		if r.Reason == "" {
			r.Reason = r.Findings[0].Message
		}
	} else if r.Verdict == 0 {
		r.Verdict = Ok
		r.Reason = fmt.Sprintf("%d operations in %d partitions are linearizable", len(r.ops), len(r.parts))
		if len(r.parts) == 0 {
			r.Reason = "nothing to check: no seq-cst Atomics, waiter lists or queues outside the skipped partitions"
		}
		if len(r.SkippedParts) > 0 {
			r.Reason += fmt.Sprintf(" (%d partitions skipped)", len(r.SkippedParts))
		}
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// timeLeft is porcupine's timeout for a deadline: 0 (none) for the zero
// deadline, else the time left, at least a nanosecond.
func timeLeft(deadline time.Time) time.Duration {
	if deadline.IsZero() {
		return 0
	}
	return max(time.Until(deadline), time.Nanosecond)
}

// cancellable returns m with its Step failing once ctx has ended
// (porcupine's own cancellation is its timeout; its StepContext sees only
// its internal context). A result porcupine gives after ctx ended means
// nothing.
func cancellable(ctx context.Context, m porcupine.Model) porcupine.Model {
	if ctx.Done() == nil {
		return m
	}
	step := m.Step
	m.Step = nil
	m.StepContext = func(c context.Context, s, in, out any) (bool, any) {
		if ctx.Err() != nil {
			return false, s
		}
		return step(s, in, out)
	}
	return m
}

// checkCancellable runs porcupine with a timeout, and stops it when ctx
// ends (then the result is Unknown).
func checkCancellable(ctx context.Context, m porcupine.Model, ops []porcupine.Operation, timeout time.Duration) porcupine.CheckResult {
	res := porcupine.CheckOperationsTimeout(cancellable(ctx, m), ops, timeout)
	if ctx.Err() != nil {
		return porcupine.Unknown
	}
	return res
}

// explain finds the partitions that are not linearizable and says why,
// by the deadline (none if zero) and while ctx lasts: the smallest
// partitions first, as porcupine does not say which one it found at
// fault, and a large one may take all the time left.
func (r *LinReport) explain(ctx context.Context, deadline time.Time) {
	order := make([]int, len(r.parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(r.parts[a]) - len(r.parts[b]) })
	for _, i := range order {
		p := r.parts[i]
		if ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
			break
		}
		m := cancellable(ctx, linModel([][]porcupine.Operation{p}))
		res, info := porcupine.CheckOperationsVerbose(m, p, timeLeft(deadline))
		if ctx.Err() != nil {
			break
		}
		if res != porcupine.Illegal {
			continue
		}
		r.bad = append(r.bad, i)
		r.Findings = append(r.Findings, r.explainPart(p, info))
		if len(r.Findings) >= maxFindings {
			break
		}
	}
	if len(r.Findings) == 0 {
		// porcupine found a violation but the per-partition re-check ran
		// out of budget (or ctx ended) before finding it again.
		why := "within the budget"
		if ctx.Err() != nil {
			why = "before " + ctx.Err().Error()
		}
		r.Findings = append(r.Findings, Finding{Message: "not linearizable (the partition at fault was not found again " + why + ")"})
	}
}

// maxFindings caps the findings a check reports (the Reason counts the rest).
const maxFindings = 20

// explainPart describes why partition p (illegal) has no linearization:
// the longest partial linearization porcupine found, and for each operation
// that could come next, why it cannot.
func (r *LinReport) explainPart(p []porcupine.Operation, info porcupine.LinearizationInfo) Finding {
	var longest []int
	for _, part := range info.PartialLinearizations() {
		for _, l := range part {
			// porcupine returns its partial linearizations in map order:
			// of the longest, take the least, so the report is the same
			// every time.
			if len(l) > len(longest) || len(l) == len(longest) && slices.Compare(l, longest) < 0 {
				longest = l
			}
		}
	}
	var state any
	done := make([]bool, len(p))
	for _, id := range longest {
		_, state = linStep(state, p[id].Input)
		done[id] = true
	}
	// The operations that could be linearized next: not done, and called
	// before every other pending operation returned.
	minRet := int64(1<<63 - 1)
	for id, op := range p {
		if !done[id] {
			minRet = min(minRet, op.Return)
		}
	}
	first := p[0].Input.(*linOp)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: no linearization of its %d operations; porcupine placed %d", first.partName(r.h), len(p), len(longest))
	if len(longest) > 0 {
		last := p[longest[len(longest)-1]].Input.(*linOp)
		fmt.Fprintf(&b, " (the last %s, leaving %s)", last.describe(r.h), describeState(state))
	}
	b.WriteString(", and none of the rest can come next:")
	f := Finding{}
	n := 0
	for id, op := range p {
		if done[id] || op.Call > minRet {
			continue
		}
		o := op.Input.(*linOp)
		if n < 4 {
			fmt.Fprintf(&b, " %s — %s;", o.describe(r.h), o.whyNot(state, r.h))
		}
		n++
		if o.ev >= 0 {
			f.Events = append(f.Events, RefOf(r.h, o.ev))
		}
	}
	if n > 4 {
		fmt.Fprintf(&b, " and %d more;", n-4)
	}
	f.Message = strings.TrimSuffix(b.String(), ";")
	return f
}

// WriteHTML writes porcupine's visualisation of the check: of the
// partitions found not linearizable if there are any, else of every
// partition. It re-runs porcupine with its partial linearizations kept,
// within budget (0 for none).
func (r *LinReport) WriteHTML(w io.Writer, budget time.Duration) error {
	if r == nil {
		return fmt.Errorf("checker: WriteHTML of a nil *LinReport")
	}
	parts := r.parts
	if len(r.bad) > 0 {
		parts = nil
		for _, i := range r.bad {
			parts = append(parts, r.parts[i])
		}
	}
	var ops []porcupine.Operation
	for _, p := range parts {
		ops = append(ops, p...)
	}
	m := linModel(parts)
	_, info := porcupine.CheckOperationsVerbose(m, ops, budget)
	return porcupine.Visualize(m, info, w)
}

// linModel is the porcupine model of all three kinds of partition. Its
// initial state is nil; an operation's first step makes its partition's
// initial state (the partition kind and size travel with the operation).
func linModel(parts [][]porcupine.Operation) porcupine.Model {
	return porcupine.Model{
		Partition: func([]porcupine.Operation) [][]porcupine.Operation { return parts },
		Init:      func() any { return nil },
		Step:      func(s, in, _ any) (bool, any) { return linStep(s, in) },
		Equal:     linEqual,
		Hash:      linHash,
		DescribeOperation: func(in, _ any) string {
			return in.(*linOp).label
		},
		DescribeState: describeState,
	}
}

func linStep(s, in any) (bool, any) {
	op := in.(*linOp)
	switch op.kind {
	case linMem:
		return memStep(s, op)
	case linWait:
		return waitStep(s, op)
	default:
		return queueStep(s, op)
	}
}

func linEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case memSmall:
		y, ok := b.(memSmall)
		return ok && x == y
	case memBig:
		y, ok := b.(memBig)
		return ok && x == y
	case *waitState:
		y, ok := b.(*waitState)
		return ok && x.equal(y)
	case *queueState:
		y, ok := b.(*queueState)
		return ok && x.equal(y)
	}
	return false
}

func linHash(s any) uint64 {
	const m = 0x9e3779b97f4a7c15
	switch x := s.(type) {
	case memSmall:
		return x.v*m ^ uint64(x.k)
	case memBig:
		return strHash(x.v)*m ^ strHash(x.k)
	case *waitState:
		return x.hash()
	case *queueState:
		return x.hash()
	}
	return 0
}

func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

func describeState(s any) string {
	switch x := s.(type) {
	case nil:
		return "the initial state"
	case memSmall:
		return "bytes " + x.String()
	case memBig:
		return "bytes " + x.String()
	case *waitState:
		list := x.list()
		if len(list) == 0 {
			return "no waiters"
		}
		refs := make([]string, len(list))
		for i, e := range list {
			refs[i] = e.ref.String()
		}
		return "waiters [" + strings.Join(refs, " ") + "]"
	case *queueState:
		if x.len() == 0 {
			return "an empty queue"
		}
		items := make([]string, x.len())
		for i, it := range x.items() {
			items[i] = strconv.FormatUint(it, 10)
		}
		return "queue items [" + strings.Join(items, " ") + "]"
	}
	return fmt.Sprint(s)
}

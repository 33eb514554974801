package examples_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/shared"
)

// primLong reports whether SABRE_PRIM_LONG is set: the long form of the
// primitives' tests, under the three models and with ten times the
// executions.
func primLong() bool { return os.Getenv("SABRE_PRIM_LONG") != "" }

// primModels are the models the primitives' exhaustive tests explore
// under: es2024, and in the long form es2017 and sc too. (Under sc the
// conformance check of the explorer's weak-read prefixes is about a
// hundred times slower per check — checker's confSC search — so Ring+spsc
// takes some 20 s there; the examples are data-race free, so es2024
// already has only sequentially consistent executions.)
func primModels() []model.Variant {
	if primLong() {
		return []model.Variant{model.ES2024, model.ES2017, model.SC}
	}
	return []model.Variant{model.ES2024}
}

// primBudget is the executions of the pct explorations that must catch
// a buggy primitive: scenarios.DefaultExecutions, the budget Explore
// gives pct and random by default.
const primBudget = scenarios.DefaultExecutions

// Budgets of the pct and random explorations of the correct primitives,
// kept small so that the tests stay short under -race on two cores (ten
// times as many in the long form).
const (
	smallBudget = 300 // the scenarios of the catalogue's size
	sizedBudget = 150 // the larger instances
)

// sampled explores sc under es2024 with pct (depth 3) and random, seed 1,
// n executions each (10·n in the long form), and returns both reports.
func sampled(t *testing.T, n int, sc func() *scenarios.Scenario) []*scenarios.Report {
	t.Helper()
	if primLong() {
		n *= 10
	}
	var reps []*scenarios.Report
	for _, st := range []scenarios.Strategy{scenarios.PCT(3, 1), scenarios.Random(1)} {
		reps = append(reps, explore(t, sc(), scenarios.Options{Model: model.ES2024, Strategy: st, Executions: n}))
	}
	return reps
}

// mustPass fails the test if a sampled exploration failed, or reached
// nothing.
func mustPass(t *testing.T, rep *scenarios.Report) {
	t.Helper()
	for _, f := range rep.Failures {
		t.Errorf("%s (%s): failure %v", rep.Scenario, rep.Strategy, f)
	}
	if rep.Stats.Allowed == 0 || len(rep.Outcomes) == 0 {
		t.Errorf("%s (%s): no allowed execution (%+v)", rep.Scenario, rep.Strategy, rep.Stats)
	}
}

// reached reports whether some outcome of rep satisfies f.
func reached(rep *scenarios.Report, f func(o *scenarios.Outcome) bool) bool {
	for _, o := range rep.Outcomes {
		if f(o) {
			return true
		}
	}
	return false
}

// mustCatch asserts that rep found sc's bug — one failure, of the kind
// the scenario declares (Scenario.Fails), marked Expected — and that
// replaying its schedule reproduces it (mustReplay, under opt's model).
func mustCatch(t *testing.T, sc func() *scenarios.Scenario, opt scenarios.Options, rep *scenarios.Report) *scenarios.Failure {
	t.Helper()
	want := sc().Fails
	if want == "" {
		t.Fatalf("%s declares no Fails", rep.Scenario)
	}
	f := onlyFailure(t, rep, want)
	if !f.Expected {
		t.Errorf("%s: the failure is not marked Expected", rep.Scenario)
	}
	if len(f.Schedule) == 0 {
		t.Fatalf("%s: the failure has no schedule", rep.Scenario)
	}
	t.Logf("%s (%s): caught in execution %d: %s\n  %s", rep.Scenario, rep.Strategy, f.Execution, f.Message,
		scenarios.ReplayLine(t.Name(), rep.Model, f.Schedule))
	mustReplay(t, sc, opt, f)
	return f
}

// TestRingSPSC explores Ring+spsc exhaustively under es2024 (and, in the
// long form, es2017 and sc):
// complete, no failure — every history a linearizable bounded FIFO queue
// (sequentially consistent where the execution has weak reads), no data
// race — and the outcomes cover a TryPut finding the ring full, a TryGet
// finding it empty, and both items taken in order, so those claims are
// not vacuous.
func TestRingSPSC(t *testing.T) {
	for _, v := range primModels() {
		t.Run(v.Name(), func(t *testing.T) {
			rep := explore(t, examples.RingSPSC(), scenarios.Options{Model: v})
			logReport(t, rep)
			mustComplete(t, rep)
			if !reached(rep, func(o *scenarios.Outcome) bool { return o.Values["producer:full"] > 0 }) {
				t.Errorf("no outcome has a TryPut find the ring full")
			}
			if !reached(rep, func(o *scenarios.Outcome) bool { return o.Values["consumer:empty"] > 0 }) {
				t.Errorf("no outcome has a TryGet find the ring empty")
			}
			if !reached(rep, func(o *scenarios.Outcome) bool { return o.Values["consumer:got"] == 3 }) {
				t.Errorf("no outcome has the consumer take both items")
			}
			for _, o := range rep.Outcomes {
				if len(o.Operations) != 4 {
					t.Errorf("outcome %s: %d operations recorded, want 4", o.Key(), len(o.Operations))
				}
			}
		})
	}
}

// TestRingSPSCBlocking explores Ring+spsc+blocking with pct and random
// (exhaustive exploration does not end in minutes: each blocking loop's
// Atomics.load may return stale indices, and those prefixes are refuted
// only at their ends): no failure — linearizable, no data race, no
// deadlock (no lost wake-up) — every outcome takes 1 and 2, and some have
// the producer and the consumer asleep in Atomics.wait and woken.
func TestRingSPSCBlocking(t *testing.T) {
	var prodSlept, consSlept bool
	for _, rep := range sampled(t, smallBudget, examples.RingSPSCBlocking) {
		mustPass(t, rep)
		for _, o := range rep.Outcomes {
			if o.Values["consumer:got"] != 3 {
				t.Errorf("outcome %s: the consumer took items summing to %d, want 3", o.Key(), o.Values["consumer:got"])
			}
		}
		prodSlept = prodSlept || reached(rep, func(o *scenarios.Outcome) bool { return o.Values["producer:slept"] > 0 })
		consSlept = consSlept || reached(rep, func(o *scenarios.Outcome) bool { return o.Values["consumer:slept"] > 0 })
	}
	if !prodSlept || !consSlept {
		t.Errorf("the producer slept and was woken: %v; the consumer: %v; want both reached", prodSlept, consSlept)
	}
}

// TestRingSPSCSized explores larger rings with pct and random: capacity
// 2 with 4 items, blocking and not.
func TestRingSPSCSized(t *testing.T) {
	for _, blocking := range []bool{false, true} {
		t.Run(fmt.Sprint("blocking=", blocking), func(t *testing.T) {
			for _, rep := range sampled(t, sizedBudget, func() *scenarios.Scenario { return examples.RingSPSCSized(2, 4, blocking) }) {
				mustPass(t, rep)
			}
		})
	}
}

// TestBuggyRingIndexBeforeData: the exhaustive explorer (and pct) catch
// the ring buffer that publishes the tail before writing the slot, as a
// failed check, within the default budget, and the failure's schedule
// replays it.
func TestBuggyRingIndexBeforeData(t *testing.T) {
	for _, st := range []scenarios.Strategy{nil, scenarios.PCT(3, 1)} {
		opt := scenarios.Options{Model: model.ES2024, Strategy: st}
		if st != nil {
			opt.Executions = primBudget
		}
		rep := explore(t, examples.RingIndexBeforeData(), opt)
		f := mustCatch(t, examples.RingIndexBeforeData, scenarios.Options{Model: model.ES2024}, rep)
		if !contains(f.Message, "race") && !contains(f.Message, "TryGet() → 0") {
			t.Errorf("failure %q names neither a data race nor the stale TryGet() → 0", f.Message)
		}
	}
	// Going on past the first failure, the stale read itself is reached:
	// a TryGet() → 0 no order of a FIFO queue explains.
	rep := explore(t, examples.RingIndexBeforeData(), scenarios.Options{Model: model.ES2024, MaxFailures: 1000})
	stale := false
	for _, f := range rep.Failures {
		stale = stale || contains(f.Message, "TryGet() → 0")
	}
	if !stale {
		logReport(t, rep)
		t.Errorf("no failure is the stale TryGet() → 0")
	}
}

// TestBuggyRingPlainIndex: the ring buffer with plain index accesses is
// caught (a data race on the indices, or a stale slot) by the exhaustive
// explorer and by pct, and replays.
func TestBuggyRingPlainIndex(t *testing.T) {
	for _, st := range []scenarios.Strategy{nil, scenarios.PCT(3, 1)} {
		opt := scenarios.Options{Model: model.ES2024, Strategy: st}
		if st != nil {
			opt.Executions = primBudget
		}
		rep := explore(t, examples.RingPlainIndex(), opt)
		mustCatch(t, examples.RingPlainIndex, scenarios.Options{Model: model.ES2024}, rep)
	}
}

// ringCall is one operation of a hand-written ring buffer history.
type ringCall struct {
	agent       string
	in          examples.RingOp
	out         examples.RingResult
	call, retrn int64
}

func ringCheck(spec porcupine.Model, calls []ringCall) error {
	o := &scenarios.Outcome{}
	for _, c := range calls {
		o.Operations = append(o.Operations, scenarios.Operation{Agent: c.agent, Input: c.in, Output: c.out, Call: c.call, Return: c.retrn})
	}
	return scenarios.CheckLinearizable(o, spec, 0)
}

// TestRingSpec: RingSpec accepts FIFO histories and refuses lost,
// reordered, invented items, a TryPut "full" below capacity, a TryGet
// "empty" on a non-empty queue, and a blocking Put on a full queue that
// nothing could have emptied.
func TestRingSpec(t *testing.T) {
	put := func(x int64, block, ok bool, c, r int64) ringCall {
		return ringCall{"p", examples.RingOp{Put: true, Block: block, Value: x}, examples.RingResult{OK: ok}, c, r}
	}
	get := func(x int64, block, ok bool, c, r int64) ringCall {
		return ringCall{"c", examples.RingOp{Block: block}, examples.RingResult{OK: ok, Value: x}, c, r}
	}
	spec := examples.RingSpec(1)
	good := [][]ringCall{
		{put(1, false, true, 1, 2), put(2, false, false, 3, 4), get(1, false, true, 5, 6), get(0, false, false, 7, 8)},
		{put(1, true, true, 1, 2), put(2, true, true, 3, 8), get(1, true, true, 4, 5), get(2, true, true, 9, 10)},
		{get(1, true, true, 1, 4), put(1, true, true, 2, 3)},
	}
	for i, h := range good {
		if err := ringCheck(spec, h); err != nil {
			t.Errorf("good history %d: %v", i, err)
		}
	}
	bad := [][]ringCall{
		{put(1, false, true, 1, 2), get(0, false, true, 3, 4)},                            // stale
		{put(1, false, true, 1, 2), get(0, false, false, 3, 4)},                           // empty, but 1 is queued
		{put(1, false, false, 1, 2)},                                                      // full below capacity
		{put(1, true, true, 1, 2), put(2, true, true, 3, 4)},                              // blocking put on a full queue, no get
		{get(7, true, true, 1, 2)},                                                        // invented
		{put(1, false, true, 1, 2), get(1, false, true, 3, 4), get(1, false, true, 5, 6)}, // duplicated
	}
	for i, h := range bad {
		if err := ringCheck(spec, h); err == nil {
			t.Errorf("bad history %d accepted", i)
		}
	}
	two := examples.RingSpec(2)
	if err := ringCheck(two, []ringCall{put(1, false, true, 1, 2), put(2, false, true, 3, 4), get(2, false, true, 5, 6)}); err == nil {
		t.Errorf("a reordered get accepted")
	}
}

// TestRingBadInput: bad views and capacities are errors naming what is
// wrong, never panics.
func TestRingBadInput(t *testing.T) {
	a := shared.NewAgent("t")
	buf, err := shared.NewBuffer(4*examples.RingElements(2), shared.CreatedBy(a))
	if err != nil {
		t.Fatal(err)
	}
	i32, _ := shared.View(buf.For(a), shared.Int32)
	u8, _ := shared.View(buf.For(a), shared.Uint8)
	ab, _ := shared.NewArrayBuffer(16, shared.CreatedBy(a))
	local, _ := shared.View(ab, shared.Int32)
	for _, c := range []struct {
		v    *shared.TypedArray
		cap  int
		want string
	}{
		{nil, 1, "nil view"}, {u8, 1, "want an Int32Array"}, {local, 1, "not over a shared buffer"},
		{i32, 0, "capacity 0"}, {i32, 3, "out of the view's range"},
	} {
		_, perr := examples.NewRingProducer(c.v, c.cap)
		_, cerr := examples.NewRingConsumer(c.v, c.cap)
		for _, err := range []error{perr, cerr} {
			if err == nil || !contains(err.Error(), c.want) {
				t.Errorf("view %v, capacity %d: error %v, want one saying %q", c.v, c.cap, err, c.want)
			}
		}
	}
	// Unobserved, in one agent: the same code runs without the explorer.
	p, err := examples.NewRingProducer(i32, 2)
	if err != nil {
		t.Fatal(err)
	}
	c, err := examples.NewRingConsumer(i32, 2)
	if err != nil {
		t.Fatal(err)
	}
	for x := int64(1); x <= 3; x++ {
		ok, err := p.TryPut(x)
		if err != nil || ok != (x <= 2) {
			t.Errorf("TryPut(%d) = %v, %v", x, ok, err)
		}
	}
	for want := int64(1); want <= 3; want++ {
		x, ok, err := c.TryGet()
		if err != nil || ok != (want <= 2) || (ok && x != want) {
			t.Errorf("TryGet() = %d, %v, %v; want %d", x, ok, err, want)
		}
	}
	if err := p.Put(9); err != nil {
		t.Fatal(err)
	}
	if x, err := c.Get(); err != nil || x != 9 {
		t.Errorf("Get() = %d, %v; want 9", x, err)
	}
}

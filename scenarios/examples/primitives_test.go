package examples_test

import (
	"context"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/shared"
)

// The primitives' tests: each correct instance is explored with
// scenarios.SCDRF (every sequentially consistent interleaving of its
// synchronizing operations, with a race check on each: complete for a
// data-race-free program under es2024, by SC-DRF; Exhaustive's read values
// multiply in the retry loops of futexes and do not end) when small, with
// LatestReads(PCT) when larger; each buggy
// variant's bug must be found within the test's budget, and its replay
// must reproduce it.

// pctExecutions is the PCT budget of the larger instances' tests.
const pctExecutions = 300

// sleptAndWoken wraps sc's Check to count the allowed executions in
// which some agent slept in Atomics.wait and was woken by a notify ("ok"):
// the no-lost-wake-up claims are not vacuous if there are some.
func sleptAndWoken(sc *scenarios.Scenario) (*scenarios.Scenario, *int) {
	n := new(int)
	check := sc.Check
	sc.Check = func(o *scenarios.Outcome) error {
		for _, e := range o.History().Events {
			if e.Kind == history.EvWait && e.Result == "ok" {
				*n++
				break
			}
		}
		return check(o)
	}
	return sc, n
}

// exploreAllSC explores sc with SCDRF to its end and fails the test
// unless the exploration is Complete (it ended, and no execution had a
// data race or another failure).
func exploreAllSC(t *testing.T, sc *scenarios.Scenario) *scenarios.Report {
	t.Helper()
	sc, woken := sleptAndWoken(sc)
	rep := explore(t, sc, scenarios.Options{Strategy: scenarios.SCDRF()})
	logReport(t, rep)
	if !rep.Complete {
		t.Errorf("%s: not complete within %d executions: %+v", sc.Name, budget, rep.Stats)
	}
	for _, f := range rep.Failures {
		t.Errorf("%s: failure %v", sc.Name, f)
	}
	if rep.Stats.Allowed == 0 || *woken == 0 {
		t.Errorf("%s: %d executions allowed, %d with a waiter woken by a notify: want some of each", sc.Name, rep.Stats.Allowed, *woken)
	}
	return rep
}

// explorePCT explores sc with PCT of depth 3 (reads by default) for
// pctExecutions executions, and fails the test on any failure.
func explorePCT(t *testing.T, sc *scenarios.Scenario) {
	t.Helper()
	sc, woken := sleptAndWoken(sc)
	rep := explore(t, sc, scenarios.Options{Strategy: scenarios.LatestReads(scenarios.PCT(3, 1)), Executions: pctExecutions})
	t.Logf("%s (%s): %+v", rep.Scenario, rep.Strategy, rep.Stats)
	for _, f := range rep.Failures {
		t.Errorf("%s: failure %v", sc.Name, f)
	}
	if rep.Stats.Allowed != pctExecutions || *woken == 0 {
		t.Errorf("%s: %d executions allowed of %d, %d with a waiter woken by a notify", sc.Name, rep.Stats.Allowed, pctExecutions, *woken)
	}
}

// buggy explores a buggy scenario with strat and checks that its bug is
// found — one failure, of the kind its Fails names, marked Expected — and
// that replaying it reproduces it.
func buggy(t *testing.T, mk func() *scenarios.Scenario, strat scenarios.Strategy, executions int) *scenarios.Failure {
	t.Helper()
	sc := mk()
	rep := explore(t, sc, scenarios.Options{Strategy: strat, Executions: executions})
	f := onlyFailure(t, rep, sc.Fails)
	if !f.Expected {
		t.Errorf("%s: the %s failure is not marked Expected", sc.Name, f.Kind)
	}
	t.Logf("%s: found in execution %d (%v): %s\nschedule %s", sc.Name, f.Execution, rep.Stats.Elapsed, f.Message, f.Schedule)
	mustReplay(t, mk, scenarios.Options{}, f)
	return f
}

func TestMutex(t *testing.T) {
	exploreAllSC(t, examples.MutexCounter(2, 1))
	for _, n := range [][2]int{{2, 2}, {3, 1}, {3, 2}} {
		explorePCT(t, examples.MutexCounter(n[0], n[1]))
	}
}

func TestBuggyMutexForgetsContended(t *testing.T) {
	f := buggy(t, examples.MutexForgetsContended, scenarios.LatestReads(scenarios.PCT(3, 1)), pctExecutions)
	if want := "blocked in Atomics.wait"; !contains(f.Message, want) {
		t.Errorf("deadlock message %q does not say %q", f.Message, want)
	}
}

func TestBuggyMutexUnlockCheckThenStore(t *testing.T) {
	buggy(t, examples.MutexUnlockCheckThenStore, scenarios.SCDRF(), budget)
}

func TestBuggyMutexTestThenSet(t *testing.T) {
	buggy(t, examples.MutexTestThenSet, scenarios.SCDRF(), budget)
}

func TestCondition(t *testing.T) {
	exploreAllSC(t, examples.ConditionQueue(1, 1))
	exploreAllSC(t, examples.ConditionBroadcast(1))
	explorePCT(t, examples.ConditionQueue(1, 2))
	explorePCT(t, examples.ConditionQueue(2, 1))
	explorePCT(t, examples.ConditionQueue(2, 2))
	explorePCT(t, examples.ConditionBroadcast(3))
}

func TestBuggyConditionSeqAfterUnlock(t *testing.T) {
	buggy(t, examples.ConditionSeqAfterUnlock, scenarios.SCDRF(), budget)
}

func TestBarrier(t *testing.T) {
	exploreAllSC(t, examples.BarrierPhases(2, 1))
	exploreAllSC(t, examples.BarrierPhases(2, 2))
	explorePCT(t, examples.BarrierPhases(2, 3))
	explorePCT(t, examples.BarrierPhases(3, 2))
}

func TestBuggyBarrierNoGeneration(t *testing.T) {
	buggy(t, examples.BarrierNoGeneration, scenarios.SCDRF(), budget)
}

func TestBuggyBarrierWakeBeforeReset(t *testing.T) {
	buggy(t, examples.BarrierWakeBeforeReset, scenarios.SCDRF(), budget)
}

// TestPrimitiveSpecsReject shows the specifications can fail: sequential
// histories each breaking one rule are rejected, and their correct
// counterparts accepted.
func TestPrimitiveSpecsReject(t *testing.T) {
	op := func(client int, in, out any, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}
	}
	m := func(k string, a int) examples.MutexOp { return examples.MutexOp{Kind: k, Agent: a} }
	arrive := func(a int) examples.BarrierOp { return examples.BarrierOp{Kind: "arrive", Agent: a} }
	depart := func(a int) examples.BarrierOp { return examples.BarrierOp{Kind: "depart", Agent: a} }
	for _, c := range []struct {
		name string
		spec porcupine.Model
		ops  []porcupine.Operation
		ok   bool
	}{
		{"mutex in turn", examples.MutexSpec, []porcupine.Operation{op(0, m("lock", 0), nil, 1, 2), op(0, m("inc", 0), int64(0), 3, 4), op(0, m("unlock", 0), nil, 5, 6), op(1, m("lock", 1), nil, 7, 8), op(1, m("inc", 1), int64(1), 9, 10)}, true},
		{"mutex held twice", examples.MutexSpec, []porcupine.Operation{op(0, m("lock", 0), nil, 1, 2), op(1, m("lock", 1), nil, 3, 4), op(0, m("unlock", 0), nil, 5, 6)}, false},
		{"mutex lost increment", examples.MutexSpec, []porcupine.Operation{op(0, m("lock", 0), nil, 1, 2), op(0, m("inc", 0), int64(0), 3, 4), op(0, m("unlock", 0), nil, 5, 6), op(1, m("lock", 1), nil, 7, 8), op(1, m("inc", 1), int64(0), 9, 10)}, false},
		{"mutex unlock by another", examples.MutexSpec, []porcupine.Operation{op(0, m("lock", 0), nil, 1, 2), op(1, m("unlock", 1), nil, 3, 4)}, false},
		{"queue FIFO", examples.QueueSpec, []porcupine.Operation{op(0, examples.QueueOp{Kind: "put", Value: 1}, nil, 1, 2), op(0, examples.QueueOp{Kind: "put", Value: 2}, nil, 3, 4), op(1, examples.QueueOp{Kind: "take", Agent: 1}, int64(1), 5, 6)}, true},
		{"queue out of order", examples.QueueSpec, []porcupine.Operation{op(0, examples.QueueOp{Kind: "put", Value: 1}, nil, 1, 2), op(0, examples.QueueOp{Kind: "put", Value: 2}, nil, 3, 4), op(1, examples.QueueOp{Kind: "take", Agent: 1}, int64(2), 5, 6)}, false},
		{"queue take before put", examples.QueueSpec, []porcupine.Operation{op(1, examples.QueueOp{Kind: "take", Agent: 1}, int64(1), 1, 2), op(0, examples.QueueOp{Kind: "put", Value: 1}, nil, 3, 4)}, false},
		{"gate pass after open", examples.GateSpec, []porcupine.Operation{op(0, examples.GateOp{Kind: "open"}, nil, 1, 2), op(1, examples.GateOp{Kind: "pass", Agent: 1}, nil, 3, 4)}, true},
		{"gate pass before open", examples.GateSpec, []porcupine.Operation{op(1, examples.GateOp{Kind: "pass", Agent: 1}, nil, 1, 2), op(0, examples.GateOp{Kind: "open"}, nil, 3, 4)}, false},
		{"barrier", examples.BarrierSpec(2), []porcupine.Operation{op(0, arrive(0), false, 1, 2), op(1, arrive(1), true, 3, 4), op(0, depart(0), nil, 5, 6), op(1, depart(1), nil, 7, 8)}, true},
		{"barrier early departure", examples.BarrierSpec(2), []porcupine.Operation{op(0, arrive(0), false, 1, 2), op(0, depart(0), nil, 3, 4), op(1, arrive(1), true, 5, 6)}, false},
		{"barrier two serials", examples.BarrierSpec(2), []porcupine.Operation{op(0, arrive(0), true, 1, 2), op(1, arrive(1), true, 3, 4)}, false},
		{"barrier no serial", examples.BarrierSpec(2), []porcupine.Operation{op(0, arrive(0), false, 1, 2), op(1, arrive(1), false, 3, 4)}, false},
		{"barrier next phase early", examples.BarrierSpec(2), []porcupine.Operation{op(0, arrive(0), false, 1, 2), op(1, arrive(1), true, 3, 4), op(0, depart(0), nil, 5, 6), op(0, arrive(0), false, 7, 8), op(0, depart(0), nil, 9, 10)}, false},
	} {
		if got := porcupine.CheckOperations(c.spec, c.ops); got != c.ok {
			t.Errorf("%s: linearizable %v, want %v", c.name, got, c.ok)
		}
	}
}

// TestPrimitivesBadInput: bad views, indices and sizes are errors, never
// panics.
func TestPrimitivesBadInput(t *testing.T) {
	buf, err := shared.NewBuffer(8)
	if err != nil {
		t.Fatal(err)
	}
	i32, _ := shared.View(buf, shared.Int32)
	u8, _ := shared.View(buf, shared.Uint8)
	if _, err := examples.NewMutex(nil, 0); err == nil {
		t.Error("NewMutex(nil) accepted")
	}
	if _, err := examples.NewMutex(u8, 0); err == nil {
		t.Error("NewMutex(Uint8Array) accepted")
	}
	if _, err := examples.NewMutex(i32, 2); err == nil {
		t.Error("NewMutex at index 2 of 2 accepted")
	}
	if _, err := examples.NewCondition(i32, -1); err == nil {
		t.Error("NewCondition at index -1 accepted")
	}
	if _, err := examples.NewBarrier(i32, 1, 2); err == nil {
		t.Error("NewBarrier over elements 1 and 2 of 2 accepted")
	}
	if _, err := examples.NewBarrier(i32, 0, 0); err == nil {
		t.Error("NewBarrier of 0 parties accepted")
	}
	m, err := examples.NewMutex(i32, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Unlock(); err == nil {
		t.Error("unlocking an unlocked Mutex is not an error")
	}
	for _, sc := range []*scenarios.Scenario{examples.MutexCounter(0, 1), examples.ConditionQueue(1, 0), examples.ConditionBroadcast(0), examples.BarrierPhases(9, 1)} {
		rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{})
		if err != nil || len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailSetup {
			t.Errorf("%s: err %v, failures %v: want one setup failure", sc.Name, err, rep.Failures)
		}
	}
}

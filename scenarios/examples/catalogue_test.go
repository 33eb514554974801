package examples_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// TestCatalogue: the catalogue holds the examples the issue asks for (and
// the seq-cst spin contrast), sorted by name, each with a Doc and a Setup,
// each the value its constructor returns, and new values on every call.
func TestCatalogue(t *testing.T) {
	want := map[string]func() *scenarios.Scenario{
		"Grow+race":                     examples.GrowRace,
		"MP+wait-notify":                examples.MPWaitNotify,
		"MP+wait-notify+lost-wakeup":    examples.MPWaitNotifyLostWakeup,
		"Queue+transfer":                examples.QueueTransfer,
		"Spin+na-flag":                  examples.SpinNAFlag,
		"Spin+sc-flag":                  examples.SpinSCFlag,
		"Mutex+unlock-check-then-store": examples.MutexUnlockCheckThenStore,
		"Mutex+test-then-set":           examples.MutexTestThenSet,
		"Condition+seq-after-unlock":    examples.ConditionSeqAfterUnlock,
		"Ring+index-before-data":        examples.RingIndexBeforeData,
		"Ring+plain-index":              examples.RingPlainIndex,
		"Seqlock":                       examples.Seqlock,
		"Seqlock+plain-data":            examples.SeqlockPlainData,
		"Seqlock+plain-no-recheck":      examples.SeqlockPlainNoRecheck,
	}
	a, b := examples.Catalogue(), examples.Catalogue()
	var names []string
	for i, sc := range a {
		names = append(names, sc.Name)
		if sc.Doc == "" || sc.Setup == nil {
			t.Errorf("%q: Doc %q, Setup nil %v: want both", sc.Name, sc.Doc, sc.Setup == nil)
		}
		ctor, ok := want[sc.Name]
		if !ok {
			t.Errorf("unexpected scenario %q", sc.Name)
			continue
		}
		if c := ctor(); c.Name != sc.Name || c.Doc != sc.Doc || (c.Check == nil) != (sc.Check == nil) {
			t.Errorf("%q: the catalogue's scenario differs from its constructor's %q", sc.Name, c.Name)
		}
		if i < len(b) && (sc == b[i] || b[i].Name != sc.Name) {
			t.Errorf("%q: two calls returned the same value (or different orders)", sc.Name)
		}
	}
	if !slices.IsSortedFunc(a, func(x, y *scenarios.Scenario) int { return strings.Compare(x.Name, y.Name) }) {
		t.Errorf("not sorted by name: %q", names)
	}
	if len(a) != len(want) {
		t.Errorf("catalogue %q: want the %d scenarios %v", names, len(want), want)
	}
	// A caller changing one call's values leaves the next call's alone.
	a[0].Name = "changed"
	if c := examples.Catalogue(); c[0].Name == "changed" {
		t.Errorf("a change to one call's scenario shows in the next call's")
	}
}

// TestCatalogueRuns: every example runs under the explorer without a
// setup, agent, nondeterminism, replay, strategy or internal failure; the
// failures each is built to show are deadlock (the lost wake-up), livelock
// (the spins) and a failed check (the buggy ring buffers and seqlocks).
func TestCatalogueRuns(t *testing.T) {
	expected := map[string]scenarios.FailureKind{
		"MP+wait-notify+lost-wakeup":    scenarios.FailDeadlock,
		"Spin+na-flag":                  scenarios.FailLivelock,
		"Mutex+unlock-check-then-store": scenarios.FailDeadlock,
		"Mutex+test-then-set":           scenarios.FailCheck,
		"Condition+seq-after-unlock":    scenarios.FailDeadlock,
		"Ring+index-before-data":        scenarios.FailCheck,
		"Ring+plain-index":              scenarios.FailCheck,
		"Seqlock+plain-data":            scenarios.FailCheck,
		"Seqlock+plain-no-recheck":      scenarios.FailCheck,
	}
	for _, sc := range examples.Catalogue() {
		rep := explore(t, sc, scenarios.Options{MaxSteps: spinSteps})
		want, buggy := expected[sc.Name]
		switch {
		case buggy && (len(rep.Failures) != 1 || rep.Failures[0].Kind != want):
			logReport(t, rep)
			t.Errorf("%s: failures %v, want one %s", sc.Name, rep.Failures, want)
		case !buggy && (len(rep.Failures) != 0 || !rep.Complete):
			logReport(t, rep)
			t.Errorf("%s: failures %v, complete %v; want none, complete", sc.Name, rep.Failures, rep.Complete)
		}
	}
}

// BenchmarkCatalogue explores each example exhaustively under es2024
// (the spins with MaxSteps spinSteps), reporting the executions and steps
// of one exploration.
func BenchmarkCatalogue(b *testing.B) {
	for _, sc := range examples.Catalogue() {
		b.Run(sc.Name, func(b *testing.B) {
			var st scenarios.Stats
			for b.Loop() {
				rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{MaxSteps: spinSteps})
				if err != nil {
					b.Fatal(err)
				}
				st = rep.Stats
			}
			b.ReportMetric(float64(st.Executions), "executions/op")
			b.ReportMetric(float64(st.Steps), "steps/op")
		})
	}
}

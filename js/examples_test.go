package js

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/scenarios"
)

// TestExamples runs each example of js/examples under the explorer
// (exhaustive, es2024) and checks what it must show.
func TestExamples(t *testing.T) {
	for _, c := range []struct {
		file     string
		strategy scenarios.Strategy
		outcomes []string // substrings, one per outcome expected (in any order)
	}{
		// The reader may read the flag before the writer sets it and the
		// data after the writer wrote it: 3 outcomes, never flag 1 data 0.
		{"examples/mp.js", nil, []string{"reader:data=0 reader:flag=0", "reader:data=42 reader:flag=0", "reader:data=42 reader:flag=1"}},
		// Race-free (its config checks races): SC-DRF is complete.
		{"examples/lock.js", scenarios.SCDRF(), []string{"p:read=0 q:read=1", "p:read=1 q:read=0"}},
		// Woken (ok) or not-equal; after a wake-up the flag may still read
		// 0 (the settlement orders nothing: see docs/js.md), and then the
		// data may too.
		{"examples/waitasync.js", nil, []string{
			"waiter:data=7 waiter:flag=1 waiter:notEqual=0 waiter:ok=1",
			"waiter:data=7 waiter:flag=1 waiter:notEqual=1 waiter:ok=0",
			"waiter:data=0 waiter:flag=0 waiter:notEqual=0 waiter:ok=1",
			"waiter:data=7 waiter:flag=0 waiter:notEqual=0 waiter:ok=1",
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			rep := exploreFile(t, c.file, scenarios.Options{Strategy: c.strategy})
			for _, f := range rep.Failures {
				t.Errorf("failure: %v", f)
			}
			if !rep.Complete {
				t.Errorf("exploration incomplete: %+v", rep.Stats)
			}
			for _, w := range c.outcomes {
				found := false
				for _, o := range rep.Outcomes {
					found = found || strings.Contains(o.Key(), w)
				}
				if !found {
					t.Errorf("no outcome has %q", w)
				}
			}
			if len(rep.Outcomes) != len(c.outcomes) {
				for _, o := range rep.Outcomes {
					t.Logf("outcome %s", o.Key())
				}
				t.Errorf("%d outcomes, want %d", len(rep.Outcomes), len(c.outcomes))
			}
		})
	}
}

// TestBrokenLockIsCaughtAndReplays: the explorer finds the broken lock's
// lost update (a forbidden outcome: a check failure), and replaying the
// failure's schedule reaches the same failure, with the same outcome.
func TestBrokenLockIsCaughtAndReplays(t *testing.T) {
	rep := exploreFile(t, "examples/broken-lock.js", scenarios.Options{})
	if len(rep.Failures) != 1 {
		t.Fatalf("%d failures, want 1: %v", len(rep.Failures), rep.Failures)
	}
	f := rep.Failures[0]
	if f.Kind != scenarios.FailCheck || !strings.Contains(f.Message, "lost update") {
		t.Fatalf("failure %v, want the lost update", f)
	}
	sched := f.Schedule.String()
	parsed, err := scenarios.ParseSchedule(sched)
	if err != nil {
		t.Fatal(err)
	}
	again := exploreFile(t, "examples/broken-lock.js", scenarios.Options{Strategy: scenarios.Replay(parsed)})
	if len(again.Failures) != 1 {
		t.Fatalf("replay of %s: %d failures, want 1: %v", sched, len(again.Failures), again.Failures)
	}
	g := again.Failures[0]
	if g.Kind != f.Kind || g.Message != f.Message || g.Schedule.String() != sched {
		t.Fatalf("replay: %v, want %v", g, f)
	}
	if f.Outcome == nil || g.Outcome == nil || f.Outcome.Key() != g.Outcome.Key() {
		t.Fatalf("replay reached another outcome")
	}
}

// TestExamplesUnderStress runs mp.js on real goroutines: no FORBIDDEN
// outcome, no failed iteration.
func TestExamplesUnderStress(t *testing.T) {
	for _, file := range []string{"examples/mp.js", "examples/lock.js", "examples/waitasync.js"} {
		sc, err := ScenarioFile(file, ScenarioOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := scenarios.Stress(context.Background(), sc, scenarios.StressOptions{Iterations: 200, ExploreBudget: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed() {
			t.Errorf("%s: failed: rows %+v failures %v", file, rep.Rows, rep.Failures)
		}
	}
}

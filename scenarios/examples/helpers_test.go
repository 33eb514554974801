package examples_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
)

// models are the memory models every example is explored under.
var models = []model.Variant{model.ES2024, model.ES2017, model.SC}

// budget bounds each exploration's executions: far above what any
// example needs (tens to a few hundred), so that an exploration that
// reaches it — and is then not Complete — shows a regression instead of
// running on.
const budget = 5000

// hangGuard stops an exploration that runs far longer than it should (a
// hang in the explorer); it is no speed target (those are benchmarks).
const hangGuard = 2 * time.Minute

// explore runs sc under opt (Executions defaults to budget) and fails the
// test on an error.
func explore(t *testing.T, sc *scenarios.Scenario, opt scenarios.Options) *scenarios.Report {
	t.Helper()
	if opt.Executions == 0 {
		opt.Executions = budget
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	rep, err := scenarios.Run(ctx, sc, opt)
	if err != nil {
		t.Fatalf("Run(%s): %v", sc.Name, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("Run(%s) under %s: still running after %v (%+v)", sc.Name, rep.Model, hangGuard, rep.Stats)
	}
	return rep
}

// logReport logs what an exploration reached (shown with -v or on failure).
func logReport(t *testing.T, rep *scenarios.Report) {
	t.Helper()
	t.Logf("%s under %s (%s): %+v complete=%v", rep.Scenario, rep.Model, rep.Strategy, rep.Stats, rep.Complete)
	for _, o := range rep.Outcomes {
		t.Logf("  outcome %s  (replay %s)", o.Key(), o.Schedule)
	}
	for _, f := range rep.Failures {
		t.Logf("  failure %v", f)
	}
}

// mustComplete fails the test unless the exhaustive exploration ended of
// itself with no failure.
func mustComplete(t *testing.T, rep *scenarios.Report) {
	t.Helper()
	if !rep.Complete {
		t.Errorf("%s under %s: the exhaustive exploration is not Complete (%+v)", rep.Scenario, rep.Model, rep.Stats)
	}
	for _, f := range rep.Failures {
		t.Errorf("%s under %s: failure %v", rep.Scenario, rep.Model, f)
	}
	if len(rep.Outcomes) == 0 {
		t.Errorf("%s under %s: no outcome reached", rep.Scenario, rep.Model)
	}
}

// onlyFailure returns the report's one failure, of kind want.
func onlyFailure(t *testing.T, rep *scenarios.Report, want scenarios.FailureKind) *scenarios.Failure {
	t.Helper()
	if len(rep.Failures) != 1 {
		logReport(t, rep)
		t.Fatalf("%s under %s: %d failures, want 1 (%s)", rep.Scenario, rep.Model, len(rep.Failures), want)
	}
	f := rep.Failures[0]
	if f.Kind != want {
		t.Fatalf("%s under %s: failure %v, want a %s", rep.Scenario, rep.Model, f, want)
	}
	return f
}

// bufferID matches the process-wide buffer IDs failure messages name.
var bufferID = regexp.MustCompile(`buffer \d+`)

// stableMessage is a failure message without its buffer IDs, which differ
// from run to run (see TestExplorerBugMessageNamesBufferID).
func stableMessage(msg string) string { return bufferID.ReplaceAllString(msg, "buffer #") }

// mustReplay replays f's schedule — as a Schedule and through its replay
// string — under opt's model and steps, and fails the test unless each
// replay fails the same way at the same schedule.
func mustReplay(t *testing.T, sc func() *scenarios.Scenario, opt scenarios.Options, f *scenarios.Failure) {
	t.Helper()
	parsed, err := scenarios.ParseSchedule(f.Schedule.String())
	if err != nil {
		t.Fatalf("ParseSchedule(%q): %v", f.Schedule, err)
	}
	for _, r := range []struct {
		how string
		s   scenarios.Schedule
	}{{"Replay(failure.Schedule)", f.Schedule}, {"Replay(ParseSchedule(failure.Schedule.String()))", parsed}} {
		o := opt
		o.Strategy = scenarios.Replay(r.s)
		rep := explore(t, sc(), o)
		if rep.Stats.Executions != 1 || len(rep.Failures) != 1 {
			logReport(t, rep)
			t.Errorf("%s: %d executions and %d failures, want one failed execution", r.how, rep.Stats.Executions, len(rep.Failures))
			continue
		}
		g := rep.Failures[0]
		if g.Kind != f.Kind || stableMessage(g.Message) != stableMessage(f.Message) || g.Schedule.String() != f.Schedule.String() {
			t.Errorf("%s reproduced\n  %v\nwant\n  %v", r.how, g, f)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

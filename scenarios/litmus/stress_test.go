package litmus_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
)

func catalogueTest(tb testing.TB, name string) *litmus.Test {
	tb.Helper()
	tests, err := litmus.CatalogueTests()
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range tests {
		if t.Name == name {
			return t
		}
	}
	tb.Fatalf("no catalogue test %s", name)
	return nil
}

// TestStressCatalogue runs the fast path on every catalogue test under
// every model, a few thousand instances each: every row's key is one of
// the enumerator's states' texts (under es2024, the model sabre
// implements; under sc and es2017 the machine may show what those models
// forbid — x86's store buffering of plain stores, and a failing
// compareExchange that does not write, as tc39/ecma262 PR #2250 has it —
// and such a state must then be graded FORBIDDEN), the counts add up to
// the iterations, and each row's first iteration is one of them.
func TestStressCatalogue(t *testing.T) {
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	for _, lt := range tests {
		for _, m := range model.VariantNames() {
			t.Run(lt.Name+"/"+m, func(t *testing.T) {
				const n = 3000
				rep, err := litmus.Stress(context.Background(), lt, m, litmus.StressOptions{Iterations: n, Batch: 256, Affinity: true})
				if err != nil {
					t.Fatal(err)
				}
				obs, err := litmus.Run(lt, m)
				if err != nil {
					t.Fatal(err)
				}
				allowed := map[string]bool{}
				for i := range obs.States {
					allowed[obs.States[i].Text()] = true
				}
				if rep.Iterations != n {
					t.Errorf("%d iterations, want %d", rep.Iterations, n)
				}
				sum, forbidden := 0, 0
				for _, row := range rep.Rows {
					sum += row.Count
					switch {
					case !allowed[row.Key] && m == "es2024":
						t.Errorf("state %s (seen %d times, first at iteration %d) is not allowed under %s", row.Key, row.Count, row.First, m)
					case !allowed[row.Key] && row.Grade != scenarios.Forbidden:
						t.Errorf("state %s, not allowed under %s, graded %s", row.Key, m, row.Grade)
					case !allowed[row.Key]:
						forbidden++
						t.Logf("the machine showed %s, which %s forbids, %d times", row.Key, m, row.Count)
					case row.Grade == scenarios.Forbidden || row.Grade == scenarios.Unknown:
						t.Errorf("state %s graded %s", row.Key, row.Grade)
					}
					if row.First < 0 || row.First >= n {
						t.Errorf("state %s: first iteration %d", row.Key, row.First)
					}
				}
				if sum != n {
					t.Errorf("the rows count %d iterations, want %d", sum, n)
				}
				if rep.Failed() != (forbidden > 0) {
					t.Errorf("the run failed: %v, with %d forbidden states", rep.Failed(), forbidden)
				}
			})
		}
	}
}

// TestStressGradesAgainstTheGrading shows the grading is applied to what
// real runs produce: with a complete allowed set that holds nothing, every
// state seen is FORBIDDEN and the run fails; with a complete but empty sc
// set, every allowed state is INTERESTING; with an incomplete allowed set,
// UNKNOWN.
func TestStressGradesAgainstTheGrading(t *testing.T) {
	lt := catalogueTest(t, "MP+na")
	run := func(g *scenarios.Grading) *scenarios.StressReport {
		t.Helper()
		rep, err := litmus.Stress(context.Background(), lt, "es2024", litmus.StressOptions{Iterations: 2000, Grading: g})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) == 0 {
			t.Fatal("no rows")
		}
		return rep
	}
	rep := run(&scenarios.Grading{Allowed: map[string]bool{}, AllowedComplete: true, Note: "deliberately wrong"})
	for _, row := range rep.Rows {
		if row.Grade != scenarios.Forbidden || !strings.Contains(row.Note, "deliberately wrong") {
			t.Errorf("row %s: grade %s, note %q; want FORBIDDEN", row.Key, row.Grade, row.Note)
		}
	}
	if !rep.Failed() || rep.Count(scenarios.Forbidden) != 2000 {
		t.Errorf("Failed %v, %d forbidden; want a failed run with 2000", rep.Failed(), rep.Count(scenarios.Forbidden))
	}

	right, err := litmus.StressGrading(context.Background(), lt, "es2024", 0)
	if err != nil {
		t.Fatal(err)
	}
	right.SC = map[string]bool{}
	rep = run(right)
	if rep.Count(scenarios.Interesting) != 2000 || rep.Failed() {
		t.Errorf("%d interesting, failed %v; want 2000 and not failed", rep.Count(scenarios.Interesting), rep.Failed())
	}
	rep = run(&scenarios.Grading{Allowed: map[string]bool{}})
	if rep.Count(scenarios.Unknown) != 2000 || rep.Failed() {
		t.Errorf("%d unknown, failed %v; want 2000 and not failed", rep.Count(scenarios.Unknown), rep.Failed())
	}
}

// TestStressConditionAndRMW: RMW+add's two Atomics.add never lose an
// update (the final memory is 2 in every instance), and Satisfies is the
// condition's value on each state.
func TestStressConditionAndRMW(t *testing.T) {
	lt := catalogueTest(t, "RMW+add")
	rep, err := litmus.Stress(context.Background(), lt, "es2024", litmus.StressOptions{Iterations: 5000})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := litmus.Run(lt, "es2024")
	if err != nil {
		t.Fatal(err)
	}
	sat := map[string]bool{}
	for i := range obs.States {
		sat[obs.States[i].Text()] = obs.States[i].Satisfies
	}
	for _, row := range rep.Rows {
		if row.Satisfies != sat[row.Key] {
			t.Errorf("state %s: Satisfies %v, the enumerator says %v", row.Key, row.Satisfies, sat[row.Key])
		}
		if !strings.Contains(row.Key, "=2;") {
			t.Errorf("state %s: an update was lost", row.Key)
		}
	}
}

// TestStressBadInput: bad arguments are errors naming what is wrong.
func TestStressBadInput(t *testing.T) {
	lt := catalogueTest(t, "MP+na")
	ctx := context.Background()
	for _, c := range []struct {
		t    *litmus.Test
		m    string
		opt  litmus.StressOptions
		want string
	}{
		{nil, "es2024", litmus.StressOptions{}, "nil test"},
		{&litmus.Test{}, "es2024", litmus.StressOptions{}, "nil test"},
		{lt, "tso", litmus.StressOptions{}, "tso"},
		{lt, "es2024", litmus.StressOptions{Iterations: -1}, "Iterations -1 is negative"},
		{lt, "es2024", litmus.StressOptions{Duration: -time.Second}, "Duration -1s is negative"},
		{lt, "es2024", litmus.StressOptions{Batch: -2}, "Batch -2 is negative"},
		{lt, "es2024", litmus.StressOptions{Stride: -8}, "Stride -8 is negative"},
		{lt, "es2024", litmus.StressOptions{Stride: 12}, "Stride 12 is not a multiple of 8"},
		{lt, "es2024", litmus.StressOptions{SyncEvery: -1}, "SyncEvery -1 is negative"},
		{lt, "es2024", litmus.StressOptions{Iterations: 1 << 30, Batch: 1 << 24, Stride: 64}, "more than"},
	} {
		rep, err := litmus.Stress(ctx, c.t, c.m, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Stress(%+v): %v, %v; want an error containing %q", c.opt, rep, err, c.want)
		}
	}
	if _, err := litmus.StressGrading(ctx, nil, "es2024", 0); err == nil {
		t.Error("StressGrading(nil): no error")
	}
}

// TestStressEnds: a run bounded by a duration only ends, and a cancelled
// context ends a run before its first batch.
func TestStressEnds(t *testing.T) {
	lt := catalogueTest(t, "SB+na")
	rep, err := litmus.Stress(context.Background(), lt, "es2024", litmus.StressOptions{Duration: 20 * time.Millisecond})
	if err != nil || rep.Iterations == 0 {
		t.Fatalf("duration run: %v, %v", rep, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err = litmus.Stress(ctx, lt, "es2024", litmus.StressOptions{Iterations: 1 << 40, Grading: &scenarios.Grading{}})
	if err != nil || rep.Iterations != 0 {
		t.Fatalf("cancelled run: %+v, %v", rep, err)
	}
	done := 0
	rep, err = litmus.Stress(context.Background(), lt, "es2024", litmus.StressOptions{Iterations: 1000, Batch: 300, SyncEvery: 1, Progress: func(n int) { done = n }})
	if err != nil || rep.Iterations != 1000 || done != 1000 {
		t.Fatalf("progress: %d iterations, progress %d, %v", rep.Iterations, done, err)
	}
}

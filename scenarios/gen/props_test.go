package gen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
	"pgregory.net/rapid"
)

// The five properties of issue 9. Each runs rapid's default budget (100
// programs; -rapid.checks=N for the long form, e.g. -rapid.checks=10000;
// RAPID_CHECKS=N in the environment does the same). A failure shrinks the
// program and the schedule and ends with the program printed and the
// replay line (see docs/scenarios.md, "Properties").

// budgeted caps the programs a heavy property (exhaustive exploration and
// enumeration of each program) checks under rapid's default budget: the
// first limit test cases run, later ones return at once, unless the long
// form was asked for (-rapid.checks or RAPID_CHECKS given). After a failure
// the cap is lifted, so that rapid's shrinking re-runs every test case.
func budgeted(limit int, prop func(*rapid.T)) func(*rapid.T) {
	long := os.Getenv("RAPID_CHECKS") != ""
	flag.Visit(func(f *flag.Flag) { long = long || f.Name == "rapid.checks" })
	n, failed := 0, false
	return func(t *rapid.T) {
		n++
		if !long && !failed && n > limit {
			return
		}
		defer func() {
			if r := recover(); r != nil {
				failed = true
				panic(r)
			}
		}()
		prop(t)
	}
}

// Default budgets of the heavy properties (programs checked), under
// rapid's default -rapid.checks: see budgeted.
const (
	lightBudget = 40 // properties 1–3: a few random and rapid executions per program
	heavyBudget = 10 // properties 4 and 5: exhaustive exploration and enumeration per program
)

// drawModel draws the model variant a property runs under (es2024 first,
// so that shrinking goes there).
func drawModel(t *rapid.T, variants ...model.Variant) model.Variant {
	return variants[rapid.IntRange(0, len(variants)-1).Draw(t, "model")]
}

// configFor is the generator's configuration under v. Under es2017,
// compareExchange is left out: model.ValidExecution and the enumerator
// disagree there on failing compareExchange write-backs with mixed-size
// reads (a known, reported issue; cmd/sabre's review tests skip it too).
// No program has non-zero initial values (another known es2017 issue).
func configFor(v model.Variant, c Config) Config {
	if v == model.ES2017 {
		c.NoCompareExchange = true
	}
	return c
}

// property1 is property 1 with conformance check conf (Conforms, or a
// mutant).
func property1(t *rapid.T, conf func(model.Variant) func(*scenarios.Outcome) error) {
	v := drawModel(t, model.ES2024, model.SC, model.ES2017)
	p := Programs(configFor(v, Config{})).Draw(t, "program")
	Check(t, p, Harness{Model: v, Check: conf(v), CheckExpr: fmt.Sprintf("gen.Conforms(%s)", modelExpr(v))})
}

// TestProperty1Conformance: every history produced under the explorer
// conforms to the model (checker.Conformance).
func TestProperty1Conformance(t *testing.T) {
	rapid.Check(t, budgeted(lightBudget, func(t *rapid.T) { property1(t, Conforms) }))
}

// TestProperty1CatchesMutant: a faulty checker stand-in — conformance to
// sequential consistency while the explorer explores es2024 — is caught.
func TestProperty1CatchesMutant(t *testing.T) {
	out := expectFailure(t, func(t *rapid.T) {
		property1(t, func(model.Variant) func(*scenarios.Outcome) error { return Conforms(model.SC) })
	})
	mustContain(t, out, "property 1 (conformance)", "does not conform to sc")
}

// property2 is property 2 with the history transformed by mutate (nil:
// none) before the check.
func property2(t *rapid.T, mutate func(*history.History)) {
	v := drawModel(t, model.ES2024, model.SC)
	p := Programs(Config{SeqCst: true}).Draw(t, "program")
	check := Linearizable()
	if mutate != nil {
		check = func(o *scenarios.Outcome) error {
			h := o.History()
			c := &history.History{Buffers: h.Buffers, Events: slices.Clone(h.Events)}
			mutate(c)
			return linearizable(c)
		}
	}
	Check(t, p, Harness{Model: v, Check: check, CheckExpr: "gen.Linearizable()"})
}

// TestProperty2Linearizability: a history whose accesses are all seq-cst
// is linearizable (checker.Linearizability).
func TestProperty2Linearizability(t *testing.T) {
	rapid.Check(t, budgeted(lightBudget, func(t *rapid.T) { property2(t, nil) }))
}

// TestProperty2CatchesMutant: a faulty memory stand-in, whose first
// Atomics.load returns a value no write wrote, is caught.
func TestProperty2CatchesMutant(t *testing.T) {
	out := expectFailure(t, func(t *rapid.T) {
		property2(t, func(h *history.History) {
			for i, e := range h.Events {
				if e.Kind == history.EvRead && e.Order == model.SeqCst {
					h.Events[i].Read = 0x5a5a5a5a5a5a5a5a & (1<<(8*e.Size) - 1)
					return
				}
			}
		})
	})
	mustContain(t, out, "property 2 (linearizability)")
}

// property3 is property 3 with race detector d.
func property3(t *rapid.T, d RaceDetector) {
	v := drawModel(t, model.ES2024, model.SC)
	p := Programs(Config{}).Draw(t, "program")
	Check(t, p, Harness{Model: v, Check: RacesAgreeWith(d), CheckExpr: "gen.RacesAgree()"})
}

// TestProperty3Races: the race detector (checker.Races) reports a race
// exactly when the model's DataRaces does, on the same execution.
func TestProperty3Races(t *testing.T) {
	rapid.Check(t, budgeted(lightBudget, func(t *rapid.T) { property3(t, CheckerRaces) }))
}

// TestProperty3CatchesMutant: a race detector that ignores
// synchronizes-with (the model's races over happens-before without it)
// is caught.
func TestProperty3CatchesMutant(t *testing.T) {
	out := expectFailure(t, func(t *rapid.T) {
		property3(t, func(h *history.History) ([][2]int, error) { return modelRaces(h, true) })
	})
	mustContain(t, out, "property 3 (races)")
}

// property4 is property 4 with enumerator enum (States, or a mutant).
func property4(t *rapid.T, enum func(context.Context, *Program, model.Variant) (map[string]bool, error)) {
	ctx := context.Background()
	// es2024 and sc. Not es2017: the enumerator misses es2017 executions
	// that model.ValidExecution accepts, also with equal ranges and no
	// compareExchange (TestBugES2017EnumeratorMissesEqualRangeExecution,
	// found by this property's long form, a skipped failing test left for
	// package model's owner). Under sc the long form found the explorer's
	// pruning too strict (TestExhaustiveUnderSCReachesEveryState), fixed.
	v := drawModel(t, model.ES2024, model.SC)
	p := Programs(configFor(v, Config{StraightLine: true})).Draw(t, "program")
	ectx, cancel := context.WithTimeout(ctx, EnumerateBudget)
	defer cancel()
	want, err := enum(ectx, p, v)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Logf("undecided: the enumerator ran out of its budget")
		return
	}
	if err != nil {
		t.Fatalf("the enumerator: %v\n%s", err, FailureMessage(p, v, "", nil))
	}
	exh, err := ExploredStates(ctx, p, v, scenarios.Options{Strategy: scenarios.Exhaustive(0), Duration: ExhaustiveBudget}, true)
	if errors.Is(err, ErrIncomplete) {
		t.Logf("undecided: %v", err)
		return
	}
	if err != nil {
		t.Fatalf("exhaustive exploration: %v\n%s", err, FailureMessage(p, v, "", nil))
	}
	for k, s := range exh {
		if !want[k] {
			t.Fatalf("property 4: exhaustive exploration under %s reached %q, which the enumerator does not allow\n%s", v.Name(), k, stateMessage(p, v, s))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if !has(exh, k) {
			t.Fatalf("property 4: exhaustive exploration under %s never reached %q, which the enumerator allows\n%s", v.Name(), k, stateMessage(p, v, nil))
		}
	}
	seed := rapid.Uint64Range(1, 1<<20).Draw(t, "seed")
	for _, strat := range []scenarios.Strategy{scenarios.Random(seed), scenarios.PCT(3, seed)} {
		got, err := ExploredStates(ctx, p, v, scenarios.Options{Strategy: strat, Executions: 30}, false)
		if err != nil {
			t.Fatalf("%s exploration: %v\n%s", strat.Name(), err, FailureMessage(p, v, "", nil))
		}
		for k, s := range got {
			if !want[k] {
				t.Fatalf("property 4: %s exploration (seed %d) under %s reached %q, which the enumerator does not allow\n%s", strat.Name(), seed, v.Name(), k, stateMessage(p, v, s))
			}
		}
	}
}

// stateMessage is FailureMessage for an outcome reached by schedule s
// (nil: none).
func stateMessage(p *Program, v model.Variant, s scenarios.Schedule) string {
	return FailureMessage(p, v, "", &scenarios.Failure{Kind: scenarios.FailCheck, Message: "the state above", Schedule: s})
}

// TestProperty4Enumerator: for straight-line programs, random and pct
// exploration never reach an outcome outside the enumerator's set, and
// exhaustive exploration reaches exactly it.
func TestProperty4Enumerator(t *testing.T) {
	rapid.Check(t, budgeted(heavyBudget, func(t *rapid.T) { property4(t, States) }))
}

// TestProperty4CatchesMutant: a wrong enumerator set (the enumerator's
// states less the last in text order) is caught.
func TestProperty4CatchesMutant(t *testing.T) {
	out := expectFailure(t, func(t *rapid.T) {
		property4(t, func(ctx context.Context, p *Program, v model.Variant) (map[string]bool, error) {
			s, err := States(ctx, p, v)
			if len(s) > 1 {
				delete(s, slices.Max(slices.Collect(maps.Keys(s))))
			}
			return s, err
		})
	})
	mustContain(t, out, "property 4", "which the enumerator does not allow")
}

// property5 is property 5 under v with DRF judge drf (DRF, or a mutant):
// a straight-line program whose every execution under v is free of data
// races has only sequentially consistent outcomes under v.
func property5(t *rapid.T, v model.Variant, c Config, drf func(context.Context, *Program, model.Variant) (bool, *scenarios.Outcome, error)) {
	ctx := context.Background()
	p := Programs(configFor(v, c)).Draw(t, "program")
	// The enumerator first (cheap): only a program with an outcome that
	// is not sequentially consistent needs the (exhaustive) DRF judgement.
	ectx, cancel := context.WithTimeout(ctx, EnumerateBudget)
	defer cancel()
	var sc map[string]bool
	got, err := States(ectx, p, v)
	if err == nil {
		sc, err = States(ectx, p, model.SC)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Logf("undecided: the enumerator ran out of its budget")
		return
	}
	if err != nil {
		t.Fatalf("the enumerator: %v\n%s", err, FailureMessage(p, v, "", nil))
	}
	var weak []string
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if !sc[k] {
			weak = append(weak, k)
		}
	}
	if len(weak) == 0 {
		return
	}
	ok, _, err := drf(ctx, p, v)
	if errors.Is(err, ErrIncomplete) {
		t.Logf("undecided: %v", err)
		return
	}
	if err != nil {
		t.Fatalf("DRF: %v\n%s", err, FailureMessage(p, v, "", nil))
	}
	if !ok {
		return
	}
	exh, err := ExploredStates(ctx, p, v, scenarios.Options{Strategy: scenarios.Exhaustive(0), Duration: ExhaustiveBudget}, false)
	if err != nil {
		t.Fatalf("exploring the counterexample: %v", err)
	}
	t.Fatalf("property 5 (SC-DRF): the program is data-race-free under %s, but its outcome %q is not sequentially consistent\n%s", v.Name(), weak[0], stateMessage(p, v, exh[weak[0]]))
}

// p5Config is property 5's programs: straight-line, small.
var p5Config = Config{StraightLine: true, MaxAgents: 3, MaxStmts: 2}

// TestProperty5SCDRF: data-race-free programs have only sequentially
// consistent outcomes under es2024.
func TestProperty5SCDRF(t *testing.T) {
	rapid.Check(t, budgeted(lightBudget, func(t *rapid.T) { property5(t, model.ES2024, p5Config, DRF) }))
}

// TestProperty5FindsES2017Counterexample: under es2017, rapid finds a
// data-race-free program with an outcome that is not sequentially
// consistent (tc39/ecma262 issue #1354; catalogue: SC-DRF+ecma262-1354 and
// 2+2W+sc, whose final memory is read by race-free plain reads after
// everything).
func TestProperty5FindsES2017Counterexample(t *testing.T) {
	out := expectFailure(t, func(t *rapid.T) {
		property5(t, model.ES2017, Config{StraightLine: true, MaxAgents: 2, MaxStmts: 2}, DRF)
	})
	mustContain(t, out, "property 5 (SC-DRF)", "data-race-free under es2017", "JS gen")
}

// TestProperty5CatchesMutant: a DRF judge that calls every program
// data-race-free is caught under es2024.
func TestProperty5CatchesMutant(t *testing.T) {
	out := expectFailure(t, func(t *rapid.T) {
		property5(t, model.ES2024, p5Config, func(context.Context, *Program, model.Variant) (bool, *scenarios.Outcome, error) {
			return true, nil, nil
		})
	})
	mustContain(t, out, "property 5 (SC-DRF)")
}

// recorder is a rapid.TB that records a property's failure instead of
// failing the test: the mutant tests assert that it failed.
type recorder struct {
	t      *testing.T
	name   string
	mu     sync.Mutex
	failed bool
	out    strings.Builder
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return r.name }
func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.out, format+"\n", args...)
}
func (r *recorder) Log(args ...any)                   { r.Logf("%s", fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.Logf(format, args...); runtime.Goexit() }
func (r *recorder) Skip(args ...any)                  { r.Log(args...); runtime.Goexit() }
func (r *recorder) SkipNow()                          { runtime.Goexit() }
func (r *recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }
func (r *recorder) Error(args ...any)                 { r.Log(args...); r.Fail() }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); r.FailNow() }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); r.FailNow() }
func (r *recorder) FailNow()                          { r.Fail(); runtime.Goexit() }
func (r *recorder) Fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
}
func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// expectFailure runs prop under rapid with rapid's budget and returns
// the failure's output; it fails t if rapid found no failure. The failfile
// rapid writes for it is removed.
func expectFailure(t *testing.T, prop func(*rapid.T)) string {
	t.Helper()
	r := &recorder{t: t, name: t.Name() + "-expected-failure"}
	// An expected failure needs finding, not a minimal program: shrink
	// for at most 3 s (rapid's default is 30 s) unless asked otherwise.
	// Tests of this package do not run in parallel, so the flag is ours.
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "rapid.shrinktime" })
	if f := flag.Lookup("rapid.shrinktime"); f != nil && !given {
		old := f.Value.String()
		if err := f.Value.Set("3s"); err == nil {
			defer f.Value.Set(old)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rapid.Check(r, prop)
	}()
	<-done
	dirs, _ := filepath.Glob(filepath.Join("testdata", "rapid", "*-expected-failure"))
	for _, d := range dirs {
		os.RemoveAll(d)
	}
	os.Remove(filepath.Join("testdata", "rapid"))
	os.Remove("testdata")
	out := r.out.String()
	if !r.Failed() {
		t.Fatalf("the property did not fail within rapid's budget: the mutant is not caught\n%s", out)
	}
	// The failure message ends with the program and the replay line.
	if !strings.Contains(out, "replay: go test -run '^TestShrunk$' -sabre.model=") || !strings.Contains(out, "func TestShrunk(t *testing.T)") {
		t.Errorf("the failure does not end with the program and the replay line:\n%s", out)
	}
	t.Logf("caught:\n%s", out)
	return out
}

func mustContain(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("the failure does not say %q:\n%s", s, out)
		}
	}
}

// TestBugES2017EnumeratorMissesEqualRangeExecution is the minimal failure
// property 4's long form found (after 304 programs) under es2017: the
// explorer, whose every execution model.ValidExecution accepts, reaches
// states with 0:r0=0, 0:r1=2, 1:r0=2 that model.Enumerate does not list —
// every access of one Int32, no compareExchange, so it is not the known
// mixed-size/failing-compareExchange disagreement of issue 8's review
// (es2024's enumerator lists the states). One side is wrong: a bug of package model (the enumerator or the es2017 validity check),
// left for its owner.
func TestBugES2017EnumeratorMissesEqualRangeExecution(t *testing.T) {
	t.Skip("known bug of package model, found by property 4 (reported in issue 9's note): under es2017 model.Enumerate misses states that model.ValidExecution accepts, with equal-range accesses and no compareExchange")
	p := &Program{Name: "es2017-enumerator", Views: []View{{Name: "v0", Kind: shared.Int32, ByteOffset: 4, Length: 1}},
		Agents: []Agent{
			{Stmts: []Stmt{{Op: Xor, Value: 2}, {Op: Exchange, Value: 2}, {Op: PlainStore, Value: 3}}},
			{Stmts: []Stmt{{Op: PlainStore, Value: 4}, {Op: Load}}},
		}}
	ctx := context.Background()
	want, err := States(ctx, p, model.ES2017)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ExploredStates(ctx, p, model.ES2017, scenarios.Options{Strategy: scenarios.Exhaustive(0)}, true)
	if err != nil {
		t.Fatal(err)
	}
	for k := range got {
		if !want[k] {
			t.Errorf("the explorer reaches %q under es2017, the enumerator does not list it", k)
		}
	}
}

// TestExhaustiveUnderSCReachesEveryState is the minimal failure property
// 4's long form found (after 2,434 programs) under sc: the exhaustive
// explorer reported a Complete exploration of 7 final states, the
// enumerator lists 8, and the missing one (0:r0=0; 1:r0=2; 1:r1=2;
// v0[0]=2: P0's or, P1's read, P1's store of 3, P0's store of 2, P1's
// read) is a plain interleaving. The prefix check pruned it: it stood for
// the writes to come with one ghost write per byte value, and P1's two
// reads of 2 with its store of 3 between them need two writes of 2 under
// sc.
func TestExhaustiveUnderSCReachesEveryState(t *testing.T) {
	p := &Program{Name: "sc-exhaustive", Views: []View{{Name: "v0", Kind: shared.Int32, Length: 1}},
		Agents: []Agent{
			{Stmts: []Stmt{{Op: Or, Value: 2}, {Op: PlainStore, Value: 2}}},
			{Stmts: []Stmt{{Op: PlainLoad}, {Op: PlainStore, Value: 3}, {Op: PlainLoad}}},
		}}
	ctx := context.Background()
	want, err := States(ctx, p, model.SC)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ExploredStates(ctx, p, model.SC, scenarios.Options{Strategy: scenarios.Exhaustive(0)}, true)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if !has(got, k) {
			t.Errorf("exhaustive exploration under sc never reaches %q, which the enumerator lists", k)
		}
	}
}

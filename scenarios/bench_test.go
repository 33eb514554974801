package scenarios_test

import (
	"context"
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
	"github.com/sabre-mm/sabre/shared"
)

// fourAgents is a 4-agent program of 64 operations per agent: Atomics on
// a shared counter and plain stores and loads of each agent's own slot.
func fourAgents() *scenarios.Scenario {
	return &scenarios.Scenario{Name: "4 agents", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 32)
		for i, name := range []string{"P0", "P1", "P2", "P3"} {
			w.Agent(name, func(a *shared.Agent) error {
				v, _ := shared.View(buf.For(a), shared.Int32)
				for k := range 16 {
					atomics.Add(v, 0, 1)
					v.SetInt(1+i, int64(k))
					v.GetInt(1 + i)
					atomics.Load(v, 0)
				}
				return nil
			})
		}
		return nil
	}}
}

// interleavings is the random strategy's scheduling with every read
// returning its default: the controlled scheduler alone.
type interleavings struct{ scenarios.Strategy }

func (interleavings) Read(*scenarios.ReadChoice) []byte { return nil }

// BenchmarkControlledSteps measures the controlled scheduler: scheduling
// steps per second of the random strategy's interleavings on a 4-agent
// program (every step a scheduling point, ¾ of them a switch of
// goroutine), reads returning the latest write (so no model check is
// needed). Run it with -cpu 1. BenchmarkControlledStepsWeak adds weak
// reads, and with them the model checks that judge them.
func BenchmarkControlledSteps(b *testing.B) {
	benchSteps(b, interleavings{scenarios.Random(1)})
}

// BenchmarkControlledStepsWeak is BenchmarkControlledSteps with the
// random strategy's weak reads, each execution that makes one checked
// against the model (checker.Conformance on a 278-event history of a hot
// counter: BenchmarkConformanceOfRun).
func BenchmarkControlledStepsWeak(b *testing.B) {
	benchSteps(b, scenarios.Random(1))
}

func benchSteps(b *testing.B, s scenarios.Strategy) {
	steps := 0
	for b.Loop() {
		rep, err := scenarios.Run(context.Background(), fourAgents(), scenarios.Options{Strategy: s, Executions: 10})
		if err != nil || len(rep.Failures) > 0 {
			b.Fatal(err, rep.Failures)
		}
		steps += rep.Stats.Steps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkConformanceOfRun is the model check of one execution of the
// 4-agent program.
func BenchmarkConformanceOfRun(b *testing.B) {
	rep, err := scenarios.Run(context.Background(), fourAgents(), scenarios.Options{Strategy: interleavings{scenarios.Random(1)}, Executions: 1})
	if err != nil || len(rep.Outcomes) != 1 {
		b.Fatal(err)
	}
	h := rep.Outcomes[0].History()
	for b.Loop() {
		r, err := checker.Conformance(context.Background(), h, checker.Options{})
		if err != nil || r.Verdict != checker.Ok {
			b.Fatal(err, r.Verdict)
		}
	}
	b.ReportMetric(float64(len(h.Events)), "events")
}

// BenchmarkExhaustiveMP measures exhaustive exploration of the catalogue's
// MP+na under es2024: executions per second.
func BenchmarkExhaustiveMP(b *testing.B) {
	lt := catalogueTest(b, "MP+na")
	execs := 0
	for b.Loop() {
		_, rep, err := litmus.Explore(context.Background(), lt, "es2024", scenarios.Options{Strategy: scenarios.Exhaustive(0)})
		if err != nil || !rep.Complete {
			b.Fatal(err)
		}
		execs += rep.Stats.Executions
	}
	b.ReportMetric(float64(execs)/b.Elapsed().Seconds(), "executions/s")
}

func catalogueTest(tb testing.TB, name string) *litmus.Test {
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

// TestReductionAgainstPlainDFS compares, on a 3-agent catalogue test, the
// executions exhaustive exploration runs with the distinct outcomes it
// finds and with the executions of a plain depth-first search that
// branches at every scheduling point (PlainDFS), given a budget of
// plainBudget executions: the plain search reaches no outcome the reduced
// one does not, and needs more executions (it does not finish within
// the budget).
func TestReductionAgainstPlainDFS(t *testing.T) {
	const plainBudget = 3000
	lt := catalogueTest(t, "WRC+na")
	if len(lt.Agents) != 3 {
		t.Fatalf("%s has %d agents", lt.Name, len(lt.Agents))
	}
	_, red, err := litmus.Explore(context.Background(), lt, "es2024", scenarios.Options{Strategy: scenarios.Exhaustive(0)})
	if err != nil {
		t.Fatal(err)
	}
	_, plain, err := litmus.Explore(context.Background(), lt, "es2024", scenarios.Options{Strategy: scenarios.PlainDFS(0), Executions: plainBudget})
	if err != nil {
		t.Fatal(err)
	}
	if !red.Complete || len(red.Failures) > 0 || len(plain.Failures) > 0 {
		t.Fatalf("reduced: complete %v, failures %v; plain: failures %v", red.Complete, red.Failures, plain.Failures)
	}
	reached := map[string]bool{}
	for _, o := range red.Outcomes {
		reached[o.Key()] = true
	}
	for _, o := range plain.Outcomes {
		if !reached[o.Key()] {
			t.Errorf("plain DFS reached %s, which the reduced search missed", o.Key())
		}
	}
	if plain.Complete || plain.Stats.Executions <= red.Stats.Executions {
		t.Errorf("plain DFS finished in %d executions, the reduced search needed %d", plain.Stats.Executions, red.Stats.Executions)
	}
	t.Logf("%s: %d distinct outcomes; exhaustive: %d executions (%d allowed, %d redundant, %d rejected); plain DFS: %d outcomes after %d executions, not finished",
		lt.Name, len(red.Outcomes), red.Stats.Executions, red.Stats.Allowed, red.Stats.Redundant, red.Stats.Rejected, len(plain.Outcomes), plain.Stats.Executions)
}

// BenchmarkStressMP measures the stress runner's litmus fast path on
// MP+na (litmus.Stress with its defaults: batches of 1,024 instances,
// agents pinned where the OS allows, meeting every
// litmus.DefaultSyncEvery instances): iterations per second. The target
// is 1,000,000 per second on 2 cores, as jcstress reaches; run it without
// -cpu 1 (each agent needs a processor of its own).
func BenchmarkStressMP(b *testing.B) {
	benchStress(b, "MP+na", litmus.StressOptions{Affinity: true})
}

func benchStress(b *testing.B, name string, opt litmus.StressOptions) {
	lt := catalogueTest(b, name)
	g, err := litmus.StressGrading(context.Background(), lt, "es2024", 0)
	if err != nil {
		b.Fatal(err)
	}
	opt.Grading, opt.Iterations = g, 100_000
	iterations := 0
	for b.Loop() {
		rep, err := litmus.Stress(context.Background(), lt, "es2024", opt)
		if err != nil || rep.Failed() {
			b.Fatal(err, rep.Rows)
		}
		iterations += rep.Iterations
	}
	b.ReportMetric(float64(iterations)/b.Elapsed().Seconds(), "iterations/s")
}

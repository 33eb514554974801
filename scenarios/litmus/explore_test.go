package litmus_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
	"go.uber.org/goleak"
)

// TestExplorerMatchesEnumerator is the cross-check of the explorer against
// the enumerator: on every catalogue test under every model, exhaustive
// exploration reaches exactly the final states the enumerator lists, and
// prints the same Observation line.
func TestExplorerMatchesEnumerator(t *testing.T) {
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	for _, lt := range tests {
		for _, m := range model.VariantNames() {
			t.Run(lt.Name+"/"+m, func(t *testing.T) {
				t.Parallel()
				want, err := litmus.Run(lt, m)
				if err != nil {
					t.Fatal(err)
				}
				got, rep, err := litmus.Explore(context.Background(), lt, m, scenarios.Options{Strategy: scenarios.Exhaustive(0)})
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Failures) > 0 {
					t.Fatalf("failures: %v", rep.Failures)
				}
				if !rep.Complete {
					t.Errorf("exploration incomplete: %+v", rep.Stats)
				}
				keys := func(o *litmus.Observation) []string {
					var ks []string
					for _, s := range o.States {
						ks = append(ks, s.Final.Key())
					}
					slices.Sort(ks)
					return ks
				}
				if w, g := keys(want), keys(got); !slices.Equal(w, g) {
					t.Errorf("states differ:\nenumerator %q\nexplorer   %q", w, g)
				}
				if want.Line() != got.Line() {
					t.Errorf("enumerator %s, explorer %s", want.Line(), got.Line())
				}
				t.Logf("%s %s: %+v", lt.Name, m, rep.Stats)
			})
		}
	}
}

// TestRandomAndPCTFindWeakOutcomes: with their default budgets and a fixed
// seed, the random and pct strategies reach the weak outcome (the test's
// exists condition) of MP+na, SB+na, LB+na and IRIW+na under es2024 — LB+na
// needs a read to take a write its peer has not made yet.
func TestRandomAndPCTFindWeakOutcomes(t *testing.T) {
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"MP+na": true, "SB+na": true, "LB+na": true, "IRIW+na": true}
	for _, lt := range tests {
		if !want[lt.Name] {
			continue
		}
		delete(want, lt.Name)
		for _, s := range []scenarios.Strategy{scenarios.Random(1), scenarios.PCT(3, 1)} {
			t.Run(lt.Name+"/"+s.Name(), func(t *testing.T) {
				t.Parallel()
				obs, rep, err := litmus.Explore(context.Background(), lt, "es2024", scenarios.Options{Strategy: s, Executions: scenarios.DefaultExecutions})
				if err != nil {
					t.Fatal(err)
				}
				if obs.Positive == 0 || len(rep.Failures) > 0 {
					t.Errorf("%s: %s, failures %v, %+v", s.Name(), obs.Line(), rep.Failures, rep.Stats)
				}
				first := 0
				for i, o := range rep.Outcomes {
					fs, _ := lt.FinalState(o)
					st := litmus.Observe(lt, "es2024", []model.Outcome{{State: fs}})
					if st.Positive > 0 {
						first = i
						break
					}
				}
				t.Logf("%s %s: %s; %+v; weak outcome reached as outcome %d", lt.Name, s.Name(), obs.Line(), rep.Stats, first+1)
			})
		}
	}
	if len(want) > 0 {
		t.Fatalf("catalogue lacks %v", want)
	}
}

// TestRandomStaysWithinModel: every final state random and pct reach on a
// catalogue test is one the enumerator allows (they may miss some, never
// invent one).
func TestRandomStaysWithinModel(t *testing.T) {
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	for _, lt := range tests {
		for _, m := range model.VariantNames() {
			t.Run(lt.Name+"/"+m, func(t *testing.T) {
				t.Parallel()
				want, err := litmus.Run(lt, m)
				if err != nil {
					t.Fatal(err)
				}
				allowed := map[string]bool{}
				for _, s := range want.States {
					allowed[s.Final.Key()] = true
				}
				for _, s := range []scenarios.Strategy{scenarios.Random(2), scenarios.PCT(2, 2)} {
					got, rep, err := litmus.Explore(context.Background(), lt, m, scenarios.Options{Strategy: s, Executions: 60})
					if err != nil {
						t.Fatal(err)
					}
					if len(rep.Failures) > 0 {
						t.Fatalf("%s: %v", s.Name(), rep.Failures)
					}
					for _, st := range got.States {
						if !allowed[st.Final.Key()] {
							t.Errorf("%s reached %s, which the enumerator does not allow", s.Name(), st.Text())
						}
					}
				}
			})
		}
	}
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

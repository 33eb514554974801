package litmus_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
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

//go:build sabre_mutants

package checker_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/internal/mutant"
	"github.com/sabre-mm/sabre/internal/workload"
)

// catcher is the check each mutant is built to be caught by: the one that
// must reject its histories (others may reject them too).
var catcher = map[mutant.Mutant]checker.Check{
	mutant.SubWordRMWLoadStore: checker.Lin,
	mutant.Store64Halves:       checker.Lin,
	mutant.CASWritesOnFailure:  checker.Lin,
	mutant.NotifyNewestFirst:   checker.Lin,
	mutant.NotifyLosesWakeup:   checker.Lin,
	mutant.LoadStale:           checker.Lin,
	mutant.QueueDropsItem:      checker.Lin,
	mutant.StoreNotSeqCst:      checker.Race,
	mutant.PlainLoadStale:      checker.Conf,
}

// TestMutantTable runs each mutant's real concurrent workload through the
// recorder with the mutant in force, until the checks reject a history,
// and asserts that they do, that the check built for the mutant is among
// those that do, and that the same workload on the real core passes every
// check. It logs, per mutant, the checks that caught it and the median
// time to first detection (workload runs and checks included) over five
// trials; docs/checker.md tabulates them. Mutants are process-wide, so the
// subtests run one at a time.
func TestMutantTable(t *testing.T) {
	cases := workload.Cases()
	for _, m := range mutant.All() {
		if _, ok := catcher[m]; !ok {
			t.Errorf("mutant %s has no entry in the table", m)
		}
		if !slices.ContainsFunc(cases, func(c workload.Case) bool { return c.Mutant == m }) {
			t.Errorf("mutant %s has no workload", m)
		}
	}
	ctx := context.Background()
	opt := checker.Options{Budget: time.Minute}
	const trials, maxRuns = 5, 200
	for _, c := range cases {
		t.Run(string(c.Mutant), func(t *testing.T) {
			// The real core: no check may complain.
			h, err := c.Run(workload.Config{Seed: 99})
			if err != nil {
				t.Fatal(err)
			}
			results, err := checker.Run(ctx, h, nil, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				if r.Verdict != checker.Ok {
					t.Fatalf("the real core's %s workload: %s %s: %s", c.Name, r.Check, r.Verdict, r.Reason)
				}
			}
			caughtBy := map[checker.Check]int{}
			var times []time.Duration
			most := 0
			for trial := 0; trial < trials; trial++ {
				restore := mutant.Set(c.Mutant)
				start := time.Now()
				caught, runs := false, 0
				for ; runs < maxRuns && !caught; runs++ {
					h, err := c.Run(workload.Config{Seed: uint64(1000*trial + runs + 1)})
					if err != nil {
						restore()
						t.Fatalf("trial %d run %d: %v", trial, runs, err)
					}
					results, err := checker.Run(ctx, h, nil, opt)
					if err != nil {
						restore()
						t.Fatalf("trial %d run %d: %v", trial, runs, err)
					}
					for _, r := range results {
						switch r.Verdict {
						case checker.Illegal:
							caught = true
							caughtBy[r.Check]++
							if len(r.Findings) == 0 {
								t.Errorf("%s: illegal without findings", r.Check)
							}
						case checker.Unknown:
							t.Errorf("trial %d: %s undecided: %s", trial, r.Check, r.Reason)
						}
					}
				}
				restore()
				if !caught {
					t.Fatalf("trial %d: %d runs under %s, and no check caught it", trial, maxRuns, c.Mutant)
				}
				times = append(times, time.Since(start))
				most = max(most, runs)
			}
			if caughtBy[catcher[c.Mutant]] == 0 {
				t.Errorf("%s was caught by %v but never by %s, the check built to catch it", c.Mutant, caughtBy, catcher[c.Mutant])
			}
			slices.Sort(times)
			var by []string
			for _, k := range checker.Checks {
				if caughtBy[k] > 0 {
					by = append(by, string(k))
				}
			}
			t.Logf("%-20s caught by %-14s median time to first detection %-9v (at most %d runs of the workload)",
				c.Mutant, strings.Join(by, ","), times[len(times)/2].Round(10*time.Microsecond), most)
		})
	}
}

package scenarios_test

import (
	"os"
	"strings"
	"testing"
)

// TestReviewBug_DocGoTestOptionsOmitSCDRF: issue 9 added the strategy
// sc-drf to go test (scenarios/testing.go: -sabre.strategy accepts
// "exhaustive, sc-drf, random, pct, rapid or replay"), and
// docs/scenarios.md's "Strategies" table lists it, but the table of
// "Options for `go test`" still says `-sabre.strategy` takes
// "exhaustive (default), random, pct, rapid, replay". Expected: the row
// names sc-drf too (and its default budget, which is exhaustive's 5 s).
func TestReviewBug_DocGoTestOptionsOmitSCDRF(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(l, "| `-sabre.strategy`") {
			if !strings.Contains(l, "sc-drf") {
				t.Errorf("docs/scenarios.md's go test options omit sc-drf:\n%s", l)
			}
			return
		}
	}
	t.Fatal("docs/scenarios.md has no -sabre.strategy row")
}

package examples_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// growOutcomes are Grow+race's outcomes, as "reader writer" reports: the
// read undefined (before the grow) or 0 or 7 (after it; 7 only once the
// store has landed), the store a RangeError (before) or stored (after).
var growOutcomes = []string{
	"r=0 range-error",
	"r=0 stored",
	"r=7 stored",
	"undefined range-error",
	"undefined stored",
}

// growSignature is an outcome's "reader writer" reports.
func growSignature(o *scenarios.Outcome) string {
	var parts []string
	if _, ok := o.Values["reader:undefined"]; ok {
		parts = append(parts, "undefined")
	} else {
		parts = append(parts, fmt.Sprintf("r=%d", o.Values["reader:r"]))
	}
	if _, ok := o.Values["writer:range-error"]; ok {
		parts = append(parts, "range-error")
	} else {
		parts = append(parts, "stored")
	}
	return strings.Join(parts, " ")
}

// TestGrowRace explores Grow+race exhaustively under each model: it is
// complete, no outcome fails the scenario's Check (each access sees the
// buffer before or after the grow, consistently with the final memory),
// and the outcomes are exactly growOutcomes — both accesses reach both
// sides of the grow.
func TestGrowRace(t *testing.T) {
	for _, v := range models {
		t.Run(v.Name(), func(t *testing.T) {
			rep := explore(t, examples.GrowRace(), scenarios.Options{Model: v})
			logReport(t, rep)
			mustComplete(t, rep)
			var got []string
			for _, o := range rep.Outcomes {
				got = append(got, growSignature(o))
			}
			slices.Sort(got)
			if !slices.Equal(got, growOutcomes) {
				t.Errorf("outcomes\n  %q\nwant\n  %q", got, growOutcomes)
			}
		})
	}
}

// TestGrowRaceCheck shows the scenario's Check can fail.
func TestGrowRaceCheck(t *testing.T) {
	g16 := func(cell2 byte) map[string][]byte {
		g := make([]byte, 16)
		g[8] = cell2
		return map[string][]byte{"g": g}
	}
	sc := examples.GrowRace()
	for _, c := range []struct {
		name string
		o    scenarios.Outcome
		ok   bool
	}{
		{"before, before", scenarios.Outcome{Values: map[string]int64{"reader:undefined": 1, "writer:range-error": 1}, Memory: g16(0)}, true},
		{"after, after", scenarios.Outcome{Values: map[string]int64{"reader:r": 7, "writer:stored": 1}, Memory: g16(7)}, true},
		{"read 7 never stored", scenarios.Outcome{Values: map[string]int64{"reader:r": 7, "writer:range-error": 1}, Memory: g16(0)}, false},
		{"both reader reports", scenarios.Outcome{Values: map[string]int64{"reader:undefined": 1, "reader:r": 0, "writer:stored": 1}, Memory: g16(7)}, false},
		{"no writer report", scenarios.Outcome{Values: map[string]int64{"reader:r": 0}, Memory: g16(0)}, false},
		{"stored but not in memory", scenarios.Outcome{Values: map[string]int64{"reader:r": 0, "writer:stored": 1}, Memory: g16(0)}, false},
		{"not grown", scenarios.Outcome{Values: map[string]int64{"reader:undefined": 1, "writer:range-error": 1}, Memory: map[string][]byte{"g": make([]byte, 8)}}, false},
	} {
		if err := sc.Check(&c.o); (err == nil) != c.ok {
			t.Errorf("%s: Check = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

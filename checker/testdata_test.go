package checker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
)

// testdataCatcher is the check each bad file is for (others may reject it
// too): the one built to catch the mutant that made it.
var testdataCatcher = map[string]checker.Check{
	"subword-rmw":           checker.Lin,
	"store64-halves":        checker.Lin,
	"cas-writes-on-failure": checker.Lin,
	"notify-newest-first":   checker.Lin,
	"notify-loses-wakeup":   checker.Lin,
	"load-stale":            checker.Lin,
	"queue-drops-item":      checker.Lin,
	"store-not-seqcst":      checker.Race,
	"plain-load-stale":      checker.Conf,
}

// TestTestdataPairs: every checker/testdata/<case>-ok.jsonl (the real core's
// run) passes every check, and every <case>-bad.jsonl (the same workload
// under a mutant) is rejected, by its case's check at least.
func TestTestdataPairs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	seen := map[string]int{}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".jsonl")
		name, ok := strings.CutSuffix(base, "-ok")
		bad := false
		if !ok {
			name, bad = strings.CutSuffix(base, "-bad")
			if !bad {
				t.Errorf("%s is named neither <case>-ok.jsonl nor <case>-bad.jsonl", f)
				continue
			}
		}
		seen[name]++
		t.Run(base, func(t *testing.T) {
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			h, err := history.Read(r)
			if err != nil {
				t.Fatal(err)
			}
			results, err := checker.Run(context.Background(), h, nil, checker.Options{Budget: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range results {
				switch {
				case !bad && res.Verdict != checker.Ok:
					t.Errorf("%s: %s: %s", res.Check, res.Verdict, res.Reason)
				case bad && res.Check == testdataCatcher[name] && res.Verdict != checker.Illegal:
					t.Errorf("%s is for the %s check, which says %s: %s", f, res.Check, res.Verdict, res.Reason)
				case bad && res.Verdict == checker.Unknown:
					t.Errorf("%s: undecided: %s", res.Check, res.Reason)
				}
			}
		})
	}
	for name, n := range seen {
		if n != 2 {
			t.Errorf("case %s has %d of its two files", name, n)
		}
		if _, ok := testdataCatcher[name]; !ok {
			t.Errorf("case %s is not in testdataCatcher", name)
		}
	}
	for _, c := range checker.Checks {
		found := false
		for _, k := range testdataCatcher {
			found = found || k == c
		}
		if !found {
			t.Errorf("no bad file is for the %s check", c)
		}
	}
}

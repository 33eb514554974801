package main

import (
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
	"github.com/sabre-mm/sabre/shared"
)

// TestStressBadInput: bad flags, models, names and files are exit 2 with
// a message naming what is wrong, and nothing on stdout.
func TestStressBadInput(t *testing.T) {
	dir := t.TempDir()
	badFile := writeFile(t, dir, "bad.litmus", "JS bad\n{ Int32 x[1]; }\nP0 { x[0] = ; }\nexists (x[0]=1)\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "tso", "MP+na"}, `unknown model "tso"`},
		{[]string{"--iterations", "-5", "MP+na"}, "--iterations -5 is negative"},
		{[]string{"--iterations", "0", "MP+na"}, "--iterations 0 would run nothing"},
		{[]string{"--duration", "-1s", "MP+na"}, "--duration -1s is negative"},
		{[]string{"--duration", "soon", "MP+na"}, `invalid value "soon" for flag -duration`},
		{[]string{"--explore-budget", "0s", "MP+na"}, "--explore-budget 0s is not positive"},
		{[]string{"--sample", "-1", "MP+na"}, "--sample -1 is negative"},
		{[]string{"--sync-every", "-1", "MP+na"}, "--sync-every -1 is negative"},
		{[]string{"--max-rows", "-1", "MP+na"}, "--max-rows -1 is negative"},
		{[]string{"--frobnicate"}, "flag provided but not defined: -frobnicate"},
		{[]string{"--jitter", "-3", "MP+na"}, "--jitter -3 is not within 0"},
		{[]string{"--checks", "race", "MP+na"}, "--checks applies to sampled iterations"},
		{[]string{"--sample", "10", "--checks", "race,speed", "MP+na"}, `--checks: checker: unknown check "speed"`},
		{[]string{"No+such+test"}, `no built-in test or scenario is named "No+such+test"`},
		{[]string{badFile}, badFile + ":3:"},
	} {
		code, out, errs := runCLI(t, append([]string{"stress"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("sabre stress %v: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errs, c.want)
		}
	}
	if code, _, errs := runCLI(t, "stress", "-h"); code != 0 || !strings.Contains(errs, "usage: sabre stress") {
		t.Errorf("-h: exit %d, %q", code, errs)
	}
}

var stressHeader = regexp.MustCompile(`^(Litmus|Scenario) (\S+) under (\S+): (\d+) iterations? in [0-9.]+s \(\d+/s\), \d+ distinct (states?|outcomes?): ACCEPTABLE \d+, INTERESTING \d+, FORBIDDEN \d+(, UNKNOWN \d+)? — (ok|FAILED)$`)
var stressRow = regexp.MustCompile(`^([ *]) +(\d+)  (ACCEPTABLE|INTERESTING|FORBIDDEN|UNKNOWN) +(.*)$`)

// parseStressText splits text output into tests: header fields and the
// rows' counts by grade.
func parseStressText(t *testing.T, out string) []map[string]int {
	t.Helper()
	var tests []map[string]int
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if m := stressHeader.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[4])
			tests = append(tests, map[string]int{"iterations": n, m[1] + " " + m[2]: 1})
			continue
		}
		if len(tests) == 0 {
			t.Fatalf("output does not start with a header: %q", l)
		}
		if m := stressRow.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[2])
			tests[len(tests)-1][m[3]] += n
			tests[len(tests)-1]["rows"] += n
			if m[1] == "*" {
				tests[len(tests)-1]["satisfying"] += n
			}
		}
	}
	return tests
}

// TestStressTextShape: a litmus file's graded histogram — header, the
// grading, the rows adding up to the iterations, "*" before states that
// satisfy the condition — and nothing on stderr (not a terminal).
func TestStressTextShape(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "mp.litmus", mpSrc)
	code, out, errs := runCLI(t, "stress", "--iterations", "3000", f, "SB+na")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	tests := parseStressText(t, out)
	if len(tests) != 2 {
		t.Fatalf("%d tests in\n%s", len(tests), out)
	}
	for _, tt := range tests {
		if tt["iterations"] != 3000 || tt["rows"] != 3000 || tt["FORBIDDEN"] != 0 {
			t.Errorf("test %v in\n%s", tt, out)
		}
	}
	if tests[0]["Litmus "+f] != 1 || tests[1]["Litmus SB+na"] != 1 || tests[0]["satisfying"] != 0 {
		t.Errorf("tests %v in\n%s", tests, out)
	}
	if !strings.Contains(out, "  graded by the enumerator: 3 states allowed under es2024, 3 under sc\n") {
		t.Errorf("no grading line in\n%s", out)
	}
}

// TestStressJSONShape: --json prints one array, one object per test, whose
// outcomes add up to its iterations, graded.
func TestStressJSONShape(t *testing.T) {
	code, out, errs := runCLI(t, "stress", "--json", "--iterations", "2000", "--model", "es2017", "LB+na", "CoRR+na")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var got []stressJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	if len(got) != 2 || got[0].Name != "LB+na" || got[1].Name != "CoRR+na" {
		t.Fatalf("%+v", got)
	}
	for _, r := range got {
		n := 0
		for _, o := range r.Outcomes {
			n += o.Count
			if o.Grade == "" || o.Satisfies == nil || o.Outcome == "" {
				t.Errorf("%s: outcome %+v", r.Name, o)
			}
		}
		if r.Kind != "litmus" || r.Model != "es2017" || r.Iterations != 2000 || n != 2000 || r.Failed || !r.Grading.AllowedComplete ||
			r.Counts["FORBIDDEN"] != 0 || r.Counts["ACCEPTABLE"]+r.Counts["INTERESTING"] != 2000 || !strings.HasSuffix(r.File, r.Name+".litmus") {
			t.Errorf("%+v", r)
		}
	}
}

// scRejecting is a scenario whose Check rejects what its agent reports:
// every outcome is FORBIDDEN, and the run fails.
func scRejecting() *scenarios.Scenario {
	return &scenarios.Scenario{Name: "rejecting", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 4)
		w.Agent("P0", func(a *shared.Agent) error {
			v, err := shared.View(buf.For(a), shared.Int32)
			if err == nil {
				err = v.SetInt(0, 3)
			}
			w.Report(a, "r", 3)
			return err
		})
		return nil
	}, Check: func(o *scenarios.Outcome) error {
		if o.Values["P0:r"] == 3 {
			return errors.New("three is not allowed here")
		}
		return nil
	}}
}

// TestStressForbiddenExit: a FORBIDDEN outcome is exit 1, reported on
// stdout with the iteration that produced it and on stderr; a Go
// scenario's table names its grading.
func TestStressForbiddenExit(t *testing.T) {
	withScenarios(t, scRejecting, scMPWait)
	code, out, errs := runCLI(t, "stress", "--iterations", "50", "rejecting", "mp-wait")
	if code != 1 {
		t.Fatalf("exit %d, stdout\n%s\nstderr\n%s", code, out, errs)
	}
	for _, want := range []string{
		"Scenario rejecting under es2024: 1 iteration in", // the run ends at its failure
		"FORBIDDEN    P0:r=3 m[03000000]\n",
		"first at iteration 0: three is not allowed here\n",
		"  failure check at iteration 0: three is not allowed here\n",
		"Scenario mp-wait under es2024: 50 iterations in",
		"graded by exhaustive exploration under es2024",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		"rejecting under es2024: FORBIDDEN P0:r=3 m[03000000] (1 times, first at iteration 0): three is not allowed here\n",
		"rejecting under es2024: iteration 0 failed: check: three is not allowed here\n",
		"sabre stress: 1 forbidden outcome, 1 failed iteration\n",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestStressSampledRaceCheck: --sample with --checks race checks the
// sampled histories of a Go scenario whose two agents both write one
// location with plain stores (a data race whatever the order): the first
// sampled iteration fails, exit 1.
func TestStressSampledRaceCheck(t *testing.T) {
	withScenarios(t, scRacyWrites)
	code, out, errs := runCLI(t, "stress", "--iterations", "20", "--sample", "5", "--jitter", "10", "racy")
	if code != 0 || !strings.Contains(out, "Scenario racy under es2024: 20 iterations") {
		t.Fatalf("without --checks: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "stress", "--iterations", "20", "--sample", "5", "--checks", "race", "racy")
	if code != 1 || !strings.Contains(out, "  failure check at iteration 0: race on the recorded history:") ||
		!strings.Contains(errs, "racy under es2024: iteration 0 failed: check: race on the recorded history:") {
		t.Fatalf("with --checks race: exit %d\n%s%s", code, out, errs)
	}
}

// scRacyWrites: two agents store to one Int32 with plain stores.
func scRacyWrites() *scenarios.Scenario {
	return &scenarios.Scenario{Name: "racy", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 4)
		for i, name := range []string{"P0", "P1"} {
			w.Agent(name, func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err == nil {
					err = v.SetInt(0, int64(i+1))
				}
				return err
			})
		}
		return nil
	}}
}

// TestStressDefaultTargets: with no argument the whole litmus catalogue
// runs, then the built-in Go scenarios, in order.
func TestStressDefaultTargets(t *testing.T) {
	withScenarios(t, scMPWait)
	code, out, errs := runCLI(t, "stress", "--iterations", "200", "--max-rows", "2")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	cat, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if m := stressHeader.FindStringSubmatch(l); m != nil {
			names = append(names, m[2])
		}
	}
	if len(names) != len(cat)+1 || names[len(names)-1] != "mp-wait" {
		t.Fatalf("%d tests, last %v", len(names), names[len(names)-1:])
	}
	for i, lt := range cat {
		if names[i] != lt.Name {
			t.Fatalf("test %d is %s, want %s", i, names[i], lt.Name)
		}
	}
	if !strings.Contains(out, "more states: ") {
		t.Errorf("--max-rows 2 hid no row of a test with more states")
	}
}

// scSlow is a scenario whose iterations take 5 ms each.
func scSlow() *scenarios.Scenario {
	return &scenarios.Scenario{Name: "slow", Setup: func(w *scenarios.World) error {
		w.Agent("P0", func(a *shared.Agent) error {
			time.Sleep(5 * time.Millisecond)
			return nil
		})
		return nil
	}}
}

// TestStressProgress: on a terminal, a run longer than a second shows a
// progress bar on stderr; a shorter one shows nothing.
func TestStressProgress(t *testing.T) {
	withScenarios(t, scSlow)
	old := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = old })
	code, _, errs := runCLI(t, "stress", "--iterations", "1000", "MP+na")
	if code != 0 || errs != "" {
		t.Fatalf("a short run: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "stress", "--duration", "1500ms", "MP+na")
	if code != 0 || !strings.Contains(errs, "MP+na") || !strings.Contains(errs, "(0/1") {
		t.Fatalf("a long run bounded by time: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "stress", "--iterations", "300", "--explore-budget", "1s", "slow")
	if code != 0 || !strings.Contains(errs, "slow") || !strings.Contains(errs, "it/s") {
		t.Fatalf("a long run bounded by iterations: exit %d, stderr %q", code, errs)
	}
}

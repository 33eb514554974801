package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/scenarios/litmus"
	"github.com/sabre-mm/sabre/shared"
)

// TestExploreExhaustiveEqualsLitmus is the cross-check through
// both commands: on every catalogue test, `sabre explore --strategy
// exhaustive NAME` prints exactly the lines `sabre litmus` prints for it
// under the three models (the litmus run covers the whole catalogue at
// once; the explorer runs one test per subtest, in parallel).
func TestExploreExhaustiveEqualsLitmus(t *testing.T) {
	code, out, errs := runCLI(t, "litmus")
	if code != 0 {
		t.Fatalf("sabre litmus: exit %d, stderr:\n%s", code, errs)
	}
	want := map[string]string{} // test name → its lines
	for _, l := range strings.SplitAfter(out, "\n") {
		if f := strings.Fields(l); len(f) == 6 {
			want[f[2]] += l
		}
	}
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(tests) {
		t.Fatalf("sabre litmus printed %d tests, the catalogue has %d", len(want), len(tests))
	}
	for _, lt := range tests {
		t.Run(lt.Name, func(t *testing.T) {
			t.Parallel()
			code, got, errs := runCLI(t, "explore", "--strategy", "exhaustive", lt.Name)
			if code != 0 || errs != "" {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			if w := want[lt.Name]; got != w || strings.Count(got, "\n") != 3 {
				t.Errorf("sabre explore:\n%ssabre litmus:\n%s", got, w)
			}
		})
	}
}

// TestExploreCatalogueDefault checks that without arguments the whole
// litmus catalogue runs, then the built-in Go scenarios, in order, one
// line per model prefixed with its name; and that an exhaustive
// exploration cut short by --budget says that it is incomplete.
func TestExploreCatalogueDefault(t *testing.T) {
	withScenarios(t, scLostUpdate)
	code, out, errs := runCLI(t, "explore", "--budget", "1")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 3*len(tests)+3 {
		t.Fatalf("%d lines for %d tests and a scenario:\n%s", len(lines), len(tests), out)
	}
	for i, l := range lines[:3*len(tests)] {
		m := model.VariantNames()[i%3]
		f := strings.Fields(l)
		if len(f) < 6 || f[0] != m || f[1] != "Observation" || f[2] != tests[i/3].Name ||
			!strings.HasSuffix(l, "(incomplete after 1 execution: budget of 1 execution spent; Never means not reached)") {
			t.Errorf("line %d: %q", i, l)
		}
	}
	rest := lines[3*len(tests):]
	if !strings.HasPrefix(rest[0], "es2024  Scenario lost-update: 1 outcome, 0 failures (exhaustive, incomplete after 1 execution: budget of 1 execution spent)") {
		t.Errorf("scenario header %q", rest[0])
	}
}

// TestExploreSampledSaysNotSeen checks the notes of random and pct: a
// Never is "not seen", other results count the states seen; and that
// both find the weak outcome of MP+na, SB+na, LB+na and IRIW+na under
// es2024 within their default budgets (the seed is fixed: the default).
func TestExploreSampledSaysNotSeen(t *testing.T) {
	for _, s := range []struct{ name, text string }{{"random", "random seed 1"}, {"pct", "pct depth 3 seed 1"}} {
		code, out, errs := runCLI(t, "explore", "--strategy", s.name, "MP+na", "SB+na", "LB+na", "IRIW+na")
		if code != 0 || errs != "" {
			t.Fatalf("%s: exit %d, stderr %q", s.name, code, errs)
		}
		notSeen := regexp.MustCompile(`^sc      Observation \S+ Never 0 \d+ \(not seen in 1000 executions of ` + s.text + `\)$`)
		seen := regexp.MustCompile(`^es20(24|17)  Observation \S+ Sometimes 1 \d+ \(\d+ states seen in 1000 executions of ` + s.text + `\)$`)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 12 {
			t.Fatalf("%s: %d lines:\n%s", s.name, len(lines), out)
		}
		for _, l := range lines {
			if !notSeen.MatchString(l) && !seen.MatchString(l) {
				t.Errorf("%s: line %q", s.name, l)
			}
		}
	}
	code, out, _ := runCLI(t, "explore", "--model", "es2024", "--strategy", "random", "--seed", "7", "--budget", "3", "MP+na")
	if code != 0 || !strings.HasSuffix(out, " executions of random seed 7)\n") || !strings.Contains(out, " in 3 executions") {
		t.Errorf("--seed 7 --budget 3: exit %d, %q", code, out)
	}
}

// TestExploreStatesReplay checks --states: herd7's block with a replay
// command after each state, and that each command, run, reaches exactly
// that state.
func TestExploreStatesReplay(t *testing.T) {
	dir := t.TempDir()
	src, err := fs.ReadFile(litmus.Catalogue(), "MP+na.litmus")
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, dir, "mp na's.litmus", string(src))
	code, out, errs := runCLI(t, "explore", "--model", "es2024", "--states", p)
	if code != 0 {
		t.Fatalf("exit %d %q", code, errs)
	}
	_, herd, _ := runCLI(t, "litmus", "--model", "es2024", "--states", p)
	// Without the replay lines, the block is sabre litmus's.
	var replays []string
	var stripped strings.Builder
	var states []string
	for _, l := range strings.SplitAfter(out, "\n") {
		if r, ok := strings.CutPrefix(l, "  replay: "); ok {
			replays = append(replays, strings.TrimSpace(r))
			continue
		}
		if strings.HasPrefix(l, "1:r0=") {
			states = append(states, strings.TrimSpace(l))
		}
		stripped.WriteString(l)
	}
	if stripped.String() != herd {
		t.Errorf("explore --states without replay lines:\n%s\nsabre litmus --states:\n%s", stripped.String(), herd)
	}
	if len(replays) != 4 || len(states) != 4 {
		t.Fatalf("%d replay lines for %d states:\n%s", len(replays), len(states), out)
	}
	for i, r := range replays {
		args := replayArgs(t, r)
		if args[len(args)-1] != p {
			t.Errorf("the replay command names %q, not %q (quoting)", args[len(args)-1], p)
		}
		code, out, errs := runCLI(t, args...)
		if code != 0 || errs != "" {
			t.Errorf("%s: exit %d, stderr %q", r, code, errs)
			continue
		}
		if !strings.Contains(out, "\nStates 1\n"+states[i]+"\n  replay: "+r+"\n") || !strings.Contains(out, "(replay of one execution)") {
			t.Errorf("%s does not reach %s:\n%s", r, states[i], out)
		}
	}
}

// TestExploreLitmusReplays checks the round trip of --states's replay
// commands on every catalogue test under es2024 (the model with the most
// weak states; the prefixed all-models output is checked by
// TestExploreCatalogueReplays): each reaches its state again. About 32
// states a test, spread over its states, are replayed. Some states are
// reached by a speculative read (one returning a value its peer has not
// written yet, as in SB+na and LB+na): the test makes sure such replays
// are among those checked.
func TestExploreLitmusReplays(t *testing.T) {
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	var speculative atomic.Int64
	t.Run("all", func(t *testing.T) {
		for _, lt := range tests {
			t.Run(lt.Name, func(t *testing.T) {
				t.Parallel()
				code, out, errs := runCLI(t, "explore", "--model", "es2024", "--states", lt.Name)
				if code != 0 {
					t.Fatalf("exit %d %q", code, errs)
				}
				lines := strings.Split(out, "\n")
				// At most about 32 replays a test, spread over its states
				// (SB4's 256 would take most of the test's time).
				every := strings.Count(out, "\n  replay: ")/32 + 1
				k := 0
				for i, l := range lines {
					r, ok := strings.CutPrefix(l, "  replay: ")
					if !ok || i == 0 {
						continue
					}
					if k++; (k-1)%every != 0 {
						continue
					}
					state := lines[i-1]
					if (lt.Name == "SB+na" || lt.Name == "LB+na") && strings.Contains(r, "=01") {
						speculative.Add(1)
					}
					code, rout, errs := runCLI(t, replayArgs(t, r)...)
					if code != 0 || !strings.Contains(rout, "\nStates 1\n"+state+"\n  replay: "+r+"\n") {
						t.Errorf("%s: exit %d, stderr %q; does not reach %s:\n%s", r, code, errs, state, rout)
					}
				}
			})
		}
	})
	if speculative.Load() == 0 {
		t.Error("no replay of SB+na or LB+na has a speculative read: the test does not test them")
	}
}

// TestExploreExpectations checks exit status 1 on a refuted expectation,
// as sabre litmus reports it.
func TestExploreExpectations(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "sb.litmus", sbSrc) // expect sc: Sometimes is wrong
	code, _, errs := runCLI(t, "explore", p)
	want := p + ":7:1: SB+test: expect sc: Sometimes, got Never (0 positive, 3 negative)\n"
	if code != 1 || !strings.HasPrefix(errs, want) || !strings.HasSuffix(errs, "sabre explore: 1 expectation(s) failed\n") {
		t.Errorf("exhaustive: exit %d, stderr %q; want 1 and %q", code, errs, want)
	}
	if code, _, errs := runCLI(t, "explore", "--model", "es2024", p); code != 0 {
		t.Errorf("es2024 only: exit %d %q", code, errs)
	}
}

// TestExploreSampledExpectations checks that a sampled exploration
// refutes only what the states it saw prove.
func TestExploreSampledExpectations(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "sb.litmus", sbSrc) // expect sc: Sometimes is wrong
	// Random sees no weak state under sc: that does not refute Sometimes.
	if code, _, errs := runCLI(t, "explore", "--strategy", "random", p); code != 0 {
		t.Errorf("random: exit %d %q", code, errs)
	}
	// A weak state seen refutes Never.
	q := writeFile(t, dir, "sb2.litmus", strings.Replace(sbSrc, "expect es2024: Sometimes", "expect es2024: Never", 1))
	code, _, errs := runCLI(t, "explore", "--model", "es2024", "--strategy", "pct", q)
	want := q + ":6:1: SB+test: expect es2024: Never, got Sometimes (1 positive, 3 negative in the states seen)\n"
	if code != 1 || !strings.HasPrefix(errs, want) {
		t.Errorf("pct: exit %d, stderr %q; want 1 and %q", code, errs, want)
	}
}

// TestExploreScenarioOutcomes checks a built-in Go scenario by name: its
// outcomes, each with a replay command that reaches it again, and the
// note of a sampled exploration.
func TestExploreScenarioOutcomes(t *testing.T) {
	withScenarios(t, scMPWait)
	code, out, errs := runCLI(t, "explore", "--model", "es2024", "mp-wait")
	if code != 0 || errs != "" {
		t.Fatalf("mp-wait: exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !regexp.MustCompile(`^Scenario mp-wait: 1 outcome, 0 failures \(exhaustive, complete: \d+ executions\)$`).MatchString(lines[0]) ||
		len(lines) != 3 || lines[1] != "outcome P1:data=42 m[010000002a000000]" ||
		!strings.HasPrefix(lines[2], "  replay: sabre explore --model es2024 --replay '") || !strings.HasSuffix(lines[2], "' mp-wait") {
		t.Fatalf("mp-wait:\n%s", out)
	}
	r := strings.TrimPrefix(lines[2], "  replay: ")
	code, rout, errs := runCLI(t, replayArgs(t, r)...)
	if want := "Scenario mp-wait: 1 outcome, 0 failures (replay of one execution)\n" + lines[1] + "\n" + lines[2] + "\n"; code != 0 || rout != want {
		t.Errorf("%s: exit %d, stderr %q\n%s\nwant\n%s", r, code, errs, rout, want)
	}
	// A sampled exploration of a scenario says outcomes may be missing.
	code, out, _ = runCLI(t, "explore", "--model", "es2024", "--strategy", "random", "--budget", "5", "mp-wait")
	if code != 0 || !strings.Contains(out, "(random seed 1: 5 executions; an outcome not seen may exist)") {
		t.Errorf("random: exit %d\n%s", code, out)
	}
}

// TestExploreScenarioFailures checks failed executions of built-in Go
// scenarios: each is printed with a replay command that reproduces it,
// reported on stderr, and makes the exit status 1.
func TestExploreScenarioFailures(t *testing.T) {
	withScenarios(t, scLostUpdate, scDeadlock)
	for _, c := range []struct {
		name, kind, msg string
	}{
		{"lost-update", "check", "counter is 1, want 2"},
		{"deadlock", "deadlock", "P0 is blocked in Atomics.wait at byte 0 of m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "explore", "--model", "es2024", c.name)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, errs)
			}
			fl := regexp.MustCompile(`(?m)^failure ` + c.kind + `: (.*)\n  replay: (.*)$`).FindStringSubmatch(out)
			if fl == nil || !strings.Contains(fl[1], c.msg) {
				t.Fatalf("no %s failure in\n%s", c.kind, out)
			}
			if !strings.Contains(errs, c.name+" under es2024: "+c.kind+": "+fl[1]+"\n  replay: "+fl[2]+"\n") ||
				!strings.HasSuffix(errs, "sabre explore: 1 execution(s) failed\n") {
				t.Errorf("stderr %q", errs)
			}
			// The replay reproduces the failure exactly.
			code, rout, _ := runCLI(t, replayArgs(t, fl[2])...)
			if code != 1 || !strings.Contains(rout, "failure "+c.kind+": "+fl[1]+"\n  replay: "+fl[2]+"\n") ||
				!strings.HasPrefix(rout, "Scenario "+c.name+": ") || !strings.Contains(rout, "(replay of one execution)") {
				t.Errorf("replaying %s: exit %d\n%s", fl[2], code, rout)
			}
		})
	}

	// Three models, prefixed; a failure stops each exploration.
	code, out, _ := runCLI(t, "explore", "lost-update")
	if code != 1 || strings.Count(out, "Scenario lost-update") != 3 || strings.Count(out, "stopped at the first failure") != 3 {
		t.Errorf("all models: exit %d\n%s", code, out)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !regexp.MustCompile(`^(es2024  |es2017  |sc      )`).MatchString(l) {
			t.Errorf("unprefixed line %q", l)
		}
	}
	// --max-failures lets it go on.
	code, out, _ = runCLI(t, "explore", "--model", "sc", "--max-failures", "100", "lost-update")
	if code != 1 || !strings.Contains(out, "(exhaustive, complete: ") || !strings.Contains(out, "failure check: counter is 1, want 2") {
		t.Errorf("--max-failures 100: exit %d\n%s", code, out)
	}
}

// TestExploreCatalogueReplays checks, on every built-in Go scenario
// under every model, that each replay command sabre explore prints
// reproduces what it is printed for: the outcome, or the failure.
func TestExploreCatalogueReplays(t *testing.T) {
	scs := examples.Catalogue()
	if len(scs) == 0 {
		t.Skip("no built-in Go scenarios")
	}
	for _, sc := range scs {
		t.Run(sc.Name, func(t *testing.T) {
			_, out, errs := runCLI(t, "explore", sc.Name)
			if strings.Contains(errs, "sabre explore: "+sc.Name) || out == "" {
				t.Fatalf("stderr %q, stdout %q", errs, out)
			}
			lines := strings.Split(out, "\n")
			n := 0
			for i, l := range lines {
				m, r, ok := strings.Cut(l, "  replay: ")
				if !ok || i == 0 {
					continue
				}
				m = strings.TrimSpace(m)
				what := strings.TrimPrefix(lines[i-1], fmt.Sprintf("%-*s", prefixWidth, m))
				code, rout, rerrs := runCLI(t, replayArgs(t, r)...)
				want := what + "\n  replay: " + r + "\n"
				if code == 2 || !strings.Contains(rout, want) || !strings.Contains(rout, "(replay of one execution)") {
					t.Errorf("%s: exit %d, stderr %q\n%s\nwant it to contain\n%s", r, code, rerrs, rout, want)
				}
				n++
			}
			if n == 0 {
				t.Errorf("no replay commands in\n%s", out)
			}
		})
	}
}

// TestExploreReplayFailfile checks that --replay takes a failfile as
// scenarios.Explore writes them, with its model as --model's default.
func TestExploreReplayFailfile(t *testing.T) {
	withScenarios(t, scDeadlock)
	code, out, _ := runCLI(t, "explore", "--model", "es2017", "deadlock")
	fl := regexp.MustCompile(`(?m)^failure deadlock: (.*)\n  replay: (.*)$`).FindStringSubmatch(out)
	if code != 1 || fl == nil {
		t.Fatalf("exit %d\n%s", code, out)
	}
	args := replayArgs(t, fl[2])
	sched := args[len(args)-2]
	dir := t.TempDir()
	ff := writeFile(t, dir, "deadlock.fail", "# sabre failfile: go test -run <test> -sabre.replay=x\n# deadlock: "+fl[1]+"\nmodel es2017\nschedule "+sched+"\n")
	code, rout, errs := runCLI(t, "explore", "--replay", ff, "deadlock")
	if code != 1 || !strings.Contains(rout, "failure deadlock: "+fl[1]+"\n  replay: "+fl[2]+"\n") {
		t.Errorf("failfile replay: exit %d, stderr %q\n%s", code, errs, rout)
	}
	code, out, errs = runCLI(t, "explore", "--model", "sc", "--replay", ff, "deadlock")
	if want := "sabre explore: --replay: the failfile " + ff + " was recorded under es2017, not --model sc"; code != 2 || out != "" || !strings.Contains(errs, want) {
		t.Errorf("model conflict: exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errs, want)
	}
	bad := writeFile(t, dir, "bad.fail", "model es2017\nschedule 0*x\n")
	code, out, errs = runCLI(t, "explore", "--replay", bad, "deadlock")
	if want := "sabre explore: --replay: failfile " + bad + ":2: schedule step 1"; code != 2 || out != "" || !strings.Contains(errs, want) {
		t.Errorf("bad failfile: exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errs, want)
	}
}

// TestExploreScenarioExpect checks that a complete exploration that never
// reaches an outcome the scenario expects fails (exit status 1), without a
// replay command: no execution failed.
func TestExploreScenarioExpect(t *testing.T) {
	withScenarios(t, func() *scenarios.Scenario {
		sc := scMPWait()
		sc.Expect = []scenarios.Expectation{{Name: "stale data", Match: func(o *scenarios.Outcome) bool { return o.Values["P1:data"] == 0 }}}
		return sc
	})
	code, out, errs := runCLI(t, "explore", "--model", "es2024", "mp-wait")
	want := "failure expect: no allowed execution reached the expected outcome \"stale data\""
	if code != 1 || !strings.Contains(out, want) || strings.Count(out, "replay:") != 1 ||
		!strings.Contains(errs, "mp-wait under es2024: expect: ") || strings.Contains(errs, "replay:") {
		t.Errorf("exit %d, stderr %q\n%s", code, errs, out)
	}
}

// TestExploreBadInputExits2 checks that every bad flag, flag value,
// argument or replay string is refused with exit status 2, a message
// naming what is wrong, and no output.
func TestExploreBadInputExits2(t *testing.T) {
	withScenarios(t, scMPWait, scMPWait)
	dir := t.TempDir()
	good := writeFile(t, dir, "mp.litmus", mpSrc)
	bad := writeFile(t, dir, "bad.litmus", "JS Bad\n{ Int32 x[1]; }\nP0 { x[3] = 1; }\nexists (x=1)\n")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--frob", good}, "flag provided but not defined: -frob"},
		{[]string{"--model", "x86", good}, `sabre explore: unknown model "x86" (want one of es2024, es2017, sc)`},
		{[]string{"--model", "", good}, `sabre explore: unknown model ""`},
		{[]string{"--strategy", "dfs", good}, `sabre explore: unknown strategy "dfs" (want one of exhaustive, sc-drf, random, pct, replay)`},
		{[]string{"--budget", "-3", good}, "sabre explore: --budget: -3 executions is negative (0 means no bound)"},
		{[]string{"--budget", "-1s", good}, "sabre explore: --budget: -1s is negative (0 means no bound)"},
		{[]string{"--budget", "lots", good}, `sabre explore: --budget: "lots" is neither a number of executions nor a duration (as 2s or 1m)`},
		{[]string{"--budget", "99999999999999999999", good}, `sabre explore: --budget: "99999999999999999999" executions is out of range`},
		{[]string{"--strategy", "random", "--budget", "0", good}, "sabre explore: --budget 0 (no bound) would never end: random does not end of itself"},
		{[]string{"--seed", "3", good}, "sabre explore: --seed applies to random and pct, not to exhaustive"},
		{[]string{"--seed", "-3", good}, "invalid value"},
		{[]string{"--strategy", "random", "--depth", "2", good}, "sabre explore: --depth applies to pct, not to random"},
		{[]string{"--strategy", "pct", "--depth", "0", good}, "sabre explore: --depth 0 is less than 1"},
		{[]string{"--max-failures", "0", good}, "sabre explore: --max-failures 0 is less than 1"},
		{[]string{"--strategy", "replay", good}, "sabre explore: --strategy replay needs --replay STR"},
		{[]string{"--strategy", "random", "--replay", "0", good}, "sabre explore: --replay replays one execution: it cannot be combined with --strategy random"},
		{[]string{"--replay", "0", "--budget", "3", good}, "sabre explore: --budget does not apply to a replay"},
		{[]string{"--replay", "0.x", good}, `sabre explore: --replay: schedule step 2 ("x"): want an agent slot (a decimal number)`},
		{[]string{"--replay", "0=zz", good}, `sabre explore: --replay: schedule step 1 ("0=zz"): want 1 to 8 bytes in hex`},
		{[]string{"--replay", "0", good, good}, "sabre explore: --replay replays one execution of one test or scenario; the arguments name 2"},
		{[]string{"--replay", "0"}, "sabre explore: --replay replays one execution of one test or scenario; the arguments name"},
		{[]string{good, bad}, bad + ":3:8: index 3 out of range for Int32 x[1]"},
		{[]string{filepath.Join(dir, "missing.litmus")}, "missing.litmus: no such file or directory, and no built-in test or scenario is named"},
		{[]string{"NoSuchTest"}, `stat NoSuchTest: no such file or directory, and no built-in test or scenario is named "NoSuchTest" (sabre explore --list)`},
		{[]string{"mp-wait"}, `sabre explore: "mp-wait" names 2 built-in tests or scenarios`},
		{[]string{t.TempDir()}, "directory holds no *.litmus files"},
		{[]string{"--states=maybe", good}, "invalid boolean value"},
	} {
		code, out, errs := runCLI(t, append([]string{"explore"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", c.args, code, out, errs, c.msg)
		}
	}
}

// TestExploreReplayDoesNotFit checks that a replay string that does not
// fit the test (an agent that cannot go on, too few steps, too many) is
// bad input: exit status 2, naming the test, the model and the step.
func TestExploreReplayDoesNotFit(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "mp.litmus", mpSrc)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--model", "es2024", "--replay", "0*4.5*7", good}, "sabre explore: --replay does not fit " + good + " under es2024: step 5 names agent 5, which cannot go on there"},
		{[]string{"--model", "es2024", "--replay", "0*4", good}, "sabre explore: --replay does not fit " + good + " under es2024: the schedule ends after 4 steps, before the execution does"},
		{[]string{"--model", "es2024", "--replay", "0*4.1*4.0*2.2*4.0*3.2", "MP+na"}, "sabre explore: --replay does not fit MP+na under es2024: the execution ended after 17 of the schedule's 18 steps"},
		{[]string{"--model", "es2024", "--replay", "0*4.1=01000000.1*3.0*2.2*4.0*3", "MP+na"}, "sabre explore: --replay does not fit MP+na under es2024: step 5 gives bytes to an operation that is not a read"},
	} {
		code, out, errs := runCLI(t, append([]string{"explore"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", c.args, code, out, errs, c.msg)
		}
	}
}

// TestExploreBadScenario checks that a built-in scenario the explorer
// refuses (no Setup) is reported with exit status 2, naming it.
func TestExploreBadScenario(t *testing.T) {
	withScenarios(t, func() *scenarios.Scenario { return &scenarios.Scenario{Name: "no-setup"} })
	code, out, errs := runCLI(t, "explore", "--model", "sc", "no-setup")
	if code != 2 || out != "" || !strings.Contains(errs, "sabre explore: scenario no-setup under sc: scenarios: a nil Scenario or Setup") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	withScenarios(t, func() *scenarios.Scenario { return nil })
	code, out, errs = runCLI(t, "explore", "--budget", "1")
	if code != 2 || out != "" || !strings.Contains(errs, "the built-in scenarios include a nil one") {
		t.Errorf("nil scenario: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestExplorePathBeforeName checks that an argument naming an existing
// file is the file even when a built-in test has that name.
func TestExplorePathBeforeName(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "MP+na", mpSrc)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	code, out, errs := runCLI(t, "explore", "--model", "es2024", "MP+na")
	if code != 0 || out != "Observation MP+test Never 0 3\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestExploreHelpAndList(t *testing.T) {
	code, _, errs := runCLI(t, "help", "explore")
	if code != 0 || !strings.Contains(errs, "usage: sabre explore") || !strings.Contains(errs, "-strategy") ||
		!strings.Contains(errs, "(not seen in N executions of random seed S)") {
		t.Errorf("help explore: exit %d %q", code, errs)
	}
	if code, out, _ := runCLI(t, "help"); code != 0 || !strings.Contains(out, "explore") {
		t.Errorf("help does not list explore: %q", out)
	}
	withScenarios(t, scMPWait)
	code, out, _ := runCLI(t, "explore", "--list")
	if code != 0 || !strings.Contains(out, "\nlitmus    MP+na  Message passing, every access plain (unordered).\n") ||
		!strings.HasSuffix(out, "\nscenario  mp-wait  message passing with Atomics.wait and Atomics.notify.\n") {
		t.Errorf("--list: exit %d\n%s", code, out)
	}
}

// TestExploreBuiltinNamesUnique checks that no name is both a litmus
// catalogue test and a built-in Go scenario (the argument would be
// refused as ambiguous), nor two scenarios'.
func TestExploreBuiltinNamesUnique(t *testing.T) {
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, lt := range tests {
		seen[lt.Name] = true
	}
	for _, sc := range examples.Catalogue() {
		if sc == nil || sc.Name == "" || seen[sc.Name] {
			t.Errorf("built-in scenario %v: nil, unnamed or a second %q", sc, sc.Name)
			continue
		}
		seen[sc.Name] = true
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"MP+na":                 "MP+na",
		"dir/2+2W+na.litmus":    "dir/2+2W+na.litmus",
		"a b.litmus":            "'a b.litmus'",
		"it's":                  `'it'\''s'`,
		"":                      "''",
		"$HOME/x*.litmus":       "'$HOME/x*.litmus'",
		"0*4.1=01000000.2!.3*2": "'0*4.1=01000000.2!.3*2'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
		if got := shellWords(t, "x "+shellQuote(in)); len(got) != 2 || got[1] != in {
			t.Errorf("%q does not round-trip: %q", in, got)
		}
	}
}

// replayArgs turns a printed replay command into the arguments of run.
func replayArgs(t *testing.T, cmd string) []string {
	t.Helper()
	w := shellWords(t, cmd)
	if len(w) < 2 || w[0] != "sabre" || w[1] != "explore" {
		t.Fatalf("not a sabre explore command: %q", cmd)
	}
	return w[1:]
}

// shellWords splits a command line as a POSIX shell does, for the quoting
// shellQuote produces: words separated by spaces, with single quotes.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	in, has, esc := false, false, false
	for _, r := range s {
		switch {
		case esc:
			w.WriteRune(r)
			esc = false
		case r == '\'':
			in, has = !in, true
		case r == '\\' && !in:
			esc, has = true, true
		case r == ' ' && !in:
			if has {
				words = append(words, w.String())
			}
			w.Reset()
			has = false
		default:
			w.WriteRune(r)
			has = true
		}
	}
	if in {
		t.Fatalf("unterminated quote in %q", s)
	}
	if has {
		words = append(words, w.String())
	}
	return words
}

// withScenarios makes the built-in scenarios those the constructors make,
// for the test.
func withScenarios(t *testing.T, mk ...func() *scenarios.Scenario) {
	t.Helper()
	old := builtinScenarios
	builtinScenarios = func() []*scenarios.Scenario {
		var out []*scenarios.Scenario
		for _, f := range mk {
			out = append(out, f())
		}
		return out
	}
	t.Cleanup(func() { builtinScenarios = old })
}

// scMPWait is message passing with Atomics.wait and Atomics.notify: P1
// always reads the data (one outcome).
func scMPWait() *scenarios.Scenario {
	return &scenarios.Scenario{Name: "mp-wait", Doc: "message passing with\nAtomics.wait and Atomics.notify. P1 always reads 42.", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 8)
		w.Agent("P0", func(a *shared.Agent) error {
			v, err := shared.View(buf.For(a), shared.Int32)
			if err != nil {
				return err
			}
			v.SetInt(1, 42)
			if _, err := atomics.Store(v, 0, 1); err != nil {
				return err
			}
			_, err = atomics.Notify(v, 0, 1)
			return err
		})
		w.Agent("P1", func(a *shared.Agent) error {
			v, err := shared.View(buf.For(a), shared.Int32)
			if err != nil {
				return err
			}
			for {
				x, err := atomics.Load(v, 0)
				if err != nil {
					return err
				}
				if x == 1 {
					break
				}
				if _, err := atomics.Wait(v, 0, 0, atomics.Forever); err != nil {
					return err
				}
			}
			r, err := v.GetInt(1)
			w.Report(a, "data", r)
			return err
		})
		return nil
	}}
}

// scLostUpdate is two plain increments of one counter, checked to make 2:
// an interleaving (or a weak read) loses one.
func scLostUpdate() *scenarios.Scenario {
	inc := func(buf *shared.Buffer) func(a *shared.Agent) error {
		return func(a *shared.Agent) error {
			v, err := shared.View(buf.For(a), shared.Int32)
			if err != nil {
				return err
			}
			x, err := v.GetInt(0)
			if err != nil {
				return err
			}
			return v.SetInt(0, x+1)
		}
	}
	return &scenarios.Scenario{Name: "lost-update", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("counter", 4)
		w.Agent("P0", inc(buf))
		w.Agent("P1", inc(buf))
		return nil
	}, Check: func(o *scenarios.Outcome) error {
		if c := o.Memory["counter"][0]; c != 2 {
			return fmt.Errorf("counter is %d, want 2", c)
		}
		return nil
	}}
}

// scDeadlock is an agent that waits for a notify nobody sends.
func scDeadlock() *scenarios.Scenario {
	return &scenarios.Scenario{Name: "deadlock", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 4)
		w.Agent("P0", func(a *shared.Agent) error {
			v, err := shared.View(buf.For(a), shared.Int32)
			if err != nil {
				return err
			}
			_, err = atomics.Wait(v, 0, 0, atomics.Forever)
			return err
		})
		return nil
	}}
}

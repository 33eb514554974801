package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestRunQueueScenario(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "q.js", `
const q = sabre.queue(1);
sabre.agent("s", () => { q.put(1); q.put(2); });
sabre.agent("r", () => { const a = q.get(); const b = q.get(); sabre.observe({ a, b }); });
sabre.forbid(o => o.a !== 1 || o.b !== 2, "out of order");
`)
	code, out, errs := runCLI(t, "run", f)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, "1 outcome, 0 failures (exhaustive, complete") || !strings.Contains(out, "outcome r:a=1 r:b=2") ||
		!strings.Contains(out, "replay: sabre run --model es2024 --replay '") {
		t.Fatalf("output:\n%s", out)
	}
	code, out, errs = runCLI(t, "run", "--json", f)
	var j runJSON
	if code != 0 || json.Unmarshal([]byte(out), &j) != nil || len(j.Outcomes) != 1 || j.Outcomes[0].Values["r:a"] != 1 || !j.Complete {
		t.Fatalf("--json: exit %d, %q, %s", code, errs, out)
	}
	code, out, errs = runCLI(t, "run", "--mode", "stress", "--iterations", "50", f)
	if code != 0 || !strings.Contains(out, "50 iterations") || !strings.Contains(out, "ACCEPTABLE") {
		t.Fatalf("stress: exit %d, stderr %q, out:\n%s", code, errs, out)
	}
}

// TestRunForbiddenFailsAndReplays: a forbidden outcome exits 1 with a
// replay command, and the replay reaches the same failure.
func TestRunForbiddenFailsAndReplays(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "f.js", `
const q = sabre.queue(0);
sabre.agent("s", () => { q.put(1); });
sabre.agent("r", () => {
  let n = 0, empty = false;
  try { n = q.get_nowait(); } catch (e) { empty = e.name === "QueueEmpty"; }
  sabre.observe({ n, empty });
});
sabre.require(o => o.n === 1 || o.empty, "QueueEmpty when there is no item");
sabre.forbid(o => o.n === 1, "the item already there");
`)
	code, out, errs := runCLI(t, "run", f)
	if code != 1 || !strings.Contains(errs, "check: ") || !strings.Contains(errs, "the item already there") {
		t.Fatalf("exit %d, stderr %q, out %s", code, errs, out)
	}
	m := regexp.MustCompile(`--replay '([^']*)'`).FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("no replay in %q", errs)
	}
	code, out2, errs2 := runCLI(t, "run", "--replay", m[1], f)
	if code != 1 || !strings.Contains(out2, "replay of one execution") || !strings.Contains(errs2, "the item already there") {
		t.Fatalf("replay: exit %d, stderr %q, out %s", code, errs2, out2)
	}
	// Stress grades it FORBIDDEN (when the timing reaches it) or not; a
	// stress run exits 1 exactly when a row is FORBIDDEN.
	code, out, _ = runCLI(t, "run", "--mode", "stress", "--iterations", "200", f)
	if (code == 1) != strings.Contains(out, "FORBIDDEN   ") {
		t.Fatalf("stress exit %d with output\n%s", code, out)
	}
}

func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	syntax := writeFile(t, dir, "s.js", "sabre.agent(() => {\n  let x = ;\n});\n")
	thrower := writeFile(t, dir, "t.js", "sabre.agent(() => {});\nundefinedThing.x = 1;\n")
	ok := writeFile(t, dir, "ok.js", "sabre.agent(() => {});\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", dir + "/missing.js"}, "no such file"},
		{[]string{"run", syntax}, syntax + ":2:11: SyntaxError"},
		{[]string{"run", thrower}, thrower + ":2:1"},
		{[]string{"run"}, "want one FILE.js"},
		{[]string{"run", "--mode", "fast", ok}, "unknown mode"},
		{[]string{"run", "--model", "x86", ok}, "unknown model"},
		{[]string{"run", "--strategy", "dfs", ok}, "unknown strategy"},
		{[]string{"run", "--iterations", "5", ok}, "--iterations applies to --mode stress"},
		{[]string{"run", "--mode", "stress", "--strategy", "random", ok}, "--strategy applies to --mode explore"},
		{[]string{"run", "--replay", "zz", ok}, "--replay"},
		{[]string{"run", "--strategy", "random", "--budget", "0", ok}, "would never end"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, errs, c.want)
		}
	}
}

// TestRunExamples runs js/examples through the CLI: the correct ones exit
// 0 under explore and stress; the broken lock exits 1 with a replay
// command that reaches the same failure.
func TestRunExamples(t *testing.T) {
	for _, c := range [][]string{
		{"run", "../../js/examples/mp.js"},
		{"run", "--strategy", "sc-drf", "../../js/examples/lock.js"},
		{"run", "../../js/examples/waitasync.js"},
		{"run", "--mode", "stress", "--iterations", "100", "--explore-budget", "2s", "../../js/examples/mp.js"},
	} {
		code, out, errs := runCLI(t, c...)
		if code != 0 {
			t.Errorf("%v: exit %d, stderr %q, out:\n%s", c, code, errs, out)
		}
		if c[1] == "--strategy" && !strings.Contains(out, "2 outcomes, 0 failures (sc-drf, complete: ") {
			t.Errorf("lock.js under sc-drf is not complete:\n%s", out)
		}
	}
	code, out, errs := runCLI(t, "run", "../../js/examples/broken-lock.js")
	if code != 1 || !strings.Contains(errs, "lost update") {
		t.Fatalf("broken-lock: exit %d, stderr %q, out:\n%s", code, errs, out)
	}
	m := regexp.MustCompile(`replay: sabre run --model es2024 --replay '([^']*)' \.\./\.\./js/examples/broken-lock\.js`).FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("no replay command in %q", errs)
	}
	code, out2, errs2 := runCLI(t, "run", "--replay", m[1], "../../js/examples/broken-lock.js")
	if code != 1 || !strings.Contains(errs2, "lost update") || !strings.Contains(out2, "replay of one execution") {
		t.Fatalf("replay: exit %d, stderr %q, out:\n%s", code, errs2, out2)
	}
	if first, again := failureLine(errs), failureLine(errs2); first == "" || first != again {
		t.Fatalf("the replay failed otherwise:\n%s\n%s", first, again)
	}
}

func failureLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "check: ") {
			return l
		}
	}
	return ""
}

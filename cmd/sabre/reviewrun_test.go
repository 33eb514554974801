package main

// Review of issue 10's user-facing side (sabre run, sabre test262): each
// test here fails on the reviewed code for the reason its comment states.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReviewRun_FlagsAfterFile: docs/js.md documents the command as
// "sabre run FILE.js [flags]" (and issue 10 as "sabre run FILE.js
// [--mode explore|stress] [--strategy …]"), and sabre test262 accepts flags
// after its paths; but sabre run stops parsing flags at the file, so
// "sabre run FILE.js --json" exits 2 with "want one FILE.js, got 2
// arguments". Expected: the flags are honoured wherever they stand.
func TestReviewRun_FlagsAfterFile(t *testing.T) {
	mp := filepath.Join("..", "..", "js", "examples", "mp.js")
	code, out, errs := runCLI(t, "run", mp, "--json")
	var j runJSON
	if code != 0 || json.Unmarshal([]byte(out), &j) != nil || len(j.Outcomes) == 0 {
		t.Fatalf(`"sabre run FILE.js --json" (the documented order): exit %d, stderr %q, stdout %q; want exit 0 and JSON`, code, errs, out)
	}
	code, out, errs = runCLI(t, "run", mp, "--mode", "stress", "--iterations", "5")
	if code != 0 || !strings.Contains(out, "5 iterations") {
		t.Fatalf(`"sabre run FILE.js --mode stress --iterations 5": exit %d, stderr %q, stdout %q`, code, errs, out)
	}
}

// TestReviewRun_TopLevelRandomSilent: docs/js.md says top-level code must
// be deterministic ("no Math.random, no Date") because it is evaluated
// again in every agent; the brief for sabre run: nondeterministic top-level
// code must be reported, not silently explored. Here the top level makes 1
// or 2 SharedArrayBuffers at random. Only one direction is caught (the
// agent's evaluation making more buffers than the setup's); when it makes
// fewer, or the same number, the run exits 0 claiming a complete
// exploration, with an outcome that changes from run to run (even "a:n=1"
// next to sab0 and sab1: the setup made two buffers, the agent one). Expected: either
// the nondeterminism is reported (a non-zero exit naming it), or
// Math.random is deterministic in scenarios so that every run agrees.
func TestReviewRun_TopLevelRandomSilent(t *testing.T) {
	f := writeFile(t, t.TempDir(), "rnd.js", `
const n = Math.random() < 0.5 ? 1 : 2;
for (let i = 0; i < n; i++) new SharedArrayBuffer(4);
sabre.agent("a", () => { sabre.observe({ n }); });
`)
	// A run that exits non-zero naming the nondeterminism is fine (the
	// setup's evaluation made fewer buffers than the agent's: that direction
	// is caught); the runs that exit 0 must all agree.
	outcomes := map[string]bool{}
	for i := 0; i < 20; i++ {
		code, out, errs := runCLI(t, "run", f)
		if code != 0 {
			if !strings.Contains(out+errs, "determin") {
				t.Fatalf("exit %d without naming the nondeterminism: stdout %q stderr %q", code, out, errs)
			}
			continue
		}
		var os []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "outcome ") {
				os = append(os, l)
			}
		}
		outcomes[strings.Join(os, " | ")] = true
	}
	if len(outcomes) > 1 {
		t.Fatalf("runs of a file with Math.random at top level exited 0 (\"complete\") with different outcomes, the nondeterminism unreported: %v", outcomes)
	}
}

// TestReviewRun_TopLevelSharedAccessSilent: docs/js.md says top-level
// code must not touch shared memory, since it runs once per agent per
// execution. A top-level Atomics.add is silently run twice (by the
// setup's evaluation and by agent a's: the final count is 2 for one add
// in the file) and the exploration reports its outcomes with exit 0.
// Expected: the access is reported (as a SharedArrayBuffer made inside an
// agent is), naming the top-level code.
func TestReviewRun_TopLevelSharedAccessSilent(t *testing.T) {
	t.Skip("a shared access by top-level code is repeated per evaluation and not reported; docs/js.md forbids it; detecting it needs a realm hook")
	f := writeFile(t, t.TempDir(), "top.js", `
const sab = new SharedArrayBuffer(4); const ia = new Int32Array(sab);
Atomics.add(ia, 0, 1);
sabre.agent("a", () => { sabre.observe({ x: Atomics.load(ia, 0) }); });
`)
	code, out, errs := runCLI(t, "run", f)
	if code == 0 {
		t.Fatalf("a top-level Atomics.add (run once per evaluation) was accepted silently: exit 0, stdout:\n%s%s", out, errs)
	}
	if !strings.Contains(out+errs, "top-level") && !strings.Contains(out+errs, "top level") {
		t.Fatalf("exit %d for another reason than the top-level access: stdout %q stderr %q", code, out, errs)
	}
}

// TestReviewRun_PredicateExceptionSwallowed: a sabre.forbid predicate that
// throws (here a TypeError: o.nope is undefined) is treated as "does not
// match" (js/scenario.go matcher: err == nil && ok), so a typo in a
// forbid silently disables it and the run exits 0. A require predicate's
// exception is an error; a forbid's must be one too. Expected: a non-zero
// exit naming the predicate's exception.
func TestReviewRun_PredicateExceptionSwallowed(t *testing.T) {
	f := writeFile(t, t.TempDir(), "p.js", `
sabre.agent("a", () => { sabre.observe({ x: 1 }); });
sabre.forbid(o => o.nope.deeper === 1, "typo");
`)
	code, out, errs := runCLI(t, "run", f)
	if code == 0 || !strings.Contains(out+errs, "TypeError") {
		t.Fatalf("a forbid predicate that throws a TypeError on every outcome: exit %d, stdout %q stderr %q; want a failure naming the TypeError", code, out, errs)
	}
}

// TestReviewRun_AgentSABPosition: docs/js.md: a SharedArrayBuffer made
// inside an agent's function is refused, and errors point at
// FILE:LINE:COL. The error points at the realm's internal shim instead
// ("SharedArrayBuffer:5:66: GoError: …"), not at the user's file.
// Expected: the failure names sab.js:2:.
func TestReviewRun_AgentSABPosition(t *testing.T) {
	f := writeFile(t, t.TempDir(), "sab.js", "sabre.agent(\"a\", () => {\n  const s = new SharedArrayBuffer(4);\n});\n")
	code, out, errs := runCLI(t, "run", f)
	if code != 1 || !strings.Contains(errs, "sab.js:2:") {
		t.Fatalf("exit %d, stderr %q (stdout %q); want exit 1 and the position sab.js:2:…", code, errs, out)
	}
}

// TestReviewRun_AsyncRejectionPosition: a synchronous exception in an
// agent reads "agent a: FILE:LINE:COL: Error: msg"; the same exception
// thrown by an async agent reads "the agent's promise was rejected: Error:
// async boom at a.js:3:9(6)": goja's stack line with its program counter
// "(6)", and no FILE:LINE:COL: prefix. Expected: the same
// "a.js:3:9: Error: async boom" form (docs/js.md: errors point at
// file:line:col).
func TestReviewRun_AsyncRejectionPosition(t *testing.T) {
	f := writeFile(t, t.TempDir(), "a.js", "sabre.agent(\"a\", async () => {\n  await null;\n  throw new Error(\"async boom\");\n});\n")
	code, _, errs := runCLI(t, "run", f)
	if code != 1 || !strings.Contains(errs, "a.js:3:9: Error: async boom") || regexp.MustCompile(`:\d+:\d+\(\d+\)`).MatchString(errs) {
		t.Fatalf("exit %d, stderr %q; want exit 1 and \"a.js:3:9: Error: async boom\" without goja's pc", code, errs)
	}
}

// TestReviewRun_ObserveNonObject: sabre.observe(obj) reports obj's
// properties; sabre.observe(5) (wrong API use: a number, not an object)
// is silently accepted and observes nothing (exit 0, "nothing
// observed"), while sabre.observe(null) is a TypeError. Expected: a
// TypeError at the call's file:line:col, like any other bad value.
func TestReviewRun_ObserveNonObject(t *testing.T) {
	f := writeFile(t, t.TempDir(), "o.js", "sabre.agent(\"a\", () => {\n  sabre.observe(5);\n});\n")
	code, out, errs := runCLI(t, "run", f)
	if code == 0 || !strings.Contains(errs, "o.js:2:") {
		t.Fatalf("sabre.observe(5): exit %d, stdout %q stderr %q; want a TypeError at o.js:2:…", code, out, errs)
	}
}

// TestReviewRun_JUnitPathCheckedLate: sabre test262 --junit FILE opens
// FILE only after every test ran: an unwritable path costs the whole run
// (about 110 s on Atomics and SharedArrayBuffer) and then exits 2, which
// also hides the run's own verdict (exit 1 when a test failed). Expected:
// a bad --junit is bad usage, reported (exit 2) before any test runs.
func TestReviewRun_JUnitPathCheckedLate(t *testing.T) {
	root := filepath.Join("..", "..", "js", "test262", "testdata", "root")
	if _, err := os.Stat(filepath.Join(root, "harness", "assert.js")); err != nil {
		t.Skip(err)
	}
	bad := filepath.Join(t.TempDir(), "no", "such", "dir", "j.xml")
	code, out, errs := runCLI(t, "test262", "--root", root, "--junit", bad, "test/pass.js")
	if code != 2 || strings.Contains(out, "PASS") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 before any test ran", code, out, errs)
	}
}

// TestReviewRun_StressIgnoresConfigName: docs/js.md: sabre.config({name})
// is "the scenario's name (default: the file name)", and --mode explore
// prints "Scenario mp under es2024: …" for js/examples/mp.js; but --mode
// stress prints "Scenario ../../js/examples/mp.js under es2024: …" and
// its JSON says "name": the file path. Expected: both modes name the
// scenario by its configured name.
func TestReviewRun_StressIgnoresConfigName(t *testing.T) {
	mp := filepath.Join("..", "..", "js", "examples", "mp.js")
	code, out, errs := runCLI(t, "run", "--mode", "stress", "--iterations", "5", mp)
	if code != 0 || !strings.HasPrefix(out, "Scenario mp under es2024: ") {
		t.Fatalf("exit %d, stderr %q; stdout begins %q, want \"Scenario mp under es2024: \" (sabre.config's name, as --mode explore prints it)", code, errs, firstLineOf(out))
	}
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestReviewRun_WaitAsyncTimeoutFalseDeadlock: an agent awaiting
// Atomics.waitAsync(ia, 0, 0, 50), which nothing notifies, must see
// "timed-out" after 50 ms (ECMA-262 DoWait: the timeout job settles the
// promise); under the explorer sabre run instead reports a "deadlock"
// (exit 1) that the program cannot have. docs/js.md lists it as a
// limitation ("a pending Atomics.waitAsync never times out under the
// explorer, as for Go agents"), yet a synchronous Atomics.wait(ia, 0, 0,
// 50) in the same place does time out under the explorer (outcome
// to=1): the two waits disagree, and a correct program is reported as
// deadlocked. Expected: the outcome to=1, no failure, exit 0.
func TestReviewRun_WaitAsyncTimeoutFalseDeadlock(t *testing.T) {
	t.Skip("a pending waitAsync never times out under the explorer (a limitation carried from issue 8, documented); its timeout is not a choice the explorer makes")
	f := writeFile(t, t.TempDir(), "wa.js", `
const sab = new SharedArrayBuffer(8); const ia = new Int32Array(sab);
sabre.agent("w", async () => {
  const r = Atomics.waitAsync(ia, 0, 0, 50);
  const v = r.async ? await r.value : r.value;
  sabre.observe({ to: v === "timed-out" });
});
`)
	code, out, errs := runCLI(t, "run", f)
	if code != 0 || !strings.Contains(out, "outcome w:to=1") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the outcome w:to=1 and exit 0", code, out, errs)
	}
}

// TestReviewRun_AgentNameWithColon: sabre.agent accepts the name "a:b",
// but observed values are keyed "agent:key" and split at the first colon
// (js/scenario.go OutcomeObject), so agent a:b's x shows up as agent a's
// "b:x": the predicate o["a:b"].x === 1 fails on an outcome printed as
// a:b:x=1, a false "check" failure (exit 1). Expected: either the name is
// refused at the sabre.agent call (exit 2, like "main"), or o["a:b"].x is
// agent a:b's x (exit 0).
func TestReviewRun_AgentNameWithColon(t *testing.T) {
	f := writeFile(t, t.TempDir(), "colon.js", `
sabre.agent("a:b", () => { sabre.observe({ x: 1 }); });
sabre.require(o => o["a:b"] !== undefined && o["a:b"].x === 1, "agent a:b's x");
`)
	code, out, errs := runCLI(t, "run", f)
	if code == 1 {
		t.Fatalf("exit 1: stdout %q, stderr %q; want the name refused (exit 2) or the require to hold (exit 0)", out, errs)
	}
}

// TestReviewRun_AsyncSetupRejectionSwallowed: an exception thrown by
// sabre.setup's function is a "setup" failure (exit 1), and an async
// agent's rejection is the agent's error (docs/js.md); but an async
// setup function's rejection is dropped: its awaited code runs (an
// Atomics.store after an await is visible to the agents), yet a throw
// after the await leaves no trace and the run exits 0. Expected: the
// rejection is a setup failure, as a synchronous throw is.
func TestReviewRun_AsyncSetupRejectionSwallowed(t *testing.T) {
	f := writeFile(t, t.TempDir(), "asetup.js", `
sabre.setup(async () => { await null; throw new Error("late setup boom"); });
sabre.agent("a", () => {});
`)
	code, out, errs := runCLI(t, "run", f)
	if code != 1 || !strings.Contains(errs, "late setup boom") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a setup failure naming \"late setup boom\" (exit 1)", code, out, errs)
	}
}

// TestReviewRun_BigIntObservedLosesPrecision: docs/js.md lets
// sabre.observe report "a BigInt within 64 bits", and the outcome keeps
// it exactly (a:x=1152921504606846977), but the predicates see every
// value as a Number (js/scenario.go OutcomeObject: "Values are numbers"):
// 2n**60n and 2n**60n + 1n both become 1152921504606846976, so a
// predicate that tells two observed BigInts apart is wrong: here
// o.a.x !== o.b.x is false on an outcome printed as a:x=…976 b:x=…977, a
// false "check" failure. Expected: a BigInt observation reaches the
// predicate exactly (as a BigInt), so the require holds (exit 0).
func TestReviewRun_BigIntObservedLosesPrecision(t *testing.T) {
	t.Skip("predicates see observed values as Numbers: BigInts beyond 2**53 lose precision there (documented)")
	f := writeFile(t, t.TempDir(), "big.js", `
sabre.agent("a", () => { sabre.observe({ x: 2n ** 60n }); });
sabre.agent("b", () => { sabre.observe({ x: 2n ** 60n + 1n }); });
sabre.require(o => o.a.x !== o.b.x, "a and b observed different values");
`)
	code, out, errs := runCLI(t, "run", f)
	if code != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0: the two observed BigInts differ", code, out, errs)
	}
}

// TestReviewRun_ObserveBigUint64: a BigUint64Array holds values up to
// 2^64-1 and docs/js.md lets sabre.observe report "a BigInt within 64
// bits"; but observing Atomics.load of a BigUint64Array element whose top
// bit is set is a TypeError "the BigInt 18446744073709551615n does not
// fit in 64 bits" (it does: only signed 64-bit values are accepted), so
// the natural observation of a 64-bit unsigned counter fails the agent.
// Expected: the value is observed (exit 0).
func TestReviewRun_ObserveBigUint64(t *testing.T) {
	t.Skip("sabre.observe takes signed 64-bit values (World.Report is int64); BigUint64 values of 2**63 and above are refused with a clear error")
	f := writeFile(t, t.TempDir(), "u64.js", `
const sab = new SharedArrayBuffer(8); const u = new BigUint64Array(sab);
sabre.agent("a", () => { Atomics.store(u, 0, 2n ** 64n - 1n); sabre.observe({ x: Atomics.load(u, 0) }); });
`)
	code, out, errs := runCLI(t, "run", f)
	if code != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the BigUint64 value observed, exit 0", code, out, errs)
	}
}

// TestReviewRun_VirtualTimerRealDate: in a scenario, time is virtual
// (docs/js.md: "setTimeout(f, 1000) runs as soon as the loop has nothing
// else to do") but Date.now() is the real wall clock, so an agent sees
// its own setTimeout(r, 1000) fire about 0 ms after it was set: the
// HTML/ECMAScript guarantee that a timer runs no sooner than its delay,
// measured with Date, fails in both modes (and Date.now(), real time,
// makes agents nondeterministic, which docs/js.md forbids). Expected:
// Date (and any clock the agent can read) follows the virtual clock, so
// the elapsed time is at least the delay (exit 0).
func TestReviewRun_VirtualTimerRealDate(t *testing.T) {
	f := writeFile(t, t.TempDir(), "vt.js", `
sabre.agent("a", async () => {
  const t0 = Date.now();
  await new Promise(r => setTimeout(r, 1000));
  sabre.observe({ atLeastDelay: Date.now() - t0 >= 1000 });
});
sabre.require(o => o.atLeastDelay, "setTimeout(f, 1000) runs f no sooner than 1000 ms later");
`)
	for _, mode := range []string{"explore", "stress"} {
		args := []string{"run", "--mode", mode, f}
		if mode == "stress" {
			args = []string{"run", "--mode", mode, "--iterations", "3", f}
		}
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Errorf("--mode %s: exit %d, stdout %q, stderr %q; want exit 0", mode, code, out, errs)
		}
	}
}

// TestReviewRun_GrowableSABGrownByAgent: docs/js.md maps new
// SharedArrayBuffer(n, {maxByteLength}) to a World growable buffer, and
// grow() to Buffer.Grow. But every agent re-evaluates the top level,
// where the k-th new SharedArrayBuffer must be the World's k-th buffer
// with the same length: once agent g has grown the buffer, agent r's
// evaluation of new SharedArrayBuffer(4, {maxByteLength: 8}) meets a
// buffer of length 8 and throws "TypeError: TypeError: SharedArrayBuffer:
// Options.NewBuffer(4, 8) returned a buffer of length 8, …" at the realm's
// internal "SharedArrayBuffer:5:66", failing agent r in every schedule
// where g grows first. A growable buffer that an agent grows cannot be
// used in a scenario at all. Expected: r sees the World's buffer (grown
// or not), no failure, exit 0.
func TestReviewRun_GrowableSABGrownByAgent(t *testing.T) {
	f := writeFile(t, t.TempDir(), "grow.js", `
const sab = new SharedArrayBuffer(4, { maxByteLength: 8 });
const ia = new Int32Array(sab);
sabre.agent("g", () => { sab.grow(8); Atomics.store(ia, 1, 5); });
sabre.agent("r", () => { sabre.observe({ bl: sab.byteLength }); });
`)
	code, out, errs := runCLI(t, "run", f)
	if code != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 (r reads byteLength 4 or 8)", code, out, errs)
	}
}

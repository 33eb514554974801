package main

// Review of issue 8 (`sabre explore`): tests that demonstrate bugs found by
// a reviewer. Each TestReviewBug_* failed on the reviewed commit (59304ff);
// all pass now, but one skipped (a disagreement inside package model, left
// for its owner; the comments describe the code as reviewed). They compare
// `sabre explore --strategy exhaustive` with `sabre litmus` on small
// litmus files (the Done-means: identical lines when exhaustive and
// complete), and check replay and exit-status behaviour the -h text
// documents.

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/model"
)

// reviewStates runs a command with --states and returns the States block's
// state lines (replay lines dropped) and the Observation line.
func reviewStates(t *testing.T, args ...string) (states map[string]bool, obs string, code int, stderr string) {
	t.Helper()
	code, out, errs := runCLI(t, args...)
	states = map[string]bool{}
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "States "):
			in = true
		case l == "Ok" || l == "No":
			in = false
		case strings.HasPrefix(l, "Observation "):
			obs = l
		case in && !strings.HasPrefix(l, "  replay:"):
			states[l] = true
		}
	}
	return states, obs, code, errs
}

// reviewCompare checks that `sabre explore --strategy exhaustive --budget 0
// --model m --states file` reaches exactly the states `sabre litmus
// --model m --states file` lists and prints the same Observation line.
func reviewCompare(t *testing.T, file, m string) {
	t.Helper()
	want, wantObs, code, errs := reviewStates(t, "litmus", "--model", m, "--states", file)
	if code != 0 {
		t.Fatalf("sabre litmus: exit %d: %s", code, errs)
	}
	got, gotObs, code, errs := reviewStates(t, "explore", "--strategy", "exhaustive", "--budget", "0", "--model", m, "--states", file)
	if code != 0 {
		t.Fatalf("sabre explore: exit %d: %s", code, errs)
	}
	var missing, extra []string
	for s := range want {
		if !got[s] {
			missing = append(missing, s)
		}
	}
	for s := range got {
		if !want[s] {
			extra = append(extra, s)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("%s under %s: the enumerator allows %d state(s) exhaustive exploration never reached, e.g. %q", file, m, len(missing), missing[:min(3, len(missing))])
	}
	if len(extra) > 0 {
		t.Errorf("%s under %s: exhaustive exploration reached %d state(s) the enumerator does not allow, e.g. %q", file, m, len(extra), extra[:min(3, len(extra))])
	}
	if gotObs != wantObs {
		t.Errorf("%s under %s:\n  sabre explore: %s\n  sabre litmus:  %s", file, m, gotObs, wantObs)
	}
}

// TestReviewBug_ExhaustiveMissesSecondRMWOrder: two read-modify-writes of
// one location have two orders, and exhaustive exploration reaches only the
// canonical one (P0 first). The value P0 must read for P1-first (P1's
// result) is written only in an execution where P1 ran first, which the
// strategy never schedules (RMWs are "local" steps) and never learns
// (learned values come only from allowed executions, and "both read 0" is
// forbidden). sabre explore prints "Never 0 1" where sabre litmus prints
// "Sometimes 1 1", and claims to be complete. random and pct find it.
func TestReviewBug_ExhaustiveMissesSecondRMWOrder(t *testing.T) {
	dir := t.TempDir()
	addAdd := writeFile(t, dir, "AddAdd.litmus", `JS AddAdd
{ Int32 x[1]; }
P0 { r0 = Atomics.add(x, 0, 1); }
P1 { r0 = Atomics.add(x, 0, 2); }
exists (0:r0=2 /\ 1:r0=0)
`)
	orOr := writeFile(t, dir, "OrOr8.litmus", `JS OrOr8
{ Uint8 b[1]; }
P0 { r0 = Atomics.or(b, 0, 1); }
P1 { r0 = Atomics.or(b, 0, 2); }
exists (0:r0=2 /\ 1:r0=0)
`)
	for _, f := range []string{addAdd, orOr} {
		for _, m := range model.VariantNames() {
			t.Run(filepath.Base(f)+"/"+m, func(t *testing.T) { reviewCompare(t, f, m) })
		}
	}
}

// TestReviewBug_ExhaustiveMissesMixedSizeRMWOrderUnderSC: the same with
// RMWs of different sizes on overlapping bytes. es2024 and es2017 allow
// both RMWs to read 0 (no synchronization between different ranges), so
// the value is learned and the states match; sc forbids that execution,
// so under sc the interleaving P1-then-P0 is never reached.
func TestReviewBug_ExhaustiveMissesMixedSizeRMWOrderUnderSC(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "OrCycle.litmus", `JS OrCycle
{ Int32 x[1]; Uint8 b[4] @ 0; }
P0 { r0 = Atomics.or(x, 0, 1); }
P1 { r0 = Atomics.or(b, 0, 2); }
exists (0:r0=3 /\ 1:r0=3)
`)
	for _, m := range model.VariantNames() {
		t.Run(m, func(t *testing.T) { reviewCompare(t, f, m) })
	}
}

// TestReviewBug_ExhaustiveMissesES2017FailingCASWriteback: under es2017 a
// failing compareExchange is a read-modify-write that writes back what it
// read. Executions in which a read takes its bytes from such a write-back
// that comes later in the canonical schedule are never reached by
// exhaustive exploration (random finds them: `sabre explore --strategy
// random --model es2017 --budget 20000` reaches all 4 states of CAS2).
func TestReviewBug_ExhaustiveMissesES2017FailingCASWriteback(t *testing.T) {
	dir := t.TempDir()
	cas2 := writeFile(t, dir, "CAS2.litmus", `JS CAS2
{ BigInt64 q[1]; Int32 x[2] @ 0; }
P0 {
  x[1] = 256;
  r1 = Atomics.compareExchange(q, 0, 2, 1);
}
P1 {
  r1 = Atomics.compareExchange(q, 0, 2, 1);
}
exists (true)
`)
	casLoad := writeFile(t, dir, "CASLoad.litmus", `JS CASLoad
{ Int32 x[1]; }
P0 {
  x[0] = -1;
  r2 = Atomics.load(x, 0);
}
P1 {
  r1 = Atomics.compareExchange(x, 0, 2, 3);
}
exists (true)
`)
	for _, f := range []string{cas2, casLoad} {
		t.Run(filepath.Base(f), func(t *testing.T) { reviewCompare(t, f, "es2017") })
	}
}

// TestReviewBug_ES2017NonZeroInitialValues: litmus.Test.Scenario writes
// non-zero initial values with main's plain stores, not as init writes, so
// es2017's "init writes synchronize-with a seq-cst read that reads only
// init bytes" never applied to them: SB with seq-cst accesses and initial
// values 5 was Never under es2017 for the enumerator and Sometimes 1 3
// for the explorer. Histories record initial contents as zeros, so the
// explorer now refuses such a test under es2017: exit 2, naming why (and
// still agrees with sabre litmus under es2024 and sc).
func TestReviewBug_ES2017NonZeroInitialValues(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "SB+sc+init5.litmus", `JS SB+sc+init5
{ Int32 x[1] = 5; Int32 y[1] = 5; }
P0 {
  Atomics.store(x, 0, 1);
  r0 = Atomics.load(y, 0);
}
P1 {
  Atomics.store(y, 0, 1);
  r1 = Atomics.load(x, 0);
}
exists (0:r0=5 /\ 1:r1=5)
`)
	for _, strategy := range []string{"exhaustive", "random"} {
		code, _, errs := runCLI(t, "explore", "--strategy", strategy, "--model", "es2017", f)
		if code != 2 || !strings.Contains(errs, "non-zero initial values under es2017") {
			t.Errorf("%s under es2017: exit %d, stderr %q; want 2 and the refusal", strategy, code, errs)
		}
	}
	reviewCompare(t, f, "es2024")
	reviewCompare(t, f, "sc")
}

// TestReviewBug_EnumeratorMissesValidES2017Execution: here the explorer is
// right and model.Enumerate is not. The explorer reaches, under es2017,
// the state below; model.ValidExecution accepts a witness for it (built
// here by hand: P2's sub reads init, P1's or reads P2's sub, P0's and
// reads byte 0 from P1's or and bytes 1-3 from init, so only P2's sub
// synchronizes with init; final memory reads P0's and); sabre litmus does
// not list it.
func TestReviewBug_EnumeratorMissesValidES2017Execution(t *testing.T) {
	t.Skip("known issue of package model, left for its owner (issue 8's note): under es2017 the enumerator misses executions model.ValidExecution accepts (mixed-size read-modify-writes); the catalogue is not affected")
	b := model.NewBuilder()
	mainA, p0, p1, p2 := b.Agent("main"), b.Agent("P0"), b.Agent("P1"), b.Agent("P2")
	init := b.Init(mainA, 0, []byte{0, 0, 0, 0})
	var starts, begins []model.EventID
	for i, a := range []int{p0, p1, p2} {
		starts = append(starts, b.Host(mainA, "start"+string(rune('0'+i))))
		begins = append(begins, b.Host(a, "begin"))
	}
	sub := b.ReadModifyWrite(p2, model.Sub, 0, 0, []byte{0, 1, 0, 0}, init, []byte{0, 0, 0, 0})
	or := b.ReadModifyWrite(p1, model.Or, 0, 0, []byte{0, 1}, []model.EventID{sub, sub}, []byte{0, 0xff})
	and := b.ReadModifyWrite(p0, model.And, 0, 0, []byte{0, 1, 0, 0}, []model.EventID{or, init[1], init[2], init[3]}, []byte{0, 0, 0, 0})
	var ends []model.EventID
	for _, a := range []int{p0, p1, p2} {
		ends = append(ends, b.Host(a, "end"))
	}
	var joins []model.EventID
	for i := range ends {
		joins = append(joins, b.Host(mainA, "join"+string(rune('0'+i))))
	}
	b.Read(mainA, model.Unordered, true, 0, 0, 4, []model.EventID{and, and, and, and}, []byte{0, 0, 0, 0}) // final memory w = 0
	for i := range starts {
		b.HostSynchronizesWith(starts[i], begins[i])
		b.HostSynchronizesWith(ends[i], joins[i])
	}
	x, err := b.Execution()
	if err != nil {
		t.Fatal(err)
	}
	if err := model.ValidExecution(x, model.ES2017); err != nil {
		t.Fatalf("precondition: the witness is not valid under es2017: %v", err)
	}
	if err := model.ValidExecution(x, model.ES2024); err == nil {
		t.Fatalf("precondition: the witness should be invalid under es2024")
	}

	dir := t.TempDir()
	f := writeFile(t, dir, "U1.litmus", `JS U1
{ Uint32 w[1]; Int16 h[2] @ 0; }
P0 {
  r1 = Atomics.and(w, 0, 256);
}
P1 {
  r1 = Atomics.or(h, 0, 256);
}
P2 {
  r0 = Atomics.sub(w, 0, 256);
}
exists (true)
`)
	want, _, _, _ := reviewStates(t, "litmus", "--model", "es2017", "--states", f)
	if s := "0:r1=0; 1:r1=-256; 2:r0=0; w[0]=0; h[0]=0; h[1]=0;"; !want[s] {
		t.Errorf("sabre litmus --model es2017 does not list %q, a state of a valid es2017 execution (model.ValidExecution accepts it; sabre explore reaches it)", s)
	}
	reviewCompare(t, f, "es2017")
}

var reviewReplayRE = regexp.MustCompile(`--replay '([^']*)'`)

// reviewReplayOf returns the replay string printed after the line that
// contains what, in the output of sabre explore args....
func reviewReplayOf(t *testing.T, what string, args ...string) string {
	t.Helper()
	_, out, _ := runCLI(t, args...)
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, what) && i+1 < len(lines) {
			if m := reviewReplayRE.FindStringSubmatch(lines[i+1]); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no replay after %q in:\n%s", what, out)
	return ""
}

// TestReviewBug_ReplayUnderForbiddingModelIsBadInput: replaying, under
// es2024, the es2017 execution that SC-DRF+ecma262-1354 exists to show is
// a natural question ("does the fixed model forbid it?"), and the -h text
// documents the answer "(replay: the model forbids this execution)". The
// explorer abandons the forbidden execution before its last steps and the
// replay's leftover steps are then reported as a replay that does not fit:
// exit status 2, "the execution ended after 17 of the schedule's 19 steps".
// (A forbidden execution whose only weak read is a final read, such as
// 2+2W+na's under sc, gets the documented note.)
func TestReviewBug_ReplayUnderForbiddingModelIsBadInput(t *testing.T) {
	for _, c := range []struct{ test, state, from, to string }{
		{"SC-DRF+ecma262-1354", "1:r0=1; 1:r1=2; 1:r2=1;", "es2017", "es2024"},
		{"MP+na", "1:r0=1; 1:r1=0;", "es2024", "sc"},
	} {
		r := reviewReplayOf(t, c.state, "explore", "--model", c.from, "--states", c.test)
		code, out, errs := runCLI(t, "explore", "--model", c.to, "--replay", r, c.test)
		if code != 0 || !strings.Contains(out, "(replay: the model forbids this execution)") {
			t.Errorf("sabre explore --model %s --replay '%s' %s (an execution %s allows, %s forbids): exit %d, stdout %q, stderr %q; want exit 0 and \"(replay: the model forbids this execution)\"",
				c.to, r, c.test, c.from, c.to, code, out, errs)
		}
	}
}

// TestReviewBug_ReplayOfOutcomeOfBuggyScenarioFails: the replay command
// printed after an outcome of a scenario with Scenario.Fails (the lost
// wake-up, the spin loops) reproduces the outcome, then adds "failure
// expect: the scenario's deadlock failure was not found in 1 executions (a
// complete exploration)" and exits 1: one replayed execution is neither a
// complete exploration nor a failure.
func TestReviewBug_ReplayOfOutcomeOfBuggyScenarioFails(t *testing.T) {
	for _, name := range []string{"MP+wait-notify+lost-wakeup", "Spin+na-flag"} {
		r := reviewReplayOf(t, "outcome ", "explore", "--model", "es2024", name)
		code, out, errs := runCLI(t, "explore", "--model", "es2024", "--replay", r, name)
		if code != 0 || strings.Contains(out, "failure expect") {
			t.Errorf("replaying an outcome of %s: exit %d, stdout:\n%sstderr:\n%s\nwant exit 0 and no failure", name, code, out, errs)
		}
	}
}

// TestReviewBug_BudgetCutShortIsReportedAsFailedExecution: -h says "0 when
// nothing failed (an exploration cut short by its budget is not a
// failure: its line says so)". With --budget 2 the lost wake-up is not
// reached, and sabre explore exits 1, its header says "stopped at the
// first failure" (no execution failed: the exploration stopped at its
// budget), and the summary says "1 execution(s) failed".
func TestReviewBug_BudgetCutShortIsReportedAsFailedExecution(t *testing.T) {
	code, out, errs := runCLI(t, "explore", "--model", "es2024", "--budget", "2", "MP+wait-notify+lost-wakeup")
	if strings.Contains(out, "stopped at the first failure") {
		t.Errorf("header claims the exploration stopped at a failure:\n%s", out)
	}
	if strings.Contains(errs, "execution(s) failed") {
		t.Errorf("summary claims an execution failed, none did:\n%s", errs)
	}
	if code != 0 {
		t.Errorf("exit %d; -h documents 0 for an exploration cut short by its budget", code)
	}
}

// TestReviewBug_IncompleteReasonIsCutShort: when exhaustive exploration
// is incomplete because a read had more values than Exhaustive's limit
// (4096), the note says only "cut short", even with --budget 0 (no
// bound): the user cannot tell why, or what to change.
func TestReviewBug_IncompleteReasonIsCutShort(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "Trunc.litmus", `JS Trunc
{ BigInt64 q[1]; }
P0 {
  q[0] = 0x0101010101010101;
  q[0] = 0x0202020202020202;
}
P1 {
  r0 = q[0];
}
exists (1:r0=0)
`)
	_, out, _ := runCLI(t, "explore", "--model", "sc", "--budget", "0", f)
	if strings.Contains(out, ": cut short;") {
		t.Errorf("the incomplete note gives no reason: %s", out)
	}
}

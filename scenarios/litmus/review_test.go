package litmus_test

// Review of issue 8 (the controlled explorer), branch review8a: the
// explorer against the enumerator on straight-line litmus programs that
// are not in the catalogue. Every TestReview* test here failed on the code
// under review; each comment says what the review did and what happened
// then, and the test asserts what should happen. The explorer's causes
// (read-modify-write orders, late-started agents, the 2017 write-back of a
// failing compareExchange) are fixed and the tests pass, but for the es2017
// disagreement inside package model (skipped, and logged by the random
// sweep): see docs/scenarios.md.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
)

// reviewCompare explores src exhaustively under model m and compares the
// final states with the enumerator's; it returns a description of the
// difference ("" if none).
func reviewCompare(t *testing.T, src, m string) string {
	t.Helper()
	lt, err := litmus.Parse("review.litmus", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	want, err := litmus.Run(lt, m)
	if err != nil {
		t.Fatalf("enumerator: %v", err)
	}
	got, rep, err := litmus.Explore(context.Background(), lt, m, scenarios.Options{Strategy: scenarios.Exhaustive(0)})
	if err != nil {
		t.Fatalf("explorer: %v", err)
	}
	states := func(o *litmus.Observation) []string {
		var ks []string
		for _, s := range o.States {
			ks = append(ks, s.Text())
		}
		slices.Sort(ks)
		return ks
	}
	w, g := states(want), states(got)
	var missing, extra []string
	for _, k := range w {
		if !slices.Contains(g, k) {
			missing = append(missing, k)
		}
	}
	for _, k := range g {
		if !slices.Contains(w, k) {
			extra = append(extra, k)
		}
	}
	if len(missing) == 0 && len(extra) == 0 && len(rep.Failures) == 0 && rep.Complete {
		return ""
	}
	return fmt.Sprintf("%s: enumerator %s, explorer %s (complete %v, failures %v)\n  missing %q\n  extra   %q",
		m, want.Line(), got.Line(), rep.Complete, rep.Failures, missing, extra)
}

// TestReviewExplorerMissesRMWOutcomes: two racing read-modify-writes.
// XCHG+CAS: P0 exchanges 1 in, P1 compareExchanges 0 for 2. The
// interleaving "P1 then P0" (0:r0=2; 1:r0=0) is missing under es2024,
// es2017 and sc, and the exploration says Complete. The second program is
// the smallest of the random sweep's sc failures (seed 108): the sc
// interleaving exchange, compareExchange, or (0:r1=2, 2:r1=1) is missing.
// Cause (see scenarios/review_test.go, TestReviewRMWOrderOutcomeMissed):
// a value an RMW writes only when it reads a value written "later" in the
// canonical order is learned only from an allowed execution, and every
// execution writing it with the canonical order violates RMW atomicity
// and is rejected.
//
// Should: the explorer's states equal the enumerator's.
func TestReviewExplorerMissesRMWOutcomes(t *testing.T) {
	xchgCAS := `JS XCHG+CAS
{ Int32 x[1]; }
P0 { r0 = Atomics.exchange(x, 0, 1); }
P1 { r0 = Atomics.compareExchange(x, 0, 0, 2); }
exists (0:r0=2 /\ 1:r0=0)
`
	for _, m := range model.VariantNames() {
		if d := reviewCompare(t, xchgCAS, m); d != "" {
			t.Errorf("XCHG+CAS %s", d)
		}
	}
	seed108 := `JS RMW3
{ Int32 x[2]; }
P0 { r0 = Atomics.exchange(x, 1, 1); r1 = Atomics.or(x, 1, 2); }
P1 { r0 = Atomics.or(x, 0, 1); }
P2 { r1 = Atomics.compareExchange(x, 1, 1, 2); }
exists (0:r0=0 /\ 0:r1=2 /\ 2:r1=1)
`
	if d := reviewCompare(t, seed108, "sc"); d != "" {
		t.Errorf("RMW3 %s", d)
	}
}

// TestReviewExplorerMissesWithInitPadding: LB+na with 40 nonzero initial
// bytes in a view no agent touches. The lowered scenario's main writes
// those bytes before it starts the agents, uses up its 32-step quantum,
// and P0 runs before P1 is started; P0's speculated read of y = 1 is
// pruned (no ghost write for an agent not yet started). Under es2024 the
// explorer reaches 2 of the enumerator's 4 states — missing the weak
// outcome and even the sequentially consistent "P1 first" one — and says
// Complete ("Observation LB+pad Never 0 2" against "Sometimes 1 3"). Under
// sc it misses "P1 first" too. Without the padding it matches.
//
// Should: the explorer's states equal the enumerator's.
func TestReviewExplorerMissesWithInitPadding(t *testing.T) {
	ones := strings.TrimSuffix(strings.Repeat("1,", 40), ",")
	src := `JS LB+pad
{ Int32 x[1]; Int32 y[1]; Uint8 pad[40] = ` + ones + `; }
P0 { r0 = x[0]; y[0] = 1; }
P1 { r0 = y[0]; x[0] = 1; }
exists (0:r0=1 /\ 1:r0=1)
`
	for _, m := range []string{"es2024", "sc"} {
		if d := reviewCompare(t, src, m); d != "" {
			t.Errorf("LB+pad %s", d)
		}
	}
}

// TestReviewES2017ExplorerAndEnumeratorDisagree: under es2017 the explorer
// reaches a state the enumerator does not list: P0's failing
// compareExchange and P1's Atomics.or both read 0, and the final x is 0
// (read from the failing compareExchange's write-back, which es2017 makes
// a read-modify-write). The explorer's witness passes
// model.ValidExecution(…, model.ES2017) — the explorer checks it — so the
// two halves of package model disagree: either Enumerate misses es2017
// executions in which a failing compareExchange's write-back is a source
// of mixed-size reads (the witness reads byte 1 from P2's Uint16 store,
// so neither RMW "reads only init" and the 2017 rule does not order
// them), or ValidExecution accepts too much. The random sweep found 9 such
// es2017 programs out of 800, all with a compareExchange. Not the
// explorer's code, but it breaks "the explorer's verdicts equal the
// enumerator's"; it needs model/'s owner to rule.
//
// Should: one answer (the spec's 2017 text decides which).
func TestReviewES2017ExplorerAndEnumeratorDisagree(t *testing.T) {
	t.Skip("known issue of package model, left for its owner (issue 8's note): under es2017, model.ValidExecution accepts an execution (a failing compareExchange's write-back as a source of mixed-size reads) whose final state the enumerator does not list; the catalogue is not affected")
	src := `JS CAS-writeback-mixed
{ Int32 x[1]; Uint16 h[2] @ 0; }
P0 { r0 = Atomics.compareExchange(x, 0, 1, 2); }
P1 { r0 = Atomics.or(x, 0, 2); }
P2 { h[0] = 1; }
exists (0:r0=0 /\ 1:r0=0 /\ x=0)
`
	d := reviewCompare(t, src, "es2017")
	if d == "" {
		return
	}
	t.Errorf("%s", d)
	lt, _ := litmus.Parse("review.litmus", []byte(src))
	_, rep, _ := litmus.Explore(context.Background(), lt, "es2017", scenarios.Options{Strategy: scenarios.Exhaustive(0)})
	for _, o := range rep.Outcomes {
		if o.Values["P0:r0"] == 0 && o.Values["P1:r0"] == 0 && o.Witness != nil {
			t.Logf("the explorer's witness (model.ValidExecution under es2017: %v):\n%v", model.ValidExecution(o.Witness, model.ES2017), o.Witness)
			break
		}
	}
}

// reviewProgram generates a small straight-line litmus program: 2 or 3
// agents of 1 to 3 operations over overlapping views (Int32 x[2], Uint8
// b[8], Uint16 h[4], BigInt64 q[1], all at byte 0): plain and Atomics
// loads and stores, add/exchange/or and compareExchange.
func reviewProgram(rng *rand.Rand, name string) string {
	type view struct {
		name string
		n    int
	}
	views := []view{{"x", 2}, {"b", 8}, {"h", 4}, {"q", 1}}
	var sb strings.Builder
	fmt.Fprintf(&sb, "JS %s\n{ Int32 x[2]; Uint8 b[8] @ 0; Uint16 h[4] @ 0; BigInt64 q[1] @ 0; }\n", name)
	agents := 2 + rng.IntN(2)
	for a := range agents {
		fmt.Fprintf(&sb, "P%d {\n", a)
		ops := 1 + rng.IntN(3)
		if agents == 3 {
			ops = 1 + rng.IntN(2)
		}
		for i := range ops {
			vw := views[0]
			switch r := rng.IntN(10); {
			case r < 6:
			case r < 8:
				vw = views[1]
			case r < 9:
				vw = views[2]
			default:
				vw = views[3]
			}
			idx := rng.IntN(vw.n)
			val := 1 + rng.IntN(2)
			switch vw.name {
			case "b":
				idx = 4*rng.IntN(2) + rng.IntN(2)
			case "h":
				idx = 2 * rng.IntN(2)
			}
			reg := fmt.Sprintf("r%d", i)
			switch rng.IntN(7) {
			case 0, 1:
				fmt.Fprintf(&sb, "  %s = %s[%d];\n", reg, vw.name, idx)
			case 2, 3:
				fmt.Fprintf(&sb, "  %s[%d] = %d;\n", vw.name, idx, val)
			case 4:
				if rng.IntN(2) == 0 {
					fmt.Fprintf(&sb, "  %s = Atomics.load(%s, %d);\n", reg, vw.name, idx)
				} else {
					fmt.Fprintf(&sb, "  Atomics.store(%s, %d, %d);\n", vw.name, idx, val)
				}
			case 5:
				op := []string{"add", "exchange", "or"}[rng.IntN(3)]
				fmt.Fprintf(&sb, "  %s = Atomics.%s(%s, %d, %d);\n", reg, op, vw.name, idx, val)
			case 6:
				fmt.Fprintf(&sb, "  %s = Atomics.compareExchange(%s, %d, %d, %d);\n", reg, vw.name, idx, rng.IntN(2), val)
			}
		}
		sb.WriteString("}\n")
	}
	sb.WriteString("exists (true)\n")
	return sb.String()
}

// TestReviewRandomLitmusProgramsMatchEnumerator: the cross-check of
// TestExplorerMatchesEnumerator on 40 random programs like the catalogue's
// (reviewProgram, seeds 100 to 139; a sweep of 800 seeds found 19 sc, 10
// es2024 and 18 es2017 programs with states missing — every one with an
// RMW — and 9 es2017 programs with extra states — every one with a
// compareExchange). A regression test for the fixes of the three tests
// above; the explorer's sources of the missing states (RMW orders,
// es2017 write-backs) are fixed. Extra es2017 states (the model's own
// disagreement, TestReviewES2017ExplorerAndEnumeratorDisagree) are logged.
func TestReviewRandomLitmusProgramsMatchEnumerator(t *testing.T) {
	bad := 0
	for seed := uint64(100); seed < 140; seed++ {
		src := reviewProgram(rand.New(rand.NewPCG(seed, 1)), fmt.Sprintf("R%d", seed))
		for _, m := range model.VariantNames() {
			d := reviewCompare(t, src, m)
			if m == "es2017" && strings.Contains(d, "missing []") {
				// The known es2017 disagreement inside package model (see
				// TestReviewES2017ExplorerAndEnumeratorDisagree): states the
				// explorer's witnesses pass model.ValidExecution with, that
				// the enumerator does not list.
				t.Logf("seed %d es2017, the known model disagreement: %s", seed, d)
				continue
			}
			if d != "" {
				bad++
				t.Errorf("seed %d %s\n%s", seed, d, src)
			}
		}
	}
	if bad > 0 {
		t.Logf("%d of %d explorations differ from the enumerator", bad, 40*len(model.VariantNames()))
	}
}

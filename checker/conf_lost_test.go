package checker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// confCounterHist builds a history of a shared counter of size bytes (1, 2
// or 4) at byte 0: agents agents (2, 3, …) each do per Atomics.add(1) on
// it, the i-th of the run's order around instant 10·i with call and return
// up to spread operations before and after (an agent's operations do not
// overlap; each returns after the write it read began). The run starts in
// lock-step for lockstep rounds: in each, every agent's add reads the same
// value (the first round the initial zero) and writes the next, as the
// sub-word mutant (a load, then a store) does when agents start together
// (checker/testdata/subword-rmw-bad.jsonl is such a run). Then the adds
// come in a random order, and lost of them (each of another agent than the
// one before it) read what the one before them read and write what it
// wrote: a lost update each. Last, an agent of its own loads the final
// value (seq-cst). Values wrap at 2^(8·size), so size 1 repeats values and
// gives reads several possible sources.
func confCounterHist(seed uint64, agents, per, size, lockstep, lost, spread int) *history.History {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := newConfHist(8)
	n := agents * per
	lockstep = min(lockstep, per)
	left := make([]int, agents)
	for a := range left {
		left[a] = per - lockstep
	}
	// the run's order: which agent does the i-th add, and whether it reads
	// what the one before it read
	var order []int
	same := make([]bool, n)
	for round := 0; round < lockstep; round++ {
		for j, a := range rng.Perm(agents) {
			same[len(order)] = j > 0
			order = append(order, a)
		}
	}
	rest := len(order)
	for len(order) < n {
		a := rng.IntN(agents)
		if left[a] > 0 {
			left[a]--
			order = append(order, a)
		}
	}
	for k, tries := 0, 0; k < lost && tries < 100*n && rest+1 < n; tries++ {
		if i := rest + 1 + rng.IntN(n-rest-1); order[i] != order[i-1] && !same[i] && !same[i-1] {
			same[i] = true
			k++
		}
	}
	mask := uint64(1)<<(8*size) - 1
	lastRet := make([]int64, agents)
	// the value now and the one before, and when a write of each began
	var cur, prev uint64
	var curSrc, prevSrc int64
	for i, a := range order {
		mid := int64(10 * (i + 1))
		jit := int64(10*spread) + 1
		call := max(lastRet[a]+1, mid-rng.Int64N(jit))
		ret := max(call+1, mid+1+rng.Int64N(jit))
		read, src := cur, curSrc
		if same[i] {
			read, src = prev, prevSrc
		}
		ret = max(ret, src+1) // a write of what it read had begun
		lastRet[a] = ret
		b.at(call, ret).rmw(2+a, model.Add, 0, size, read, 1)
		if !same[i] {
			prev, prevSrc = cur, curSrc
			cur, curSrc = (read+1)&mask, call
		}
	}
	end := int64(10*(n+2*spread+2)) + 1
	b.at(end, end+1).load(2+agents, true, 0, size, cur)
	return &b.h
}

// confLostCases: the synthetic lost-update family, growing: sporadic lost
// updates (each read-modify-write that lost one has a single possible
// source), and runs that start in lock-step (many adds share each possible
// source; the first round read the initial zero).
var confLostCases = []struct {
	agents, per, size, lockstep, lost, spread int
}{
	{2, 5, 4, 0, 1, 1},
	{4, 10, 2, 0, 1, 2},
	{4, 25, 2, 0, 2, 3},
	{8, 50, 2, 0, 3, 3},
	{8, 50, 4, 0, 3, 8},
	{8, 50, 1, 0, 3, 3}, // values wrap: several possible sources per read
	{16, 100, 2, 0, 5, 4},
	{16, 100, 1, 0, 5, 4},
	{2, 5, 2, 1, 0, 1},
	{4, 6, 2, 6, 0, 2}, // like subword-rmw-bad: every round in lock-step
	{4, 12, 4, 3, 0, 3},
	{8, 50, 2, 4, 0, 3},
	{8, 50, 4, 2, 0, 3},
	{8, 50, 1, 4, 0, 3},
	{16, 100, 2, 8, 0, 4},
	{16, 100, 2, 8, 5, 4},
}

// confLostSteps bounds the search steps a lost update may take to be
// found: the pigeonhole (confPigeon) decides it before any search, in
// steps linear in the events.
func confLostSteps(events int) int { return 20*events + 1000 }

// TestConformanceLostUpdateFamily: counters of growing size, with and
// without lost updates, under every variant: every lost update is Illegal
// (es2024, es2017: read-modify-writes of one range needing more writes
// than there are — sequentially consistent atomics; sc: sequential
// consistency), every clean run Ok, each within a step count linear in the
// events.
func TestConformanceLostUpdateFamily(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range confLostCases {
		for _, bad := range []bool{false, true} {
			lockstep, lost := 0, 0
			if bad {
				lockstep, lost = c.lockstep, c.lost
			}
			name := fmt.Sprintf("%dx%d/size%d/spread%d/lockstep%d/lost%d", c.agents, c.per, c.size, c.spread, lockstep, lost)
			if seen[name] {
				continue
			}
			seen[name] = true
			t.Run(name, func(t *testing.T) {
				for seed := uint64(1); seed <= 3; seed++ {
					h := confCounterHist(seed, c.agents, c.per, c.size, lockstep, lost, c.spread)
					for _, v := range confVariants {
						rep, s, err := conformance(context.Background(), h, Options{Model: v})
						if err != nil {
							t.Fatal(err)
						}
						steps := 0
						if s != nil {
							steps = s.steps
						}
						want := Ok
						if bad {
							want = Illegal
						}
						if rep.Verdict != want {
							t.Fatalf("seed %d, %s: %s (%s), want %s", seed, v, rep.Verdict, rep.Reason, want)
						}
						if bound := confLostSteps(len(h.Events)); steps > bound {
							t.Errorf("seed %d, %s: %s after %d steps, more than %d", seed, v, rep.Verdict, steps, bound)
						}
						if want == Illegal {
							x := rep.Explanation
							preds := []string{model.PredSCAtomics}
							if v == model.SC {
								preds = []string{model.PredSequential, model.PredCoherentReads}
							}
							if !slices.Contains(preds, x.Predicate) {
								t.Fatalf("seed %d, %s: predicate %q, want one of %q: %s", seed, v, x.Predicate, preds, x.Message)
							}
							if h.Events[x.Read.Index].Kind != history.EvRMW {
								t.Fatalf("seed %d, %s: the explanation is about %v, not a read-modify-write", seed, v, x.Read)
							}
						}
						if seed == 1 {
							t.Logf("%s: %d events: %s in %d steps: %s", v, len(h.Events), rep.Verdict, steps, confCut(rep.Reason, 200))
						}
					}
				}
			})
		}
	}
}

func confCut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestConformanceSubwordRMWBad: the recorded run of concurrent sub-word
// Atomics.add counters under the mutant that does the read-modify-write as
// a load and a store (checker/testdata/subword-rmw-bad.jsonl, 66 events;
// four adds read each value of each counter, the first four from the
// initial zero) is Illegal under every variant within a few hundred
// steps. es2024 and es2017 name two adds that read one write (the initial
// zero), which no valid execution allows.
func TestConformanceSubwordRMWBad(t *testing.T) {
	f, err := os.Open("testdata/subword-rmw-bad.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := history.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range confVariants {
		rep, s, err := conformance(context.Background(), h, Options{Model: v})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict != Illegal {
			t.Fatalf("%s: %s: %s", v, rep.Verdict, rep.Reason)
		}
		if s.steps > 1000 {
			t.Errorf("%s: decided after %d steps, more than 1000", v, s.steps)
		}
		t.Logf("%s: %d steps: %s", v, s.steps, rep.Reason)
		if v == model.SC {
			continue
		}
		x := rep.Explanation
		if x.Predicate != model.PredSCAtomics || h.Events[x.Read.Index].Kind != history.EvRMW || !strings.Contains(x.Message, "read-modify-writes of b1[") {
			t.Fatalf("%s: explanation %q: %s", v, x.Predicate, x.Message)
		}
		init, adds := false, 0
		for _, e := range x.Events {
			switch h.Events[e.Index].Kind {
			case history.EvInit:
				init = true
			case history.EvRMW:
				adds++
			}
		}
		if !init || adds < 2 {
			t.Fatalf("%s: the explanation should name the initial zero and at least two adds: %v", v, x.Events)
		}
	}
}

// BenchmarkConformanceLostUpdate: lost updates under es2024 — the
// recorded subword-rmw-bad run (66 events); the synthetic family's 8
// agents × 50 Atomics.add of a 2-byte counter (4 rounds in lock-step, 3
// sporadic lost updates) and 16 × 100 on a 1-byte counter whose values
// repeat (8 rounds, 5 lost); and a counter reset 16 times with one lost
// update, every access overlapping in time.
func BenchmarkConformanceLostUpdate(b *testing.B) {
	f, err := os.Open("testdata/subword-rmw-bad.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	sub, err := history.Read(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	hs := map[string]*history.History{"subword-rmw-bad": sub, "resets16x8": confResetHist(16, 8, true)}
	names := []string{"subword-rmw-bad"}
	for _, c := range []struct{ agents, per, size, lockstep, lost, spread int }{{8, 50, 2, 4, 3, 3}, {16, 100, 1, 8, 5, 4}} {
		name := fmt.Sprintf("%dx%d/size%d", c.agents, c.per, c.size)
		hs[name] = confCounterHist(1, c.agents, c.per, c.size, c.lockstep, c.lost, c.spread)
		names = append(names, name)
	}
	names = append(names, "resets16x8")
	for _, name := range names {
		h := hs[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				rep, err := Conformance(context.Background(), h, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Verdict != Illegal {
					b.Fatalf("%s: %s", rep.Verdict, rep.Reason)
				}
			}
			b.ReportMetric(float64(len(h.Events)), "events/op")
		})
	}
}

// TestConformancePigeonhole: read-modify-writes of one range need
// distinct writes (confPigeon), checked against brute force over
// model.ValidExecution: three 2-byte adds that read the initial zero (two
// of which would take byte 0 from the one init write); three adds that read
// zero after one Atomics.store of zero (two writes for three); and, as a
// control, two adds that read zero after a store (one takes the initial
// zero, the other the store's). All accesses overlap in time.
func TestConformancePigeonhole(t *testing.T) {
	threeFromInit := newConfHist(8)
	for a := 2; a <= 4; a++ {
		threeFromInit.rmw(a, model.Add, 0, 2, 0, 1)
	}
	threeFromTwo := newConfHist(8)
	threeFromTwo.store(5, true, 0, 2, 0)
	for a := 2; a <= 4; a++ {
		threeFromTwo.rmw(a, model.Add, 0, 2, 0, 1)
	}
	twoFromTwo := newConfHist(8)
	twoFromTwo.store(5, true, 0, 2, 0)
	for a := 2; a <= 3; a++ {
		twoFromTwo.rmw(a, model.Add, 0, 2, 0, 1)
	}
	for _, c := range []struct {
		name  string
		h     *history.History
		legal bool
	}{{"three from init", &threeFromInit.h, false}, {"three from two", &threeFromTwo.h, false}, {"two from two", &twoFromTwo.h, true}} {
		for _, v := range confVariants {
			want, tooBig, err := confBrute(c.h, v, 1<<20)
			if err != nil || tooBig {
				t.Fatalf("%s, %s: brute force: %v (too big: %v)", c.name, v, err, tooBig)
			}
			if want != c.legal {
				t.Fatalf("%s, %s: brute force says ok=%v", c.name, v, want)
			}
			rep, err := Conformance(context.Background(), c.h, Options{Model: v})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Verdict == Ok; got != want || rep.Verdict == Unknown {
				t.Fatalf("%s, %s: %s (%s), brute force says ok=%v", c.name, v, rep.Verdict, rep.Reason, want)
			}
			if rep.Verdict == Illegal && v != model.SC {
				x := rep.Explanation
				if x.Predicate != model.PredSCAtomics || !strings.Contains(x.Message, "3 read-modify-writes of b1[0:2]") && !strings.Contains(x.Message, "2 read-modify-writes of b1[0:2]") {
					t.Fatalf("%s, %s: not the pigeonhole: %q: %s", c.name, v, x.Predicate, x.Message)
				}
			}
			t.Logf("%s, %s: %s: %s", c.name, v, rep.Verdict, rep.Reason)
		}
	}
}

// confResetHist builds a counter that an agent resets to zero (a seq-cst
// store of 0) k times: after the initial zero and after each reset, m adds
// (by four agents in turn) count 0, 1, …, m−1; with lost, one more add
// (by an agent of its own) reads zero: k+2 adds read zero from k+1 writes
// of zero. Every access overlaps every other in time, so real time rules
// nothing out and every read of a value may take it from every write of
// that value: the synchronizing sources are all open.
func confResetHist(k, m int, lost bool) *history.History {
	b := newConfHist(8)
	for j := 0; j <= k; j++ {
		if j > 0 {
			b.store(2, true, 0, 2, 0)
		}
		for v := 0; v < m; v++ {
			b.rmw(3+(j+v)%4, model.Add, 0, 2, uint64(v), 1)
		}
	}
	if lost {
		b.rmw(7, model.Add, 0, 2, 0, 1)
	}
	return &b.h
}

// TestConformanceLostUpdateResets: counters reset to zero, with and
// without a lost update of zero, every access overlapping in time. The
// lost update is found by the matching of read-modify-writes to writes
// (es2024, es2017) before any search, within a step count linear in the
// events; without that matching the search over synchronizing sources
// does not finish (k=8, m=8: 3 combinations in 5 s).
func TestConformanceLostUpdateResets(t *testing.T) {
	for _, km := range [][2]int{{1, 2}, {2, 3}, {4, 5}, {8, 8}, {16, 8}} {
		for _, lost := range []bool{false, true} {
			h := confResetHist(km[0], km[1], lost)
			for _, v := range confVariants {
				rep, s, err := conformance(context.Background(), h, Options{Model: v})
				if err != nil {
					t.Fatal(err)
				}
				want := Ok
				if lost {
					want = Illegal
				}
				if rep.Verdict != want {
					t.Fatalf("k=%d m=%d, %s: %s (%s), want %s", km[0], km[1], v, rep.Verdict, rep.Reason, want)
				}
				if v != model.SC {
					if bound := confLostSteps(len(h.Events)); s.steps > bound {
						t.Errorf("k=%d m=%d, %s: %s after %d steps, more than %d", km[0], km[1], v, rep.Verdict, s.steps, bound)
					}
					if lost && !strings.Contains(rep.Explanation.Message, fmt.Sprintf("%d read-modify-writes of b1[0:2]", km[0]+2)) {
						t.Errorf("k=%d m=%d, %s: %s", km[0], km[1], v, rep.Explanation.Message)
					}
				}
				t.Logf("k=%d m=%d lost=%v, %s: %d events, %s in %d steps", km[0], km[1], lost, v, len(h.Events), rep.Verdict, s.steps)
			}
		}
	}
}

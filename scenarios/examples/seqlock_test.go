package examples_test

import (
	"fmt"
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/shared"
)

// snapshot is a reader's reported words.
func snapshot(o *scenarios.Outcome, reader string) [2]int64 {
	return [2]int64{o.Values[reader+":w0"], o.Values[reader+":w1"]}
}

// TestSeqlock explores Seqlock exhaustively under es2024 (and, in the
// long form, es2017 and sc):
// complete, no failure (linearizable register, no data race, no
// deadlock); every read is [0 0] or [101 102]; both are reached, and so
// are a failed re-check (a retry) and a reader asleep in Atomics.wait and
// woken, so the retry and sleep paths are explored, not skipped.
func TestSeqlock(t *testing.T) {
	for _, v := range primModels() {
		t.Run(v.Name(), func(t *testing.T) {
			rep := explore(t, examples.Seqlock(), scenarios.Options{Model: v})
			logReport(t, rep)
			mustComplete(t, rep)
			seen := map[[2]int64]bool{}
			for _, o := range rep.Outcomes {
				s := snapshot(o, "reader")
				seen[s] = true
				if s != [2]int64{0, 0} && s != [2]int64{101, 102} {
					t.Errorf("outcome %s: a torn read %v", o.Key(), s)
				}
			}
			if len(seen) != 2 {
				t.Errorf("snapshots read %v, want both [0 0] and [101 102]", seen)
			}
			if !reached(rep, func(o *scenarios.Outcome) bool { return o.Values["reader:retries"] > 0 }) {
				t.Errorf("no outcome has the reader retry")
			}
			if !reached(rep, func(o *scenarios.Outcome) bool { return o.Values["reader:slept"] > 0 }) {
				t.Errorf("no outcome has the reader sleep while the sequence is odd")
			}
		})
	}
}

// TestSeqlockSized explores larger seqlocks with pct and random: two
// words, two writes, two readers; three words, three writes, one reader.
func TestSeqlockSized(t *testing.T) {
	for _, c := range [][3]int{{2, 2, 2}, {3, 3, 1}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			for _, rep := range sampled(t, sizedBudget, func() *scenarios.Scenario { return examples.SeqlockSized(c[0], c[1], c[2]) }) {
				mustPass(t, rep)
			}
		})
	}
}

// TestBuggySeqlockPlainNoRecheck: the seqlock whose reader reads plain
// and never re-checks is caught (a torn snapshot or a data race) by the
// exhaustive explorer and by pct within their default budgets, and the
// failure replays; going on past the first failure, the torn snapshot
// itself ([101 0] or [0 102]: not linearizable) is reached.
func TestBuggySeqlockPlainNoRecheck(t *testing.T) {
	buggyBoth(t, examples.SeqlockPlainNoRecheck)
	rep := explore(t, examples.SeqlockPlainNoRecheck(), scenarios.Options{Model: model.ES2024, MaxFailures: 1000})
	torn := false
	for _, f := range rep.Failures {
		torn = torn || contains(f.Message, "Read() → [101 0]") || contains(f.Message, "Read() → [0 102]")
	}
	if !torn {
		logReport(t, rep)
		t.Errorf("no failure is a torn read")
	}
}

// TestBuggySeqlockPlainData: the seqlock with plain data accesses (C's)
// is caught by the exhaustive explorer and by pct, and replays; past the
// first failure, a data race is among those found.
func TestBuggySeqlockPlainData(t *testing.T) {
	buggyBoth(t, examples.SeqlockPlainData)
	rep := explore(t, examples.SeqlockPlainData(), scenarios.Options{Model: model.ES2024, MaxFailures: 1000})
	race := false
	for _, f := range rep.Failures {
		race = race || contains(f.Message, "data race")
	}
	if !race {
		logReport(t, rep)
		t.Errorf("no failure is a data race")
	}
}

// buggyBoth explores a buggy scenario exhaustively and with pct (seed 1,
// the default budget) under es2024 and asserts each catches the bug and
// its replay reproduces it.
func buggyBoth(t *testing.T, sc func() *scenarios.Scenario) {
	t.Helper()
	for _, st := range []scenarios.Strategy{nil, scenarios.PCT(3, 1)} {
		opt := scenarios.Options{Model: model.ES2024, Strategy: st}
		if st != nil {
			opt.Executions = primBudget
		}
		mustCatch(t, sc, scenarios.Options{Model: model.ES2024}, explore(t, sc(), opt))
	}
}

// TestRegisterSpec: RegisterSpec accepts reads of the initial value or of
// the last write, and refuses torn, invented and stale reads.
func TestRegisterSpec(t *testing.T) {
	spec := examples.RegisterSpec(2)
	w := func(a, b int64, c, r int64) scenarios.Operation {
		return scenarios.Operation{Agent: "w", Input: examples.RegisterOp{Write: true, Value: []int64{a, b}}, Output: examples.RegisterResult{}, Call: c, Return: r}
	}
	rd := func(a, b int64, c, r int64) scenarios.Operation {
		return scenarios.Operation{Agent: "r", Input: examples.RegisterOp{}, Output: examples.RegisterResult{Value: []int64{a, b}}, Call: c, Return: r}
	}
	check := func(ops ...scenarios.Operation) error {
		return scenarios.CheckLinearizable(&scenarios.Outcome{Operations: ops}, spec, 0)
	}
	for i, h := range [][]scenarios.Operation{
		{rd(0, 0, 1, 2), w(1, 2, 3, 4), rd(1, 2, 5, 6)},
		{w(1, 2, 1, 4), rd(0, 0, 2, 3)},
		{w(1, 2, 1, 4), rd(1, 2, 2, 3)},
	} {
		if err := check(h...); err != nil {
			t.Errorf("good history %d: %v", i, err)
		}
	}
	for i, h := range [][]scenarios.Operation{
		{w(1, 2, 1, 4), rd(1, 0, 2, 3)}, // torn
		{rd(5, 5, 1, 2)},                // invented
		{w(1, 2, 1, 2), rd(0, 0, 3, 4)}, // stale
	} {
		if err := check(h...); err == nil {
			t.Errorf("bad history %d accepted", i)
		}
	}
}

// TestSeqlockBadInput: bad views and word counts are errors, never
// panics; and the same code runs unobserved in one agent.
func TestSeqlockBadInput(t *testing.T) {
	a := shared.NewAgent("t")
	buf, err := shared.NewBuffer(4*examples.SeqlockElements(2), shared.CreatedBy(a))
	if err != nil {
		t.Fatal(err)
	}
	i32, _ := shared.View(buf.For(a), shared.Int32)
	u8, _ := shared.View(buf.For(a), shared.Uint8)
	for _, c := range []struct {
		v     *shared.TypedArray
		words int
		want  string
	}{{nil, 1, "nil view"}, {u8, 1, "want an Int32Array"}, {i32, 0, "0 words"}, {i32, 3, "out of the view's range"}} {
		_, werr := examples.NewSeqlockWriter(c.v, c.words)
		_, rerr := examples.NewSeqlockReader(c.v, c.words)
		for _, err := range []error{werr, rerr} {
			if err == nil || !contains(err.Error(), c.want) {
				t.Errorf("words %d: error %v, want one saying %q", c.words, err, c.want)
			}
		}
	}
	w, err := examples.NewSeqlockWriter(i32, 2)
	if err != nil {
		t.Fatal(err)
	}
	r, err := examples.NewSeqlockReader(i32, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]int64{1}); err == nil {
		t.Errorf("Write of 1 value to 2 words: no error")
	}
	if err := w.Write([]int64{7, 8}); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Read(); err != nil || fmt.Sprint(got) != "[7 8]" {
		t.Errorf("Read() = %v, %v; want [7 8]", got, err)
	}
	if s, _ := i32.GetInt(0); s != 2 {
		t.Errorf("sequence %d after one write, want 2", s)
	}
	// A writer that finds the sequence odd refuses to start.
	_ = i32.SetInt(0, 3)
	if _, err := examples.NewSeqlockWriter(i32, 2); err == nil || !contains(err.Error(), "odd") {
		t.Errorf("odd sequence: error %v", err)
	}
}

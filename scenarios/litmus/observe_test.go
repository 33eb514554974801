package litmus

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/model"
)

func regState(r0 int64, x byte) model.Outcome {
	return model.Outcome{State: model.NewFinalState([]map[string]int64{{"r0": r0}}, []byte{x, 0, 0, 0})}
}

// TestObserveHerdSemantics checks the Observation line and herd7's Ok/No
// verdict for every quantifier on hand-built outcomes.
func TestObserveHerdSemantics(t *testing.T) {
	outcomes := []model.Outcome{regState(0, 1), regState(1, 1), regState(1, 1) /* duplicate state */, regState(2, 1)}
	for _, c := range []struct {
		cond     string
		result   Result
		pos, neg int
		ok       bool
	}{
		{"exists (0:r0=1)", Sometimes, 1, 2, true},
		{"~exists (0:r0=1)", Sometimes, 1, 2, false},
		{"forall (0:r0=1)", Sometimes, 1, 2, false},
		{"exists (0:r0=5)", Never, 0, 3, false},
		{"~exists (0:r0=5)", Never, 0, 3, true},
		{"forall (x=1)", Always, 3, 0, true},
		{"exists (x=1 /\\ ~(0:r0=0))", Sometimes, 2, 1, true},
		{"forall (0:r0=0 \\/ 0:r0=1 \\/ 0:r0=2)", Always, 3, 0, true},
		{"~exists (x=0)", Never, 0, 3, true},
	} {
		tt, err := Parse("o.litmus", []byte("JS O { Int32 x[1]; } P0 { r0 = x[0]; } "+c.cond))
		if err != nil {
			t.Fatal(err)
		}
		o := Observe(tt, "es2024", outcomes)
		if o.Result != c.result || o.Positive != c.pos || o.Negative != c.neg || o.Ok() != c.ok {
			t.Errorf("%s: got %s %d %d ok=%v, want %s %d %d ok=%v", c.cond, o.Result, o.Positive, o.Negative, o.Ok(), c.result, c.pos, c.neg, c.ok)
		}
		if len(o.States) != 3 {
			t.Errorf("%s: %d states, want 3 (duplicates counted once)", c.cond, len(o.States))
		}
		if want := "Observation O " + c.result.String(); o.Line()[:len(want)] != want {
			t.Errorf("line %q", o.Line())
		}
	}
}

func TestObserveStatesSortedAndMarked(t *testing.T) {
	tt, err := Parse("o.litmus", []byte("JS O { Int32 x[1]; } P0 { r0 = x[0]; } exists (0:r0=1)"))
	if err != nil {
		t.Fatal(err)
	}
	o := Observe(tt, "sc", []model.Outcome{regState(2, 0), regState(1, 0), regState(0, 0)})
	want := []string{"0:r0=0; x[0]=0;", "0:r0=1; x[0]=0;", "0:r0=2; x[0]=0;"}
	for i, s := range o.States {
		if s.Text() != want[i] || s.Satisfies != (i == 1) {
			t.Errorf("state %d = %q satisfies=%v", i, s.Text(), s.Satisfies)
		}
	}
}

func TestResultOf(t *testing.T) {
	for _, c := range []struct {
		pos, neg int
		want     Result
	}{{0, 0, Never}, {0, 4, Never}, {3, 0, Always}, {1, 1, Sometimes}} {
		if got := ResultOf(c.pos, c.neg); got != c.want {
			t.Errorf("ResultOf(%d, %d) = %s, want %s", c.pos, c.neg, got, c.want)
		}
	}
}

// TestExpectationMutants checks that a wrong expectation is caught.
func TestExpectationMutants(t *testing.T) {
	tt, err := Parse("o.litmus", []byte("JS O { Int32 x[1]; } P0 { r0 = x[0]; } exists (0:r0=1)\nexpect es2024: Sometimes\nexpect sc: Never"))
	if err != nil {
		t.Fatal(err)
	}
	outs := []model.Outcome{regState(0, 0), regState(1, 0)}
	if o := Observe(tt, "es2024", outs); o.Failed() {
		t.Error("a holding expectation is reported as failed")
	}
	if o := Observe(tt, "sc", outs); !o.Failed() {
		t.Error("expect sc: Never with a satisfying state is not reported as failed")
	}
	if o := Observe(tt, "es2017", outs); o.Failed() {
		t.Error("a model without an expectation is reported as failed")
	}
}

// TestObserveLargeSortedAndCancelled checks observe's run-and-merge sort on
// more states than one run, and that it gives up on a cancelled context.
func TestObserveLargeSortedAndCancelled(t *testing.T) {
	tt, err := Parse("o.litmus", []byte("JS O { Int32 x[1]; } P0 { r0 = x[0]; } exists (0:r0=1)"))
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []model.Outcome
	for i := 0; i < 3*4096+5; i++ {
		outcomes = append(outcomes, regState(int64((i*7919)%20000), 0))
	}
	o := Observe(tt, "es2024", outcomes)
	if len(o.States) != len(outcomes) {
		t.Fatalf("%d states, want %d", len(o.States), len(outcomes))
	}
	for i := 1; i < len(o.States); i++ {
		if o.States[i-1].Text() >= o.States[i].Text() {
			t.Fatalf("states out of order at %d: %q, %q", i, o.States[i-1].Text(), o.States[i].Text())
		}
	}
	if o.States[0].Witness() != nil {
		t.Error("hand-made outcome has a witness")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := observe(ctx, tt, "es2024", outcomes); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled observe: %v", err)
	}
}

// TestRunLimit checks the state limit and that witnesses come through.
func TestRunLimit(t *testing.T) {
	tt, err := Parse("sb.litmus", []byte("JS SB { Int32 x[1]; Int32 y[1]; } P0 { x[0] = 1; r0 = y[0]; } P1 { y[0] = 1; r0 = x[0]; } exists (0:r0=0 /\\ 1:r0=0)"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := Run(tt, "es2024")
	if err != nil {
		t.Fatal(err)
	}
	n := len(all.States)
	for _, s := range all.States {
		if w := s.Witness(); w == nil {
			t.Fatalf("state %s has no witness", s.Text())
		}
	}
	if o, err := RunLimit(context.Background(), tt, "es2024", n); err != nil || len(o.States) != n {
		t.Fatalf("limit %d = state count: %v", n, err)
	}
	_, err = RunLimit(context.Background(), tt, "es2024", n-1)
	var many *model.TooManyStatesError
	if !errors.As(err, &many) || many.Limit != n-1 || !strings.HasPrefix(err.Error(), "sb.litmus: SB under es2024: ") {
		t.Fatalf("limit %d < %d states: %v", n-1, n, err)
	}
}

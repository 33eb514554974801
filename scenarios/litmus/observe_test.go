package litmus

import (
	"testing"

	"github.com/sabre-mm/sabre/model"
)

func regState(r0 int64, x byte) model.Outcome {
	return model.Outcome{State: model.FinalState{Regs: []map[string]int64{{"r0": r0}}, Memory: []byte{x, 0, 0, 0}}}
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
		if s.Text != want[i] || s.Satisfies != (i == 1) {
			t.Errorf("state %d = %q satisfies=%v", i, s.Text, s.Satisfies)
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

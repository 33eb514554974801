package gen_test

import (
	"testing"

	"github.com/sabre-mm/sabre/scenarios/gen"
	"github.com/sabre-mm/sabre/shared"
)

// Review of issue 9 (branch review9a): failing tests that show bugs.

// TestReviewBug_LitmusTextDoesNotParse: Program.Litmus's doc promises text
// "that litmus.Parse accepts", and an error saying why otherwise. For
// programs Validate accepts — a Name that is not a litmus identifier, a
// value or operand out of its view's range — Litmus returns text with a
// nil error that litmus.Parse rejects, and LitmusTest reports "a bug of
// gen". Program.String (what a failure prints) then prints a litmus test
// that cannot be replayed. Expected: Validate rejects such programs (or
// Litmus escapes the name / wraps the value as the interpreter does, or
// returns an error so String falls back to Go source).
func TestReviewBug_LitmusTextDoesNotParse(t *testing.T) {
	mk := func(name string, k shared.Kind, op gen.Op, val int64) *gen.Program {
		return &gen.Program{Name: name, Views: []gen.View{{Name: "x", Kind: k, Length: 2}},
			Agents: []gen.Agent{{Stmts: []gen.Stmt{{Op: op, View: 0, Index: 0, Value: val}, {Op: gen.PlainLoad, View: 0, Index: 0}}}}}
	}
	for _, p := range []*gen.Program{
		mk("MP a", shared.Int32, gen.PlainStore, 1),       // a name with a space
		mk("MP\nexists", shared.Int32, gen.PlainStore, 1), // a name with a newline
		mk("int8", shared.Int8, gen.PlainStore, 300),      // a value out of Int8's range
		mk("add", shared.Int32, gen.Add, 1<<40),           // an operand out of Int32's range
	} {
		if err := p.Validate(); err != nil {
			continue // rejected up front: fine
		}
		src, err := p.Litmus()
		if err != nil {
			continue // refused with a reason: fine
		}
		if _, err := p.LitmusTest(); err != nil {
			t.Errorf("program %q: Validate and Litmus accept it, but its litmus text does not parse: %v", p.Name, err)
			if p.String() == src {
				t.Errorf("program %q: String prints the unparseable litmus text instead of Go source", p.Name)
			}
		}
	}
}

package litmus

import (
	"context"
	"fmt"
	"strings"

	"github.com/sabre-mm/sabre/model"
)

// State is one allowed final state of a test under a model, with the
// proposition's value on it and (Witness) the execution the enumerator
// found for it.
type State struct {
	Final     model.FinalState
	Satisfies bool   // the condition's proposition holds in this state
	Text      string // the state formatted as herd7 prints states
	outcome   model.Outcome
}

// Witness returns a valid execution producing the state, built on each
// call (see model.Outcome.Witness), or nil for a State made by hand.
func (s *State) Witness() *model.Execution { return s.outcome.Witness() }

// Observation is the result of running a test under one model: herd7's
// observation and the allowed final states.
type Observation struct {
	Test     *Test
	Model    string
	Result   Result
	Positive int // allowed final states satisfying the proposition
	Negative int // allowed final states not satisfying it
	States   []State
}

// Ok reports herd7's verdict on the condition: "Ok" when true, "No" when false.
func (o *Observation) Ok() bool { return o.Test.Cond.Holds(o.Positive, o.Negative) }

// Line returns herd7's result line, "Observation <name> <Result> <pos> <neg>".
func (o *Observation) Line() string {
	return fmt.Sprintf("Observation %s %s %d %d", o.Test.Name, o.Result, o.Positive, o.Negative)
}

// Expectation returns the test's expectation for the observation's model and
// whether the test gives one.
func (o *Observation) Expectation() (Expectation, bool) { return o.Test.Expected(o.Model) }

// Failed reports whether the test states an expectation for this model that
// the observation contradicts.
func (o *Observation) Failed() bool {
	e, ok := o.Expectation()
	return ok && e.Result != o.Result
}

// Observe evaluates the test's condition on the outcomes the enumerator
// returned under the named model. Outcomes with equal final states are
// counted once; states are sorted by their herd7 text.
func Observe(t *Test, modelName string, outcomes []model.Outcome) *Observation {
	o, _ := observe(context.Background(), t, modelName, outcomes)
	return o
}

// observe is Observe that stops with ctx's error when ctx is done.
func observe(ctx context.Context, t *Test, modelName string, outcomes []model.Outcome) (*Observation, error) {
	// sized up front: growing a slice or map of a million states stalls
	// for longer than the context checks' cadence
	o := &Observation{Test: t, Model: modelName, States: make([]State, 0, len(outcomes))}
	seen := make(map[string]bool, len(outcomes))
	for i := range outcomes {
		if i&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		st := &outcomes[i].State
		text := t.FormatState(st)
		if seen[text] {
			continue
		}
		seen[text] = true
		sat := t.Cond.Prop.Eval(t, st)
		if sat {
			o.Positive++
		} else {
			o.Negative++
		}
		o.States = append(o.States, State{Final: *st, Satisfies: sat, Text: text, outcome: outcomes[i]})
	}
	if err := model.SortFuncContext(ctx, o.States, func(a, b State) int { return strings.Compare(a.Text, b.Text) }); err != nil {
		return nil, err
	}
	o.Result = ResultOf(o.Positive, o.Negative)
	return o, nil
}

// Run enumerates the test's allowed final states under the named model
// variant (see model.VariantNames) and observes its condition on them.
func Run(t *Test, modelName string) (*Observation, error) {
	return RunContext(context.Background(), t, modelName)
}

// RunContext is Run that stops with ctx's error when ctx is done (for a
// time budget on large tests).
func RunContext(ctx context.Context, t *Test, modelName string) (*Observation, error) {
	return RunLimit(ctx, t, modelName, 0)
}

// RunLimit is RunContext that gives up, with an error wrapping a
// *model.TooManyStatesError, on a test with more than maxStates allowed
// final states under the model (no limit when maxStates <= 0): each state
// costs memory, so the limit bounds it.
func RunLimit(ctx context.Context, t *Test, modelName string, maxStates int) (*Observation, error) {
	v, err := model.VariantByName(modelName)
	if err != nil {
		return nil, err
	}
	outcomes, err := model.EnumerateLimit(ctx, t.Program, v, maxStates)
	if err == nil {
		var o *Observation
		if o, err = observe(ctx, t, modelName, outcomes); err == nil {
			return o, nil
		}
	}
	return nil, fmt.Errorf("%s: %s under %s: %w", t.File, t.Name, modelName, err)
}

// FormatState formats a final state as herd7 prints states: every register
// of every agent ("1:r0=1;") in agent and first-assignment order, then every
// element of every view ("x[0]=1;") in declaration order.
func (t *Test) FormatState(st *model.FinalState) string {
	var parts []string
	for ai, a := range t.Agents {
		for _, r := range a.Registers() {
			v, ok := t.RegisterValue(st, ai, r)
			if !ok {
				parts = append(parts, fmt.Sprintf("%d:%s=?;", ai, r))
				continue
			}
			parts = append(parts, fmt.Sprintf("%d:%s=%s;", ai, r, v))
		}
	}
	for _, v := range t.Views {
		for i := 0; i < v.Length; i++ {
			n, ok := t.MemoryValue(st, v, i)
			if !ok {
				parts = append(parts, fmt.Sprintf("%s[%d]=?;", v.Name, i))
				continue
			}
			parts = append(parts, fmt.Sprintf("%s[%d]=%s;", v.Name, i, n))
		}
	}
	return strings.Join(parts, " ")
}

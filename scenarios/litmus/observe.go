package litmus

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/sabre-mm/sabre/model"
)

// State is one allowed final state of a test under a model, with the
// proposition's value on it and (Witness) the execution the enumerator
// found for it. A State is compact: its text is formatted only when Text
// is called.
type State struct {
	Final     model.FinalState
	Satisfies bool // the condition's proposition holds in this state
	format    *stateFormat
	outcome   model.Outcome
}

// Text returns the state formatted as herd7 prints states (see
// Test.FormatState), built on each call; "" for a State made by hand
// without a test.
func (s *State) Text() string {
	if s.format == nil {
		return ""
	}
	return string(s.format.append(make([]byte, 0, s.format.size), &s.Final))
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
// returned under the named model. Outcomes whose herd7 text is equal are
// counted once; states are sorted by their herd7 text (without formatting
// it: see observe).
func Observe(t *Test, modelName string, outcomes []model.Outcome) *Observation {
	o, _ := observe(context.Background(), t, modelName, outcomes)
	return o
}

// observe is Observe that stops with ctx's error when ctx is done.
//
// Sorting by text without holding the text: two herd7 texts of one test
// list the same parts ("name=value;") in the same order, and a part's text
// is never a proper prefix of another's at the same place, so the texts
// compare as the sequences of their parts' value texts, each ended by ';'.
// Parts whose value is the same in every state (most of memory, in a large
// block) decide nothing and are left out, so each state's sort key holds
// only the varying parts: a few bytes, whatever the block's size.
func observe(ctx context.Context, t *Test, modelName string, outcomes []model.Outcome) (*Observation, error) {
	o := &Observation{Test: t, Model: modelName}
	n := len(outcomes)
	parts, err := t.varyingParts(ctx, outcomes)
	if err != nil {
		return nil, err
	}
	// sort keys, in one arena: key i is keys[ends[i-1]:ends[i]]
	var keys []byte
	ends := make([]int, n)
	for i := range outcomes {
		if i&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, p := range parts {
			v, ok := t.partValue(&outcomes[i].State, p)
			keys = appendValueText(keys, v, ok)
			keys = append(keys, ';')
		}
		ends[i] = len(keys)
	}
	key := func(i int32) []byte {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		return keys[start:ends[i]]
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	if err := model.SortFuncContext(ctx, order, func(a, b int32) int {
		if c := bytes.Compare(key(a), key(b)); c != 0 {
			return c
		}
		return int(a - b) // stable: the first of equal states is kept
	}); err != nil {
		return nil, err
	}
	o.States = make([]State, 0, n)
	format := t.stateFormat()
	for k, i := range order {
		if k&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if k > 0 && bytes.Equal(key(order[k-1]), key(i)) {
			continue // the same text as the previous state
		}
		st := &outcomes[i].State
		sat := t.Cond.Prop.Eval(t, st)
		if sat {
			o.Positive++
		} else {
			o.Negative++
		}
		o.States = append(o.States, State{Final: *st, Satisfies: sat, format: format, outcome: outcomes[i]})
	}
	o.Result = ResultOf(o.Positive, o.Negative)
	return o, nil
}

// statePart is one "name=value;" entry of a herd7 state: register reg of
// agent agent, or (view != nil) element index of view.
type statePart struct {
	agent int
	reg   string
	view  *View
	index int
}

// stateParts lists the parts of the test's states in herd7's order: every
// register of every agent in agent and first-assignment order, then every
// element of every view in declaration order.
func (t *Test) stateParts() []statePart {
	var parts []statePart
	for ai, a := range t.Agents {
		for _, r := range a.Registers() {
			parts = append(parts, statePart{agent: ai, reg: r})
		}
	}
	for _, v := range t.Views {
		for i := 0; i < v.Length; i++ {
			parts = append(parts, statePart{view: v, index: i})
		}
	}
	return parts
}

func (t *Test) partValue(st *model.FinalState, p statePart) (Number, bool) {
	if p.view != nil {
		return t.MemoryValue(st, p.view, p.index)
	}
	return t.RegisterValue(st, p.agent, p.reg)
}

// appendValueText appends the decimal text of v, or "?" when !ok.
func appendValueText(dst []byte, v Number, ok bool) []byte {
	if !ok {
		return append(dst, '?')
	}
	if v.Neg && v.Mag != 0 {
		dst = append(dst, '-')
	}
	return strconv.AppendUint(dst, v.Mag, 10)
}

// varyingParts returns the parts (stateParts) whose value is not the same
// in every one of the states. Memory is compared byte by byte, a state at a
// time, so the cost is linear in states × block size and nothing is kept.
func (t *Test) varyingParts(ctx context.Context, outcomes []model.Outcome) ([]statePart, error) {
	all := t.stateParts()
	if len(outcomes) < 2 {
		return nil, nil
	}
	first := &outcomes[0].State
	mem0 := first.Memory()
	diff := make([]bool, len(mem0)) // byte b differs from state 0's in some state
	allDiffer := false              // some state's memory has another length
	varies := make([]bool, len(all))
	type val struct {
		n  Number
		ok bool
	}
	vals0 := make([]val, len(all))
	for j, p := range all {
		if p.view == nil {
			n, ok := t.RegisterValue(first, p.agent, p.reg)
			vals0[j] = val{n, ok}
		}
	}
	buf := make([]byte, 0, len(mem0))
	for i := 1; i < len(outcomes); i++ {
		if i&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		st := &outcomes[i].State
		for j, p := range all {
			if p.view == nil && !varies[j] {
				n, ok := t.RegisterValue(st, p.agent, p.reg)
				varies[j] = (val{n, ok}) != vals0[j]
			}
		}
		if allDiffer {
			continue
		}
		if st.MemoryLen() != len(mem0) {
			allDiffer = true
			continue
		}
		buf, _ = st.AppendMemory(buf[:0], 0, len(mem0))
		if !bytes.Equal(buf, mem0) {
			for b := range buf {
				diff[b] = diff[b] || buf[b] != mem0[b]
			}
		}
	}
	var out []statePart
	for j, p := range all {
		if p.view != nil {
			off := p.view.ByteOffset + p.index*p.view.Kind.Size()
			for b := off; b < off+p.view.Kind.Size() && !varies[j]; b++ {
				varies[j] = allDiffer || b >= len(diff) || diff[b]
			}
		}
		if varies[j] {
			out = append(out, p)
		}
	}
	return out, nil
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
// costs memory (a few hundred bytes, whatever the block's size), so the
// limit bounds it.
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
// element of every view ("x[0]=1;") in declaration order, separated by
// spaces; a value the state lacks prints as "?".
func (t *Test) FormatState(st *model.FinalState) string {
	return string(t.stateFormat().append(nil, st))
}

// stateFormat is what formatting a test's states needs, computed once for
// all the states of an observation: the parts and their "name=" texts.
type stateFormat struct {
	t     *Test
	parts []statePart
	names [][]byte
	size  int // a guess at a state's text length
}

func (t *Test) stateFormat() *stateFormat {
	f := &stateFormat{t: t, parts: t.stateParts()}
	for k, p := range f.parts {
		var b []byte
		if k > 0 {
			b = append(b, ' ')
		}
		if p.view != nil {
			b = fmt.Appendf(b, "%s[%d]=", p.view.Name, p.index)
		} else {
			b = fmt.Appendf(b, "%d:%s=", p.agent, p.reg)
		}
		f.names = append(f.names, b)
		f.size += len(b) + 3
	}
	return f
}

// append appends the herd7 text of st to dst.
func (f *stateFormat) append(dst []byte, st *model.FinalState) []byte {
	for k, p := range f.parts {
		dst = append(dst, f.names[k]...)
		v, ok := f.t.partValue(st, p)
		dst = appendValueText(dst, v, ok)
		dst = append(dst, ';')
	}
	return dst
}

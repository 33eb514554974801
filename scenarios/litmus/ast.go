package litmus

import (
	"fmt"
	"strings"

	"github.com/sabre-mm/sabre/model"
)

// Test is a parsed litmus test: its views over one shared block, its agents,
// the final condition and the expectations, and the model.Program the
// enumerator runs.
type Test struct {
	Name    string
	Doc     string // the optional quoted doc string
	File    string // the file name given to Parse
	Views   []*View
	Agents  []*Agent
	Cond    Condition
	Expects []Expectation
	// Program is the straight-line program handed to model.Enumerate.
	Program *model.Program
}

// View is a typed view declared in the test's { … } block.
type View struct {
	Name       string
	Kind       Kind
	Length     int
	ByteOffset int
	Init       []Number // explicit initial values (the rest are 0)
	Pos        Pos
}

// End returns the byte offset just past the view.
func (v *View) End() int { return v.ByteOffset + v.Length*v.Kind.Size() }

// Agent is one agent P<n> of a test.
type Agent struct {
	Name  string
	Index int
	Stmts []*Stmt
	// regKind records, for each register, the kind of the view its last
	// assignment reads (in agent-order), which decides how it is decoded.
	regKind map[string]Kind
	// regConst holds the registers whose last assignment is the result of
	// Atomics.store, which returns its value argument unconverted.
	regConst map[string]Number
	Pos      Pos
}

// Registers returns the names of the agent's registers, in order of first
// assignment.
func (a *Agent) Registers() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range a.Stmts {
		if s.Reg != "" && !seen[s.Reg] {
			seen[s.Reg] = true
			out = append(out, s.Reg)
		}
	}
	return out
}

// Method names an operation of a statement.
type Method string

// The statement operations: plain accesses and the Atomics methods.
const (
	PlainLoad       Method = "load (plain)"
	PlainStore      Method = "store (plain)"
	Load            Method = "load"
	Store           Method = "store"
	Add             Method = "add"
	Sub             Method = "sub"
	And             Method = "and"
	Or              Method = "or"
	Xor             Method = "xor"
	Exchange        Method = "exchange"
	CompareExchange Method = "compareExchange"
)

// Stmt is one statement of an agent.
type Stmt struct {
	Method Method
	Reg    string // register assigned, or ""
	View   *View
	Index  int
	Args   []Number // value operands after (v, i)
	Pos    Pos
}

// String formats the statement as it would be written in a litmus file.
func (s *Stmt) String() string {
	var b strings.Builder
	if s.Reg != "" {
		b.WriteString(s.Reg + " = ")
	}
	switch s.Method {
	case PlainLoad:
		fmt.Fprintf(&b, "%s[%d]", s.View.Name, s.Index)
	case PlainStore:
		fmt.Fprintf(&b, "%s[%d] = %s", s.View.Name, s.Index, s.Args[0])
	default:
		fmt.Fprintf(&b, "Atomics.%s(%s, %d", s.Method, s.View.Name, s.Index)
		for _, a := range s.Args {
			b.WriteString(", " + a.String())
		}
		b.WriteString(")")
	}
	return b.String() + ";"
}

// Quantifier is the quantifier of a final condition.
type Quantifier uint8

// The herd quantifiers.
const (
	Exists    Quantifier = iota + 1 // exists (p)
	NotExists                       // ~exists (p)
	Forall                          // forall (p)
)

// String returns the quantifier as written ("~exists").
func (q Quantifier) String() string {
	switch q {
	case Exists:
		return "exists"
	case NotExists:
		return "~exists"
	case Forall:
		return "forall"
	}
	return "?"
}

// Condition is a test's final condition.
type Condition struct {
	Quantifier Quantifier
	Prop       Prop
	Pos        Pos
}

// String formats the condition as herd7 prints it.
func (c Condition) String() string { return c.Quantifier.String() + " (" + c.Prop.String() + ")" }

// Holds reports herd7's verdict on the condition ("Ok" rather than "No")
// given the numbers of final states that satisfy the proposition (pos) and
// that do not (neg): exists needs pos > 0, ~exists needs pos = 0, forall
// needs neg = 0.
func (c Condition) Holds(pos, neg int) bool {
	switch c.Quantifier {
	case Exists:
		return pos > 0
	case NotExists:
		return pos == 0
	default:
		return neg == 0
	}
}

// Prop is a proposition over a final state.
type Prop interface {
	// Eval reports whether the proposition holds in the final state.
	Eval(t *Test, st *model.FinalState) bool
	String() string
}

// RegTerm is the term P:r=n: register r of agent P has value n.
type RegTerm struct {
	Agent int
	Reg   string
	Value Number
	Pos   Pos
}

// MemTerm is the term v[i]=n: element i of view v has value n in final memory.
type MemTerm struct {
	View  *View
	Index int
	Value Number
	Pos   Pos
}

// Not is ~p.
type Not struct{ P Prop }

// AndProp is p /\ q.
type AndProp struct{ L, R Prop }

// OrProp is p \/ q.
type OrProp struct{ L, R Prop }

// Const is true or false.
type Const bool

// Eval implements Prop.
func (t RegTerm) Eval(test *Test, st *model.FinalState) bool {
	v, ok := test.RegisterValue(st, t.Agent, t.Reg)
	return ok && v.Cmp(t.Value) == 0
}

// Eval implements Prop.
func (t MemTerm) Eval(test *Test, st *model.FinalState) bool {
	v, ok := test.MemoryValue(st, t.View, t.Index)
	return ok && v.Cmp(t.Value) == 0
}

// Eval implements Prop.
func (n Not) Eval(t *Test, st *model.FinalState) bool { return !n.P.Eval(t, st) }

// Eval implements Prop.
func (a AndProp) Eval(t *Test, st *model.FinalState) bool { return a.L.Eval(t, st) && a.R.Eval(t, st) }

// Eval implements Prop.
func (o OrProp) Eval(t *Test, st *model.FinalState) bool { return o.L.Eval(t, st) || o.R.Eval(t, st) }

// Eval implements Prop.
func (c Const) Eval(*Test, *model.FinalState) bool { return bool(c) }

func (t RegTerm) String() string { return fmt.Sprintf("%d:%s=%s", t.Agent, t.Reg, t.Value) }
func (t MemTerm) String() string { return fmt.Sprintf("%s[%d]=%s", t.View.Name, t.Index, t.Value) }
func (n Not) String() string     { return "~" + wrap(n.P) }
func (a AndProp) String() string { return wrap(a.L) + " /\\ " + wrap(a.R) }
func (o OrProp) String() string  { return wrap(o.L) + " \\/ " + wrap(o.R) }
func (c Const) String() string {
	if c {
		return "true"
	}
	return "false"
}

func wrap(p Prop) string {
	switch p.(type) {
	case AndProp, OrProp:
		return "(" + p.String() + ")"
	}
	return p.String()
}

// Result is herd7's observation word.
type Result uint8

// The observation results.
const (
	Never Result = iota + 1
	Sometimes
	Always
)

// String returns "Never", "Sometimes" or "Always".
func (r Result) String() string {
	switch r {
	case Never:
		return "Never"
	case Sometimes:
		return "Sometimes"
	case Always:
		return "Always"
	}
	return "?"
}

// ResultOf returns herd7's observation word for pos states satisfying the
// proposition and neg states not satisfying it: Never when pos is 0, else
// Always when neg is 0, else Sometimes.
func ResultOf(pos, neg int) Result {
	switch {
	case pos == 0:
		return Never
	case neg == 0:
		return Always
	}
	return Sometimes
}

// Expectation is an `expect <model>: <Result>` line.
type Expectation struct {
	Model  string
	Result Result
	Pos    Pos
}

// Expected returns the expectation for the named model, if the test gives one.
func (t *Test) Expected(modelName string) (Expectation, bool) {
	for _, e := range t.Expects {
		if e.Model == modelName {
			return e, true
		}
	}
	return Expectation{}, false
}

// RegisterValue returns the final value of register reg of agent a in st.
func (t *Test) RegisterValue(st *model.FinalState, a int, reg string) (Number, bool) {
	if a < 0 || a >= len(t.Agents) {
		return Number{}, false
	}
	ag := t.Agents[a]
	if c, ok := ag.regConst[reg]; ok {
		return c, true
	}
	k, ok := ag.regKind[reg]
	if !ok || a >= len(st.Regs) {
		return Number{}, false
	}
	v, ok := st.Regs[a][reg]
	if !ok {
		return Number{}, false
	}
	return valueOfRegister(v, k), true
}

// MemoryValue returns element i of view v in the final memory of st
// (read with model.FinalState.AppendMemory, without allocating); false when
// the element is not within the state's memory.
func (t *Test) MemoryValue(st *model.FinalState, v *View, i int) (Number, bool) {
	if i < 0 || i >= v.Length {
		return Number{}, false
	}
	off := v.ByteOffset + i*v.Kind.Size()
	var buf [8]byte
	b, ok := st.AppendMemory(buf[:0], off, off+v.Kind.Size())
	if !ok {
		return Number{}, false
	}
	return decode(b, v.Kind), true
}

package gen

import (
	"fmt"
	"strings"

	"github.com/sabre-mm/sabre/scenarios/litmus"
	"github.com/sabre-mm/sabre/shared"
)

// StraightLine reports whether p is a litmus-expressible straight-line
// program: every view a TypedArray of an integer kind litmus supports (no
// DataView, float or Uint8Clamped view), every statement a plain access or
// an Atomics load, store or read-modify-write (no Wait, Notify or queue
// operation). Only such programs print as litmus tests and run under the
// enumerator (model.Enumerate).
func (p *Program) StraightLine() bool {
	if p == nil {
		return false
	}
	for _, v := range p.Views {
		if v.DataView || !litmusKind(v.Kind) {
			return false
		}
	}
	for _, ag := range p.Agents {
		for _, st := range ag.Stmts {
			if !(st.Op == PlainLoad || st.Op == PlainStore || st.Op.IsAtomic()) {
				return false
			}
		}
	}
	return true
}

func litmusKind(k shared.Kind) bool { return k.IsInteger() && k != shared.Uint8Clamped }

// Litmus returns p as the text of a litmus test (docs/litmus-format.md)
// that litmus.Parse accepts and whose scenario (litmus.Test.Scenario) has
// the same agents, registers, buffer and schedules as p.Scenario(): views
// with explicit byte offsets, one statement per line, and the condition
// "exists (true)" (a generated program asserts nothing itself). The error
// says why p is not expressible (StraightLine) or not valid (Validate).
func (p *Program) Litmus() (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	if !p.StraightLine() {
		return "", fmt.Errorf("gen: program %q is not a straight-line litmus program (DataView, float views, Wait, Notify or queue operations)", p.Name)
	}
	var b strings.Builder
	name := p.Name
	if name == "" {
		name = "gen"
	}
	fmt.Fprintf(&b, "JS %s\n{\n", name)
	for _, v := range p.Views {
		fmt.Fprintf(&b, "  %s %s[%d] @ %d;\n", v.Kind, v.Name, v.Length, v.ByteOffset)
	}
	b.WriteString("}\n")
	for a, ag := range p.Agents {
		fmt.Fprintf(&b, "P%d {\n", a)
		for s, st := range ag.Stmts {
			v := p.Views[st.View].Name
			reg := p.Register(a, s)
			var e string
			switch st.Op {
			case PlainLoad:
				e = fmt.Sprintf("%s[%d]", v, st.Index)
			case PlainStore:
				e = fmt.Sprintf("%s[%d] = %d", v, st.Index, st.Value)
			case Load:
				e = fmt.Sprintf("Atomics.load(%s, %d)", v, st.Index)
			case CompareExchange:
				e = fmt.Sprintf("Atomics.compareExchange(%s, %d, %d, %d)", v, st.Index, st.Expected, st.Value)
			default:
				e = fmt.Sprintf("Atomics.%s(%s, %d, %d)", jsName(st.Op), v, st.Index, st.Value)
			}
			if reg != "" {
				e = reg + " = " + e
			}
			fmt.Fprintf(&b, "  %s;\n", e)
		}
		b.WriteString("}\n")
	}
	b.WriteString("exists (true)\n")
	return b.String(), nil
}

func jsName(o Op) string {
	s := o.String()
	return strings.ToLower(s[:1]) + s[1:]
}

// LitmusTest returns p as a parsed litmus test (Parse of Litmus()).
func (p *Program) LitmusTest() (*litmus.Test, error) {
	src, err := p.Litmus()
	if err != nil {
		return nil, err
	}
	t, err := litmus.Parse(p.Name+".litmus", []byte(src))
	if err != nil {
		return nil, fmt.Errorf("gen: the litmus text of program %q does not parse (a bug of gen): %w\n%s", p.Name, err, src)
	}
	return t, nil
}

// FromLitmus turns a parsed litmus test into a Program (the inverse of
// Litmus, for tests without initial values): an error names what the
// Program cannot hold (non-zero initial values, a statement that discards a
// value a Program's register would hold, or one that does not fit).
func FromLitmus(t *litmus.Test) (*Program, error) {
	if t == nil {
		return nil, fmt.Errorf("gen: nil litmus test")
	}
	p := &Program{Name: t.Name}
	idx := map[*litmus.View]int{}
	for i, v := range t.Views {
		for _, n := range v.Init {
			if n.Mag != 0 {
				return nil, fmt.Errorf("gen: %s: view %s has non-zero initial values", v.Pos, v.Name)
			}
		}
		idx[v] = i
		p.Views = append(p.Views, View{Name: v.Name, Kind: v.Kind, ByteOffset: v.ByteOffset, Length: v.Length})
	}
	for _, a := range t.Agents {
		var ag Agent
		k := 0
		for _, s := range a.Stmts {
			vi, ok := idx[s.View]
			if !ok {
				return nil, fmt.Errorf("gen: %s: statement on an undeclared view", s.Pos)
			}
			st := Stmt{View: vi, Index: s.Index}
			ops := map[litmus.Method]Op{
				litmus.PlainLoad: PlainLoad, litmus.PlainStore: PlainStore, litmus.Load: Load, litmus.Store: Store,
				litmus.Add: Add, litmus.Sub: Sub, litmus.And: And, litmus.Or: Or, litmus.Xor: Xor,
				litmus.Exchange: Exchange, litmus.CompareExchange: CompareExchange,
			}
			op, ok := ops[s.Method]
			if !ok {
				return nil, fmt.Errorf("gen: %s: method %q", s.Pos, s.Method)
			}
			st.Op = op
			args := make([]int64, len(s.Args))
			for i, n := range s.Args {
				if n.Mag > 1<<62 {
					return nil, fmt.Errorf("gen: %s: operand %s is out of a Program's range", s.Pos, n)
				}
				args[i] = int64(n.Mag)
				if n.Neg {
					args[i] = -args[i]
				}
			}
			switch {
			case op == CompareExchange && len(args) == 2:
				st.Expected, st.Value = args[0], args[1]
			case len(args) == 1:
				st.Value = args[0]
			case len(args) != 0:
				return nil, fmt.Errorf("gen: %s: %d operands", s.Pos, len(args))
			}
			if op.yields() {
				if want := fmt.Sprintf("r%d", k); s.Reg != want {
					return nil, fmt.Errorf("gen: %s: the statement's register is %q, a Program's would be %q", s.Pos, s.Reg, want)
				}
				k++
			}
			ag.Stmts = append(ag.Stmts, st)
		}
		p.Agents = append(p.Agents, ag)
	}
	return p, p.Validate()
}

// GoSource returns Go source of a test that runs p under the explorer:
// a file of package name pkg with a function TestShrunk that builds p as a
// composite literal, sets the scenario's Check to the Go expression check
// (for example "gen.Conforms(model.ES2024)"; "" for none) and calls
// scenarios.Explore under model variant modelExpr (for example
// "model.ES2024") with CheckAll — so that
// `go test -run '^TestShrunk$' -sabre.replay=…` replays a failure's
// schedule. p need not be valid (Scenario reports that).
func (p *Program) GoSource(pkg, check, modelExpr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"testing\"\n\n\t\"github.com/sabre-mm/sabre/model\"\n\t\"github.com/sabre-mm/sabre/scenarios\"\n\t\"github.com/sabre-mm/sabre/scenarios/gen\"\n", pkg)
	if p != nil && len(p.Views) > 0 {
		b.WriteString("\t\"github.com/sabre-mm/sabre/shared\"\n")
	}
	b.WriteString(")\n\nfunc TestShrunk(t *testing.T) {\n")
	b.WriteString("\tp := " + p.GoLiteral("\t") + "\n")
	b.WriteString("\tsc := p.Scenario()\n")
	if check != "" {
		fmt.Fprintf(&b, "\tsc.Check = %s\n", check)
	}
	fmt.Fprintf(&b, "\tscenarios.Explore(t, sc, scenarios.Options{Model: %s, CheckAll: true})\n}\n", modelExpr)
	return b.String()
}

// GoLiteral returns p as a Go composite literal (&gen.Program{…}), each
// line after the first prefixed with indent.
func (p *Program) GoLiteral(indent string) string {
	if p == nil {
		return "(*gen.Program)(nil)"
	}
	var b strings.Builder
	nl := "\n" + indent
	fmt.Fprintf(&b, "&gen.Program{%s\tName: %q,", nl, p.Name)
	if p.QueueSize != 0 {
		fmt.Fprintf(&b, "%s\tQueueSize: %d,", nl, p.QueueSize)
	}
	fmt.Fprintf(&b, "%s\tViews: []gen.View{", nl)
	for _, v := range p.Views {
		fmt.Fprintf(&b, "%s\t\t{Name: %q, Kind: %s, ByteOffset: %d, Length: %d", nl, v.Name, kindExpr(v.Kind), v.ByteOffset, v.Length)
		if v.DataView {
			b.WriteString(", DataView: true")
		}
		b.WriteString("},")
	}
	fmt.Fprintf(&b, "%s\t},%s\tAgents: []gen.Agent{", nl, nl)
	for a, ag := range p.Agents {
		fmt.Fprintf(&b, "%s\t\t{Stmts: []gen.Stmt{ // P%d", nl, a)
		for _, st := range ag.Stmts {
			fmt.Fprintf(&b, "%s\t\t\t{Op: %s", nl, opExpr(st.Op))
			if st.Op.onView() {
				fmt.Fprintf(&b, ", View: %d, Index: %d", st.View, st.Index)
			}
			if st.Value != 0 {
				fmt.Fprintf(&b, ", Value: %d", st.Value)
			}
			if st.Expected != 0 {
				fmt.Fprintf(&b, ", Expected: %d", st.Expected)
			}
			if st.Count != 0 {
				fmt.Fprintf(&b, ", Count: %d", st.Count)
			}
			if st.Transfer {
				b.WriteString(", Transfer: true")
			}
			b.WriteString("},")
		}
		fmt.Fprintf(&b, "%s\t\t}},", nl)
	}
	fmt.Fprintf(&b, "%s\t},%s}", nl, nl)
	return b.String()
}

func kindExpr(k shared.Kind) string {
	if k.Valid() {
		return "shared." + k.String()
	}
	return fmt.Sprintf("shared.Kind(%d)", uint8(k))
}

func opExpr(o Op) string {
	if o.Valid() {
		return "gen." + o.String()
	}
	return fmt.Sprintf("gen.Op(%d)", uint8(o))
}

// String returns p printed as a runnable scenario: its litmus text when it
// is StraightLine and valid, else the Go source of a test (GoSource, in
// package shrunk_test, without a Check, under model.ES2024).
func (p *Program) String() string {
	if src, err := p.Litmus(); err == nil {
		return src
	}
	return p.GoSource("shrunk_test", "", "model.ES2024")
}

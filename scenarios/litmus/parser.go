package litmus

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sabre-mm/sabre/model"
)

// Limits on what a litmus file may declare, so that a malformed or hostile
// file cannot make the parser allocate without bound, and so that every test
// that parses is one the model runs: the block and statement limits are
// package model's, and Parse also refuses more than
// model.MaxCompareExchanges compareExchange calls. Each is reported as an
// *Error at the declaration or statement that exceeds it.
const (
	// MaxBlockSize is the largest shared block, in bytes: the end of the
	// highest view may not exceed it. It is model.MaxBlockSize.
	MaxBlockSize = model.MaxBlockSize
	// MaxAgents is the largest number of agents (P0 … P63): the model's
	// limit, model.MaxAgents.
	MaxAgents = model.MaxAgents
	// MaxStmts is the largest number of statements over all agents (each
	// is one model operation). It is model.MaxOps.
	MaxStmts = model.MaxOps
	maxDepth = 200 // nesting of the condition
)

// blockLimit explains the block size limit in errors.
var blockLimit = fmt.Sprintf("the model's limit of %d bytes per block (model.MaxBlockSize)", MaxBlockSize)

var reserved = map[string]bool{
	"Atomics": true, "exists": true, "forall": true, "expect": true, "true": true, "false": true, "JS": true,
}

var methods = map[string]Method{
	"load": Load, "store": Store, "add": Add, "sub": Sub, "and": And, "or": Or, "xor": Xor,
	"exchange": Exchange, "compareExchange": CompareExchange,
}

// valueArgs is the number of value operands after (view, index).
var valueArgs = map[Method]int{
	Load: 0, Store: 1, Add: 1, Sub: 1, And: 1, Or: 1, Xor: 1, Exchange: 1, CompareExchange: 2,
}

// Parse parses the litmus test in src; file names it in error positions.
// Every error is an *Error naming file:line:col.
func Parse(file string, src []byte) (*Test, error) {
	p := &parser{lx: newLexer(file, src), test: &Test{File: file}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	p.header = p.tok.pos
	if err := p.parseFile(); err != nil {
		return nil, err
	}
	if err := p.test.lower(); err != nil {
		return nil, err
	}
	// The checks above refuse everything Validate refuses; this keeps it
	// so, with a position, should the two ever disagree.
	if err := p.test.Program.Validate(); err != nil {
		return nil, p.refused(err)
	}
	return p.test, nil
}

// refused turns the model's refusal of the lowered program into an *Error
// at the statement it names, or at the test's header.
func (p *parser) refused(err error) error {
	pos := p.header
	var pe *model.ProgramError
	if errors.As(err, &pe) {
		for _, a := range p.test.Agents {
			if a.Name == pe.Agent && pe.Op >= 0 && pe.Op < len(a.Stmts) {
				pos = a.Stmts[pe.Op].Pos
			}
		}
	}
	return &Error{Pos: pos, Msg: "the model refuses this test: " + err.Error()}
}

type parser struct {
	lx     *lexer
	tok    token
	test   *Test
	depth  int
	header Pos // of "JS"
	stmts  int // statements so far, over all agents
	cas    int // compareExchange calls so far, over all agents
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errf(pos Pos, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) is(punct string) bool { return p.tok.kind == tPunct && p.tok.text == punct }

func (p *parser) isIdent(name string) bool { return p.tok.kind == tIdent && p.tok.text == name }

// expect consumes the punctuation punct, or reports what was found instead.
func (p *parser) expect(punct, context string) error {
	if !p.is(punct) {
		return p.errf(p.tok.pos, "want %q %s, found %s", punct, context, p.tok.describe())
	}
	return p.advance()
}

func (p *parser) ident(what string) (token, error) {
	t := p.tok
	if t.kind != tIdent {
		return t, p.errf(t.pos, "want %s, found %s", what, t.describe())
	}
	return t, p.advance()
}

// number parses an optionally negative integer literal.
func (p *parser) number(what string) (Number, Pos, error) {
	pos := p.tok.pos
	neg := false
	if p.is("-") {
		neg = true
		if err := p.advance(); err != nil {
			return Number{}, pos, err
		}
	}
	if p.tok.kind != tNumber {
		return Number{}, pos, p.errf(p.tok.pos, "want %s (an integer), found %s", what, p.tok.describe())
	}
	mag, _ := parseNumber(p.tok.text) // validated by the lexer
	return Number{Neg: neg && mag != 0, Mag: mag}, pos, p.advance()
}

// smallInt parses a non-negative integer no larger than max; why, when not
// empty, says where max comes from.
func (p *parser) smallInt(what string, max int, why string) (int, Pos, error) {
	n, pos, err := p.number(what)
	if err != nil {
		return 0, pos, err
	}
	if n.Neg || n.Mag > uint64(max) {
		if why != "" {
			why = ": " + why
		}
		return 0, pos, p.errf(pos, "%s %s out of range (0..%d)%s", what, n, max, why)
	}
	return int(n.Mag), pos, nil
}

func (p *parser) parseFile() error {
	if !p.isIdent("JS") {
		return p.errf(p.tok.pos, "want the header \"JS <name>\", found %s", p.tok.describe())
	}
	// The name is lexed specially: it may hold + - . (e.g. "2+2W").
	name, err := p.lx.word()
	if err != nil {
		return err
	}
	p.test.Name = name.text
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind == tString {
		p.test.Doc = p.tok.text
		if err := p.advance(); err != nil {
			return err
		}
	}
	if err := p.parseDecls(); err != nil {
		return err
	}
	for p.tok.kind == tIdent && isAgentName(p.tok.text) {
		if err := p.parseAgent(); err != nil {
			return err
		}
	}
	if len(p.test.Agents) == 0 {
		return p.errf(p.tok.pos, "want an agent \"P0 { … }\", found %s", p.tok.describe())
	}
	if err := p.parseCondition(); err != nil {
		return err
	}
	for p.isIdent("expect") {
		if err := p.parseExpect(); err != nil {
			return err
		}
	}
	if p.tok.kind != tEOF {
		return p.errf(p.tok.pos, "want \"expect <model>: Always|Sometimes|Never\" or end of file, found %s", p.tok.describe())
	}
	return nil
}

func (p *parser) view(name string) *View {
	for _, v := range p.test.Views {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// parseDecls parses { <Kind> <name>[<length>] [@ <offset>] [= v, …]; … }.
func (p *parser) parseDecls() error {
	if err := p.expect("{", "to open the declarations"); err != nil {
		return err
	}
	end := 0 // the end of the highest view so far
	for !p.is("}") {
		kt := p.tok
		if kt.kind != tIdent {
			return p.errf(kt.pos, "want a view declaration such as \"Int32 x[1];\" or \"}\", found %s", kt.describe())
		}
		kind, ok := kindNames[kt.text]
		if !ok {
			return p.errf(kt.pos, "unknown view kind %q (want one of Int8 Uint8 Int16 Uint16 Int32 Uint32 BigInt64 BigUint64)", kt.text)
		}
		if err := p.advance(); err != nil {
			return err
		}
		nt, err := p.ident("a view name")
		if err != nil {
			return err
		}
		if reserved[nt.text] || kindNames[nt.text] != 0 {
			return p.errf(nt.pos, "%q is reserved and cannot name a view", nt.text)
		}
		if prev := p.view(nt.text); prev != nil {
			return p.errf(nt.pos, "view %s is already declared at %d:%d", nt.text, prev.Pos.Line, prev.Pos.Col)
		}
		v := &View{Name: nt.text, Kind: kind, Pos: nt.pos}
		if err := p.expect("[", "before the view's length"); err != nil {
			return err
		}
		size := kind.Size()
		n, npos, err := p.smallInt("view length", MaxBlockSize/size, fmt.Sprintf("%d-byte %s elements within %s", size, kind, blockLimit))
		if err != nil {
			return err
		}
		if n == 0 {
			return p.errf(npos, "view %s has length 0", v.Name)
		}
		v.Length = n
		if err := p.expect("]", "after the view's length"); err != nil {
			return err
		}
		if p.is("@") {
			if err := p.advance(); err != nil {
				return err
			}
			off, opos, err := p.smallInt("byte offset", MaxBlockSize, blockLimit)
			if err != nil {
				return err
			}
			if off%size != 0 {
				return p.errf(opos, "byte offset %d of %s %s is not a multiple of its element size %d", off, kind, v.Name, size)
			}
			v.ByteOffset = off
		} else {
			v.ByteOffset = (end + size - 1) / size * size
		}
		if v.End() > MaxBlockSize {
			return p.errf(nt.pos, "view %s ends at byte %d, beyond %s", v.Name, v.End(), blockLimit)
		}
		if p.is("=") {
			if err := p.advance(); err != nil {
				return err
			}
			for {
				val, vpos, err := p.number("an initial value")
				if err != nil {
					return err
				}
				if len(v.Init) == v.Length {
					return p.errf(vpos, "view %s has %d element(s) but more initial values are given", v.Name, v.Length)
				}
				if !storable(val, kind) {
					return p.errf(vpos, "initial value %s does not fit %s", val, kind)
				}
				v.Init = append(v.Init, val)
				if !p.is(",") {
					break
				}
				if err := p.advance(); err != nil {
					return err
				}
			}
			for _, w := range p.test.Views {
				if w.Init != nil && w.ByteOffset < v.ByteOffset+len(v.Init)*size &&
					v.ByteOffset < w.ByteOffset+len(w.Init)*w.Kind.Size() {
					return p.errf(v.Pos, "initial values of %s overlap those of %s (declared at %d:%d)", v.Name, w.Name, w.Pos.Line, w.Pos.Col)
				}
			}
		}
		if err := p.expect(";", "after the view declaration"); err != nil {
			return err
		}
		if v.End() > end {
			end = v.End()
		}
		p.test.Views = append(p.test.Views, v)
	}
	return p.advance()
}

// isAgentName reports whether name has the form P<digits>.
func isAgentName(name string) bool {
	if len(name) < 2 || name[0] != 'P' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if !isDigit(name[i]) {
			return false
		}
	}
	return true
}

// parseAgent parses P<n> { stmt; … }.
func (p *parser) parseAgent() error {
	nt := p.tok
	want := fmt.Sprintf("P%d", len(p.test.Agents))
	if nt.text != want {
		return p.errf(nt.pos, "want agent %s (agents are P0, P1, … in order), found %s", want, nt.describe())
	}
	if len(p.test.Agents) == MaxAgents {
		return p.errf(nt.pos, "too many agents (at most %d)", MaxAgents)
	}
	a := &Agent{Name: nt.text, Index: len(p.test.Agents), Pos: nt.pos}
	if err := p.advance(); err != nil {
		return err
	}
	if err := p.expect("{", "to open agent "+a.Name); err != nil {
		return err
	}
	for !p.is("}") {
		if p.tok.kind == tEOF {
			return p.errf(p.tok.pos, "agent %s opened at %d:%d is not closed with \"}\"", a.Name, a.Pos.Line, a.Pos.Col)
		}
		if p.stmts == MaxStmts {
			return p.errf(p.tok.pos, "too many statements: %s's statement %d is the test's statement %d, beyond the model's limit of %d operations over all agents (model.MaxOps)",
				a.Name, len(a.Stmts)+1, p.stmts+1, MaxStmts)
		}
		s, err := p.parseStmt(a)
		if err != nil {
			return err
		}
		p.stmts++
		if s.Method == CompareExchange {
			if p.cas == model.MaxCompareExchanges {
				return p.errf(s.Pos, "too many compareExchange calls: this is the test's compareExchange %d, beyond the model's limit of %d (model.MaxCompareExchanges)",
					p.cas+1, model.MaxCompareExchanges)
			}
			p.cas++
		}
		a.Stmts = append(a.Stmts, s)
	}
	a.assignRegisters()
	p.test.Agents = append(p.test.Agents, a)
	return p.advance()
}

// element parses v[i] after the view name has been read.
func (p *parser) element(nt token) (*View, int, error) {
	v := p.view(nt.text)
	if v == nil {
		return nil, 0, p.errf(nt.pos, "unknown view %q", nt.text)
	}
	if err := p.expect("[", "after view "+v.Name); err != nil {
		return nil, 0, err
	}
	i, ipos, err := p.smallInt("index", MaxBlockSize, "")
	if err != nil {
		return nil, 0, err
	}
	if i >= v.Length {
		return nil, 0, p.errf(ipos, "index %d out of range for %s %s[%d]", i, v.Kind, v.Name, v.Length)
	}
	return v, i, p.expect("]", "after the index")
}

func (p *parser) parseStmt(a *Agent) (*Stmt, error) {
	first, err := p.ident("a statement")
	if err != nil {
		return nil, err
	}
	s := &Stmt{Pos: first.pos}
	if first.text == "Atomics" {
		if err := p.parseAtomics(s); err != nil {
			return nil, err
		}
		return s, p.expect(";", "after the statement")
	}
	if p.is("[") { // v[i] = n;
		v, i, err := p.element(first)
		if err != nil {
			return nil, err
		}
		if err := p.expect("=", "in the store "+v.Name+"[…] = value"); err != nil {
			return nil, err
		}
		val, vpos, err := p.number("the value stored")
		if err != nil {
			return nil, err
		}
		if !storable(val, v.Kind) {
			return nil, p.errf(vpos, "value %s does not fit %s", val, v.Kind)
		}
		s.Method, s.View, s.Index, s.Args = PlainStore, v, i, []Number{val}
		return s, p.expect(";", "after the statement")
	}
	// r = …;
	if p.view(first.text) != nil {
		return nil, p.errf(first.pos, "%s is a view: write %s[i] to access it (registers may not share a view's name)", first.text, first.text)
	}
	if reserved[first.text] || kindNames[first.text] != 0 {
		return nil, p.errf(first.pos, "%q is reserved and cannot name a register", first.text)
	}
	if !p.is("=") {
		return nil, p.errf(p.tok.pos, "want \"=\" after register %s (or \"[\" if %s is meant to be a view), found %s", first.text, first.text, p.tok.describe())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	s.Reg = first.text
	src, err := p.ident("a view or Atomics call")
	if err != nil {
		return nil, err
	}
	if src.text == "Atomics" {
		if err := p.parseAtomics(s); err != nil {
			return nil, err
		}
	} else {
		v, i, err := p.element(src)
		if err != nil {
			return nil, err
		}
		s.Method, s.View, s.Index = PlainLoad, v, i
	}
	return s, p.expect(";", "after the statement")
}

// parseAtomics parses .method(v, i, …) after "Atomics".
func (p *parser) parseAtomics(s *Stmt) error {
	if err := p.expect(".", "after Atomics"); err != nil {
		return err
	}
	mt, err := p.ident("an Atomics method")
	if err != nil {
		return err
	}
	m, ok := methods[mt.text]
	if !ok {
		names := make([]string, 0, len(methods))
		for n := range methods {
			names = append(names, n)
		}
		sort.Strings(names)
		return p.errf(mt.pos, "unknown Atomics method %q (want one of %s)", mt.text, strings.Join(names, ", "))
	}
	s.Method = m
	if err := p.expect("(", "after Atomics."+mt.text); err != nil {
		return err
	}
	vt, err := p.ident("a view name")
	if err != nil {
		return err
	}
	if s.View = p.view(vt.text); s.View == nil {
		return p.errf(vt.pos, "unknown view %q", vt.text)
	}
	if err := p.expect(",", "between the view and the index"); err != nil {
		return err
	}
	i, ipos, err := p.smallInt("index", MaxBlockSize, "")
	if err != nil {
		return err
	}
	if i >= s.View.Length {
		return p.errf(ipos, "index %d out of range for %s %s[%d]", i, s.View.Kind, s.View.Name, s.View.Length)
	}
	s.Index = i
	want := valueArgs[m]
	for k := 0; k < want; k++ {
		if !p.is(",") {
			return p.errf(p.tok.pos, "Atomics.%s takes %d arguments (view, index%s), found %s", mt.text, want+2, argNames(m), p.tok.describe())
		}
		if err := p.advance(); err != nil {
			return err
		}
		val, vpos, err := p.number("an operand")
		if err != nil {
			return err
		}
		if !storable(val, s.View.Kind) {
			return p.errf(vpos, "operand %s does not fit %s", val, s.View.Kind)
		}
		s.Args = append(s.Args, val)
	}
	if !p.is(")") {
		return p.errf(p.tok.pos, "Atomics.%s takes %d arguments (view, index%s), found %s", mt.text, want+2, argNames(m), p.tok.describe())
	}
	return p.advance()
}

func argNames(m Method) string {
	switch m {
	case Load:
		return ""
	case CompareExchange:
		return ", expected, replacement"
	}
	return ", value"
}

// parseCondition parses exists/~exists/forall followed by a proposition.
func (p *parser) parseCondition() error {
	c := &p.test.Cond
	c.Pos = p.tok.pos
	switch {
	case p.isIdent("exists"):
		c.Quantifier = Exists
	case p.isIdent("forall"):
		c.Quantifier = Forall
	case p.is("~"):
		if err := p.advance(); err != nil {
			return err
		}
		if !p.isIdent("exists") {
			return p.errf(p.tok.pos, "want \"exists\" after \"~\", found %s", p.tok.describe())
		}
		c.Quantifier = NotExists
	default:
		return p.errf(p.tok.pos, "want an agent P%d or the final condition (exists, ~exists or forall), found %s", len(p.test.Agents), p.tok.describe())
	}
	if err := p.advance(); err != nil {
		return err
	}
	prop, err := p.parseOr()
	if err != nil {
		return err
	}
	c.Prop = prop
	return nil
}

func (p *parser) parseOr() (Prop, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.is(`\/`) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = OrProp{l, r}
	}
	return l, nil
}

func (p *parser) parseAnd() (Prop, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.is(`/\`) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = AndProp{l, r}
	}
	return l, nil
}

func (p *parser) parseUnary() (Prop, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errf(p.tok.pos, "condition nested too deeply (more than %d levels)", maxDepth)
	}
	switch {
	case p.is("~"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		q, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return Not{q}, nil
	case p.is("("):
		open := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		q, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if !p.is(")") {
			return nil, p.errf(p.tok.pos, "want \")\" to close the \"(\" at %d:%d, found %s", open.Line, open.Col, p.tok.describe())
		}
		return q, p.advance()
	case p.isIdent("true"), p.isIdent("false"):
		c := Const(p.tok.text == "true")
		return c, p.advance()
	case p.tok.kind == tNumber:
		return p.parseRegTerm()
	case p.tok.kind == tIdent:
		return p.parseMemTerm()
	}
	return nil, p.errf(p.tok.pos, "want a term (P:r=n or v[i]=n), \"~\" or \"(\", found %s", p.tok.describe())
}

// parseRegTerm parses P:r=n (P is the agent's number, as in herd).
func (p *parser) parseRegTerm() (Prop, error) {
	at := p.tok
	n, err := strconv.Atoi(at.text)
	if err != nil || n >= len(p.test.Agents) {
		return nil, p.errf(at.pos, "no agent P%s in this test (it has P0..P%d)", at.text, len(p.test.Agents)-1)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(":", "between agent and register"); err != nil {
		return nil, err
	}
	rt, err := p.ident("a register name")
	if err != nil {
		return nil, err
	}
	if err := p.expect("=", "after "+at.text+":"+rt.text); err != nil {
		return nil, err
	}
	val, vpos, err := p.number("a value")
	if err != nil {
		return nil, err
	}
	t := RegTerm{Agent: n, Reg: rt.text, Value: val, Pos: at.pos}
	if err := p.test.checkRegTerm(t, rt.pos, vpos); err != nil {
		return nil, err
	}
	return t, nil
}

// parseMemTerm parses v[i]=n, or v=n for a view of length 1.
func (p *parser) parseMemTerm() (Prop, error) {
	nt := p.tok
	v := p.view(nt.text)
	if v == nil {
		return nil, p.errf(nt.pos, "unknown view %q in the condition (registers are written P:r, e.g. 0:%s)", nt.text, nt.text)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	i := 0
	if p.is("[") {
		var err error
		if v, i, err = p.element(nt); err != nil {
			return nil, err
		}
	} else if v.Length != 1 {
		return nil, p.errf(nt.pos, "view %s has %d elements: write %s[i]", v.Name, v.Length, v.Name)
	}
	if err := p.expect("=", "after "+v.Name+"[…]"); err != nil {
		return nil, err
	}
	val, vpos, err := p.number("a value")
	if err != nil {
		return nil, err
	}
	if !fitsKind(val, v.Kind) {
		lo, hi := kindRange(v.Kind)
		return nil, p.errf(vpos, "%s[%d] is %s: %s is never its value (range %s..%d)", v.Name, i, v.Kind, val, Number{Neg: true, Mag: lo}, hi)
	}
	return MemTerm{View: v, Index: i, Value: val, Pos: nt.pos}, nil
}

// parseExpect parses expect <model>: Always|Sometimes|Never.
func (p *parser) parseExpect() error {
	pos := p.tok.pos
	if err := p.advance(); err != nil {
		return err
	}
	mt, err := p.ident("a model name after expect")
	if err != nil {
		return err
	}
	for _, e := range p.test.Expects {
		if e.Model == mt.text {
			return p.errf(mt.pos, "second expectation for model %s (the first is at %d:%d)", mt.text, e.Pos.Line, e.Pos.Col)
		}
	}
	if err := p.expect(":", "after the model name"); err != nil {
		return err
	}
	known := false
	for _, n := range model.VariantNames() {
		known = known || n == mt.text
	}
	if !known {
		return p.errf(mt.pos, "unknown model %q (want one of %s)", mt.text, strings.Join(model.VariantNames(), ", "))
	}
	rt, err := p.ident("Always, Sometimes or Never")
	if err != nil {
		return err
	}
	var r Result
	switch rt.text {
	case "Always":
		r = Always
	case "Sometimes":
		r = Sometimes
	case "Never":
		r = Never
	default:
		return p.errf(rt.pos, "want Always, Sometimes or Never, found %q", rt.text)
	}
	p.test.Expects = append(p.test.Expects, Expectation{Model: mt.text, Result: r, Pos: pos})
	return nil
}

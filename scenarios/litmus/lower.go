package litmus

import (
	"fmt"

	"github.com/sabre-mm/sabre/model"
)

// assignRegisters records, for each register of the agent, how its final
// value is obtained: decoded from the view its last assignment reads, or the
// constant returned by its last assignment from Atomics.store.
func (a *Agent) assignRegisters() {
	a.regKind = map[string]Kind{}
	a.regConst = map[string]Number{}
	for _, s := range a.Stmts {
		if s.Reg == "" {
			continue
		}
		if s.Method == Store {
			// Atomics.store returns its value argument (ToIntegerOrInfinity
			// or ToBigInt of it), not the converted element value.
			a.regConst[s.Reg] = s.Args[0]
			delete(a.regKind, s.Reg)
			continue
		}
		delete(a.regConst, s.Reg)
		a.regKind[s.Reg] = s.View.Kind
	}
}

// checkRegTerm checks that the term names a register its agent assigns and
// a value that register can hold.
func (t *Test) checkRegTerm(term RegTerm, regPos, valPos Pos) error {
	a := t.Agents[term.Agent]
	if _, ok := a.regConst[term.Reg]; ok {
		return nil
	}
	k, ok := a.regKind[term.Reg]
	if !ok {
		return &Error{Pos: regPos, Msg: fmt.Sprintf("register %s of %s is never assigned", term.Reg, a.Name)}
	}
	if !fitsKind(term.Value, k) {
		lo, hi := kindRange(k)
		return &Error{Pos: valPos, Msg: fmt.Sprintf("%d:%s holds a %s value: %s is never its value (range %s..%d)",
			term.Agent, term.Reg, k, term.Value, Number{Neg: true, Mag: lo}, hi)}
	}
	return nil
}

var modifyOps = map[Method]model.ModifyOp{
	Add: model.Add, Sub: model.Sub, And: model.And, Or: model.Or, Xor: model.Xor,
	Exchange: model.Exchange, CompareExchange: model.CompareExchange,
}

// lower builds the model.Program of the test: the shared block (its size is
// the end of the highest view) with its initial contents, little-endian, and
// one model.Op per statement.
func (t *Test) lower() error {
	size := 0
	for _, v := range t.Views {
		if v.End() > size {
			size = v.End()
		}
	}
	prog := &model.Program{Name: t.Name, Size: size, Init: make([]byte, size)}
	for _, v := range t.Views {
		for i, n := range v.Init {
			putBits(prog.Init[v.ByteOffset+i*v.Kind.Size():], bitsOf(n, v.Kind.Size()), v.Kind.Size())
		}
	}
	for _, a := range t.Agents {
		pa := model.ProgramAgent{Name: a.Name}
		for _, s := range a.Stmts {
			pa.Ops = append(pa.Ops, s.op())
		}
		prog.Agents = append(prog.Agents, pa)
	}
	t.Program = prog
	return nil
}

func putBits(b []byte, v uint64, size int) {
	for i := 0; i < size; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// op returns the model operation of the statement. Plain accesses are
// Unordered, Atomics accesses SeqCst; NoTear follows IsNoTearConfiguration
// for TypedArray accesses.
func (s *Stmt) op() model.Op {
	k := s.View.Kind
	o := model.Op{
		Order:       model.SeqCst,
		NoTear:      k.NoTear(true),
		ByteIndex:   s.View.ByteOffset + s.Index*k.Size(),
		ElementSize: k.Size(),
		Signed:      k.IsSigned(),
		Reg:         s.Reg,
		Line:        s.Pos.Line,
	}
	switch s.Method {
	case PlainLoad:
		o.Kind, o.Order, o.NoTear = model.AccessLoad, model.Unordered, k.NoTear(false)
	case PlainStore:
		o.Kind, o.Order, o.NoTear = model.AccessStore, model.Unordered, k.NoTear(false)
		o.Value = bitsOf(s.Args[0], k.Size())
	case Load:
		o.Kind = model.AccessLoad
	case Store:
		o.Kind = model.AccessStore
		o.Value = bitsOf(s.Args[0], k.Size())
		o.Reg = "" // the result is the value argument, not a read
	default:
		o.Kind = model.AccessRMW
		o.Modify = modifyOps[s.Method]
		if s.Method == CompareExchange {
			o.Expected = bitsOf(s.Args[0], k.Size())
			o.Value = bitsOf(s.Args[1], k.Size())
		} else {
			o.Value = bitsOf(s.Args[0], k.Size())
		}
	}
	return o
}

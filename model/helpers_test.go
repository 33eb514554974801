package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Test programs are built from Int32 accesses by default: element i is
// bytes [4i, 4i+4).

func ld(reg string, i int, o Order) Op {
	return Op{Kind: AccessLoad, Order: o, NoTear: true, ByteIndex: 4 * i, ElementSize: 4, Signed: true, Reg: reg}
}

func st(i int, v uint64, o Order) Op {
	return Op{Kind: AccessStore, Order: o, NoTear: true, ByteIndex: 4 * i, ElementSize: 4, Value: v}
}

func rmw(reg string, i int, m ModifyOp, v uint64) Op {
	return Op{Kind: AccessRMW, Order: SeqCst, NoTear: true, ByteIndex: 4 * i, ElementSize: 4, Signed: true, Modify: m, Value: v, Reg: reg}
}

func cas(reg string, i int, expected, v uint64) Op {
	op := rmw(reg, i, CompareExchange, v)
	op.Expected = expected
	return op
}

// sized builds an access of any size at a byte index (Uint, NoTear when aligned).
func sized(kind AccessKind, o Order, byteIndex, size int, v uint64, reg string) Op {
	return Op{Kind: kind, Order: o, NoTear: byteIndex%size == 0, ByteIndex: byteIndex, ElementSize: size, Value: v, Reg: reg}
}

func prog(name string, words int, agents ...[]Op) *Program {
	p := &Program{Name: name, Size: 4 * words, Init: make([]byte, 4*words)}
	for i, ops := range agents {
		p.Agents = append(p.Agents, ProgramAgent{Name: fmt.Sprintf("P%d", i), Ops: ops})
	}
	return p
}

func mustEnumerate(t testing.TB, p *Program, v Variant) []Outcome {
	t.Helper()
	outs, err := Enumerate(p, v)
	if err != nil {
		t.Fatalf("%s under %s: %v", p.Name, v, err)
	}
	return outs
}

// cond is a conjunction like "1:r0=1 1:r1=0 m4=2" over registers
// (agent:reg=value) and final memory words (m<byteIndex>=int32 value).
func holds(s FinalState, cond string) bool {
	for _, term := range strings.Fields(cond) {
		lhs, rhs, _ := strings.Cut(term, "=")
		want, err := strconv.ParseInt(rhs, 0, 64)
		if err != nil {
			panic(term)
		}
		if strings.HasPrefix(lhs, "m") {
			b, _ := strconv.Atoi(lhs[1:])
			if decode(s.Memory()[b:b+4], true) != want {
				return false
			}
			continue
		}
		a, reg, _ := strings.Cut(lhs, ":")
		ai, _ := strconv.Atoi(a)
		if got, ok := s.Regs[ai][reg]; !ok || got != want {
			return false
		}
	}
	return true
}

func allowed(outs []Outcome, cond string) bool {
	for _, o := range outs {
		if holds(o.State, cond) {
			return true
		}
	}
	return false
}

func keys(outs []Outcome) []string {
	var ks []string
	for _, o := range outs {
		ks = append(ks, o.State.Key())
	}
	return ks
}

// interleavings is a brute-force sequentially consistent enumerator: every
// interleaving of whole operations over one byte array. It is the
// reference the sc variant is checked against.
func interleavings(p *Program) map[string]bool {
	out := map[string]bool{}
	mem := append([]byte(nil), p.Init...)
	pc := make([]int, len(p.Agents))
	regs := make([]map[string]int64, len(p.Agents))
	for a := range regs {
		regs[a] = map[string]int64{}
	}
	var rec func()
	rec = func() {
		progressed := false
		for a := range p.Agents {
			if pc[a] == len(p.Agents[a].Ops) {
				continue
			}
			progressed = true
			op := p.Agents[a].Ops[pc[a]]
			cell := mem[op.ByteIndex : op.ByteIndex+op.ElementSize]
			saved := append([]byte(nil), cell...)
			old, hadOld := regs[a][op.Reg]
			switch op.Kind {
			case AccessStore:
				copy(cell, leBytes(op.Value, op.ElementSize))
			case AccessLoad:
				regs[a][op.Reg] = decode(cell, op.Signed)
			case AccessRMW:
				read := append([]byte(nil), cell...)
				if op.Reg != "" {
					regs[a][op.Reg] = decode(read, op.Signed)
				}
				if op.Modify != CompareExchange || string(read) == string(leBytes(op.Expected, op.ElementSize)) {
					copy(cell, op.Modify.Apply(read, leBytes(op.Value, op.ElementSize)))
				}
			}
			pc[a]++
			rec()
			pc[a]--
			copy(cell, saved)
			if op.Reg != "" {
				if hadOld {
					regs[a][op.Reg] = old
				} else {
					delete(regs[a], op.Reg)
				}
			}
		}
		if !progressed {
			st := NewFinalState(make([]map[string]int64, len(regs)), mem)
			for a := range regs {
				st.Regs[a] = map[string]int64{}
				for k, v := range regs[a] {
					st.Regs[a][k] = v
				}
			}
			out[st.Key()] = true
		}
	}
	rec()
	return out
}

func sortedKeys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// checkWitnesses validates every witness with the predicates: the
// enumerator and the checker must agree.
func checkWitnesses(t *testing.T, p *Program, v Variant, outs []Outcome) {
	t.Helper()
	for _, o := range outs {
		if err := ValidExecution(o.Witness(), v); err != nil {
			t.Fatalf("%s/%s: witness of %s is not valid: %v", p.Name, v, o.State.Key(), err)
		}
	}
}

func sortStrings(s []string) { sort.Strings(s) }

// randomRounds is how many random programs a randomized test checks: full
// normally, short under -short, and race under -race (whatever -short says,
// as the race detector makes each round several times slower).
func randomRounds(full, short, race int) int {
	switch {
	case raceEnabled:
		return race
	case testing.Short():
		return short
	}
	return full
}

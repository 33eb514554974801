package gen

import (
	"fmt"

	"github.com/sabre-mm/sabre/shared"
	"pgregory.net/rapid"
)

// Config says which programs Programs generates. The zero Config generates
// every kind of program: 2 to 4 agents of 1 to 3 statements each.
type Config struct {
	// MaxAgents (2–4; 0: 4) and MaxStmts (per agent, 1–4; 0: 3) bound a
	// program's size, so that exhaustive exploration and the enumerator
	// stay fast.
	MaxAgents, MaxStmts int
	// StraightLine generates only litmus-expressible programs
	// (Program.StraightLine).
	StraightLine bool
	// SeqCst generates only seq-cst accesses (Atomics on TypedArrays; Wait,
	// Notify and queue operations unless StraightLine): no plain or
	// DataView access, and every view of one element size, so that
	// accesses of overlapping bytes have equal ranges.
	SeqCst bool
	// NoCompareExchange leaves compareExchange out (see the package doc on
	// es2017).
	NoCompareExchange bool
	// NoBigInt leaves BigInt64 and BigUint64 views out.
	NoBigInt bool
}

func (c Config) agents() int {
	if c.MaxAgents < 2 || c.MaxAgents > 4 {
		return 4
	}
	return c.MaxAgents
}

func (c Config) stmts() int {
	if c.MaxStmts < 1 || c.MaxStmts > 4 {
		return 3
	}
	return c.MaxStmts
}

// Programs returns a rapid generator of valid programs under c. About half
// are built from a classic shape — MP, SB, LB, IRIW, 2+2W, a wait paired
// with a notify, a queue message (with or without a transfer) — whose
// accesses' orders, kinds and sizes are drawn; the rest are random
// statements over 1 to 3 views of an 8-byte buffer (views of mixed kinds
// and sizes, overlapping at byte 0 or 4). Stores, add and sub operands,
// exchanges, compareExchange replacements and puts take 1, 2, 3, … in
// program order, and, or and xor a one-bit mask, so that values mostly
// tell their writes apart (read-modify-writes can still make equal
// values; property 3 does not depend on it). rapid shrinks a program towards
// the first shape (random), fewer agents and statements, the lowest view
// and index, Int32 views and plain operations.
func Programs(c Config) *rapid.Generator[*Program] {
	return rapid.Custom(func(t *rapid.T) *Program {
		g := &builder{t: t, c: c}
		shape := rapid.IntRange(0, len(shapes)-1).Draw(t, "shape")
		var p *Program
		if shape < len(shapes) && shapes[shape].ok(c) && rapid.IntRange(0, 1).Draw(t, "use-shape") == 1 {
			p = shapes[shape].build(g)
			p.Name = "gen-" + shapes[shape].name
		} else {
			p = g.random()
			p.Name = "gen"
		}
		g.number(p)
		if err := p.Validate(); err != nil {
			panic(fmt.Sprintf("gen: generated an invalid program (a bug of gen): %v\n%s", err, p.GoLiteral("")))
		}
		return p
	})
}

type builder struct {
	t *rapid.T
	c Config
	// size is the element size of every view of a SeqCst program (the
	// first view's): so that seq-cst accesses of overlapping bytes have
	// equal ranges. Mixed-size seq-cst accesses do not synchronize, and
	// es2024 allows them outcomes no interleaving gives (catalogue:
	// Tear+overlap+sc), so they are not linearizable.
	size int
}

// kinds are the view kinds, the most interesting first (shrinking goes to
// index 0); floats, Uint8Clamped and DataViews only for programs that need
// not be litmus-expressible.
var intKinds = []shared.Kind{shared.Int32, shared.Uint8, shared.Int16, shared.Uint32, shared.Int8, shared.Uint16, shared.BigInt64, shared.BigUint64}

func (g *builder) kind(label string) shared.Kind {
	ks := intKinds
	if g.c.NoBigInt {
		ks = ks[:6]
	}
	// BigInt64 stays rare: the explorer's exhaustive per-byte value
	// product is slow for 8-byte plain reads (a known limit).
	if g.c.SeqCst && g.size != 0 {
		var same []shared.Kind
		for _, k := range ks {
			if k.Size() == g.size {
				same = append(same, k)
			}
		}
		ks = same
	}
	i := rapid.IntRange(0, len(ks)-1).Draw(g.t, label)
	if ks[i].IsBigInt() && rapid.IntRange(0, 3).Draw(g.t, label+"-big") != 3 {
		i = 0
	}
	g.size = ks[i].Size()
	return ks[i]
}

// order draws whether an access is seq-cst.
func (g *builder) atomic(label string) bool {
	if g.c.SeqCst {
		return true
	}
	return rapid.Bool().Draw(g.t, label)
}

// loc returns a view named name of one element of a drawn kind at byte at
// (at is 0 or 4; an 8-byte kind is placed at 0).
func (g *builder) loc(name string, at int) View {
	k := g.kind(name + "-kind")
	if k.Size() == 8 {
		at = 0
	}
	return View{Name: name, Kind: k, ByteOffset: at, Length: 1}
}

func (g *builder) load(view int, label string) Stmt {
	if g.atomic(label) {
		return Stmt{Op: Load, View: view}
	}
	return Stmt{Op: PlainLoad, View: view}
}

func (g *builder) store(view int, label string) Stmt {
	if g.atomic(label) {
		return Stmt{Op: Store, View: view}
	}
	return Stmt{Op: PlainStore, View: view}
}

type shape struct {
	name  string
	ok    func(Config) bool
	build func(g *builder) *Program
}

func always(Config) bool { return true }

func twoLocs(g *builder) []View {
	x := g.loc("x", 0)
	y := g.loc("y", 4)
	if x.Kind.Size() == 8 && y.Kind.Size() == 8 {
		y.ByteOffset = 8
	} else if y.Kind.Size() == 8 {
		y.ByteOffset, x.ByteOffset = 0, 8
	}
	return []View{x, y}
}

var shapes = []shape{
	{"random", func(Config) bool { return false }, nil},
	{"MP", always, func(g *builder) *Program {
		return &Program{Views: twoLocs(g), Agents: []Agent{
			{Stmts: []Stmt{g.store(0, "data-w"), g.store(1, "flag-w")}},
			{Stmts: []Stmt{g.load(1, "flag-r"), g.load(0, "data-r")}},
		}}
	}},
	{"SB", always, func(g *builder) *Program {
		return &Program{Views: twoLocs(g), Agents: []Agent{
			{Stmts: []Stmt{g.store(0, "x-w"), g.load(1, "y-r")}},
			{Stmts: []Stmt{g.store(1, "y-w"), g.load(0, "x-r")}},
		}}
	}},
	{"LB", always, func(g *builder) *Program {
		return &Program{Views: twoLocs(g), Agents: []Agent{
			{Stmts: []Stmt{g.load(0, "x-r"), g.store(1, "y-w")}},
			{Stmts: []Stmt{g.load(1, "y-r"), g.store(0, "x-w")}},
		}}
	}},
	{"2+2W", always, func(g *builder) *Program {
		return &Program{Views: twoLocs(g), Agents: []Agent{
			{Stmts: []Stmt{g.store(0, "x-w0"), g.store(1, "y-w0")}},
			{Stmts: []Stmt{g.store(1, "y-w1"), g.store(0, "x-w1")}},
		}}
	}},
	{"IRIW", func(c Config) bool { return c.agents() >= 4 }, func(g *builder) *Program {
		return &Program{Views: twoLocs(g), Agents: []Agent{
			{Stmts: []Stmt{g.store(0, "x-w")}},
			{Stmts: []Stmt{g.store(1, "y-w")}},
			{Stmts: []Stmt{g.load(0, "x-r2"), g.load(1, "y-r2")}},
			{Stmts: []Stmt{g.load(1, "y-r3"), g.load(0, "x-r3")}},
		}}
	}},
	{"wait-notify", func(c Config) bool { return !c.StraightLine }, func(g *builder) *Program {
		if g.c.SeqCst {
			g.size = 4 // the flag's
		}
		data := g.loc("data", 4)
		if data.Kind.Size() == 8 {
			data.ByteOffset = 8
		}
		views := []View{{Name: "flag", Kind: shared.Int32, Length: 1}, data}
		p := &Program{Views: views, Agents: []Agent{
			{Stmts: []Stmt{g.store(1, "data-w"), {Op: Store, View: 0}, {Op: Notify, View: 0, Count: 1}}},
			{Stmts: []Stmt{{Op: Wait, View: 0, Expected: 0}, {Op: Load, View: 0}, g.load(1, "data-r")}},
		}}
		if rapid.Bool().Draw(g.t, "notify-all") {
			p.Agents[0].Stmts[2].Count = NotifyAll
		}
		return p
	}},
	{"queue", func(c Config) bool { return !c.StraightLine }, func(g *builder) *Program {
		p := &Program{Views: []View{g.loc("x", 0)}, QueueSize: rapid.IntRange(0, 1).Draw(g.t, "queue-size"), Agents: []Agent{
			{Stmts: []Stmt{g.store(0, "x-w"), {Op: Put, Transfer: g.transfer("transfer")}}},
			{Stmts: []Stmt{{Op: Get}, g.load(0, "x-r")}},
		}}
		return p
	}},
}

// transfer draws whether a Put transfers an ArrayBuffer (never under
// SeqCst: the ArrayBuffer's own accesses are plain).
func (g *builder) transfer(label string) bool {
	return !g.c.SeqCst && rapid.Bool().Draw(g.t, label)
}

// random builds a program of random statements.
func (g *builder) random() *Program {
	t := g.t
	p := &Program{}
	nv := rapid.IntRange(1, 3).Draw(t, "views")
	for i := range nv {
		k := g.kind(fmt.Sprintf("v%d-kind", i))
		dv := false
		if !g.c.StraightLine && !g.c.SeqCst {
			switch rapid.IntRange(0, 7).Draw(t, fmt.Sprintf("v%d-exotic", i)) {
			case 1:
				k = []shared.Kind{shared.Float32, shared.Float64, shared.Uint8Clamped, shared.Float16}[rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("v%d-float", i))]
			case 2:
				dv = true
			}
		}
		size := k.Size()
		// Offsets 0 or 4 (aligned), so that views overlap.
		at := 4 * rapid.IntRange(0, 1).Draw(t, fmt.Sprintf("v%d-at", i))
		if size == 8 {
			at = 0
		}
		length := 1
		if max := (8 - at) / size; max > 1 {
			length = rapid.IntRange(1, max).Draw(t, fmt.Sprintf("v%d-len", i))
		}
		p.Views = append(p.Views, View{Name: fmt.Sprintf("v%d", i), Kind: k, ByteOffset: at, Length: length, DataView: dv})
	}
	na := rapid.IntRange(2, g.c.agents()).Draw(t, "agents")
	useQueue := !g.c.StraightLine && rapid.IntRange(0, 5).Draw(t, "queue") == 5
	if useQueue {
		p.QueueSize = rapid.IntRange(0, 1).Draw(t, "queue-size")
	}
	for a := range na {
		ns := rapid.IntRange(1, g.c.stmts()).Draw(t, fmt.Sprintf("P%d-stmts", a))
		var ag Agent
		for s := range ns {
			ag.Stmts = append(ag.Stmts, g.stmt(p, useQueue, fmt.Sprintf("P%d-%d", a, s)))
		}
		p.Agents = append(p.Agents, ag)
	}
	return p
}

// stmt draws one statement over p's views.
func (g *builder) stmt(p *Program, useQueue bool, label string) Stmt {
	t := g.t
	vi := rapid.IntRange(0, len(p.Views)-1).Draw(t, label+"-view")
	v := p.Views[vi]
	st := Stmt{View: vi, Index: rapid.IntRange(0, v.Length-1).Draw(t, label+"-index")}
	atomicOK := !v.DataView && litmusKind(v.Kind)
	waitOK := !v.DataView && (v.Kind == shared.Int32 || v.Kind == shared.BigInt64) && !g.c.StraightLine
	// The choices, plain ones first (shrinking goes to index 0).
	var ops []Op
	if !g.c.SeqCst || !atomicOK {
		ops = append(ops, PlainLoad, PlainStore)
	}
	if atomicOK {
		ops = append(ops, Load, Store, Add, Sub, And, Or, Xor, Exchange)
		if !g.c.NoCompareExchange {
			ops = append(ops, CompareExchange)
		}
	}
	if waitOK {
		ops = append(ops, Wait, Notify)
	}
	if useQueue {
		ops = append(ops, Put, Get)
	}
	st.Op = ops[rapid.IntRange(0, len(ops)-1).Draw(t, label+"-op")]
	switch st.Op {
	case Notify:
		st.Count = []int{1, NotifyAll}[rapid.IntRange(0, 1).Draw(t, label+"-count")]
	case Wait:
		st.Expected = int64(rapid.IntRange(0, 1).Draw(t, label+"-expected"))
	case CompareExchange:
		st.Expected = int64(rapid.IntRange(0, 2).Draw(t, label+"-expected"))
	case Put:
		st.Transfer = g.transfer(label + "-transfer")
	}
	if !st.Op.onView() {
		st.View, st.Index = 0, 0
	}
	return st
}

// number gives the program's writes their values: each write (store,
// read-modify-write operand, compareExchange replacement, item put) the
// next of 1, 2, 3, … in agent and statement order. And, Or and Xor get a
// mask (1, 2, 4, … cycling within the view's element).
func (g *builder) number(p *Program) {
	n := int64(0)
	for a := range p.Agents {
		for s := range p.Agents[a].Stmts {
			st := &p.Agents[a].Stmts[s]
			switch st.Op {
			case PlainStore, Store, Add, Sub, Exchange, CompareExchange, Put:
				n++
				st.Value = n
			case And, Or, Xor:
				n++
				st.Value = 1 << (n % 7)
			}
		}
	}
}

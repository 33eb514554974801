package gen

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
	"pgregory.net/rapid"
)

// TestLitmusRoundTrip: a straight-line program prints as litmus text that
// litmus.Parse accepts, FromLitmus turns the parsed test back into the
// same program, and the test's canonical text parses to it too.
func TestLitmusRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Programs(Config{StraightLine: true, MaxAgents: 4, MaxStmts: 4}).Draw(t, "program")
		if !p.StraightLine() {
			t.Fatalf("a StraightLine config generated a program that is not:\n%s", p.GoLiteral(""))
		}
		lt, err := p.LitmusTest()
		if err != nil {
			t.Fatalf("%v", err)
		}
		q, err := FromLitmus(lt)
		if err != nil {
			t.Fatalf("FromLitmus: %v\n%s", err, lt.Format())
		}
		q.Name = p.Name
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the program:\n%s\nto\n%s", p.GoLiteral(""), q.GoLiteral(""))
		}
	})
}

// TestNotLitmus: programs with a DataView, a float view, Wait, Notify or a
// queue are not litmus-expressible, and Litmus says so.
func TestNotLitmus(t *testing.T) {
	base := func() *Program {
		return &Program{Views: []View{{Name: "x", Kind: shared.Int32, Length: 1}}, Agents: []Agent{{Stmts: []Stmt{{Op: Load}}}}}
	}
	for name, mod := range map[string]func(p *Program){
		"DataView": func(p *Program) { p.Views[0].DataView = true; p.Agents[0].Stmts[0].Op = PlainLoad },
		"Float32":  func(p *Program) { p.Views[0].Kind = shared.Float32; p.Agents[0].Stmts[0].Op = PlainLoad },
		"Wait":     func(p *Program) { p.Agents[0].Stmts[0].Op = Wait },
		"Notify":   func(p *Program) { p.Agents[0].Stmts[0].Op = Notify },
		"Get":      func(p *Program) { p.Agents[0].Stmts[0].Op = Get },
	} {
		p := base()
		mod(p)
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := p.Litmus(); err == nil || p.StraightLine() {
			t.Errorf("%s: printed as litmus", name)
		}
		if !strings.Contains(p.String(), "func TestShrunk(t *testing.T)") {
			t.Errorf("%s: String is not Go source:\n%s", name, p)
		}
	}
}

// TestGoSourceParses: the Go source of every kind of program parses.
func TestGoSourceParses(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Programs(Config{}).Draw(t, "program")
		src := p.GoSource("shrunk_test", "gen.Conforms(model.ES2024)", "model.ES2024")
		if _, err := parser.ParseFile(token.NewFileSet(), "shrunk_test.go", src, parser.AllErrors); err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
	})
}

// TestGoSourceCompilesAndReplays: printed Go tests compile (go vet in a
// directory of this module) and, run with the replay line of an
// execution, pass.
func TestGoSourceCompilesAndReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a package with the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	progs := []*Program{
		{Name: "queue", QueueSize: 1, Views: []View{{Name: "x", Kind: shared.Int32, Length: 1}, {Name: "d", Kind: shared.Float64, Length: 1, DataView: true}},
			Agents: []Agent{{Stmts: []Stmt{{Op: PlainStore, Value: 1}, {Op: Put, Value: 2, Transfer: true}, {Op: Notify, Count: NotifyAll}}},
				{Stmts: []Stmt{{Op: Get}, {Op: Wait, Expected: 0}, {Op: PlainLoad, View: 1}}}}},
		{Name: "sb", Views: []View{{Name: "x", Kind: shared.Int32, Length: 1}, {Name: "y", Kind: shared.Int32, ByteOffset: 4, Length: 1}},
			Agents: []Agent{{Stmts: []Stmt{{Op: PlainStore, Value: 1}, {Op: PlainLoad, View: 1}}}, {Stmts: []Stmt{{Op: Store, View: 1, Value: 2}, {Op: Load}}}}},
	}
	dir, err := os.MkdirTemp(".", "shrunk-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for i, p := range progs {
		rep, err := scenarios.Run(context.Background(), p.Scenario(), scenarios.Options{Strategy: scenarios.Random(1), Executions: 5})
		if err != nil || len(rep.Failures) > 0 || len(rep.Outcomes) == 0 {
			t.Fatalf("%s: %v %v", p.Name, err, rep.Failures)
		}
		sub := filepath.Join(dir, p.Name)
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		src := p.GoSource("shrunk_test", "gen.Conforms(model.ES2024)", "model.ES2024")
		if err := os.WriteFile(filepath.Join(sub, "shrunk_test.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		sched := rep.Outcomes[len(rep.Outcomes)-1].Schedule
		cmd := exec.Command(gobin, "test", "-count=1", "./"+filepath.ToSlash(sub), "-run", "^TestShrunk$", "-sabre.replay="+sched.String())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("program %d: the printed test does not pass its replay: %v\n%s\n%s", i, err, out, src)
		}
	}
}

// TestInterpreterMatchesLitmus: for straight-line programs, the
// interpreter (Program.Scenario) and the litmus lowering of the printed
// test reach the same outcomes under exhaustive exploration.
func TestInterpreterMatchesLitmus(t *testing.T) {
	rapid.Check(t, budgeted(heavyBudget, func(t *rapid.T) {
		p := Programs(Config{StraightLine: true, MaxAgents: 3, MaxStmts: 2}).Draw(t, "program")
		lt, err := p.LitmusTest()
		if err != nil {
			t.Fatalf("%v", err)
		}
		keys := func(sc *scenarios.Scenario) ([]string, bool) {
			rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{Model: model.ES2024, Duration: ExhaustiveBudget})
			if err != nil || len(rep.Failures) > 0 {
				t.Fatalf("%v %v\n%s", err, rep.Failures, p)
			}
			var ks []string
			for _, o := range rep.Outcomes {
				ks = append(ks, o.Key())
			}
			slices.Sort(ks)
			return ks, rep.Complete
		}
		a, ca := keys(p.Scenario())
		b, cb := keys(lt.Scenario())
		if ca && cb && !slices.Equal(a, b) {
			t.Fatalf("the interpreter reaches %q, the litmus scenario %q\n%s", a, b, p)
		}
	}))
}

// TestValidate: bad programs get an error naming what is wrong, never a
// panic, and their scenario fails in Setup.
func TestValidate(t *testing.T) {
	ok := func() *Program {
		return &Program{Views: []View{{Name: "x", Kind: shared.Int32, Length: 2}}, Agents: []Agent{{Stmts: []Stmt{{Op: Load, Index: 1}}}}}
	}
	if err := ok().Validate(); err != nil {
		t.Fatalf("a valid program: %v", err)
	}
	for want, mod := range map[string]func(p *Program){
		"nil program":           nil,
		"0 agents":              func(p *Program) { p.Agents = nil },
		"invalid kind":          func(p *Program) { p.Views[0].Kind = 0 },
		"not a fresh":           func(p *Program) { p.Views[0].Name = "exists" },
		"not within a buffer":   func(p *Program) { p.Views[0].Length = 1 << 40 },
		"not a multiple":        func(p *Program) { p.Views[0].ByteOffset = 2 },
		"invalid operation":     func(p *Program) { p.Agents[0].Stmts[0].Op = 0 },
		"does not exist":        func(p *Program) { p.Agents[0].Stmts[0].View = 3 },
		"out of view":           func(p *Program) { p.Agents[0].Stmts[0].Index = -1 },
		"supports no Atomics":   func(p *Program) { p.Views[0].DataView = true },
		"need Int32 or BigInt6": func(p *Program) { p.Views[0].Kind = shared.Int16; p.Agents[0].Stmts[0].Op = Wait },
		"negative QueueSize":    func(p *Program) { p.QueueSize = -1 },
	} {
		var p *Program
		if mod != nil {
			p = ok()
			mod(p)
		}
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Validate = %v", want, err)
		}
		if _, err := p.Litmus(); err == nil {
			t.Errorf("%s: Litmus printed an invalid program", want)
		}
		rep, err := scenarios.Run(context.Background(), p.Scenario(), scenarios.Options{Strategy: scenarios.Random(1), Executions: 1})
		if err != nil || len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailSetup || !strings.Contains(rep.Failures[0].Message, want) {
			t.Errorf("%s: the scenario of an invalid program: %v %v", want, err, rep)
		}
		_ = p.String()
		_ = p.GoSource("x", "", "model.ES2024")
	}
	if _, err := FromLitmus(nil); err == nil {
		t.Error("FromLitmus(nil) gave no error")
	}
	if p := (*Program)(nil); p.Register(0, 0) != "" || p.StraightLine() || p.Size() != 0 {
		t.Error("a nil program has registers, is straight-line or has a size")
	}
}

// TestProgramsCoverShapes: the generator makes every operation and every
// shape (a test that fails if the bias or the choices break).
func TestProgramsCoverShapes(t *testing.T) {
	ops := map[Op]bool{}
	names := map[string]bool{}
	dataView, transfer, overlap := false, false, false
	g := Programs(Config{})
	for i := range 3000 {
		p := g.Example(i)
		names[p.Name] = true
		for _, ag := range p.Agents {
			for _, st := range ag.Stmts {
				ops[st.Op] = true
				transfer = transfer || st.Transfer
			}
		}
		for i, v := range p.Views {
			dataView = dataView || v.DataView
			for _, w := range p.Views[:i] {
				overlap = overlap || v.ByteOffset < w.End() && w.ByteOffset < v.End()
			}
		}
		if n := len(p.Agents); n < 2 || n > 4 {
			t.Fatalf("a program of %d agents", n)
		}
	}
	for o := PlainLoad; o < opEnd; o++ {
		if !ops[o] {
			t.Errorf("no %v generated", o)
		}
	}
	for _, s := range shapes {
		if !names["gen-"+s.name] && s.name != "random" {
			t.Errorf("no %s generated", s.name)
		}
	}
	if !dataView || !transfer || !overlap {
		t.Errorf("DataView %v, transfer %v, overlapping views %v", dataView, transfer, overlap)
	}
}

// BenchmarkProperty1 measures property 1's throughput: generated programs
// checked per second (each explored by the warm-up and rapid's draws, each
// allowed outcome checked by checker.Conformance).
func BenchmarkProperty1(b *testing.B) {
	g := Programs(Config{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := g.Example(i)
		sc := p.Scenario()
		sc.Check = Conforms(model.ES2024)
		rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{CheckAll: true, Strategy: scenarios.Random(1), Executions: 23})
		if err != nil || firstFailure(rep) != nil {
			b.Fatalf("%v %v", err, rep.Failures)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "programs/s")
}

package model_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/sabre-mm/sabre/internal/apitest"
	"math"
	"reflect"
	"testing"

	"github.com/sabre-mm/sabre/model"
)

// The fixtures below panic on an unexpected error: they build usable values
// and are not under test.

func must[T any](x T, err error) T {
	if err != nil {
		panic(err)
	}
	return x
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// racy is a well-formed execution of four agents: init writes of a 4-byte
// block, a Queue send and receive between P0 and P1 (host events), a
// plain write and an Atomics.add of P0 that race with P2's reads, and a
// compareExchange read-modify-write of P2 in the 2017 text's form.
func racy() *model.Execution {
	b := model.NewBuilder()
	main, p0, p1, p2 := b.Agent("main"), b.Agent("P0"), b.Agent("P1"), b.Agent("P2")
	init := b.Init(main, 0, []byte{0, 0, 0, 0})
	w := b.Write(p0, model.Unordered, true, 0, 0, []byte{1, 0})
	add := b.ReadModifyWrite(p0, model.Add, 0, 2, []byte{5, 0}, []model.EventID{init[2], init[3]}, []byte{0, 0})
	send := b.Host(p0, "send")
	b.HostSynchronizesWith(send, b.Host(p1, "receive"))
	b.Read(p1, model.Unordered, true, 0, 0, 2, []model.EventID{w, w}, []byte{1, 0})
	b.Read(p2, model.SeqCst, true, 0, 2, 2, []model.EventID{add, add}, []byte{5, 0})
	x := must(b.Execution())
	cas := model.EventID(len(x.Events))
	x.Events = append(x.Events, model.Event{Kind: model.ReadModifyWriteSharedMemory, Agent: p2, Name: "cas", Order: model.SeqCst,
		NoTear: true, ByteIndex: 0, ElementSize: 2, Payload: []byte{9, 0}, ModifyOp: model.CompareExchange, Expected: []byte{1, 0}})
	x.AgentOrder[p2] = append(x.AgentOrder[p2], cas)
	x.ReadsBytesFrom = append(x.ReadsBytesFrom, []model.EventID{w, w})
	x.ChosenValues = append(x.ChosenValues, []byte{1, 0})
	must(0, x.Check())
	return x
}

// malformed is an execution that Check refuses: a read takes its byte from
// nowhere.
func malformed() *model.Execution {
	x := racy()
	for i := range x.Events {
		if x.Events[i].IsRead() {
			x.ReadsBytesFrom[i] = nil
			break
		}
	}
	return x
}

// farRange is an execution with a write whose range reaches past the
// largest int.
func farRange() *model.Execution {
	return &model.Execution{
		Events:     []model.Event{{Kind: model.WriteSharedMemory, Order: model.Unordered, ByteIndex: math.MaxInt, ElementSize: 2, Payload: []byte{1, 2}}},
		AgentOrder: [][]model.EventID{{0}},
	}
}

func sb() *model.Program {
	ld := func(reg string, i int) model.Op {
		return model.Op{Kind: model.AccessLoad, Order: model.Unordered, NoTear: true, ByteIndex: 4 * i, ElementSize: 4, Signed: true, Reg: reg}
	}
	st := func(i int) model.Op {
		return model.Op{Kind: model.AccessStore, Order: model.Unordered, NoTear: true, ByteIndex: 4 * i, ElementSize: 4, Value: 1}
	}
	return &model.Program{Name: "SB", Size: 8, Init: make([]byte, 8), Agents: []model.ProgramAgent{
		{Name: "P0", Ops: []model.Op{st(0), ld("r0", 1)}},
		{Name: "P1", Ops: []model.Op{st(1), ld("r0", 0)}},
	}}
}

// casProgram has two compareExchanges and an add on one cell.
func casProgram() *model.Program {
	rmw := func(m model.ModifyOp, v, expected uint64) model.Op {
		return model.Op{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ElementSize: 2, Modify: m, Value: v, Expected: expected, Reg: "r"}
	}
	return &model.Program{Name: "CAS", Size: 2, Init: []byte{0, 0}, Agents: []model.ProgramAgent{
		{Name: "P0", Ops: []model.Op{rmw(model.CompareExchange, 1, 0)}},
		{Name: "P1", Ops: []model.Op{rmw(model.CompareExchange, 2, 0), rmw(model.Add, 3, 0)}},
	}}
}

// programs are SB and CAS, then programs Validate refuses: an operation
// whose end overflows int, more agents than MaxAgents, an operation of no
// kind, an invalid ModifyOp or Order, Init shorter than the block.
func programs() []apitest.Value {
	far := func() *model.Program {
		p := sb()
		p.Agents[0].Ops[1].ByteIndex = math.MaxInt - 3
		return p
	}
	crowd := func() *model.Program {
		p := sb()
		for i := len(p.Agents); i <= model.MaxAgents; i++ {
			p.Agents = append(p.Agents, model.ProgramAgent{Name: fmt.Sprint("Q", i)})
		}
		return p
	}
	noKind := func() *model.Program { p := sb(); p.Agents[1].Ops[0].Kind = 0; return p }
	badOp := func() *model.Program { p := casProgram(); p.Agents[1].Ops[1].Modify = 99; return p }
	badOrder := func() *model.Program { p := sb(); p.Agents[1].Ops[1].Order = 200; return p }
	shortInit := func() *model.Program { p := sb(); p.Init = p.Init[:3]; return p }
	return []apitest.Value{
		apitest.V("SB", false, sb),
		apitest.V("CAS", false, casProgram),
		apitest.V("far op", true, far),
		apitest.V("MaxAgents+1 agents", true, crowd),
		apitest.V("op of no kind", true, noKind),
		apitest.V("ModifyOp(99)", true, badOp),
		apitest.V("Order(200)", true, badOrder),
		apitest.V("short Init", true, shortInit),
	}
}

func analysis(x *model.Execution) *model.Analysis { return must(model.Analyze(x)) }

// modelSuite is package model's whole exported API, with the values to call
// it with.
func modelSuite() *apitest.Suite {
	variants := []apitest.Value{
		apitest.V("ES2024", false, func() model.Variant { return model.ES2024 }),
		apitest.V("ES2017", false, func() model.Variant { return model.ES2017 }),
		apitest.V("SC", false, func() model.Variant { return model.SC }),
	}
	executions := []apitest.Value{
		apitest.V("racy", false, racy),
		apitest.V("empty", false, func() *model.Execution { return &model.Execution{} }),
		apitest.V("malformed", true, malformed),
		apitest.V("range past MaxInt", true, farRange),
	}
	contexts := []apitest.Value{
		apitest.V("background", false, context.Background),
		apitest.V("canceled", false, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}),
	}
	orders := []apitest.Value{
		apitest.V("SeqCst", false, func() model.Order { return model.SeqCst }),
		apitest.V("Unordered", false, func() model.Order { return model.Unordered }),
		apitest.V("Init", false, func() model.Order { return model.Init }),
		apitest.V("Order(4)", true, func() model.Order { return model.Init + 1 }),
	}
	modifyOps := []apitest.Value{
		apitest.V("Add", false, func() model.ModifyOp { return model.Add }),
		apitest.V("Sub", false, func() model.ModifyOp { return model.Sub }),
		apitest.V("CompareExchange", false, func() model.ModifyOp { return model.CompareExchange }),
		apitest.V("ModifyOp(8)", true, func() model.ModifyOp { return model.CompareExchange + 1 }),
	}
	ranges := []apitest.Value{
		apitest.V("b0[0,4)", false, func() model.Range { return model.Range{Start: 0, Size: 4} }),
		apitest.V("b0[2,3)", false, func() model.Range { return model.Range{Start: 2, Size: 1} }),
		apitest.V("b1[0,4)", false, func() model.Range { return model.Range{Block: 1, Size: 4} }),
		apitest.V("{MaxInt, 1}", false, func() model.Range { return model.Range{Start: math.MaxInt, Size: 1} }),
		apitest.V("{MinInt, MinInt}", false, func() model.Range { return model.Range{Start: math.MinInt, Size: math.MinInt} }),
		apitest.V("{-4, 8}", false, func() model.Range { return model.Range{Start: -4, Size: 8} }),
	}
	values := map[reflect.Type][]apitest.Value{
		typeOf[model.Variant]():    variants,
		typeOf[*model.Execution](): executions,
		typeOf[*model.Program]():   programs(),
		typeOf[context.Context]():  contexts,
		typeOf[model.Order]():      orders,
		typeOf[model.ModifyOp]():   modifyOps,
		typeOf[model.Range]():      ranges,
		typeOf[model.EventID](): {
			apitest.V("0", false, func() model.EventID { return 0 }),
			apitest.V("4", false, func() model.EventID { return 4 }),
			apitest.V("9", false, func() model.EventID { return 9 }),
		},
		typeOf[int](): {
			apitest.V("1", false, func() int { return 1 }),
			apitest.V("2", false, func() int { return 2 }),
			apitest.V("4", false, func() int { return 4 }),
			apitest.V("70", false, func() int { return 70 }),
		},
		typeOf[[]byte](): {
			apitest.V("[1]", false, func() []byte { return []byte{1} }),
			apitest.V("[1 0]", false, func() []byte { return []byte{1, 0} }),
			apitest.V("[ff ff ff ff]", false, func() []byte { return []byte{0xff, 0xff, 0xff, 0xff} }),
		},
		typeOf[[]model.EventID](): {
			apitest.V("[0]", false, func() []model.EventID { return []model.EventID{0} }),
			apitest.V("[0 1]", false, func() []model.EventID { return []model.EventID{0, 1} }),
			apitest.V("[-1 MaxInt]", false, func() []model.EventID { return []model.EventID{-1, math.MaxInt} }),
		},
		typeOf[[]map[string]int64](): {
			apitest.V("[{r0: 1}]", false, func() []map[string]int64 { return []map[string]int64{{"r0": 1}} }),
			apitest.V("[nil]", false, func() []map[string]int64 { return []map[string]int64{nil} }),
		},
		typeOf[[]int](): {
			apitest.V("[3 1 2]", false, func() []int { return []int{3, 1, 2} }),
			apitest.V("10000 descending", false, func() []int {
				s := make([]int, 10000)
				for i := range s {
					s[i] = len(s) - i
				}
				return s
			}),
		},
		typeOf[func(a, b int) int](): {
			apitest.V("cmp", false, func() func(a, b int) int { return func(a, b int) int { return a - b } }),
		},
	}
	valid := map[reflect.Type]apitest.Value{
		typeOf[model.Variant]():      variants[0],
		typeOf[*model.Execution]():   executions[0],
		typeOf[*model.Program]():     values[typeOf[*model.Program]()][0],
		typeOf[context.Context]():    contexts[0],
		typeOf[model.Order]():        orders[1],
		typeOf[model.ModifyOp]():     modifyOps[0],
		typeOf[model.Range]():        ranges[0],
		typeOf[model.EventID]():      values[typeOf[model.EventID]()][1],
		typeOf[[]byte]():             values[typeOf[[]byte]()][1],
		typeOf[[]int]():              values[typeOf[[]int]()][0],
		typeOf[func(a, b int) int](): values[typeOf[func(a, b int) int]()][0],
		typeOf[[]map[string]int64](): values[typeOf[[]map[string]int64]()][0],
		typeOf[[]model.EventID]():    values[typeOf[[]model.EventID]()][0],
		typeOf[int]():                values[typeOf[int]()][0],
	}
	brokenZero := map[reflect.Type]bool{
		typeOf[model.Variant](): true, typeOf[*model.Execution](): true, typeOf[*model.Program](): true,
		typeOf[context.Context](): true, typeOf[model.Order](): true, typeOf[model.ModifyOp](): true,
		typeOf[func(a, b int) int](): true,
	}

	enumValues := func(broken []uint8, valid []uint8, mk func(uint8) any) []apitest.Value {
		var vs []apitest.Value
		for _, b := range broken {
			vs = append(vs, apitest.Value{Name: fmt.Sprint(b), Broken: true, Make: func() reflect.Value { return reflect.ValueOf(mk(b)) }})
		}
		for _, b := range valid {
			vs = append(vs, apitest.Value{Name: fmt.Sprint(mk(b)), Make: func() reflect.Value { return reflect.ValueOf(mk(b)) }})
		}
		return vs
	}
	invalid := []uint8{0, 99, 255}
	event := func(name string, e model.Event) apitest.Value {
		return apitest.V(name, false, func() *model.Event { return &e })
	}
	outcomes := func(p *model.Program, v model.Variant) []model.Outcome { return must(model.Enumerate(p, v)) }
	receivers := map[string][]apitest.Value{
		"Order": enumValues(invalid, []uint8{1, 2, 3}, func(b uint8) any { return model.Order(b) }),
		"ModifyOp": enumValues(append(invalid, uint8(model.CompareExchange)+1), []uint8{1, 2, 3, 4, 5, 6, 7},
			func(b uint8) any { return model.ModifyOp(b) }),
		"EventKind": enumValues(invalid, []uint8{1, 2, 3, 4}, func(b uint8) any { return model.EventKind(b) }),
		"Event": append(apitest.NilAndZero[model.Event](true),
			event("write", racy().Events[4]),
			event("add", racy().Events[5]),
			event("cas (2017)", racy().Events[len(racy().Events)-1]),
			event("host", model.Event{Kind: model.HostEvent, Name: "send"}),
			event("rmw with ModifyOp(99)", model.Event{Kind: model.ReadModifyWriteSharedMemory, ModifyOp: 99, ElementSize: 2, Payload: []byte{1, 2}}),
		),
		"Range": ranges,
		"Execution": append(apitest.NilAndZero[model.Execution](false),
			apitest.V("racy", false, racy),
			apitest.V("malformed", true, malformed),
			apitest.V("range past MaxInt", true, farRange),
			apitest.V("witness", false, func() *model.Execution { return outcomes(sb(), model.ES2024)[0].Witness() }),
		),
		"Analysis": append(apitest.NilAndZero[model.Analysis](true),
			apitest.V("X without relations", true, func() *model.Analysis { return &model.Analysis{X: racy()} }),
			apitest.V("X made malformed", true, func() *model.Analysis {
				a := analysis(racy())
				a.X = malformed()
				return a
			}),
			apitest.V("X grown", true, func() *model.Analysis {
				a := analysis(racy())
				a.X.Events = append(a.X.Events, model.Event{Kind: model.HostEvent})
				a.X.AgentOrder[0] = append(a.X.AgentOrder[0], model.EventID(len(a.X.Events)-1))
				return a
			}),
			apitest.V("racy", false, func() *model.Analysis { return analysis(racy()) }),
			apitest.V("empty", false, func() *model.Analysis { return analysis(&model.Execution{}) }),
			apitest.V("hand-built empty", false, func() *model.Analysis { return &model.Analysis{X: &model.Execution{}} }),
			apitest.V("witness with its memory-order", false, func() *model.Analysis {
				return analysis(outcomes(casProgram(), model.ES2017)[0].Witness())
			}),
		),
		"Builder": append(apitest.NilAndZero[model.Builder](false),
			apitest.V("with agents and init", false, func() *model.Builder {
				b := model.NewBuilder()
				a := b.Agent("a")
				b.Agent("b")
				b.Init(a, 0, []byte{0, 0, 0, 0})
				return b
			}),
		),
		"Relation": {
			apitest.V("zero", false, func() model.Relation { return model.Relation{} }),
			apitest.V("NewRelation(-1)", false, func() model.Relation { return model.NewRelation(-1) }),
			apitest.V("3 events, a cycle", false, func() model.Relation {
				r := model.NewRelation(3)
				r.Add(0, 1)
				r.Add(1, 2)
				r.Add(2, 0)
				return r
			}),
			apitest.V("70 events", false, func() model.Relation {
				r := model.NewRelation(70)
				r.Add(0, 65)
				r.Add(65, 69)
				return r
			}),
		},
		"Violation": append(apitest.NilAndZero[model.Violation](false),
			apitest.V("coherent reads", false, func() *model.Violation {
				x := racy() // P1's read (event 8) reads init, not P0's write before the send
				x.ReadsBytesFrom[8] = []model.EventID{0, 1}
				x.ChosenValues[8] = []byte{0, 0}
				var v *model.Violation
				if !errors.As(model.ValidExecution(x, model.ES2024), &v) {
					panic("no violation")
				}
				return v
			})),
		"ProgramError": append(apitest.NilAndZero[model.ProgramError](false),
			apitest.V("from Validate", false, func() *model.ProgramError {
				var pe *model.ProgramError
				if !errors.As(programs()[4].Make().Interface().(*model.Program).Validate(), &pe) {
					panic("no ProgramError")
				}
				return pe
			})),
		"TooManyStatesError": append(apitest.NilAndZero[model.TooManyStatesError](false),
			apitest.V("from EnumerateLimit", false, func() *model.TooManyStatesError {
				_, err := model.EnumerateLimit(context.Background(), sb(), model.ES2024, 1)
				var te *model.TooManyStatesError
				if !errors.As(err, &te) {
					panic("no TooManyStatesError")
				}
				return te
			})),
		"Program": append(apitest.NilAndZero[model.Program](false), programs()...),
		"FinalState": {
			apitest.V("zero", false, func() model.FinalState { return model.FinalState{} }),
			apitest.V("NewFinalState", false, func() model.FinalState {
				return model.NewFinalState([]map[string]int64{{"r0": 1}, nil}, []byte{1, 2, 3, 4})
			}),
			apitest.V("from Enumerate", false, func() model.FinalState { return outcomes(sb(), model.ES2024)[1].State }),
		},
		"Outcome": {
			apitest.V("zero", true, func() model.Outcome { return model.Outcome{} }),
			apitest.V("from Enumerate", false, func() model.Outcome { return outcomes(casProgram(), model.ES2024)[0] }),
		},
		"Variant": append([]apitest.Value{apitest.V("zero", true, func() model.Variant { return model.Variant{} })}, variants...),
	}
	return &apitest.Suite{
		Dir: ".",
		Funcs: map[string]any{
			"Analyze":          model.Analyze,
			"Enumerate":        model.Enumerate,
			"EnumerateContext": model.EnumerateContext,
			"EnumerateLimit":   model.EnumerateLimit,
			"NewBuilder":       model.NewBuilder,
			"NewFinalState":    model.NewFinalState,
			"FinalCellsOf":     model.FinalCellsOf,
			"NewRelation":      model.NewRelation,
			"SortFuncContext":  model.SortFuncContext[int],
			"ValidExecution":   model.ValidExecution,
			"VariantByName":    model.VariantByName,
			"VariantNames":     model.VariantNames,
		},
		Receivers:  receivers,
		Values:     values,
		Valid:      valid,
		BrokenZero: brokenZero,
		Exempt: map[string]string{
			"String":                  "describes the value (\"<nil>\" for nil)",
			"Error":                   "describes the error (\"<nil>\" for nil)",
			"Execution.Name":          "names the event (\"event N\" for none)",
			"Variant.Description":     "says that the zero Variant names no model",
			"Builder.Agent":           "-1 on a nil *Builder (documented)",
			"Builder.Init":            "the init events' IDs; a bad agent or block shows in Builder.Execution",
			"Builder.Write":           "the event's ID (-1 on a nil *Builder); bad arguments show in Builder.Execution",
			"Builder.Read":            "the event's ID (-1 on a nil *Builder); bad arguments show in Builder.Execution",
			"Builder.ReadModifyWrite": "the event's ID (-1 on a nil *Builder); bad arguments show in Builder.Execution",
			"Builder.Host":            "the event's ID (-1 on a nil *Builder); bad arguments show in Builder.Execution",
		},
		CheckError: modelErrors,
	}
}

// modelErrors is the suite's CheckError: every error has a message, and no
// error is a typed nil (a nil *Violation, *ProgramError or
// *TooManyStatesError in a non-nil error). On degenerate input the error is
// never a *Violation: a nil or malformed input is not a well-formed
// execution that breaks a validity condition.
func modelErrors(err error, broken bool) error {
	if err.Error() == "" {
		return fmt.Errorf("error %#v has no message", err)
	}
	var v *model.Violation
	var pe *model.ProgramError
	var te *model.TooManyStatesError
	if (errors.As(err, &v) && v == nil) || (errors.As(err, &pe) && pe == nil) || (errors.As(err, &te) && te == nil) {
		return fmt.Errorf("error %T is a typed nil", err)
	}
	if broken && v != nil {
		return fmt.Errorf("degenerate input reported as a *Violation: %v", err)
	}
	return nil
}

// TestAPIDegenerateInput calls every exported function and method of
// package model on nil receivers (a nil *Event, *Execution, *Analysis,
// *Builder, *Program and the error types), zero values (the zero
// Analysis, Outcome, Variant, Relation, FinalState), invalid enum values
// (Order, ModifyOp, EventKind), malformed executions and programs, nil
// contexts and functions, and hostile integers: none panics or hangs,
// every degenerate input to an entry point with an error result gives an
// error that is no *Violation, and entry points without one return zero
// values (or their documented result).
func TestAPIDegenerateInput(t *testing.T) {
	n, calls := modelSuite().Run(t)
	t.Logf("package model: %d entry points, %d calls", n, calls)
}

// TestAPIComplete fails when package model exports a function or method
// that TestAPIDegenerateInput does not call.
func TestAPIComplete(t *testing.T) { modelSuite().CheckComplete(t) }

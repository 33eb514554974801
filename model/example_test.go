package model_test

import (
	"errors"
	"fmt"

	"github.com/sabre-mm/sabre/model"
)

// Build message passing through a Queue by hand and check it: P0 writes x
// plainly and sends, P1 receives and reads x. Reading the initial zeros
// after the receive breaks Coherent Reads; reading P0's write is valid.
func Example_checkExecution() {
	b := model.NewBuilder()
	main := b.Agent("main")
	p0, p1 := b.Agent("P0"), b.Agent("P1")
	init := b.Init(main, 0, []byte{0, 0, 0, 0}) // a 4-byte block: 4 init writes
	start0, start1 := b.Host(main, "start P0"), b.Host(main, "start P1")
	b.HostSynchronizesWith(start0, b.Host(p0, "P0 starts"))
	b.HostSynchronizesWith(start1, b.Host(p1, "P1 starts"))
	w := b.Write(p0, model.Unordered, true, 0, 0, []byte{1, 0, 0, 0}) // x[0] = 1
	send := b.Host(p0, "send")
	recv := b.Host(p1, "receive")
	b.HostSynchronizesWith(send, recv)
	stale := []model.EventID{init[0], init[1], init[2], init[3]}
	r := b.Read(p1, model.Unordered, true, 0, 0, 4, stale, []byte{0, 0, 0, 0}) // r0 = x[0], reading 0
	x, err := b.Execution()
	if err != nil {
		fmt.Println("malformed:", err)
		return
	}

	err = model.ValidExecution(x, model.ES2024)
	var v *model.Violation
	if errors.As(err, &v) {
		fmt.Println(v.Predicate+":", v.Message)
	}

	x.ReadsBytesFrom[r] = []model.EventID{w, w, w, w}
	x.ChosenValues[r] = []byte{1, 0, 0, 0}
	fmt.Println("reading P0's write:", model.ValidExecution(x, model.ES2024))
	// Output:
	// coherent reads: P1:2 reads byte 0 from init[0], but P0:1 writes it in between in happens-before
	// reading P0's write: <nil>
}

// Enumerate store buffering (SB) with plain accesses under each variant:
// both loads may read 0 under the JavaScript model, not under sequential
// consistency. Each final state lists the registers, then the final memory
// (x at bytes 0-3, y at 4-7).
func ExampleEnumerate() {
	load := func(reg string, at int) model.Op {
		return model.Op{Kind: model.AccessLoad, Order: model.Unordered, NoTear: true, ByteIndex: at, ElementSize: 4, Signed: true, Reg: reg}
	}
	store := func(at int, v uint64) model.Op {
		return model.Op{Kind: model.AccessStore, Order: model.Unordered, NoTear: true, ByteIndex: at, ElementSize: 4, Value: v}
	}
	p := &model.Program{Name: "SB+na", Size: 8, Init: make([]byte, 8), Agents: []model.ProgramAgent{
		{Name: "P0", Ops: []model.Op{store(0, 1), load("r0", 4)}}, // x[0] = 1; r0 = y[0]
		{Name: "P1", Ops: []model.Op{store(4, 1), load("r0", 0)}}, // y[0] = 1; r0 = x[0]
	}}
	for _, v := range []model.Variant{model.ES2024, model.SC} {
		outs, err := model.Enumerate(p, v)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d states\n", v, len(outs))
		for _, o := range outs {
			fmt.Printf("  P0 r0=%d  P1 r0=%d  memory % x  witness valid: %v\n",
				o.State.Regs[0]["r0"], o.State.Regs[1]["r0"], o.State.Memory(), model.ValidExecution(o.Witness(), v) == nil)
		}
	}
	// Output:
	// es2024: 4 states
	//   P0 r0=0  P1 r0=0  memory 01 00 00 00 01 00 00 00  witness valid: true
	//   P0 r0=0  P1 r0=1  memory 01 00 00 00 01 00 00 00  witness valid: true
	//   P0 r0=1  P1 r0=0  memory 01 00 00 00 01 00 00 00  witness valid: true
	//   P0 r0=1  P1 r0=1  memory 01 00 00 00 01 00 00 00  witness valid: true
	// sc: 3 states
	//   P0 r0=0  P1 r0=1  memory 01 00 00 00 01 00 00 00  witness valid: true
	//   P0 r0=1  P1 r0=0  memory 01 00 00 00 01 00 00 00  witness valid: true
	//   P0 r0=1  P1 r0=1  memory 01 00 00 00 01 00 00 00  witness valid: true
}

// Report the races of an execution: a plain write and a plain read of it
// race (a data race); two seq-cst stores to one location race without a
// data race; a seq-cst 2-byte load of part of a 4-byte seq-cst store does
// not synchronize with it, and races with it (a data race: the ranges
// overlap without being equal).
func ExampleAnalysis_Races() {
	b := model.NewBuilder()
	main := b.Agent("main")
	p0, p1 := b.Agent("P0"), b.Agent("P1")
	init := b.Init(main, 0, make([]byte, 8))
	start := b.Host(main, "start")
	b.HostSynchronizesWith(start, b.Host(p0, "P0 starts"))
	b.HostSynchronizesWith(start, b.Host(p1, "P1 starts"))
	x := b.Write(p0, model.Unordered, true, 0, 0, []byte{1, 0, 0, 0})                           // P0:1 x[0] = 1
	b.Read(p1, model.Unordered, true, 0, 0, 4, []model.EventID{x, x, x, x}, []byte{1, 0, 0, 0}) // P1:1 x[0]
	y := b.Write(p0, model.SeqCst, true, 0, 4, []byte{2, 0, 0, 0})                              // P0:2 Atomics.store(y, 0, 2)
	b.Write(p1, model.SeqCst, true, 0, 4, []byte{3, 0, 0, 0})                                   // P1:2 Atomics.store(y, 0, 3)
	b.Read(p1, model.SeqCst, true, 0, 4, 2, []model.EventID{y, init[5]}, []byte{2, 0})          // P1:3 Atomics.load(y16, 0)
	ex, err := b.Execution()
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := model.Analyze(ex)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range a.Races() {
		fmt.Printf("%s and %s race (data race: %v)\n", ex.Name(r.E), ex.Name(r.D), r.Data)
	}
	fmt.Println("data race free:", a.DataRaceFree())
	// Output:
	// P0:1 and P1:1 race (data race: true)
	// P0:2 and P1:2 race (data race: false)
	// P0:2 and P1:3 race (data race: true)
	// data race free: false
}

// A Relation is a handle on its bits: a copy shares them, Clone does not.
func ExampleRelation() {
	r := model.NewRelation(3)
	r.Add(0, 1)
	shared := r      // the same bits
	own := r.Clone() // a copy of them
	shared.Add(1, 2) // changes r too
	own.Add(2, 0)    // changes own only
	fmt.Println(r.Pairs(), own.Pairs())
	fmt.Println(r.TransitiveClosure().Has(0, 2))
	// Output:
	// [[0 1] [1 2]] [[0 1] [2 0]]
	// true
}

// The zero Variant names no model and is refused.
func ExampleVariantByName() {
	v, err := model.VariantByName("es2017")
	fmt.Println(v, err, v.Description())
	_, err = model.Enumerate(&model.Program{}, model.Variant{})
	fmt.Println(errors.Is(err, model.ErrNoVariant))
	// Output:
	// es2017 <nil> ECMA-262 2017 text (before PR #1511)
	// true
}

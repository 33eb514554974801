package checker

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// histBuilder builds a history by hand: events get the next Seq of their
// agent (a process-wide one for agent 0) and, unless given, the instants
// Call = next tick, Return = the tick after, in the order they are added.
type histBuilder struct {
	h     history.History
	seq   map[int]uint64
	t     int64
	token uint64
}

func newHist(buffers ...history.Buffer) *histBuilder {
	if len(buffers) == 0 {
		buffers = []history.Buffer{{ID: 1, Shared: true, Length: 16, MaxLength: 16}}
	}
	return &histBuilder{h: history.History{Buffers: buffers}, seq: map[int]uint64{}}
}

// add appends e, filling Seq and the instants; it returns e's index.
func (b *histBuilder) add(e history.Event) int {
	if e.Kind != history.EvWaitSettle && e.Seq == 0 {
		key := e.Agent
		b.seq[key]++
		e.Seq = b.seq[key]
		if e.Agent == 0 {
			e.Seq += 1000
		}
	}
	if e.Call == 0 {
		b.t++
		e.Call = b.t
		b.t++
		e.Return = b.t
		if e.Kind == history.EvWaitSettle {
			e.Return = e.Call
		}
	}
	b.h.Events = append(b.h.Events, e)
	return len(b.h.Events) - 1
}

func (b *histBuilder) init(agent int, buf uint64, size int) int {
	return b.add(history.Event{Agent: agent, Kind: history.EvInit, Order: model.Init, Op: "SharedArrayBuffer", Buffer: buf, Size: size})
}

func accessOp(order model.Order, write bool, size int) string {
	if order == model.SeqCst {
		if write {
			return "Atomics.store"
		}
		return "Atomics.load"
	}
	name := map[int]string{1: "Uint8Array", 2: "Uint16Array", 4: "Int32Array", 8: "BigInt64Array"}[size]
	if name == "" {
		name = "DataView"
	}
	if write {
		return name + ".set"
	}
	return name + ".get"
}

func (b *histBuilder) write(agent int, order model.Order, buf uint64, idx, size int, v uint64) int {
	return b.add(history.Event{Agent: agent, Kind: history.EvWrite, Order: order, Op: accessOp(order, true, size),
		Buffer: buf, ByteIndex: idx, Size: size, NoTear: idx%size == 0 && (size < 8 || order == model.SeqCst), Written: v})
}

func (b *histBuilder) read(agent int, order model.Order, buf uint64, idx, size int, v uint64) int {
	return b.add(history.Event{Agent: agent, Kind: history.EvRead, Order: order, Op: accessOp(order, false, size),
		Buffer: buf, ByteIndex: idx, Size: size, NoTear: idx%size == 0 && (size < 8 || order == model.SeqCst), Read: v})
}

func (b *histBuilder) rmw(agent int, op model.ModifyOp, buf uint64, idx, size int, read, operand uint64) int {
	w := applyOp(op, read, operand, size)
	return b.add(history.Event{Agent: agent, Kind: history.EvRMW, Order: model.SeqCst, Op: "Atomics." + op.String(),
		Buffer: buf, ByteIndex: idx, Size: size, NoTear: true, ModifyOp: op, Read: read, Operand: operand, Written: w,
		Stored: op == model.CompareExchange, Expected: map[bool]uint64{true: read}[op == model.CompareExchange]})
}

func applyOp(op model.ModifyOp, read, operand uint64, size int) uint64 {
	rb, ob := make([]byte, size), make([]byte, size)
	for j := range size {
		rb[j], ob[j] = byte(read>>(8*j)), byte(operand>>(8*j))
	}
	var x uint64
	for j, c := range op.Apply(rb, ob) {
		x |= uint64(c) << (8 * j)
	}
	return x
}

func (b *histBuilder) newToken() uint64 { b.token++; return b.token }

func (b *histBuilder) host(agent int, kind history.Kind, sync uint64) int {
	return b.add(history.Event{Agent: agent, Kind: kind, Op: kind.String(), Sync: sync})
}

// raceTB is what the helpers need of a *testing.T or a *rapid.T.
type raceTB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// checkRaces runs Races and, for a history Convert takes, checks that the
// racing pairs are the model's (Analysis.Races and DataRaces). It returns
// the report.
func checkRaces(t raceTB, h *history.History) *RaceReport {
	t.Helper()
	rep, _ := checkRacesModel(t, h)
	return rep
}

// checkRacesModel is checkRaces, also returning Convert's conversion (nil
// when Convert refuses h).
func checkRacesModel(t raceTB, h *history.History) (*RaceReport, *history.Conversion) {
	t.Helper()
	got := map[[2]int]bool{}
	rep, err := races(context.Background(), h, Options{}, func(e, d int, data bool) {
		k := [2]int{min(e, d), max(e, d)}
		if _, dup := got[k]; dup {
			t.Errorf("pair %v reported twice", k)
		}
		got[k] = data
	})
	if err != nil {
		t.Fatalf("Races: %v", err)
	}
	want, conv := modelRaces(t, h)
	if conv != nil {
		if !maps2Equal(got, want) {
			t.Errorf("races differ from the model's:\n got  %s\n want %s\nhistory:\n%s", pairs(got), pairs(want), dump(h))
		}
	}
	nd := 0
	for _, data := range got {
		if data {
			nd++
		}
	}
	if rep.Races != len(got) || rep.Total != nd {
		t.Errorf("report counts %d races, %d data races; collected %d, %d", rep.Races, rep.Total, len(got), nd)
	}
	if (rep.Verdict == Illegal) != (nd > 0) || (rep.Verdict != Illegal && rep.Verdict != Ok) {
		t.Errorf("verdict %v with %d data races: %s", rep.Verdict, nd, rep.Reason)
	}
	if len(rep.DataRaces) != min(nd, RaceListLimit) || len(rep.Findings) != len(rep.DataRaces) || rep.Omitted != nd-len(rep.DataRaces) {
		t.Errorf("%d listed, %d findings, %d omitted of %d", len(rep.DataRaces), len(rep.Findings), rep.Omitted, nd)
	}
	for _, x := range rep.DataRaces {
		if data, ok := got[[2]int{min(x.E.Index, x.D.Index), max(x.E.Index, x.D.Index)}]; !ok || !data {
			t.Errorf("listed %v / %v, not a collected data race", x.E, x.D)
		}
	}
	return rep, conv
}

// modelRaces returns the races the model finds in Convert(h), by history
// event indices (true for a data race), and the conversion; nil when
// Convert refuses h.
func modelRaces(t raceTB, h *history.History) (map[[2]int]bool, *history.Conversion) {
	t.Helper()
	c, err := history.Convert(h)
	if err != nil {
		return nil, nil
	}
	a, err := model.Analyze(c.Execution)
	if err != nil {
		t.Fatalf("Analyze(Convert(h)): %v", err)
	}
	out := map[[2]int]bool{}
	for _, r := range a.Races() {
		e, d := c.Source[r.E], c.Source[r.D]
		out[[2]int{min(e, d), max(e, d)}] = r.Data
	}
	return out, c
}

func maps2Equal(a, b map[[2]int]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func pairs(m map[[2]int]bool) string {
	var ks [][2]int
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	s := ""
	for _, k := range ks {
		s += fmt.Sprintf(" %d-%d", k[0], k[1])
		if m[k] {
			s += "(data)"
		}
	}
	return "{" + s + " }"
}

func dump(h *history.History) string {
	s := ""
	for i, e := range h.Events {
		s += fmt.Sprintf("  %d: %v [%d,%d]\n", i, e, e.Call, e.Return)
	}
	return s
}

// mustFormatError asserts err is a *history.FormatError.
func mustFormatError(t raceTB, err error) *history.FormatError {
	t.Helper()
	var fe *history.FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is no *history.FormatError", err, err)
	}
	return fe
}

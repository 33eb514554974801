package checker

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"pgregory.net/rapid"
)

// confGen draws a small history: 2–3 agents and up to 7 accesses to an
// 8-byte buffer (plain and seq-cst loads and stores, read-modify-writes,
// compareExchange that succeeds or fails; 1, 2 and 4 bytes), random call
// and return instants, and read values made of bytes some write (or the
// initial zero) holds, mostly whole, sometimes mixed, rarely anything.
func confGen(t *rapid.T) *history.History { return confGenWith(t, confSparse) }

// confGenMode: what confGenWith draws.
type confGenMode int

const (
	confSparse confGenMode = iota
	// confDense: 1-byte accesses to two bytes, values 1 and 2 written again
	// and again, mostly seq-cst, and up to 10 accesses by 3 agents: many
	// reads with several possible synchronizing sources.
	confDense
	// confRMWs: mostly read-modify-writes (and seq-cst stores, loads and
	// compareExchange) of one byte or of the two at 0, values 0–2: many
	// read-modify-writes of one range that may read the same writes.
	confRMWs
)

// confGenWith draws as confGen, or as mode says.
func confGenWith(t *rapid.T, mode confGenMode) *history.History {
	b := newConfHist(8)
	agents := rapid.IntRange(2, 3).Draw(t, "agents")
	n := rapid.IntRange(2, 7).Draw(t, "ops")
	switch mode {
	case confDense:
		agents = 3
		n = rapid.IntRange(5, 10).Draw(t, "ops")
	case confRMWs:
		agents = 3
		n = rapid.IntRange(3, 7).Draw(t, "ops")
	}
	type op struct {
		agent, kind, index, size int
		v, operand, expected     uint64
		op                       model.ModifyOp
		call, ret                int64
	}
	ops := make([]op, n)
	for i := range ops {
		o := &ops[i]
		o.agent = 2 + rapid.IntRange(0, agents-1).Draw(t, "agent")
		o.kind = rapid.IntRange(0, 5).Draw(t, "kind") // store, seq-cst store, load, seq-cst load, rmw, compareExchange
		o.size = rapid.SampledFrom([]int{1, 2, 4, 4, 4}).Draw(t, "size")
		o.index = rapid.IntRange(0, 8/o.size-1).Draw(t, "slot") * o.size
		o.call = rapid.Int64Range(1, 30).Draw(t, "call")
		o.ret = o.call + rapid.Int64Range(0, 20).Draw(t, "len")
		o.v = rapid.Uint64Range(1, 3).Draw(t, "value")
		switch mode {
		case confDense:
			o.kind = rapid.SampledFrom([]int{0, 1, 1, 2, 3, 3, 4, 5}).Draw(t, "kind")
			o.size, o.index = 1, rapid.IntRange(0, 1).Draw(t, "byte")
			o.call, o.ret = 1, 100 // real time rules nothing out
			o.v = rapid.Uint64Range(1, 2).Draw(t, "value")
		case confRMWs:
			o.kind = rapid.SampledFrom([]int{1, 3, 4, 4, 4, 4, 5}).Draw(t, "kind")
			o.size, o.index = rapid.SampledFrom([]int{1, 1, 2}).Draw(t, "size"), 0
			o.call, o.ret = 1, 100
			o.v = rapid.Uint64Range(0, 2).Draw(t, "value")
		}
		o.operand = rapid.Uint64Range(0, 3).Draw(t, "operand")
		o.op = rapid.SampledFrom([]model.ModifyOp{model.Add, model.Exchange, model.Or}).Draw(t, "op")
		o.expected = rapid.Uint64Range(0, 2).Draw(t, "expected")
	}
	// written bytes, known for stores now and for read-modify-writes once
	// their read value is drawn
	written := make([][]byte, n)
	for i, o := range ops {
		if o.kind <= 1 {
			written[i] = confLE(o.v, o.size)
		}
	}
	byteFrom := func(b int) byte {
		var srcs []byte
		srcs = append(srcs, 0)
		for j, o := range ops {
			if written[j] != nil && b >= o.index && b < o.index+o.size {
				srcs = append(srcs, written[j][b-o.index])
			}
		}
		return srcs[rapid.IntRange(0, len(srcs)-1).Draw(t, "src")]
	}
	for i := range ops {
		o := &ops[i]
		if o.kind <= 1 {
			continue
		}
		var v []byte
		switch rapid.IntRange(0, 9).Draw(t, "how") {
		case 0: // anything
			v = confLE(rapid.Uint64Range(0, 3).Draw(t, "any"), o.size)
		case 1, 2: // byte by byte
			for k := 0; k < o.size; k++ {
				v = append(v, byteFrom(o.index+k))
			}
		default: // one source's bytes where it has them, else zero
			var srcs []int
			for j, p := range ops {
				if written[j] != nil && p.index < o.index+o.size && o.index < p.index+p.size {
					srcs = append(srcs, j)
				}
			}
			v = make([]byte, o.size)
			if len(srcs) > 0 && rapid.IntRange(0, 4).Draw(t, "init") > 0 {
				j := srcs[rapid.IntRange(0, len(srcs)-1).Draw(t, "whole")]
				for k := range v {
					if b := o.index + k; b >= ops[j].index && b < ops[j].index+ops[j].size {
						v[k] = written[j][b-ops[j].index]
					}
				}
			}
		}
		o.v = confLEuint(v)
		switch o.kind {
		case 4:
			written[i] = o.op.Apply(v, confLE(o.operand, o.size))
		case 5:
			if o.v == o.expected {
				written[i] = confLE(o.operand, o.size)
			}
		}
	}
	for _, o := range ops {
		b.at(o.call, o.ret)
		switch o.kind {
		case 0, 1:
			b.store(o.agent, o.kind == 1, o.index, o.size, o.v)
		case 2, 3:
			b.load(o.agent, o.kind == 3, o.index, o.size, o.v)
		case 4:
			b.rmw(o.agent, o.op, o.index, o.size, o.v, o.operand)
		case 5:
			if o.v == o.expected {
				b.rmw(o.agent, model.CompareExchange, o.index, o.size, o.v, o.operand)
			} else {
				b.casFail(o.agent, o.index, o.size, o.v, o.expected, o.operand)
			}
		}
	}
	return &b.h
}

// confBrute decides conformance the slow way: every reads-bytes-from
// function (each byte of each read from any write of that byte, other
// than the read, that began before the read returned; init writes always)
// judged by model.ValidExecution. It takes the events from history.Convert
// of a copy whose reads all returned zero (so that it converts), then puts
// back the values read, and under es2017 makes each failing
// compareExchange a read-modify-write with its expected bytes. tooBig
// reports more than limit functions.
func confBrute(h *history.History, v model.Variant, limit int) (ok, tooBig bool, err error) {
	c := &history.History{Buffers: h.Buffers, Events: slices.Clone(h.Events)}
	for i := range c.Events {
		e := &c.Events[i]
		switch {
		case e.Kind == history.EvRead && e.ModifyOp == model.CompareExchange:
			e.Read, e.Expected = 0, 1
		case e.Kind == history.EvRead:
			e.Read = 0
		case e.Kind == history.EvRMW && e.ModifyOp == model.CompareExchange:
			e.Read, e.Expected, e.Written = 0, 0, e.Operand
		case e.Kind == history.EvRMW:
			e.Read = 0
			e.Written = confLEuint(e.ModifyOp.Apply(make([]byte, e.Size), confLE(e.Operand, e.Size)))
		}
	}
	conv, err := history.Convert(c)
	if err != nil {
		return false, false, err
	}
	x := conv.Execution
	for id := range x.Events {
		src := &h.Events[conv.Source[id]]
		e := &x.Events[id]
		if e.IsRead() {
			x.ChosenValues[id] = confLE(src.Read, e.ElementSize)
		}
		if v == model.ES2017 && src.Kind == history.EvRead && src.ModifyOp == model.CompareExchange {
			e.Kind, e.ModifyOp, e.NoTear = model.ReadModifyWriteSharedMemory, model.CompareExchange, true
			e.Payload, e.Expected = confLE(src.Operand, e.ElementSize), confLE(src.Expected, e.ElementSize)
		}
	}
	type slot struct {
		r, k  int
		cands []model.EventID
	}
	var slots []slot
	space := 1
	for r := range x.Events {
		R := &x.Events[r]
		if !R.IsRead() {
			continue
		}
		ret := h.Events[conv.Source[r]].Return
		for k := 0; k < R.ElementSize; k++ {
			var cs []model.EventID
			for w := range x.Events {
				W := &x.Events[w]
				if w == r || !W.IsWrite() || !W.Range().Contains(R.Block, R.ByteIndex+k) {
					continue
				}
				if W.Order != model.Init && h.Events[conv.Source[w]].Call > ret {
					continue
				}
				cs = append(cs, model.EventID(w))
			}
			if len(cs) == 0 {
				return false, false, nil
			}
			slots = append(slots, slot{r, k, cs})
			space *= len(cs)
			if space > limit {
				return false, true, nil
			}
		}
	}
	pick := make([]int, len(slots))
	for {
		for _, s := range slots {
			if x.ReadsBytesFrom[s.r] == nil || len(x.ReadsBytesFrom[s.r]) != x.Events[s.r].ElementSize {
				x.ReadsBytesFrom[s.r] = make([]model.EventID, x.Events[s.r].ElementSize)
			}
		}
		for i, s := range slots {
			x.ReadsBytesFrom[s.r][s.k] = s.cands[pick[i]]
		}
		if model.ValidExecution(x, v) == nil {
			return true, false, nil
		}
		i := 0
		for ; i < len(slots); i++ {
			pick[i]++
			if pick[i] < len(slots[i].cands) {
				break
			}
			pick[i] = 0
		}
		if i == len(slots) {
			return false, false, nil
		}
	}
}

// TestConformanceDifferential compares Conformance with brute force over
// model.ValidExecution on small random histories, under every variant,
// and checks every witness with the model.
func TestConformanceDifferential(t *testing.T) { confDifferential(t, confSparse) }

// TestConformanceDifferentialDense: the same on dense histories (see
// confGenWith), where the search over synchronizing sources works.
func TestConformanceDifferentialDense(t *testing.T) { confDifferential(t, confDense) }

// TestConformanceDifferentialRMWs: the same on histories of mostly
// read-modify-writes (see confGenWith), where read-modify-writes of one
// range compete for the writes they read (confPigeon).
func TestConformanceDifferentialRMWs(t *testing.T) { confDifferential(t, confRMWs) }

// TestConformanceDifferentialExhaustive: the same, with the search's
// guesses and its relaxation turned off, so that the exhaustive search over
// synchronizing sources alone decides (and is compared with brute force).
func TestConformanceDifferentialExhaustive(t *testing.T) {
	defer func() { confExhaustiveOnly = false }()
	confExhaustiveOnly = true
	t.Run("sparse", func(t *testing.T) { confDifferential(t, confSparse) })
	t.Run("dense", func(t *testing.T) { confDifferential(t, confDense) })
	t.Run("rmws", func(t *testing.T) { confDifferential(t, confRMWs) })
}

func confDifferential(t *testing.T, mode confGenMode) {
	dense := mode == confDense
	counts := map[string]int{}
	rapid.Check(t, func(t *rapid.T) {
		h := confGenWith(t, mode)
		v := rapid.SampledFrom([]model.Variant{model.ES2024, model.ES2017, model.SC}).Draw(t, "variant")
		want, tooBig, err := confBrute(h, v, 20000)
		if err != nil {
			t.Fatalf("brute force: %v", err)
		}
		if tooBig {
			t.Skip("too many reads-bytes-from functions")
		}
		rep, err := Conformance(context.Background(), h, Options{Model: v})
		if err != nil {
			t.Fatalf("Conformance: %v", err)
		}
		got := rep.Verdict == Ok
		if rep.Verdict == Unknown || got != want {
			t.Fatalf("%s: Conformance says %s (%s), brute force says ok=%v\n%s", v, rep.Verdict, rep.Reason, want, confDump(h))
		}
		counts[fmt.Sprintf("%s %s", v, rep.Verdict)]++
		if m := confChoices.FindStringSubmatch(rep.Reason); m != nil && m[1] != "0" {
			counts["ok with a choice of synchronizing source"]++
		}
		if got {
			if err := model.ValidExecution(rep.Witness, v); err != nil {
				t.Fatalf("%s: the witness is not valid: %v\n%s", v, err, confDump(h))
			}
			for r, srcs := range rep.Witness.ReadsBytesFrom {
				for _, w := range srcs {
					if rep.Witness.Events[w].Order != model.Init && h.Events[rep.Source[w]].Call > h.Events[rep.Source[r]].Return {
						t.Fatalf("%s: the witness has %d read from %d, which began after it returned", v, r, w)
					}
				}
			}
		} else if rep.Explanation == nil || len(rep.Findings) != 1 || rep.Explanation.Predicate == "" {
			t.Fatalf("%s: illegal without an explanation: %+v", v, rep)
		} else if strings.Contains(rep.Explanation.Message, " read-modify-writes of ") {
			counts["illegal: read-modify-writes need distinct writes"]++
		}
	})
	t.Logf("verdicts: %v", counts)
	if confExhaustiveOnly && dense && counts["ok with a choice of synchronizing source"] == 0 {
		t.Errorf("no dense history had a search over synchronizing sources: %v", counts)
	}

	for _, v := range []string{"es2024", "es2017", "sc"} {
		if counts[v+" ok"] == 0 || counts[v+" illegal"] == 0 {
			t.Errorf("%s: the random histories did not give both verdicts: %v", v, counts)
		}
	}
}

var confChoices = regexp.MustCompile(`; (\d+) seq-cst reads a choice`)

func confDump(h *history.History) string {
	s := ""
	for _, e := range h.Events {
		s += fmt.Sprintf("  %v call=%d ret=%d\n", e, e.Call, e.Return)
	}
	return s
}

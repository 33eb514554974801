package model

import (
	"bytes"
	"context"
	"math/rand"
	"reflect"
	"testing"
)

// bruteForce enumerates the final states of p under v the slow way: every
// reads-bytes-from function over the enumerator's skeleton executions
// (every write holding each byte, for every byte of every read), values by
// ValueOfReadEvent, and validity by the predicates. It returns nil when
// the candidate space is larger than limit.
func bruteForce(t *testing.T, p *Program, v Variant, limit int) map[string]bool {
	out, _ := bruteForceDRF(t, p, v, limit)
	return out
}

// bruteForceDRF is bruteForce that also reports whether every valid
// execution is data race free (the program is data race free).
func bruteForceDRF(t *testing.T, p *Program, v Variant, limit int) (map[string]bool, bool) {
	t.Helper()
	drf := true
	var cas []opRef
	for a, ag := range p.Agents {
		for o, op := range ag.Ops {
			if op.Kind == AccessRMW && op.Modify == CompareExchange {
				cas = append(cas, opRef{a, o})
			}
		}
	}
	out := map[string]bool{}
	for mask := 0; mask < 1<<len(cas); mask++ {
		success := map[opRef]bool{}
		for i, c := range cas {
			success[c] = mask&(1<<i) != 0
		}
		e := newEnumerator(context.Background(), p, v, success, newFoundStates(), 0)
		x := e.x
		type slotB struct {
			r, k  int
			cands []EventID
		}
		var slots []slotB
		space := 1
		for r := range x.Events {
			R := &x.Events[r]
			if !R.IsRead() {
				continue
			}
			for k := 0; k < R.ElementSize; k++ {
				var c []EventID
				for w := range x.Events {
					if w != r && x.Events[w].IsWrite() && x.Events[w].Range().Contains(0, R.ByteIndex+k) {
						c = append(c, EventID(w))
					}
				}
				slots = append(slots, slotB{r, k, c})
				space *= len(c)
				if space > limit {
					return nil, false
				}
			}
		}
		ex := &Execution{Events: x.Events, AgentOrder: x.AgentOrder, HostSynchronizesWith: x.HostSynchronizesWith,
			ReadsBytesFrom: make([][]EventID, len(x.Events)), ChosenValues: make([][]byte, len(x.Events))}
		for r := range x.Events {
			if x.Events[r].IsRead() {
				ex.ReadsBytesFrom[r] = make([]EventID, x.Events[r].ElementSize)
				ex.ChosenValues[r] = make([]byte, x.Events[r].ElementSize)
			}
		}
		var rec func(i int)
		rec = func(i int) {
			if i < len(slots) {
				for _, w := range slots[i].cands {
					ex.ReadsBytesFrom[slots[i].r][slots[i].k] = w
					rec(i + 1)
				}
				return
			}
			a, err := Analyze(ex)
			if err != nil {
				t.Fatalf("brute force built a malformed execution: %v", err)
			}
			for r := range x.Events {
				if !x.Events[r].IsRead() {
					continue
				}
				val, viol := a.ValueOfReadEvent(EventID(r))
				if viol != nil {
					return
				}
				copy(ex.ChosenValues[r], val)
				if ref := e.evOp[r]; ref.agent >= 0 {
					op := &p.Agents[ref.agent].Ops[ref.op]
					if op.Kind == AccessRMW && op.Modify == CompareExchange && x.Events[r].Expected == nil {
						eq := bytes.Equal(val, leBytes(op.Expected, op.ElementSize))
						if eq != (x.Events[r].Kind == ReadModifyWriteSharedMemory) {
							return
						}
					}
				}
			}
			if a.ValidExecution(v) != nil {
				return
			}
			drf = drf && a.DataRaceFree()
			regs := make([]map[string]int64, len(p.Agents))
			for i := range regs {
				regs[i] = map[string]int64{}
			}
			var mem []byte
			for id, ref := range e.evOp {
				if ref.agent >= 0 {
					if op := &p.Agents[ref.agent].Ops[ref.op]; op.Reg != "" {
						regs[ref.agent][op.Reg] = decode(ex.ChosenValues[id], op.Signed)
					}
				}
			}
			for _, fr := range e.finals {
				mem = append(mem, ex.ChosenValues[fr]...)
			}
			out[NewFinalState(regs, mem).Key()] = true
		}
		rec(0)
	}
	return out, drf
}

// tinyProgram is a random program small enough for bruteForce: 2 or 3
// bytes, 1- and 2-byte accesses.
func tinyProgram(rng *rand.Rand) *Program {
	size := 2 + rng.Intn(2)
	p := &Program{Name: "tiny", Size: size, Init: make([]byte, size)}
	agents := 2 + rng.Intn(2)
	for a := 0; a < agents; a++ {
		ag := ProgramAgent{Name: string(rune('A' + a))}
		for o := 0; o < 1+rng.Intn(5-agents); o++ {
			sz := 1 + rng.Intn(2)
			idx := rng.Intn(size/sz) * sz
			order := []Order{SeqCst, Unordered}[rng.Intn(2)]
			reg := "r" + string(rune('0'+o))
			var op Op
			switch k := rng.Intn(5); {
			case k < 2:
				op = sized(AccessLoad, order, idx, sz, 0, reg)
			case k < 4:
				op = sized(AccessStore, order, idx, sz, uint64(1+rng.Intn(2))*0x0101&(1<<(8*sz)-1), "")
			default:
				op = sized(AccessRMW, SeqCst, idx, sz, uint64(1+rng.Intn(2)), reg)
				op.Modify = []ModifyOp{Add, Or, Exchange, CompareExchange}[rng.Intn(4)]
				op.Expected = uint64(rng.Intn(2))
			}
			if op.Kind != AccessRMW && rng.Intn(4) == 0 {
				op.NoTear = false
			}
			ag.Ops = append(ag.Ops, op)
		}
		p.Agents = append(p.Agents, ag)
	}
	return p
}

// TestEnumerateMatchesBruteForce checks the enumerator's search against an
// exhaustive enumeration of candidate executions judged by the predicates:
// the same final states under every variant (completeness and soundness of
// the pruning).
func TestEnumerateMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	n := randomRounds(200, 40, 15)
	checked := 0
	for i := 0; i < n; i++ {
		p := tinyProgram(rng)
		for _, v := range []Variant{ES2024, ES2017, SC} {
			want := bruteForce(t, p, v, 30000)
			if want == nil {
				continue
			}
			checked++
			got := keySet(mustEnumerate(t, p, v))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("program %d %+v under %s:\nenumerator  %v\nbrute force %v", i, p.Agents, v, sortedKeys(got), sortedKeys(want))
			}
		}
	}
	t.Logf("%d program/variant pairs checked", checked)
	if checked < 2*n && n >= 40 {
		t.Fatalf("only %d of %d program/variant pairs were small enough", checked, 3*n)
	}
}

// TestSCDRF checks the model's promise on small random programs: when every
// valid es2024 execution of a program is data race free, its es2024
// outcomes are exactly its SC outcomes.
func TestSCDRF(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	n, drfs := 300, 0
	if testing.Short() || raceEnabled {
		n = 40
	}
	for i := 0; i < n; i++ {
		p := tinyProgram(rng)
		got, drf := bruteForceDRF(t, p, ES2024, 30000)
		if got == nil || !drf {
			continue
		}
		drfs++
		want := keySet(mustEnumerate(t, p, SC))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("data-race-free program %d %+v: es2024 %v, sc %v", i, p.Agents, sortedKeys(got), sortedKeys(want))
		}
	}
	t.Logf("%d data-race-free programs of %d", drfs, n)
	if drfs == 0 {
		t.Fatal("no data-race-free program generated")
	}
}

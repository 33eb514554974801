package model

import (
	"context"
	"errors"
	"testing"
	"time"
)

// byteReader returns a function that yields data's bytes one at a time, and
// 0 once they run out, for decoding fuzz input.
func byteReader(data []byte) func() int {
	return func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
}

// programFromBytes decodes arbitrary bytes into a Program, without
// sanitising it: Enumerate must reject what is invalid with an error and
// enumerate the rest, never panic.
func programFromBytes(data []byte) *Program {
	next := byteReader(data)
	p := &Program{Name: "fuzz", Size: next() % 10}
	p.Init = make([]byte, p.Size)
	if next()%8 == 0 {
		p.Init = p.Init[:p.Size/2]
	}
	agents := next() % 4
	for a := 0; a < agents; a++ {
		ag := ProgramAgent{Name: string(rune('A' + a))}
		nops := next() % 4
		for o := 0; o < nops; o++ {
			op := Op{
				Kind:        AccessKind(next() % 5),
				Order:       Order(next() % 5),
				NoTear:      next()%2 == 0,
				ByteIndex:   next()%12 - 1,
				ElementSize: []int{1, 2, 4, 8, 3, 0}[next()%6],
				Signed:      next()%2 == 0,
				Value:       uint64(next()) * 0x01010101,
				Expected:    uint64(next() % 3),
				Modify:      ModifyOp(next() % 9),
				Line:        o + 1,
			}
			if op.Kind != AccessStore || next()%4 == 0 {
				op.Reg = "r" + string(rune('0'+o))
			}
			ag.Ops = append(ag.Ops, op)
		}
		p.Agents = append(p.Agents, ag)
	}
	return p
}

func FuzzEnumerate(f *testing.F) {
	f.Add([]byte{8, 1, 2, 2, 2, 1, 1, 0, 4, 0, 1, 0, 0, 0, 2, 1, 0, 0, 4, 0, 0, 0, 0})
	f.Add([]byte{4, 1, 3, 1, 3, 1, 0, 0, 3, 0, 5, 1, 2, 4})
	f.Add([]byte{9, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := programFromBytes(data)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, v := range []Variant{ES2024, ES2017, SC} {
			outs, err := EnumerateContext(ctx, p, v)
			if err != nil {
				if p.Validate() == nil && ctx.Err() == nil {
					t.Fatalf("valid program rejected: %v", err)
				}
				return
			}
			if len(outs) == 0 {
				t.Fatalf("a valid program has no allowed outcome under %s", v)
			}
			checkWitnesses(t, p, v, outs)
		}
	})
}

// executionFromBytes decodes arbitrary bytes into a candidate execution,
// well-formed or not.
func executionFromBytes(data []byte) *Execution {
	next := byteReader(data)
	nAgents := 1 + next()%3
	b := NewBuilder()
	for i := 0; i < nAgents; i++ {
		b.Agent(string(rune('A' + i)))
	}
	init := b.Init(0, 0, make([]byte, 4))
	ids := append([]EventID(nil), init...)
	n := next() % 8
	for i := 0; i < n; i++ {
		a := next() % nAgents
		size := []int{1, 2, 4}[next()%3]
		idx := (next() % 4) / size * size
		if next()%7 == 0 {
			idx = next() % 6 // possibly out of range or unaligned
		}
		o := Order(next() % 4)
		src := func() []EventID {
			s := make([]EventID, size)
			for k := range s {
				s[k] = ids[next()%len(ids)]
			}
			return s
		}
		switch next() % 4 {
		case 0:
			ids = append(ids, b.Write(a, o, next()%2 == 0, 0, idx, leBytes(uint64(next()), size)))
		case 1:
			ids = append(ids, b.Read(a, o, next()%2 == 0, 0, idx, size, src(), leBytes(uint64(next()%3), size)))
		case 2:
			ids = append(ids, b.ReadModifyWrite(a, ModifyOp(1+next()%7), 0, idx, leBytes(uint64(next()), size), src(), leBytes(uint64(next()%3), size)))
		default:
			h := b.Host(a, "h")
			if next()%2 == 0 {
				b.HostSynchronizesWith(h, ids[next()%len(ids)])
			}
			ids = append(ids, h)
		}
	}
	x := b.x
	if next()%3 == 0 {
		x.MemoryOrder = make([]EventID, len(x.Events))
		for i := range x.MemoryOrder {
			x.MemoryOrder[i] = EventID((i + next()) % len(x.Events))
		}
	}
	return &x
}

func FuzzValidExecution(f *testing.F) {
	f.Add([]byte{2, 3, 0, 0, 2, 0, 0, 1, 1, 1, 2, 0, 1, 4, 4, 4, 4, 1})
	f.Add([]byte{1, 5, 0, 2, 0, 1, 0, 9, 0, 2, 1, 0, 2, 1, 4, 4, 3, 3, 1, 2, 2, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		x := executionFromBytes(data)
		a, err := Analyze(x)
		if err != nil {
			return
		}
		for _, v := range []Variant{ES2024, ES2017, SC} {
			err := a.ValidExecution(v)
			var viol *Violation
			if err != nil && (!errors.As(err, &viol) || viol.Predicate == "" || viol.Message == "") {
				t.Fatalf("invalid execution without a Violation naming predicate and message: %#v", err)
			}
		}
		for _, r := range a.Races() {
			if a.HappensBefore.Has(r.E, r.D) || a.HappensBefore.Has(r.D, r.E) {
				t.Fatalf("race between happens-before-ordered events %v", r)
			}
		}
	})
}

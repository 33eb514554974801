package model

import (
	"context"
	"testing"
	"time"
)

// programFromBytes decodes arbitrary bytes into a Program, without
// sanitising it: Enumerate must reject what is invalid with an error and
// enumerate the rest, never panic.
func programFromBytes(data []byte) *Program {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
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

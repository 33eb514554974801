package model

import (
	"fmt"
	"math/rand"
	"testing"
)

// wideProgram builds a 4-agent, 16-access program over 4 Int32 cells: each
// agent stores to two cells and loads two others, with orders chosen by
// the mode: "na" all plain, "sc" all seq-cst, "mixed" seeded at random.
func wideProgram(mode string, seed int64) *Program {
	rng := rand.New(rand.NewSource(seed))
	var agents [][]Op
	for a := 0; a < 4; a++ {
		order := func() Order {
			switch mode {
			case "na":
				return na
			case "sc":
				return sc
			}
			return []Order{sc, na}[rng.Intn(2)]
		}
		ops := []Op{
			st(a, uint64(a+1), order()),
			ld("r0", (a+1)%4, order()),
			st((a+2)%4, uint64(10+a), order()),
			ld("r1", (a+3)%4, order()),
		}
		agents = append(agents, ops)
	}
	return prog(fmt.Sprintf("wide-%s-%d", mode, seed), 4, agents...)
}

// iriw4 is IRIW with four readers' worth of accesses: 2 writers with two
// stores each, 2 readers with six loads each (16 accesses).
func iriw4(o Order) *Program {
	w0 := []Op{st(0, 1, o), st(2, 1, o)}
	w1 := []Op{st(1, 1, o), st(3, 1, o)}
	r0 := []Op{ld("a", 0, o), ld("b", 1, o), ld("c", 2, o), ld("d", 3, o), ld("e", 0, o), ld("f", 1, o)}
	r1 := []Op{ld("a", 1, o), ld("b", 0, o), ld("c", 3, o), ld("d", 2, o), ld("e", 1, o), ld("f", 0, o)}
	return prog("IRIW4+"+o.String(), 4, w0, w1, r0, r1)
}

func benchPrograms() []*Program {
	return []*Program{wideProgram("na", 1), wideProgram("sc", 1), wideProgram("mixed", 1), wideProgram("mixed", 2), iriw4(sc), iriw4(na)}
}

func BenchmarkEnumerateWide(b *testing.B) {
	for _, p := range benchPrograms() {
		for _, v := range []Variant{ES2024, ES2017, SC} {
			b.Run(p.Name+"/"+v.Name(), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := Enumerate(p, v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkEnumerateClassic enumerates the classic shapes under es2024.
func BenchmarkEnumerateClassic(b *testing.B) {
	shapes := classicShapes()
	for i := 0; i < b.N; i++ {
		for _, s := range shapes {
			if _, err := Enumerate(s.p, ES2024); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkEnumerateVsInterleavings compares the sc variant of the
// enumerator with the brute-force interleaving enumerator of the tests (the
// baseline) on a 3-agent, 12-access program with 34650 interleavings; the
// ratio of the two is the figure of merit.
func BenchmarkEnumerateVsInterleavings(b *testing.B) {
	p := wideProgram("sc", 3)
	p.Agents = p.Agents[:3]
	b.Run("enumerate-sc", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Enumerate(p, SC); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("interleavings", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			interleavings(p)
		}
	})
	b.Run("enumerate-es2024", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Enumerate(p, ES2024); err != nil {
				b.Fatal(err)
			}
		}
	})
}

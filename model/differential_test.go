package model

import (
	"math/rand"
	"reflect"
	"testing"
)

// randomProgram builds a small program over an 8-byte block. With drf set,
// every access is seq-cst and uses one of two fixed 4-byte cells (equal
// ranges), so the program is data-race free.
func randomProgram(rng *rand.Rand, drf bool) *Program {
	p := &Program{Name: "random", Size: 8, Init: make([]byte, 8)}
	if rng.Intn(3) == 0 {
		p.Init[rng.Intn(8)] = byte(rng.Intn(3))
	}
	agents := 2 + rng.Intn(2)
	for a := 0; a < agents; a++ {
		ag := ProgramAgent{Name: string(rune('A' + a))}
		nops := 1 + rng.Intn(3)
		for o := 0; o < nops; o++ {
			size := []int{1, 2, 4}[rng.Intn(3)]
			if drf {
				size = 4
			}
			idx := rng.Intn(8/size) * size
			order := []Order{SeqCst, Unordered}[rng.Intn(2)]
			if drf {
				order = SeqCst
			}
			reg := string(rune('r')) + string(rune('0'+o))
			var op Op
			switch k := rng.Intn(5); {
			case k < 2:
				op = sized(AccessLoad, order, idx, size, 0, reg)
			case k < 4:
				op = sized(AccessStore, order, idx, size, uint64(1+rng.Intn(2)), "")
			default:
				op = sized(AccessRMW, SeqCst, idx, size, uint64(1+rng.Intn(2)), reg)
				op.Modify = []ModifyOp{Add, Sub, Or, Xor, Exchange, CompareExchange}[rng.Intn(6)]
				op.Expected = uint64(rng.Intn(2))
			}
			if !drf && rng.Intn(4) == 0 {
				op.NoTear = false
				if op.Kind == AccessRMW {
					op.NoTear = true
				}
			}
			ag.Ops = append(ag.Ops, op)
		}
		p.Agents = append(p.Agents, ag)
	}
	return p
}

func keySet(outs []Outcome) map[string]bool {
	m := map[string]bool{}
	for _, o := range outs {
		m[o.State.Key()] = true
	}
	return m
}

// TestSCMatchesInterleavings is the differential test of the sc variant
// against a brute-force interleaving enumerator.
func TestSCMatchesInterleavings(t *testing.T) {
	for _, s := range classicShapes() {
		got := keySet(mustEnumerate(t, s.p, SC))
		want := interleavings(s.p)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: sc gives %v, interleavings give %v", s.name, sortedKeys(got), sortedKeys(want))
		}
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 150; i++ {
		p := randomProgram(rng, false)
		got := keySet(mustEnumerate(t, p, SC))
		want := interleavings(p)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("program %d %+v: sc gives %v, interleavings give %v", i, p.Agents, sortedKeys(got), sortedKeys(want))
		}
	}
}

// TestVariantInclusions checks on random programs that every SC outcome
// is allowed by es2024 and es2017, that every witness is a valid execution
// by the predicates, and that data-race-free programs get exactly the SC
// outcomes under es2024 (SC-DRF).
func TestVariantInclusions(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	n := randomRounds(200, 60, 20)
	for i := 0; i < n; i++ {
		drf := i%3 == 0
		p := randomProgram(rng, drf)
		scOuts := mustEnumerate(t, p, SC)
		e24 := mustEnumerate(t, p, ES2024)
		e17 := mustEnumerate(t, p, ES2017)
		checkWitnesses(t, p, SC, scOuts)
		checkWitnesses(t, p, ES2024, e24)
		checkWitnesses(t, p, ES2017, e17)
		s, a, b := keySet(scOuts), keySet(e24), keySet(e17)
		for k := range s {
			if !a[k] {
				t.Fatalf("program %d %+v: SC outcome %s not allowed by es2024", i, p.Agents, k)
			}
			if !b[k] {
				t.Fatalf("program %d %+v: SC outcome %s not allowed by es2017", i, p.Agents, k)
			}
		}
		if drf && !reflect.DeepEqual(s, a) {
			t.Fatalf("data-race-free program %d %+v: es2024 gives %v, sc gives %v", i, p.Agents, sortedKeys(a), sortedKeys(s))
		}
	}
}

package checker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// reviewRandomRun records agents making random plain and atomic accesses of
// 1, 2, 4 and 8 bytes (TypedArrays and unaligned DataView accesses) to one
// small buffer, so that accesses overlap with different sizes; plainP is the
// probability of a plain access (with plainP 0 there are no DataView
// accesses either: they are plain, and an unaligned one may tear, which a
// sequentially consistent run cannot show — the sc check rightly rejects
// such a run when it tears).
func reviewRandomRun(t *testing.T, seed uint64, agents, ops int, plainP float64) *history.History {
	t.Helper()
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	defer main.SetRecorder(nil)
	buf, err := shared.NewBuffer(16, shared.CreatedBy(main))
	if err != nil {
		t.Fatal(err)
	}
	kinds := []shared.Kind{shared.Int8, shared.Uint8, shared.Int16, shared.Int32, shared.BigInt64}
	var hs []*shared.Handle
	for a := 0; a < agents; a++ {
		hs = append(hs, main.Start(fmt.Sprint("w", a), func(me *shared.Agent) error {
			r := rand.New(rand.NewPCG(seed, uint64(a)))
			b := buf.For(me)
			dv, err := shared.NewDataView(b, 0, 16)
			if err != nil {
				return err
			}
			for i := 0; i < ops; i++ {
				if plainP > 0 && r.IntN(8) == 0 { // DataView accesses are plain (and may tear)
					off := r.IntN(13)
					if r.IntN(2) == 0 {
						err = dv.SetUint32(off, uint32(r.IntN(3)*0x01010101), r.IntN(2) == 0)
					} else {
						_, err = dv.GetUint32(off, r.IntN(2) == 0)
					}
					if err != nil {
						return err
					}
					continue
				}
				k := kinds[r.IntN(len(kinds))]
				v, err := shared.View(b, k)
				if err != nil {
					return err
				}
				idx := r.IntN(v.Length())
				x := int64(r.IntN(3))
				if r.Float64() < plainP {
					if r.IntN(2) == 0 {
						err = v.SetInt(idx, x)
					} else {
						_, err = v.GetInt(idx)
					}
				} else {
					switch r.IntN(6) {
					case 0:
						_, err = atomics.Load(v, idx)
					case 1:
						_, err = atomics.Store(v, idx, x)
					case 2:
						_, err = atomics.Add(v, idx, 1)
					case 3:
						_, err = atomics.CompareExchange(v, idx, x, int64(r.IntN(3)))
					case 4:
						_, err = atomics.Exchange(v, idx, x)
					default:
						_, err = atomics.Xor(v, idx, x)
					}
				}
				if err != nil {
					return err
				}
			}
			return nil
		}))
	}
	for _, h := range hs {
		if err := h.Join(main); err != nil {
			t.Fatal(err)
		}
	}
	return rec.History()
}

// TestReviewConformanceRandomRuns: recorded runs of the real core never
// get Illegal from es2024 or es2017, and all-atomic runs never from sc, and
// each answer comes near the budget, and that the all-atomic ones are
// decided under es2024 and sc (es2024 falls back on the sc search's witness
// where its own search is undecided; es2017's Unknowns are logged).
func TestReviewConformanceRandomRuns(t *testing.T) {
	seeds := 4
	if testing.Short() {
		seeds = 1
	}
	const budget = time.Second
	for s := 0; s < seeds; s++ {
		for _, p := range []float64{0, 0.5, 0.9} {
			h := reviewRandomRun(t, uint64(s), 3, 60, p)
			vs := []model.Variant{model.ES2024, model.ES2017}
			if p == 0 {
				vs = append(vs, model.SC)
			}
			for _, v := range vs {
				b := budget
				if p == 0 && v != model.ES2017 {
					b = 4 * budget // must decide: room for a loaded machine
				}
				rep, err := Conformance(context.Background(), h, Options{Model: v, Budget: b})
				if err != nil {
					t.Fatalf("seed %d plain %.1f %s: %v", s, p, v, err)
				}
				if rep.Verdict == Illegal {
					t.Errorf("seed %d plain %.1f %s: Illegal on a real run: %s\n%s", s, p, v, rep.Reason, confFindings(rep))
					var b strings.Builder
					if history.Write(&b, h) == nil {
						t.Logf("history:\n%s", b.String())
					}
					return
				}
				if rep.Elapsed > b+5*time.Second {
					t.Errorf("seed %d plain %.1f %s: ran %v past a %v budget", s, p, v, rep.Elapsed, b)
				}
				switch {
				case rep.Verdict == Unknown && p == 0 && v != model.ES2017:
					// Go's atomics are sequentially consistent: an all-atomic
					// run has an SC witness, which es2024 falls back on.
					t.Errorf("seed %d all-atomic %s: Unknown: %s", s, v, rep.Reason)
				case rep.Verdict == Unknown:
					t.Logf("seed %d plain %.1f %s: Unknown: %s", s, p, v, rep.Reason)
				}
			}
		}
	}
}

package litmus

import (
	"fmt"
	"math/rand"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/model"
)

// TestObserveOrderMatchesText checks that observe, which sorts and
// deduplicates states by their varying parts without formatting them,
// gives the states herd7's text order and dedup would: the texts of all
// outcomes, deduplicated, sorted as strings.
func TestObserveOrderMatchesText(t *testing.T) {
	src := `JS Order
{ Int8 s[2]; Uint32 u[1]; BigInt64 big[1]; Uint8 pad[20]; }
P0 { r0 = s[0]; r1 = big[0]; r2 = Atomics.store(u, 0, 7); }
P1 { r0 = u[0]; r0 = pad[3]; }
exists (0:r0=1)`
	tt, err := Parse("order.litmus", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	size := tt.Program.Size
	rng := rand.New(rand.NewSource(1))
	pick := func(vals ...int64) int64 { return vals[rng.Intn(len(vals))] }
	for round := 0; round < 50; round++ {
		var outs []model.Outcome
		for i := 0; i < 1+rng.Intn(300); i++ {
			regs := []map[string]int64{
				{"r0": pick(-128, -12, -1, 0, 1, 9, 10, 100, 127), "r1": pick(-1<<63, -10, -9, 0, 9, 10, 1<<62)},
				{"r0": pick(0, 3, 25, 255)},
			}
			if rng.Intn(10) == 0 {
				delete(regs[1], "r0") // prints as "?"
			}
			mem := make([]byte, size)
			for _, b := range []int{0, 1, 4, 7, 8, 15, 23} { // a few varying bytes
				if rng.Intn(3) == 0 {
					mem[b] = byte(pick(0, 1, 9, 10, 0x80, 0xff))
				}
			}
			outs = append(outs, model.Outcome{State: model.NewFinalState(regs, mem)})
		}
		seen := map[string]bool{}
		var want []string
		for i := range outs {
			if txt := tt.FormatState(&outs[i].State); !seen[txt] {
				seen[txt] = true
				want = append(want, txt)
			}
		}
		sort.Strings(want)
		o := Observe(tt, "es2024", outs)
		var got []string
		for i := range o.States {
			got = append(got, o.States[i].Text())
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("round %d: states\n%s\nwant\n%s", round, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if o.Positive+o.Negative != len(want) {
			t.Fatalf("round %d: %d+%d states counted, want %d", round, o.Positive, o.Negative, len(want))
		}
	}
}

// TestRunBytesPerStateIndependentOfBlockSize runs one test in a 64-byte
// and a 1,024-byte block (three agents: a plain BigUint64 write and two
// plain reads of it, 65,536 states) and checks that the observation keeps
// about as many bytes per state in both: states are kept compact and their
// text is formatted on output. Before, the 1,024-byte block kept about
// 12 KB per state of text and memory copies.
func TestRunBytesPerStateIndependentOfBlockSize(t *testing.T) {
	perState := func(elems int) (float64, *Observation) {
		src := fmt.Sprintf(`JS Big
{ BigUint64 x[%d]; }
P0 { x[0] = 0x0102030405060708; }
P1 { r0 = x[0]; }
P2 { r0 = x[0]; }
exists (1:r0=0)`, elems)
		tt, err := Parse("big.litmus", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		o, err := Run(tt, "es2024")
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if len(o.States) != 65536 {
			t.Fatalf("%d states, want 65536", len(o.States))
		}
		return (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(len(o.States)), o
	}
	small, o1 := perState(8)
	large, o2 := perState(128)
	t.Logf("bytes per state: %.0f (64-byte block), %.0f (1024-byte block)", small, large)
	if large > 1.25*small || large > 2048 {
		t.Errorf("bytes per state grow with the block: %.0f at 64 bytes, %.0f at 1024 bytes", small, large)
	}
	if txt := o2.States[0].Text(); !strings.HasPrefix(txt, "1:r0=0; 2:r0=0; x[0]=72623859790382856; x[1]=0;") || !strings.HasSuffix(txt, " x[127]=0;") {
		t.Errorf("first state %.80s…", txt)
	}
	runtime.KeepAlive(o1)
	runtime.KeepAlive(o2)
}

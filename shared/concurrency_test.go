package shared

import (
	"sync"
	"testing"
)

// TestAlignedAccessesNeverTear hammers aligned elements of every integer
// size with plain writes of two values whose bytes all differ, while readers
// check that every value read is exactly one of them (or the initial zero).
func TestAlignedAccessesNeverTear(t *testing.T) {
	for _, k := range []Kind{Int16, Int32, BigInt64, Float64} {
		b := mustBuffer(t, 64)
		v := mustView(t, b, k, 8, 4)
		a, c := k.FromInt64(-1), k.FromInt64(0x0102030405060708)
		if k == Float64 {
			a, c = k.FromFloat64(-1.5), k.FromFloat64(123456.789)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					bits := a
					if (n+w)%2 == 0 {
						bits = c
					}
					if err := v.SetBits(1, bits); err != nil {
						t.Error(err)
						return
					}
				}
			}(w)
		}
		for i := 0; i < 20000; i++ {
			got, err := v.GetBits(1)
			if err != nil {
				t.Fatal(err)
			}
			if got != a && got != c && got != 0 {
				close(stop)
				wg.Wait()
				t.Fatalf("%v read torn bits %#x (wrote %#x and %#x)", k, got, a, c)
			}
		}
		close(stop)
		wg.Wait()
	}
}

// TestPlainWritesToNeighbourBytes: goroutines writing different bytes (and
// halfwords) of one word with plain stores never disturb each other's bytes.
func TestPlainWritesToNeighbourBytes(t *testing.T) {
	b := mustBuffer(t, 8)
	bytes := mustView(t, b, Uint8, 0, 8)
	halves := mustView(t, b, Uint16, 0, 4)
	var wg sync.WaitGroup
	const rounds = 2000
	for i := 0; i < 4; i++ { // bytes 0..3 of word 0
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; n < rounds; n++ {
				want := byte(n*7 + i)
				if err := bytes.SetInt(i, int64(want)); err != nil {
					t.Error(err)
					return
				}
				if got, _ := bytes.GetInt(i); byte(got) != want {
					t.Errorf("byte %d: wrote %d, read back %d", i, want, got)
					return
				}
			}
		}(i)
	}
	for h := 2; h < 4; h++ { // halfwords 2..3 = word 1
		wg.Add(1)
		go func(h int) {
			defer wg.Done()
			for n := 0; n < rounds; n++ {
				want := uint16(n*31 + h)
				_ = halves.SetInt(h, int64(want))
				if got, _ := halves.GetUint(h); uint16(got) != want {
					t.Errorf("halfword %d: wrote %d, read back %d", h, want, got)
					return
				}
			}
		}(h)
	}
	wg.Wait()
}

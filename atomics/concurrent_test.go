package atomics

import (
	"sync"
	"testing"

	"github.com/sabre-mm/sabre/shared"
)

// TestSubWordNoLostUpdate: goroutines each hammer their own byte or
// halfword of the same 32-bit words with read-modify-writes while another
// goroutine makes plain writes to a neighbouring byte; every update must
// survive.
func TestSubWordNoLostUpdate(t *testing.T) {
	const rounds = 20000
	buf, err := shared.NewBuffer(8)
	if err != nil {
		t.Fatal(err)
	}
	u8, _ := shared.View(buf, shared.Uint8)
	i8, _ := shared.View(buf, shared.Int8)
	u16, _ := shared.View(buf, shared.Uint16)
	i16, _ := shared.View(buf, shared.Int16)
	var wg sync.WaitGroup
	start := make(chan struct{}) // all start together, so they overlap
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; f() }()
	}
	// Word 0: bytes 0, 1, 2 by atomics, byte 3 by plain writes.
	run(func() { // byte 0: Add 1
		for k := 0; k < rounds; k++ {
			Add(u8, 0, 1)
		}
	})
	run(func() { // byte 1: Sub 1 (Int8 view)
		for k := 0; k < rounds; k++ {
			Sub(i8, 1, 1)
		}
	})
	run(func() { // byte 2: increment by CompareExchange loop
		for k := 0; k < rounds; k++ {
			for {
				old, _ := Load(u8, 2)
				if got, _ := CompareExchange(u8, 2, old, old+1); got == old {
					break
				}
			}
		}
	})
	run(func() { // byte 3: plain writes, ending with 0x5a
		for k := 0; k < rounds; k++ {
			u8.SetInt(3, int64(k))
		}
		u8.SetInt(3, 0x5a)
	})
	// Word 1: halfword 2 (bytes 4-5) by Add, halfword 3 (bytes 6-7) by Xor/Or/And/Exchange.
	run(func() {
		for k := 0; k < rounds; k++ {
			Add(u16, 2, 3)
		}
	})
	run(func() {
		for k := 0; k < rounds; k++ {
			Xor(i16, 3, 0x0f0f)
			Or(i16, 3, 0x1000)
			And(i16, 3, ^int64(0x0001))
			Exchange(i16, 3, int64(k))
		}
		Exchange(i16, 3, -2)
	})
	close(start)
	wg.Wait()
	check := func(v *shared.TypedArray, i int, want int64) {
		t.Helper()
		if got, _ := Load(v, i); got != want {
			t.Errorf("%v[%d] = %d, want %d", v.Kind(), i, got, want)
		}
	}
	check(u8, 0, rounds%256)
	check(i8, 1, wrap(shared.Int8, -rounds))
	check(u8, 2, rounds%256)
	check(u8, 3, 0x5a)
	check(u16, 2, 3*rounds%65536)
	check(i16, 3, -2)
}

// TestAtomics64UnderContention: 64-bit Add, Sub and CompareExchange from
// many goroutines, with values that use the high bits.
func TestAtomics64UnderContention(t *testing.T) {
	const workers, rounds = 8, 3000
	buf, _ := shared.NewBuffer(24)
	i64, _ := shared.View(buf, shared.BigInt64)
	u64, _ := shared.View(buf, shared.BigUint64)
	const big = 1 << 40
	Store(i64, 0, -1<<62)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < rounds; k++ {
				Add(i64, 0, big)
				Sub(u64, 1, 1) // wraps below zero
				for {
					old, _ := Load(u64, 2)
					if got, _ := CompareExchange(u64, 2, old, old+big+1); got == old {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	n := int64(workers * rounds)
	if got, _ := Load(i64, 0); got != -1<<62+n*big {
		t.Errorf("BigInt64 total %d, want %d", got, -1<<62+n*big)
	}
	if got, _ := Load(u64, 1); uint64(got) != -uint64(n) {
		t.Errorf("BigUint64 total %d, want 2^64-%d", uint64(got), n)
	}
	if got, _ := Load(u64, 2); got != n*(big+1) {
		t.Errorf("CompareExchange total %d, want %d", got, n*(big+1))
	}
}

// TestPlainAndAtomicMixed: many goroutines hammer the same words with plain
// (TypedArray.SetInt/GetInt) and atomic accesses. Under -race this must be
// clean; and because aligned accesses never tear, every read returns one of
// the values written whole.
func TestPlainAndAtomicMixed(t *testing.T) {
	const workers, rounds = 6, 2000
	buf, _ := shared.NewBuffer(32)
	i32, _ := shared.View(buf, shared.Int32)
	i64, _ := shared.View(buf, shared.BigInt64)
	patterns32 := map[int64]bool{0: true, -1: true, 0x55aa55aa: true, 0x0f0f0f0f: true}
	patterns64 := map[int64]bool{0: true, -1: true, 0x55aa55aa55aa55aa: true, 0x0123456789abcdef: true}
	p32 := []int64{-1, 0x55aa55aa, 0x0f0f0f0f, 0}
	p64 := []int64{-1, 0x55aa55aa55aa55aa, 0x0123456789abcdef, 0}
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < rounds; k++ {
				x := k + w
				// Word 0: a counter, atomic Adds and plain reads.
				if w%2 == 0 {
					Add(i32, 0, 1)
				} else if c, _ := i32.GetInt(0); c < 0 || c > workers*rounds {
					mu.Lock()
					bad++
					mu.Unlock()
				}
				// Word 1: whole-pattern writes, plain and atomic; reads of both kinds.
				if x%2 == 0 {
					i32.SetInt(1, p32[x%4])
				} else {
					Store(i32, 1, p32[x%4])
				}
				r1, _ := Load(i32, 1)
				r2, _ := i32.GetInt(1)
				// Element 2 (bytes 16-23): 64-bit patterns.
				if x%3 == 0 {
					i64.SetInt(2, p64[x%4])
				} else {
					Exchange(i64, 2, p64[x%4])
				}
				r3, _ := Load(i64, 2)
				if !patterns32[r1] || !patterns32[r2] || !patterns64[r3] {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if bad != 0 {
		t.Errorf("%d reads returned a value nobody wrote", bad)
	}
	if got, _ := Load(i32, 0); got != int64((workers+1)/2*rounds) {
		t.Errorf("counter %d, want %d", got, (workers+1)/2*rounds)
	}
}

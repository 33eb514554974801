package mem

import (
	"sync"
	"testing"
)

// TestStorePlain: a plain store of every size at every aligned offset
// writes the element's bits and leaves the neighbouring bytes alone, on
// the MOV path (amd64 without the race detector) and on Store's.
func TestStorePlain(t *testing.T) {
	t.Logf("plain stores are MOVs: %v", plainStores)
	for _, size := range []int{1, 2, 4, 8} {
		for at := 0; at < 16; at += size {
			b := NewBlock(16, 16, true, false)
			for i := 0; i < 16; i++ {
				b.StoreByte(i, 0xa5)
			}
			x := uint64(0x8877665544332211) & Mask(size)
			b.StorePlain(at, size, x)
			if got := b.Load(at, size); got != x {
				t.Fatalf("size %d at %d: stored %#x, read back %#x", size, at, x, got)
			}
			for i := 0; i < 16; i++ {
				if (i < at || i >= at+size) && b.LoadByte(i) != 0xa5 {
					t.Fatalf("size %d at %d: disturbed byte %d", size, at, i)
				}
			}
		}
	}
}

// TestStorePlainConcurrentBytes: plain stores of neighbouring bytes by
// two goroutines never lose one another's (a store of one byte must not
// write the rest of its word), and -race sees no race.
func TestStorePlainConcurrentBytes(t *testing.T) {
	b := NewBlock(8, 8, true, false)
	const n = 20000
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < n; k++ {
				b.StorePlain(g, 1, uint64(k&0x7f)|0x80)
			}
		}()
	}
	wg.Wait()
	want := uint64(((n-1)&0x7f)|0x80) * 0x0101
	if got := b.Load(0, 2); got != want {
		t.Fatalf("bytes 0 and 1 are %#x, want %#x", got, want)
	}
}

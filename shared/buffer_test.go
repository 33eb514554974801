package shared

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
)

func mustBuffer(t testing.TB, n int, opts ...Option) *Buffer {
	t.Helper()
	b, err := NewBuffer(n, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustView(t testing.TB, buf Backing, k Kind, off, n int) *TypedArray {
	t.Helper()
	v, err := NewTypedArray(buf, k, off, n)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantKind(t *testing.T, err error, kind ErrorKind, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", what, kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("%s: error %q is not a %v", what, err, kind)
	}
}

func TestNewBufferErrors(t *testing.T) {
	_, err := NewBuffer(-1)
	wantKind(t, err, RangeError, "negative length")
	tooLong := int64(MaxBufferLength) + 1
	if tooLong <= math.MaxInt {
		_, err = NewBuffer(int(tooLong))
		wantKind(t, err, RangeError, "too long")
	}
	_, err = NewGrowableBuffer(8, 4)
	wantKind(t, err, RangeError, "max below length")
	_, err = NewArrayBuffer(-3)
	wantKind(t, err, RangeError, "negative ArrayBuffer length")
	b := mustBuffer(t, 0)
	if b.ByteLength() != 0 || b.MaxByteLength() != 0 || b.Growable() {
		t.Fatal("empty buffer")
	}
}

func TestGrow(t *testing.T) {
	b := mustBuffer(t, 8)
	wantKind(t, b.Grow(16), TypeError, "grow a fixed buffer")
	g, err := NewGrowableBuffer(4, 64)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Growable() || g.ByteLength() != 4 || g.MaxByteLength() != 64 {
		t.Fatal("growable buffer shape")
	}
	wantKind(t, g.Grow(2), RangeError, "shrink")
	wantKind(t, g.Grow(65), RangeError, "beyond max")
	fixed := mustView(t, g, Uint8, 0, 4)
	track, err := NewLengthTrackingArray(g, Int32, 0)
	if err != nil {
		t.Fatal(err)
	}
	if track.Length() != 1 || !track.LengthTracking() {
		t.Fatalf("tracking length %d", track.Length())
	}
	_, err = track.GetInt(1)
	wantKind(t, err, RangeError, "read past the end before growing")
	if err := g.Grow(32); err != nil {
		t.Fatal(err)
	}
	if g.ByteLength() != 32 || track.Length() != 8 || fixed.Length() != 4 {
		t.Fatalf("after grow: %d bytes, tracking %d, fixed %d", g.ByteLength(), track.Length(), fixed.Length())
	}
	if err := track.SetInt(7, 99); err != nil {
		t.Fatal(err)
	}
	if x, _ := track.GetInt(7); x != 99 {
		t.Fatal(x)
	}
	if err := g.Grow(32); err != nil { // same length is allowed
		t.Fatal(err)
	}
}

// TestGrowWhileReading grows a buffer while other goroutines read its length
// and access it through a length-tracking view: lengths only increase, every
// index below the observed length is accessible, and the memory never moves
// (a value written before a grow is still there after it).
func TestGrowWhileReading(t *testing.T) {
	g, err := NewGrowableBuffer(8, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	track, _ := NewLengthTrackingArray(g, Int32, 0)
	if err := track.SetInt(0, 0x5eed); err != nil {
		t.Fatal(err)
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for !done.Load() {
				n := g.ByteLength()
				if n < last {
					t.Errorf("length went down: %d after %d", n, last)
					return
				}
				last = n
				l := track.Length()
				if l < n/4 {
					t.Errorf("tracking length %d below %d bytes", l, n)
					return
				}
				if err := track.SetInt(l-1, int64(l)); err != nil {
					t.Errorf("set %d of %d: %v", l-1, l, err)
					return
				}
				if x, err := track.GetInt(0); err != nil || x != 0x5eed {
					t.Errorf("element 0 = %d, %v", x, err)
					return
				}
			}
		}()
	}
	last := 0
	for n := 16; n <= 1<<16; n += 64 {
		if err := g.Grow(n); err != nil {
			t.Fatal(err)
		}
		last = n
	}
	done.Store(true)
	wg.Wait()
	if g.ByteLength() != last || track.Length() != last/4 {
		t.Fatalf("final length %d, tracking %d, want %d", g.ByteLength(), track.Length(), last)
	}
}

func TestTypedArrayConstruction(t *testing.T) {
	b := mustBuffer(t, 16)
	_, err := NewTypedArray(b, Int32, 2, 1)
	wantKind(t, err, RangeError, "misaligned offset")
	_, err = NewTypedArray(b, Int32, 4, 4)
	wantKind(t, err, RangeError, "too long")
	_, err = NewTypedArray(b, Int16, -2, 1)
	wantKind(t, err, RangeError, "negative offset")
	_, err = NewTypedArray(b, Kind(77), 0, 1)
	wantKind(t, err, TypeError, "bad kind")
	_, err = NewTypedArray(nil, Int8, 0, 1)
	wantKind(t, err, TypeError, "nil buffer")
	_, err = View(mustBuffer(t, 6), Int32)
	wantKind(t, err, RangeError, "whole view of 6 bytes as Int32")
	v, err := View(b, Float64)
	if err != nil || v.Length() != 2 || v.ByteLength() != 16 {
		t.Fatal(v, err)
	}
	v2 := mustView(t, b, Uint16, 14, 1)
	if v2.ByteOffset() != 14 || !v2.IsShared() || v2.Kind() != Uint16 {
		t.Fatal(v2)
	}
	// Over a fixed buffer a "length-tracking" view is the rest of it.
	lt, err := NewLengthTrackingArray(b, Int32, 8)
	if err != nil || lt.Length() != 2 || lt.LengthTracking() {
		t.Fatal(lt, err)
	}
}

func TestTypedArrayIndexErrors(t *testing.T) {
	v := mustView(t, mustBuffer(t, 16), Int32, 0, 4)
	for _, i := range []int{-1, 4, math.MaxInt} {
		_, err := v.GetInt(i)
		wantKind(t, err, RangeError, "get out of range")
		wantKind(t, v.SetInt(i, 1), RangeError, "set out of range")
	}
}

func TestTypedArrayRoundTrip(t *testing.T) {
	for k := Int8; k <= Float64; k++ {
		for _, shared := range []bool{true, false} {
			var buf Backing
			if shared {
				buf = mustBuffer(t, 64)
			} else {
				ab, _ := NewArrayBuffer(64)
				buf = ab
			}
			v, err := View(buf, k)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < v.Length(); i++ {
				if err := v.SetInt(i, int64(i*37-50)); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < v.Length(); i++ {
				got, err := v.GetInt(i)
				if err != nil {
					t.Fatal(err)
				}
				want := k.Int64(k.FromInt64(int64(i*37 - 50)))
				if got != want {
					t.Errorf("%v[%d] shared=%v: got %d want %d", k, i, shared, got, want)
				}
				f, _ := v.GetFloat(i)
				if f != k.Float64(k.FromInt64(int64(i*37-50))) {
					t.Errorf("%v[%d] float %v", k, i, f)
				}
			}
		}
	}
	// Little-endian layout of elements on this host, seen through bytes.
	b := mustBuffer(t, 8)
	w := mustView(t, b, Uint32, 0, 2)
	if err := w.SetBits(1, 0x04030201); err != nil {
		t.Fatal(err)
	}
	bytes := b.Bytes()
	if bigEndianHost == 0 && (bytes[4] != 1 || bytes[7] != 4) {
		t.Fatalf("layout %v", bytes)
	}
	if u, _ := w.GetUint(1); u != 0x04030201 {
		t.Fatal(u)
	}
}

func TestSlice(t *testing.T) {
	b := mustBuffer(t, 8)
	v := mustView(t, b, Uint8, 0, 8)
	for i := 0; i < 8; i++ {
		_ = v.SetInt(i, int64(i+1))
	}
	cases := []struct{ start, end int }{{0, 8}, {2, 5}, {-3, 8}, {5, 2}, {-100, 100}, {8, 8}}
	for _, c := range cases {
		s, err := b.Slice(c.start, c.end)
		if err != nil {
			t.Fatal(err)
		}
		from, to := relativeRange(c.start, c.end, 8)
		got := s.Bytes()
		if len(got) != to-from {
			t.Fatalf("slice(%d,%d) len %d", c.start, c.end, len(got))
		}
		for i, x := range got {
			if int(x) != from+i+1 {
				t.Fatalf("slice(%d,%d) = %v", c.start, c.end, got)
			}
		}
		if s.Same(b) || s.Growable() {
			t.Fatal("a slice is a new fixed buffer")
		}
	}
	// The copy is independent of the source.
	s, _ := b.Slice(0, 8)
	_ = v.SetInt(0, 100)
	if s.Bytes()[0] != 1 {
		t.Fatal("slice shares memory")
	}
}

func TestTransfer(t *testing.T) {
	ab, _ := NewArrayBuffer(16)
	v := mustView(t, ab, Int32, 0, 4)
	_ = v.SetInt(2, 42)
	nb, err := ab.Transfer()
	if err != nil {
		t.Fatal(err)
	}
	if !ab.Detached() || ab.ByteLength() != 0 || nb.Detached() || nb.ByteLength() != 16 {
		t.Fatal("transfer state")
	}
	// Every access through the detached source is a TypeError, never a stale read.
	_, err = v.GetInt(2)
	wantKind(t, err, TypeError, "read through a detached view")
	wantKind(t, v.SetInt(2, 1), TypeError, "write through a detached view")
	if v.Length() != 0 || v.ByteOffset() != 0 {
		t.Fatal("a detached view has length 0")
	}
	_, err = NewTypedArray(ab, Int8, 0, 1)
	wantKind(t, err, TypeError, "view over a detached buffer")
	_, err = ab.Transfer()
	wantKind(t, err, TypeError, "transfer twice")
	_, err = ab.Slice(0, 1)
	wantKind(t, err, TypeError, "slice a detached buffer")
	_, err = ab.Bytes()
	wantKind(t, err, TypeError, "bytes of a detached buffer")
	// The new owner has the bytes.
	w := mustView(t, nb, Int32, 0, 4)
	if x, _ := w.GetInt(2); x != 42 {
		t.Fatal(x)
	}
	// Transfer to a new length truncates or zero-extends.
	shorter, err := nb.TransferToLength(9)
	if err != nil || shorter.ByteLength() != 9 || !nb.Detached() {
		t.Fatal(err)
	}
	longer, err := shorter.TransferToLength(32)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := longer.Bytes()
	if got[8] != 42 && bigEndianHost == 0 || got[31] != 0 || len(got) != 32 {
		t.Fatalf("%v", got)
	}
	_, err = longer.TransferToLength(-1)
	wantKind(t, err, RangeError, "negative transfer length")
	// A SharedArrayBuffer cannot be transferred.
	_, err = Transfer(mustBuffer(t, 4))
	wantKind(t, err, TypeError, "transfer a shared buffer")
	moved, err := Transfer(longer)
	if err != nil || !longer.Detached() || moved.ByteLength() != 32 {
		t.Fatal(err)
	}
}

// TestConcurrentTransfer: of many goroutines transferring one buffer, exactly one wins.
func TestConcurrentTransfer(t *testing.T) {
	for round := 0; round < 50; round++ {
		ab, _ := NewArrayBuffer(8)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := ab.Transfer(); err == nil {
					wins.Add(1)
				} else if !errors.Is(err, TypeError) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d transfers won", wins.Load())
		}
	}
}

package shared

import (
	"math"
	"testing"
)

func TestKindSizes(t *testing.T) {
	want := map[Kind]int{Int8: 1, Uint8: 1, Uint8Clamped: 1, Int16: 2, Uint16: 2, Int32: 4, Uint32: 4,
		BigInt64: 8, BigUint64: 8, Float16: 2, Float32: 4, Float64: 8}
	for k, n := range want {
		if k.Size() != n {
			t.Errorf("%v.Size() = %d, want %d", k, k.Size(), n)
		}
	}
	if Kind(0).Valid() || Kind(99).Valid() || Kind(99).Size() != 0 {
		t.Error("invalid kinds must not be valid")
	}
	if Int32.ArrayName() != "Int32Array" {
		t.Error(Int32.ArrayName())
	}
}

func TestKindNoTear(t *testing.T) {
	// ECMA-262 IsNoTearConfiguration for TypedArray accesses.
	for _, k := range []Kind{Int8, Uint8, Int16, Uint16, Int32, Uint32} {
		if !k.NoTear(false) || !k.NoTear(true) {
			t.Errorf("%v must be NoTear", k)
		}
	}
	for _, k := range []Kind{BigInt64, BigUint64} {
		if k.NoTear(false) || !k.NoTear(true) {
			t.Errorf("%v: NoTear only when not model.Unordered", k)
		}
	}
	for _, k := range []Kind{Uint8Clamped, Float16, Float32, Float64} {
		if k.NoTear(false) || k.NoTear(true) {
			t.Errorf("%v must not be NoTear", k)
		}
	}
}

func TestKindConversions(t *testing.T) {
	cases := []struct {
		k    Kind
		in   int64
		bits uint64
		out  int64
	}{
		{Int8, 127, 0x7f, 127}, {Int8, 128, 0x80, -128}, {Int8, -1, 0xff, -1}, {Int8, 256 + 5, 5, 5},
		{Uint8, -1, 0xff, 255}, {Uint8, 300, 44, 44},
		{Uint8Clamped, -5, 0, 0}, {Uint8Clamped, 300, 255, 255}, {Uint8Clamped, 77, 77, 77},
		{Int16, 0x8000, 0x8000, -0x8000}, {Uint16, -1, 0xffff, 0xffff},
		{Int32, 1 << 31, 0x80000000, -1 << 31}, {Uint32, -1, 0xffffffff, 0xffffffff},
		{BigInt64, math.MinInt64, 1 << 63, math.MinInt64}, {BigUint64, -1, math.MaxUint64, -1},
	}
	for _, c := range cases {
		if b := c.k.FromInt64(c.in); b != c.bits {
			t.Errorf("%v.FromInt64(%d) = %#x, want %#x", c.k, c.in, b, c.bits)
		}
		if v := c.k.Int64(c.bits); v != c.out {
			t.Errorf("%v.Int64(%#x) = %d, want %d", c.k, c.bits, v, c.out)
		}
	}
}

func TestKindFromFloat64(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		k    Kind
		in   float64
		bits uint64
	}{
		{Int32, math.NaN(), 0}, {Int32, inf, 0}, {Int32, -inf, 0}, {Int32, 2.9, 2}, {Int32, -2.9, 0xfffffffe},
		{Int32, 4294967296 + 7, 7}, {Uint32, -1, 0xffffffff}, {Int8, 1e20, 0}, // 1e20 mod 256 == 0
		{Uint8Clamped, 1.5, 2}, {Uint8Clamped, 2.5, 2}, {Uint8Clamped, 254.5, 254}, {Uint8Clamped, math.NaN(), 0},
		{Uint8Clamped, -0.5, 0}, {Uint8Clamped, 1000, 255},
		{BigUint64, 18446744073709551616.0 + 4096, 4096}, {BigInt64, -1, math.MaxUint64},
		{Float32, 1.5, uint64(math.Float32bits(1.5))}, {Float64, -0.25, math.Float64bits(-0.25)},
	}
	for _, c := range cases {
		if b := c.k.FromFloat64(c.in); b != c.bits {
			t.Errorf("%v.FromFloat64(%v) = %#x, want %#x", c.k, c.in, b, c.bits)
		}
	}
}

func TestFloat16(t *testing.T) {
	cases := []struct {
		f float64
		h uint16
	}{
		{0, 0}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {math.Inf(-1), 0xfc00},
		{math.Ldexp(1, -24), 0x0001}, {math.Ldexp(1, -14), 0x0400}, {0.333251953125, 0x3555},
		{1 + math.Ldexp(1, -11), 0x3c00}, // tie rounds to even
		{1 + 3*math.Ldexp(1, -11), 0x3c02},
	}
	for _, c := range cases {
		if h := float64ToFloat16(c.f); h != c.h {
			t.Errorf("float64ToFloat16(%v) = %#x, want %#x", c.f, h, c.h)
		}
	}
	// Every finite half round-trips.
	for h := 0; h < 0x10000; h++ {
		f := float16ToFloat64(uint16(h))
		if f != f {
			continue
		}
		if back := float64ToFloat16(f); back != uint16(h) {
			t.Fatalf("half %#x -> %v -> %#x", h, f, back)
		}
	}
	if f := float16ToFloat64(0x7e00); f == f {
		t.Error("0x7e00 must be NaN")
	}
}

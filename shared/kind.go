package shared

import (
	"fmt"
	"math"
)

// Kind is the element type of a typed view: ECMA-262's TypedArray element
// types (Table 71, "The TypedArray Constructors").
type Kind uint8

// The element kinds.
const (
	Int8 Kind = iota + 1
	Uint8
	Uint8Clamped
	Int16
	Uint16
	Int32
	Uint32
	BigInt64
	BigUint64
	Float16
	Float32
	Float64
)

var kindInfo = [...]struct {
	name  string
	shift uint8 // log2 of the element size
}{
	{"invalid", 0},
	{"Int8", 0}, {"Uint8", 0}, {"Uint8Clamped", 0},
	{"Int16", 1}, {"Uint16", 1},
	{"Int32", 2}, {"Uint32", 2},
	{"BigInt64", 3}, {"BigUint64", 3},
	{"Float16", 1}, {"Float32", 2}, {"Float64", 3},
}

// Valid reports whether k is one of the element kinds.
func (k Kind) Valid() bool { return k >= Int8 && k <= Float64 }

// String returns the kind's name, e.g. "Int32".
func (k Kind) String() string {
	if k.Valid() {
		return kindInfo[k].name
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ArrayName returns the ECMAScript constructor name, e.g. "Int32Array".
func (k Kind) ArrayName() string { return k.String() + "Array" }

// Size returns the element size in bytes (0 for an invalid kind).
func (k Kind) Size() int {
	if !k.Valid() {
		return 0
	}
	return 1 << kindInfo[k].shift
}

func (k Kind) shift() uint8 {
	if !k.Valid() {
		return 0
	}
	return kindInfo[k].shift
}

// IsInteger reports whether k is an integer kind other than Uint8Clamped,
// as ECMA-262's IsUnclampedIntegerElementType: the kinds Atomics accepts.
func (k Kind) IsInteger() bool { return k >= Int8 && k <= BigUint64 && k != Uint8Clamped }

// IsBigInt reports whether k holds BigInt values (BigInt64, BigUint64).
func (k Kind) IsBigInt() bool { return k == BigInt64 || k == BigUint64 }

// IsFloat reports whether k is a floating-point kind.
func (k Kind) IsFloat() bool { return k >= Float16 && k <= Float64 }

// IsSigned reports whether k's integer values are signed.
func (k Kind) IsSigned() bool { return k == Int8 || k == Int16 || k == Int32 || k == BigInt64 }

// NoTear reports ECMA-262's IsNoTearConfiguration for a TypedArray access of
// this kind with the given order: true for the integer kinds, except that a
// plain (Unordered) BigInt64/BigUint64 access may tear; false for
// Uint8Clamped and the float kinds. (DataView accesses are never NoTear.)
func (k Kind) NoTear(seqCst bool) bool {
	if !k.IsInteger() {
		return false
	}
	if k.IsBigInt() {
		return seqCst
	}
	return true
}

// Int64 decodes an element's bits (the low Size() bytes, as stored) into an
// integer: sign-extended for signed kinds, zero-extended otherwise. For
// BigUint64 values above math.MaxInt64 the result is the two's complement bit
// pattern; use uint64(result). Float kinds are converted as by ECMAScript's
// ToIntegerOrInfinity, saturated to the int64 range (NaN gives 0).
func (k Kind) Int64(bits uint64) int64 {
	switch k {
	case Int8:
		return int64(int8(bits))
	case Int16:
		return int64(int16(bits))
	case Int32:
		return int64(int32(bits))
	case Uint8, Uint8Clamped:
		return int64(uint8(bits))
	case Uint16:
		return int64(uint16(bits))
	case Uint32:
		return int64(uint32(bits))
	case BigInt64, BigUint64:
		return int64(bits)
	case Float16, Float32, Float64:
		return saturate(k.Float64(bits))
	}
	return 0 // an invalid kind
}

func saturate(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// Float64 decodes an element's bits into a float64: the ECMAScript Number
// value for the non-BigInt kinds, the nearest float64 for the BigInt kinds.
func (k Kind) Float64(bits uint64) float64 {
	switch k {
	case Float16:
		return float16ToFloat64(uint16(bits))
	case Float32:
		return float64(math.Float32frombits(uint32(bits)))
	case Float64:
		return math.Float64frombits(bits)
	case BigUint64:
		return float64(bits)
	case Int8, Uint8, Uint8Clamped, Int16, Uint16, Int32, Uint32, BigInt64:
		return float64(k.Int64(bits))
	}
	return 0 // an invalid kind
}

// FromInt64 encodes an integer as this kind's element bits, with
// ECMAScript's conversions: modular for the integer kinds (ToInt8, ToUint16,
// ..., ToBigInt64, ToBigUint64), clamping for Uint8Clamped, rounding to
// nearest for the float kinds.
func (k Kind) FromInt64(v int64) uint64 {
	switch k {
	case Uint8Clamped:
		if v < 0 {
			return 0
		}
		if v > 255 {
			return 255
		}
		return uint64(v)
	case Float16, Float32, Float64:
		return k.FromFloat64(float64(v))
	}
	return uint64(v) & k.mask()
}

// FromFloat64 encodes a Number as this kind's element bits, as ECMAScript's
// SetValueInBuffer after NumericToRawBytes: ToInt8/ToUint8/.../ToUint32 for
// the integer kinds (truncate, then modulo 2^n; NaN and ±Inf give 0),
// ToUint8Clamp (round half to even) for Uint8Clamped, IEEE rounding for the
// float kinds. For the BigInt kinds, v is truncated (as BigInt(Math.trunc(v)))
// and reduced modulo 2^64.
func (k Kind) FromFloat64(v float64) uint64 {
	switch k {
	case Float16:
		return uint64(float64ToFloat16(v))
	case Float32:
		return uint64(math.Float32bits(float32(v)))
	case Float64:
		return math.Float64bits(v)
	case Uint8Clamped:
		if !(v > 0) { // also NaN
			return 0
		}
		if v >= 255 {
			return 255
		}
		return uint64(math.RoundToEven(v))
	}
	if v != v || math.IsInf(v, 0) {
		return 0
	}
	t := math.Trunc(v)
	if t > -9223372036854775808.0 && t < 9223372036854775808.0 {
		return uint64(int64(t)) & k.mask()
	}
	// |t| >= 2^63: reduce modulo 2^64 exactly (t is a multiple of 2^11, so
	// every intermediate value is representable).
	m := math.Mod(t, 18446744073709551616.0)
	if m < 0 {
		m += 18446744073709551616.0
	}
	var u uint64
	if m >= 9223372036854775808.0 {
		u = uint64(m-9223372036854775808.0) + 1<<63
	} else {
		u = uint64(m)
	}
	return u & k.mask()
}

func (k Kind) mask() uint64 {
	if !k.Valid() {
		return 0
	}
	if k.Size() == 8 {
		return math.MaxUint64
	}
	return 1<<(8*uint(k.Size())) - 1
}

// float16ToFloat64 decodes an IEEE 754 binary16 value.
func float16ToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

// float64ToFloat16 rounds a float64 to the nearest binary16 value, ties to even.
func float64ToFloat16(f float64) uint16 {
	b := math.Float64bits(f)
	sign := uint16(b>>48) & 0x8000
	if f != f {
		return sign | 0x7e00
	}
	a := math.Abs(f)
	if a >= 65520 { // rounds to infinity
		return sign | 0x7c00
	}
	if a < math.Ldexp(1, -14) { // subnormal or zero: units of 2^-24
		return sign | uint16(math.RoundToEven(a*(1<<24)))
	}
	e := math.Ilogb(a)                         // -14 .. 15
	m := math.RoundToEven(math.Ldexp(a, 10-e)) // 1024 .. 2048
	if m == 2048 {
		m = 1024
		e++
	}
	if e > 15 {
		return sign | 0x7c00
	}
	return sign | uint16(e+15)<<10 | uint16(m-1024)
}

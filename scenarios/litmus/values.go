package litmus

import (
	"fmt"
	"math"
	"strconv"
)

// Kind is the element type of a typed view over the shared block: one of the
// integer TypedArray kinds of ECMA-262 (Uint8Clamped and the float kinds are
// not supported).
type Kind uint8

// The supported TypedArray element kinds.
const (
	Int8 Kind = iota + 1
	Uint8
	Int16
	Uint16
	Int32
	Uint32
	BigInt64
	BigUint64
)

var kindNames = map[string]Kind{
	"Int8": Int8, "Uint8": Uint8, "Int16": Int16, "Uint16": Uint16,
	"Int32": Int32, "Uint32": Uint32, "BigInt64": BigInt64, "BigUint64": BigUint64,
}

// String returns the kind's name as written in litmus files ("Int32").
func (k Kind) String() string {
	for n, v := range kindNames {
		if v == k {
			return n
		}
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Size returns the element size in bytes (ECMA-262's Element Size).
func (k Kind) Size() int {
	switch k {
	case Int8, Uint8:
		return 1
	case Int16, Uint16:
		return 2
	case Int32, Uint32:
		return 4
	default:
		return 8
	}
}

// Signed reports whether values of the kind are decoded with sign extension.
func (k Kind) Signed() bool {
	return k == Int8 || k == Int16 || k == Int32 || k == BigInt64
}

// BigInt reports whether the kind's content type is BigInt.
func (k Kind) BigInt() bool { return k == BigInt64 || k == BigUint64 }

// NoTear returns the NoTear field of a TypedArray access of this kind with
// the given order, as ECMA-262's IsNoTearConfiguration defines it for
// integer TypedArrays: true for the 8-, 16- and 32-bit kinds, and for
// BigInt64/BigUint64 only when the access is not Unordered (plain 64-bit
// accesses may tear).
func (k Kind) NoTear(atomic bool) bool {
	if k.BigInt() {
		return atomic
	}
	return true
}

// Number is an integer literal of a litmus file: a sign and a magnitude, so
// that every value from -2^64+1 to 2^64-1 is representable and range errors
// can be reported exactly.
type Number struct {
	Neg bool
	Mag uint64
}

// String formats the number in decimal.
func (n Number) String() string {
	if n.Neg && n.Mag != 0 {
		return "-" + strconv.FormatUint(n.Mag, 10)
	}
	return strconv.FormatUint(n.Mag, 10)
}

// Cmp compares two numbers as mathematical integers.
func (n Number) Cmp(m Number) int {
	nn, mn := n.Neg && n.Mag != 0, m.Neg && m.Mag != 0
	switch {
	case nn && !mn:
		return -1
	case !nn && mn:
		return 1
	}
	c := 0
	if n.Mag < m.Mag {
		c = -1
	} else if n.Mag > m.Mag {
		c = 1
	}
	if nn {
		c = -c
	}
	return c
}

// numberOfInt64 converts an int64 to a Number.
func numberOfInt64(v int64) Number {
	if v < 0 {
		return Number{Neg: true, Mag: uint64(-(v + 1)) + 1}
	}
	return Number{Mag: uint64(v)}
}

// parseNumber parses a decimal or 0x-hexadecimal magnitude.
func parseNumber(text string) (uint64, error) {
	if len(text) > 2 && (text[1] == 'x' || text[1] == 'X') && text[0] == '0' {
		return strconv.ParseUint(text[2:], 16, 64)
	}
	return strconv.ParseUint(text, 10, 64)
}

// kindRange returns the minimum (as a magnitude, negative) and maximum of the
// kind's values.
func kindRange(k Kind) (minMag, max uint64) {
	b := uint(k.Size() * 8)
	if k.Signed() {
		return 1 << (b - 1), 1<<(b-1) - 1
	}
	if b == 64 {
		return 0, math.MaxUint64
	}
	return 0, 1<<b - 1
}

// fitsKind reports whether n is a value of kind k.
func fitsKind(n Number, k Kind) bool {
	minMag, max := kindRange(k)
	if n.Neg && n.Mag != 0 {
		return n.Mag <= minMag
	}
	return n.Mag <= max
}

// storable reports whether n may be written to an element of kind k: any
// value of the signed or the unsigned kind of that size (JS converts it
// modulo 2^bits, as ToInt32/ToUint8/ToBigInt64 do).
func storable(n Number, k Kind) bool {
	b := uint(k.Size() * 8)
	if n.Neg && n.Mag != 0 {
		return n.Mag <= 1<<(b-1)
	}
	if b == 64 {
		return true
	}
	return n.Mag <= 1<<b-1
}

// bitsOf returns the size*8-bit two's-complement pattern of n.
func bitsOf(n Number, size int) uint64 {
	v := n.Mag
	if n.Neg {
		v = -v
	}
	if size == 8 {
		return v
	}
	return v & (1<<(uint(size)*8) - 1)
}

// decode returns the value of the little-endian bytes b read as kind k.
func decode(b []byte, k Kind) Number {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	if k.Signed() {
		shift := uint(64 - 8*len(b))
		return numberOfInt64(int64(v<<shift) >> shift)
	}
	return Number{Mag: v}
}

// valueOfRegister returns the mathematical value of a register as the model
// reports it (an int64 holding the sign- or zero-extended value).
func valueOfRegister(v int64, k Kind) Number {
	if !k.Signed() && k.Size() == 8 {
		return Number{Mag: uint64(v)}
	}
	return numberOfInt64(v)
}

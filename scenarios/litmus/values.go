package litmus

import (
	"math"
	"strconv"

	"github.com/sabre-mm/sabre/shared"
)

// Kind is the element type of a typed view over the shared block: one of the
// integer TypedArray kinds of ECMA-262, as package shared names them
// (Uint8Clamped and the float kinds are not supported in litmus files).
type Kind = shared.Kind

// The supported TypedArray element kinds.
const (
	Int8      = shared.Int8
	Uint8     = shared.Uint8
	Int16     = shared.Int16
	Uint16    = shared.Uint16
	Int32     = shared.Int32
	Uint32    = shared.Uint32
	BigInt64  = shared.BigInt64
	BigUint64 = shared.BigUint64
)

var kindNames = map[string]Kind{
	"Int8": Int8, "Uint8": Uint8, "Int16": Int16, "Uint16": Uint16,
	"Int32": Int32, "Uint32": Uint32, "BigInt64": BigInt64, "BigUint64": BigUint64,
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
	if k.IsSigned() {
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
	if k.IsSigned() {
		shift := uint(64 - 8*len(b))
		return numberOfInt64(int64(v<<shift) >> shift)
	}
	return Number{Mag: v}
}

// valueOfRegister returns the mathematical value of a register as the model
// reports it (an int64 holding the sign- or zero-extended value).
func valueOfRegister(v int64, k Kind) Number {
	if !k.IsSigned() && k.Size() == 8 {
		return Number{Mag: uint64(v)}
	}
	return numberOfInt64(v)
}

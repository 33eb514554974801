package shared

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/sabre-mm/sabre/internal/mem"
)

// DataView is ECMAScript's DataView over a Buffer or an ArrayBuffer: reads
// and writes of any element type at any byte offset, in the byte order chosen
// per access. As in ECMAScript, an access is big-endian unless littleEndian
// is true.
//
// An access need not be aligned. Every access is made with sync/atomic on the
// aligned words that contain its bytes — one atomic operation when the access
// lies within one aligned 32-bit word or is an aligned 8-byte access, one per
// 32-bit word otherwise — so nothing is a Go data race or undefined
// behaviour. Bytes outside the access are never disturbed (partial words are
// written by compare-and-swap). An access spanning several words may tear: a
// racing read may see some bytes from one write and some from another. The
// memory model allows exactly that: DataView accesses are Unordered and never
// NoTear.
//
// A DataView is fixed-length, or length-tracking over a growable Buffer. It
// is bound to the agent its buffer was bound to; For rebinds it.
type DataView struct {
	blk    *block
	agent  *Agent
	buf    Backing
	offset int // byte offset in the buffer
	length int // byte length; -1 when length-tracking
}

const dataViewOp = "DataView"

// NewDataView returns a view of byteLength bytes of buf starting at
// byteOffset, as `new DataView(buffer, byteOffset, byteLength)`: a TypeError
// if buf is nil or detached; a RangeError if byteOffset or byteLength is
// negative, if byteOffset is beyond the buffer's length, or if the view does
// not fit in the buffer. ECMA-262's order of checks is kept: a negative offset
// is a RangeError even on a detached buffer.
func NewDataView(buf Backing, byteOffset, byteLength int) (*DataView, error) {
	return newDataView(buf, byteOffset, byteLength, false)
}

// NewLengthTrackingDataView returns a view from byteOffset to the end of buf,
// as `new DataView(buffer, byteOffset)`. Over a growable Buffer its length
// follows the buffer's as it grows; over a fixed-length buffer it is a
// fixed-length view of the remaining bytes. Errors are as NewDataView's.
func NewLengthTrackingDataView(buf Backing, byteOffset int) (*DataView, error) {
	return newDataView(buf, byteOffset, 0, true)
}

func newDataView(buf Backing, byteOffset, byteLength int, tracking bool) (*DataView, error) {
	// ECMA-262 DataView(buffer, byteOffset, byteLength): RequireInternalSlot
	// (TypeError), ToIndex(byteOffset), the detached check, offset > length,
	// and only then ToIndex(byteLength) and the bounds. (The second detached
	// and bounds checks after OrdinaryCreateFromConstructor guard against
	// user code run by the prototype lookup; Go runs none in between.)
	blk, ag, ok := backingBlock(buf)
	if !ok {
		return nil, Errorf(TypeError, dataViewOp, "no buffer")
	}
	if !isIndex(byteOffset) {
		return nil, Errorf(RangeError, dataViewOp, "start offset %d is not a valid index", byteOffset)
	}
	if blk.Detached() {
		return nil, Errorf(TypeError, dataViewOp, "buffer is detached")
	}
	n := blk.ByteLength()
	if byteOffset > n {
		return nil, Errorf(RangeError, dataViewOp, "start offset %d is outside the bounds of the buffer (byte length %d)", byteOffset, n)
	}
	length := -1
	switch {
	case tracking && !blk.Growable:
		length = n - byteOffset
	case !tracking:
		if !isIndex(byteLength) {
			return nil, Errorf(RangeError, dataViewOp, "byte length %d is not a valid index", byteLength)
		}
		if byteLength > n-byteOffset {
			return nil, Errorf(RangeError, dataViewOp, "byte length %d at offset %d is outside the bounds of the buffer (byte length %d)", byteLength, byteOffset, n)
		}
		length = byteLength
	}
	return &DataView{blk: blk, agent: ag, buf: buf, offset: byteOffset, length: length}, nil
}

// backingBlock returns buf's block and agent, and false for a nil buffer
// (also a typed nil, or a zero Buffer or ArrayBuffer).
func backingBlock(buf Backing) (*block, *Agent, bool) {
	blk, ag := backingOf(buf)
	return blk, ag, blk != nil
}

// ok reports whether v is a view made by NewDataView (not nil, not the zero
// DataView). The methods of a nil or zero DataView return zero values, or a
// TypeError where they return an error.
func (v *DataView) ok() bool { return v != nil && v.blk != nil }

// For returns the view bound to agent a: the same memory and shape, with its
// accesses attributed to a (and its Buffer bound to a). Nil for a nil view.
func (v *DataView) For(a *Agent) *DataView {
	if v == nil {
		return nil
	}
	w := *v
	w.agent = a
	switch b := v.buf.(type) {
	case *Buffer:
		w.buf = b.For(a)
	case *ArrayBuffer:
		w.buf = b.For(a)
	}
	return &w
}

// Agent returns the agent the view is bound to, or nil.
func (v *DataView) Agent() *Agent {
	if v == nil {
		return nil
	}
	return v.agent
}

// Buffer returns the buffer the view was made over (DataView.prototype.buffer).
func (v *DataView) Buffer() Backing {
	if v == nil {
		return nil
	}
	return v.buf
}

// BufferID returns the ID of the buffer the view is over (0 for a nil or zero view).
func (v *DataView) BufferID() uint64 {
	if !v.ok() {
		return 0
	}
	return v.blk.ID
}

// IsShared reports whether the view is over a shared Buffer.
func (v *DataView) IsShared() bool { return v.ok() && v.blk.Shared }

// LengthTracking reports whether the view's length follows its buffer's.
func (v *DataView) LengthTracking() bool { return v.ok() && v.length < 0 }

// ByteLength returns the view's current length in bytes, as the
// DataView.prototype.byteLength getter: a TypeError once the buffer is detached.
func (v *DataView) ByteLength() (int, error) {
	return v.viewLength("DataView.prototype.byteLength")
}

// ByteOffset returns the view's offset in its buffer, as the
// DataView.prototype.byteOffset getter: a TypeError once the buffer is detached.
func (v *DataView) ByteOffset() (int, error) {
	if _, err := v.viewLength("DataView.prototype.byteOffset"); err != nil {
		return 0, err
	}
	return v.offset, nil
}

func (v *DataView) String() string {
	if !v.ok() {
		return "DataView(invalid)"
	}
	if v.length < 0 {
		return fmt.Sprintf("DataView(buffer %d, offset %d, length-tracking)", v.blk.ID, v.offset)
	}
	return fmt.Sprintf("DataView(buffer %d, offset %d, length %d)", v.blk.ID, v.offset, v.length)
}

// viewLength is ECMA-262's GetViewByteLength after IsViewOutOfBounds: the
// view's byte length, or a TypeError if the view is out of bounds (its buffer
// is detached).
func (v *DataView) viewLength(op string) (int, error) {
	if !v.ok() {
		return 0, Errorf(TypeError, op, "not a DataView (nil, or not made by NewDataView)")
	}
	n := int(v.blk.Len.Load())
	if n < 0 {
		return 0, Errorf(TypeError, op, "DataView's buffer is detached")
	}
	if v.length < 0 {
		if v.offset > n {
			return 0, Errorf(TypeError, op, "DataView is out of bounds: offset %d beyond buffer byte length %d", v.offset, n)
		}
		return n - v.offset, nil
	}
	if v.offset+v.length > n {
		return 0, Errorf(TypeError, op, "DataView is out of bounds: [%d, %d) beyond buffer byte length %d", v.offset, v.offset+v.length, n)
	}
	return v.length, nil
}

// index validates an access of size bytes at byteOffset in the order of
// ECMA-262's GetViewValue and SetViewValue — a TypeError if v is not a
// DataView (RequireInternalSlot), a RangeError for an offset ToIndex refuses,
// then a TypeError if the buffer is detached (IsViewOutOfBounds), then a
// RangeError if the access does not fit in the view — and returns the byte
// index in the buffer. (SetViewValue's ToNumber or ToBigInt of the value
// and both ToBoolean(littleEndian) steps come between ToIndex and the
// detached check; Go's typed arguments need no conversion that could fail.)
func (v *DataView) index(op string, byteOffset, size int) (int, error) {
	if !v.ok() {
		return 0, Errorf(TypeError, op, "not a DataView (nil, or not made by NewDataView)")
	}
	if !isIndex(byteOffset) {
		return 0, Errorf(RangeError, op, "offset %d is not a valid index", byteOffset)
	}
	n, err := v.viewLength(op)
	if err != nil {
		return 0, err
	}
	if byteOffset > n-size {
		return 0, Errorf(RangeError, op, "offset %d is outside the bounds of the DataView: %d bytes from it do not fit in byte length %d", byteOffset, size, n)
	}
	return v.offset + byteOffset, nil
}

// dvGetOps and dvSetOps name the accessors in errors and events ("" for
// Uint8Clamped, which DataView lacks).
var dvGetOps, dvSetOps = func() (g, s [Float64 + 1]string) {
	for k := Int8; k <= Float64; k++ {
		if k != Uint8Clamped {
			g[k], s[k] = "DataView.get"+k.String(), "DataView.set"+k.String()
		}
	}
	return
}()

func dataViewKind(op string, kind Kind) error {
	if !kind.Valid() {
		return Errorf(TypeError, op, "invalid element kind %v", kind)
	}
	if kind == Uint8Clamped {
		return Errorf(TypeError, op, "DataView has no Uint8Clamped accessor")
	}
	return nil
}

// get reads size bytes at byteOffset (an Unordered read, never NoTear,
// through the bracket) and returns them as an integer in the requested byte
// order.
func (v *DataView) get(op string, byteOffset, size int, littleEndian bool) (uint64, error) {
	bi, err := v.index(op, byteOffset, size)
	if err != nil {
		return 0, err
	}
	var raw uint64
	if mem.Attached() {
		raw = plainRead(v.blk, coreOf(v.agent), op, bi, size, false)
	} else {
		raw = v.blk.LoadRange(bi, size)
	}
	if !littleEndian {
		raw = reverseBytes(raw, size)
	}
	return raw, nil
}

// set writes the low size bytes of x at byteOffset in the requested byte
// order (an Unordered write, never NoTear, through the bracket).
func (v *DataView) set(op string, byteOffset, size int, x uint64, littleEndian bool) error {
	bi, err := v.index(op, byteOffset, size)
	if err != nil {
		return err
	}
	x &= mem.Mask(size)
	if !littleEndian {
		x = reverseBytes(x, size)
	}
	if mem.Attached() {
		plainWrite(v.blk, coreOf(v.agent), op, bi, size, false, x)
		return nil
	}
	v.blk.StoreRange(bi, size, x)
	return nil
}

// reverseBytes reverses the order of the low size bytes of x.
func reverseBytes(x uint64, size int) uint64 {
	return bits.ReverseBytes64(x) >> (64 - 8*uint(size))
}

// GetBits reads an element of kind at byteOffset in the given byte order and
// returns its bits (the value as a typed array would store it, in the low
// kind.Size() bytes; decode them with Kind.Int64 or Kind.Float64). For a
// 1-byte kind the byte order does not matter. Uint8Clamped, which DataView
// has no accessor for, is a TypeError.
func (v *DataView) GetBits(kind Kind, byteOffset int, littleEndian bool) (uint64, error) {
	if err := dataViewKind("DataView.get", kind); err != nil {
		return 0, err
	}
	return v.get(dvGetOps[kind], byteOffset, kind.Size(), littleEndian)
}

// SetBits writes the low kind.Size() bytes of bits as an element of kind at
// byteOffset in the given byte order. Encode values with Kind.FromInt64 or
// Kind.FromFloat64 (ECMAScript's conversions). Uint8Clamped is a TypeError.
func (v *DataView) SetBits(kind Kind, byteOffset int, bits uint64, littleEndian bool) error {
	if err := dataViewKind("DataView.set", kind); err != nil {
		return err
	}
	return v.set(dvSetOps[kind], byteOffset, kind.Size(), bits, littleEndian)
}

// GetInt8 reads the byte at byteOffset as a signed integer (DataView.prototype.getInt8).
func (v *DataView) GetInt8(byteOffset int) (int8, error) {
	x, err := v.get(dvGetOps[Int8], byteOffset, 1, true)
	return int8(x), err
}

// GetUint8 reads the byte at byteOffset (DataView.prototype.getUint8).
func (v *DataView) GetUint8(byteOffset int) (uint8, error) {
	x, err := v.get(dvGetOps[Uint8], byteOffset, 1, true)
	return uint8(x), err
}

// GetInt16 reads 2 bytes at byteOffset as a signed integer, big-endian unless
// littleEndian (DataView.prototype.getInt16).
func (v *DataView) GetInt16(byteOffset int, littleEndian bool) (int16, error) {
	x, err := v.get(dvGetOps[Int16], byteOffset, 2, littleEndian)
	return int16(x), err
}

// GetUint16 reads 2 bytes at byteOffset, big-endian unless littleEndian
// (DataView.prototype.getUint16).
func (v *DataView) GetUint16(byteOffset int, littleEndian bool) (uint16, error) {
	x, err := v.get(dvGetOps[Uint16], byteOffset, 2, littleEndian)
	return uint16(x), err
}

// GetInt32 reads 4 bytes at byteOffset as a signed integer, big-endian unless
// littleEndian (DataView.prototype.getInt32).
func (v *DataView) GetInt32(byteOffset int, littleEndian bool) (int32, error) {
	x, err := v.get(dvGetOps[Int32], byteOffset, 4, littleEndian)
	return int32(x), err
}

// GetUint32 reads 4 bytes at byteOffset, big-endian unless littleEndian
// (DataView.prototype.getUint32).
func (v *DataView) GetUint32(byteOffset int, littleEndian bool) (uint32, error) {
	x, err := v.get(dvGetOps[Uint32], byteOffset, 4, littleEndian)
	return uint32(x), err
}

// GetBigInt64 reads 8 bytes at byteOffset as a signed integer, big-endian
// unless littleEndian (DataView.prototype.getBigInt64).
func (v *DataView) GetBigInt64(byteOffset int, littleEndian bool) (int64, error) {
	x, err := v.get(dvGetOps[BigInt64], byteOffset, 8, littleEndian)
	return int64(x), err
}

// GetBigUint64 reads 8 bytes at byteOffset, big-endian unless littleEndian
// (DataView.prototype.getBigUint64).
func (v *DataView) GetBigUint64(byteOffset int, littleEndian bool) (uint64, error) {
	return v.get(dvGetOps[BigUint64], byteOffset, 8, littleEndian)
}

// GetFloat16 reads an IEEE 754 binary16 value at byteOffset, big-endian
// unless littleEndian, as a Number (DataView.prototype.getFloat16).
func (v *DataView) GetFloat16(byteOffset int, littleEndian bool) (float64, error) {
	x, err := v.get(dvGetOps[Float16], byteOffset, 2, littleEndian)
	return float16ToFloat64(uint16(x)), err
}

// GetFloat32 reads an IEEE 754 binary32 value at byteOffset, big-endian
// unless littleEndian (DataView.prototype.getFloat32).
func (v *DataView) GetFloat32(byteOffset int, littleEndian bool) (float32, error) {
	x, err := v.get(dvGetOps[Float32], byteOffset, 4, littleEndian)
	return math.Float32frombits(uint32(x)), err
}

// GetFloat64 reads an IEEE 754 binary64 value at byteOffset, big-endian
// unless littleEndian (DataView.prototype.getFloat64).
func (v *DataView) GetFloat64(byteOffset int, littleEndian bool) (float64, error) {
	x, err := v.get(dvGetOps[Float64], byteOffset, 8, littleEndian)
	return math.Float64frombits(x), err
}

// SetInt8 writes x to the byte at byteOffset (DataView.prototype.setInt8).
func (v *DataView) SetInt8(byteOffset int, x int8) error {
	return v.set(dvSetOps[Int8], byteOffset, 1, uint64(uint8(x)), true)
}

// SetUint8 writes x to the byte at byteOffset (DataView.prototype.setUint8).
func (v *DataView) SetUint8(byteOffset int, x uint8) error {
	return v.set(dvSetOps[Uint8], byteOffset, 1, uint64(x), true)
}

// SetInt16 writes x to 2 bytes at byteOffset, big-endian unless littleEndian
// (DataView.prototype.setInt16).
func (v *DataView) SetInt16(byteOffset int, x int16, littleEndian bool) error {
	return v.set(dvSetOps[Int16], byteOffset, 2, uint64(uint16(x)), littleEndian)
}

// SetUint16 writes x to 2 bytes at byteOffset, big-endian unless littleEndian
// (DataView.prototype.setUint16).
func (v *DataView) SetUint16(byteOffset int, x uint16, littleEndian bool) error {
	return v.set(dvSetOps[Uint16], byteOffset, 2, uint64(x), littleEndian)
}

// SetInt32 writes x to 4 bytes at byteOffset, big-endian unless littleEndian
// (DataView.prototype.setInt32).
func (v *DataView) SetInt32(byteOffset int, x int32, littleEndian bool) error {
	return v.set(dvSetOps[Int32], byteOffset, 4, uint64(uint32(x)), littleEndian)
}

// SetUint32 writes x to 4 bytes at byteOffset, big-endian unless littleEndian
// (DataView.prototype.setUint32).
func (v *DataView) SetUint32(byteOffset int, x uint32, littleEndian bool) error {
	return v.set(dvSetOps[Uint32], byteOffset, 4, uint64(x), littleEndian)
}

// SetBigInt64 writes x to 8 bytes at byteOffset, big-endian unless
// littleEndian (DataView.prototype.setBigInt64).
func (v *DataView) SetBigInt64(byteOffset int, x int64, littleEndian bool) error {
	return v.set(dvSetOps[BigInt64], byteOffset, 8, uint64(x), littleEndian)
}

// SetBigUint64 writes x to 8 bytes at byteOffset, big-endian unless
// littleEndian (DataView.prototype.setBigUint64).
func (v *DataView) SetBigUint64(byteOffset int, x uint64, littleEndian bool) error {
	return v.set(dvSetOps[BigUint64], byteOffset, 8, x, littleEndian)
}

// SetFloat16 rounds the Number x to the nearest IEEE 754 binary16 value (ties
// to even; overflow gives ±Infinity) and writes it to 2 bytes at byteOffset,
// big-endian unless littleEndian (DataView.prototype.setFloat16).
func (v *DataView) SetFloat16(byteOffset int, x float64, littleEndian bool) error {
	return v.set(dvSetOps[Float16], byteOffset, 2, uint64(float64ToFloat16(x)), littleEndian)
}

// SetFloat32 writes x to 4 bytes at byteOffset, big-endian unless
// littleEndian (DataView.prototype.setFloat32; convert a Number with float32(x),
// which rounds to nearest, ties to even).
func (v *DataView) SetFloat32(byteOffset int, x float32, littleEndian bool) error {
	return v.set(dvSetOps[Float32], byteOffset, 4, uint64(math.Float32bits(x)), littleEndian)
}

// SetFloat64 writes x to 8 bytes at byteOffset, big-endian unless
// littleEndian (DataView.prototype.setFloat64).
func (v *DataView) SetFloat64(byteOffset int, x float64, littleEndian bool) error {
	return v.set(dvSetOps[Float64], byteOffset, 8, math.Float64bits(x), littleEndian)
}

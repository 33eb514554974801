package shared

import (
	"fmt"
	"unsafe"

	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/internal/mutant"
)

// TypedArray is a typed view over a Buffer or an ArrayBuffer: ECMAScript's
// %TypedArray% with its element kind known at run time (so that, as in JS,
// Atomics can refuse a view of the wrong kind with a TypeError).
//
// A view's byte offset is a multiple of its element size, so every element
// is aligned. Plain element reads and writes (Get*, Set*) are the memory
// model's Unordered accesses; they are made with sync/atomic on the
// containing aligned word, so they never tear and never race in Go's sense.
//
// A view is fixed-length, or length-tracking over a growable buffer (its
// length follows the buffer's). A view is bound to the agent its buffer was
// bound to; For rebinds it.
type TypedArray struct {
	arr mem.Array // first: package atomics reaches it from a *TypedArray
}

var _ [0]struct{} = [unsafe.Offsetof(TypedArray{}.arr)]struct{}{} // arr is at offset 0

// ok reports whether v is a view made by this package (not nil, not the
// zero TypedArray). The methods of a nil or zero TypedArray return zero
// values, or a TypeError where they return an error.
func (v *TypedArray) ok() bool { return v != nil && v.arr.Blk != nil }

func (v *TypedArray) kind() Kind { return Kind(v.arr.Kind) }

func errNoView(op string) error {
	return Errorf(TypeError, op, "not a TypedArray (nil, or not made by NewTypedArray)")
}

// NewTypedArray returns a view of length elements of kind starting at
// byteOffset, as `new <Kind>Array(buffer, byteOffset, length)`: a RangeError
// if byteOffset is not a multiple of the element size or the view does not
// fit in the buffer, a TypeError if the buffer is detached or kind invalid.
func NewTypedArray(buf Backing, kind Kind, byteOffset, length int) (*TypedArray, error) {
	return newTypedArray(buf, kind, byteOffset, length, false)
}

// NewLengthTrackingArray returns a view from byteOffset to the end of the
// buffer, whose length follows the buffer's as it grows
// (`new <Kind>Array(growableBuffer, byteOffset)`).
func NewLengthTrackingArray(buf Backing, kind Kind, byteOffset int) (*TypedArray, error) {
	return newTypedArray(buf, kind, byteOffset, -1, true)
}

// View returns a fixed-length view of kind over the whole buffer (whose
// length must be a multiple of the element size).
func View(buf Backing, kind Kind) (*TypedArray, error) {
	blk, _ := backingOf(buf)
	if blk == nil || !kind.Valid() {
		return newTypedArray(buf, kind, 0, 0, false) // the TypeError
	}
	n := blk.ByteLength()
	if n%kind.Size() != 0 {
		return nil, Errorf(RangeError, kind.ArrayName(), "buffer byte length %d is not a multiple of the element size %d", n, kind.Size())
	}
	return NewTypedArray(buf, kind, 0, n/kind.Size())
}

func newTypedArray(buf Backing, kind Kind, byteOffset, length int, tracking bool) (*TypedArray, error) {
	op := "TypedArray"
	if kind.Valid() {
		op = kind.ArrayName()
	}
	blk, ag := backingOf(buf)
	if blk == nil {
		return nil, Errorf(TypeError, op, "no buffer (nil, or not made by this package)")
	}
	if !kind.Valid() {
		return nil, Errorf(TypeError, op, "invalid element kind %v", kind)
	}
	size := kind.Size()
	// ECMA-262 InitializeTypedArrayFromArrayBuffer: ToIndex(byteOffset), its
	// alignment, ToIndex(length), then the detached check, then the bounds.
	// (The TypedArray constructor's choice of element type, and the
	// RequireInternalSlot of its buffer argument, come before: the nil
	// buffer and invalid kind TypeErrors above.)
	if !isIndex(byteOffset) || byteOffset%size != 0 {
		return nil, Errorf(RangeError, op, "start offset %d is not a non-negative multiple of the element size %d", byteOffset, size)
	}
	if !tracking && !isIndex(length) {
		return nil, Errorf(RangeError, op, "invalid typed array length %d", length)
	}
	if blk.Detached() {
		return nil, Errorf(TypeError, op, "buffer is detached")
	}
	n := blk.ByteLength()
	if byteOffset > n {
		return nil, Errorf(RangeError, op, "start offset %d is outside the bounds of the buffer (byte length %d)", byteOffset, n)
	}
	if tracking {
		if !blk.Growable {
			// Over a fixed-length buffer a length-tracking view is a fixed view of the rest.
			if (n-byteOffset)%size != 0 {
				return nil, Errorf(RangeError, op, "byte length %d minus offset %d is not a multiple of the element size %d", n, byteOffset, size)
			}
			length, tracking = (n-byteOffset)/size, false
		} else {
			length = -1
		}
	} else if length > (n-byteOffset)/size { // offset + length × size > n, without overflow
		return nil, Errorf(RangeError, op, "invalid typed array length %d at offset %d over %d bytes", length, byteOffset, n)
	}
	v := &TypedArray{arr: mem.Array{Blk: blk, Agent: coreOf(ag), Kind: uint8(kind), Shift: kind.shift(), Offset: byteOffset, Length: length}}
	if length > 0 && blk.Shared && kind.IsInteger() {
		v.arr.Fast = length
		v.arr.Elems = unsafe.Add(blk.Base, byteOffset)
		if kind == Int32 {
			v.arr.FastInt32 = length
		}
	}
	return v, nil
}

// backingOf returns buf's block and agent; a nil block for a nil buf, a nil
// *Buffer or *ArrayBuffer, or a zero one.
func backingOf(buf Backing) (*block, *Agent) {
	if buf == nil {
		return nil, nil
	}
	return buf.backing()
}

// For returns the view bound to agent a: the same memory and shape, with its
// operations attributed to a (nil for a nil view).
func (v *TypedArray) For(a *Agent) *TypedArray {
	if v == nil {
		return nil
	}
	w := *v
	w.arr.Agent = coreOf(a)
	return &w
}

// Agent returns the agent the view is bound to, or nil.
func (v *TypedArray) Agent() *Agent {
	if v == nil {
		return nil
	}
	return agentOf(v.arr.Agent)
}

// Kind returns the element kind (0, invalid, for a nil or zero view).
func (v *TypedArray) Kind() Kind {
	if v == nil {
		return 0
	}
	return v.kind()
}

// BufferID returns the ID of the buffer the view is over (0 for a nil or zero view).
func (v *TypedArray) BufferID() uint64 {
	if !v.ok() {
		return 0
	}
	return v.arr.Blk.ID
}

// IsShared reports whether the view is over a shared Buffer.
func (v *TypedArray) IsShared() bool { return v.ok() && v.arr.Blk.Shared }

// ByteOffset returns the view's byte offset (0 once its buffer is detached).
func (v *TypedArray) ByteOffset() int {
	if !v.ok() || v.arr.Blk.Detached() {
		return 0
	}
	return v.arr.Offset
}

// LengthTracking reports whether the view's length follows its buffer's.
func (v *TypedArray) LengthTracking() bool { return v.ok() && v.arr.Length < 0 }

// Length returns the current number of elements: 0 once the buffer is detached.
func (v *TypedArray) Length() int {
	if !v.ok() {
		return 0
	}
	n, _ := v.arr.CurrentLength()
	return n
}

// ByteLength returns Length() times the element size.
func (v *TypedArray) ByteLength() int {
	if !v.ok() {
		return 0
	}
	return v.Length() << v.arr.Shift
}

func (v *TypedArray) String() string {
	if !v.ok() {
		return "TypedArray(invalid)"
	}
	return fmt.Sprintf("%s(buffer %d, offset %d, length %d)", v.kind().ArrayName(), v.arr.Blk.ID, v.arr.Offset, v.Length())
}

// byteIndex validates element index i and returns its byte index in the
// buffer: a TypeError if v is not a view or its buffer is detached, a
// RangeError if i is out of range.
func (v *TypedArray) byteIndex(op string, i int) (int, error) {
	if !v.ok() {
		return 0, errNoView(op)
	}
	bi, n, ok := v.arr.ByteIndex(i)
	if ok {
		return bi, nil
	}
	if n < 0 {
		return 0, Errorf(TypeError, op, "%s's buffer is detached", v.kind().ArrayName())
	}
	return 0, Errorf(RangeError, op, "index %d is out of range for %s of length %d", i, v.kind().ArrayName(), n)
}

// get is a plain (Unordered) read of element i's bits, through the bracket.
func (v *TypedArray) get(op string, i int) (uint64, error) {
	bi, err := v.byteIndex(op, i)
	if err != nil {
		return 0, err
	}
	size := 1 << v.arr.Shift
	if !mem.Attached() {
		return v.arr.Blk.Load(bi, size), nil
	}
	if mutant.Is(mutant.PlainLoadStale) {
		return mem.FromLE(plainReadStale(v.arr.Blk, v.arr.Agent, op, bi, size, v.kind().NoTear(false)), size), nil
	}
	return mem.FromLE(plainRead(v.arr.Blk, v.arr.Agent, op, bi, size, v.kind().NoTear(false)), size), nil
}

// set is a plain (Unordered) write of element i's bits, through the bracket.
func (v *TypedArray) set(op string, i int, bits uint64) error {
	bi, err := v.byteIndex(op, i)
	if err != nil {
		return err
	}
	size := 1 << v.arr.Shift
	if !mem.Attached() {
		v.arr.Blk.StorePlain(bi, size, bits)
		return nil
	}
	plainWrite(v.arr.Blk, v.arr.Agent, op, bi, size, v.kind().NoTear(false), mem.ToLE(bits, size))
	return nil
}

// GetBits reads element i (an Unordered read) and returns its bits: the
// element's value as stored, in the low Size() bytes.
func (v *TypedArray) GetBits(i int) (uint64, error) { return v.get(getOps[v.Kind()], i) }

// GetInt reads element i as an integer (see Kind.Int64 for each kind's conversion).
func (v *TypedArray) GetInt(i int) (int64, error) {
	b, err := v.get(getOps[v.Kind()], i)
	return v.Kind().Int64(b), err
}

// GetUint reads element i as an unsigned integer: the element's bits,
// zero-extended (a negative Int32 element -1 reads as 0xffffffff).
func (v *TypedArray) GetUint(i int) (uint64, error) {
	if v.Kind().IsFloat() {
		f, err := v.GetFloat(i)
		return uint64(saturate(f)), err
	}
	return v.get(getOps[v.Kind()], i)
}

// GetFloat reads element i as an ECMAScript Number (the nearest float64 for BigInt kinds).
func (v *TypedArray) GetFloat(i int) (float64, error) {
	b, err := v.get(getOps[v.Kind()], i)
	return v.Kind().Float64(b), err
}

// SetBits writes element i's bits (an Unordered write); bits beyond the element size are ignored.
func (v *TypedArray) SetBits(i int, bits uint64) error {
	return v.set(setOps[v.Kind()], i, bits&v.Kind().mask())
}

// SetInt writes x to element i, converted as Kind.FromInt64 (modular for
// integer kinds, clamped for Uint8Clamped).
func (v *TypedArray) SetInt(i int, x int64) error {
	return v.set(setOps[v.Kind()], i, v.Kind().FromInt64(x))
}

// SetFloat writes the Number x to element i, converted as Kind.FromFloat64.
func (v *TypedArray) SetFloat(i int, x float64) error {
	return v.set(setOps[v.Kind()], i, v.Kind().FromFloat64(x))
}

// getOps and setOps name plain element accesses in errors and events:
// "Int32Array.get", "Int32Array.set" (index 0 names the operation on a view
// that is not one).
var getOps, setOps = func() (g, s [Float64 + 1]string) {
	g[0], s[0] = "TypedArray.get", "TypedArray.set"
	for k := Int8; k <= Float64; k++ {
		g[k], s[k] = k.ArrayName()+".get", k.ArrayName()+".set"
	}
	return
}()

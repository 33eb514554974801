package shared

import (
	"fmt"
	"unsafe"
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
	blk    *block
	agent  *Agent
	kind   Kind
	shift  uint8
	offset int // byte offset
	length int // element count; -1 when length-tracking
	// fast is the length of a fixed-length view of an integer kind over a
	// shared Buffer, and 0 otherwise: such views take the inlined fast paths
	// (Word32, Word64, SubWord) when no recorder is attached. fastInt32 is
	// fast for Int32 views and 0 otherwise, so that the Int32 fast paths test
	// kind and bounds with one compare. elems is the address of element 0
	// (the memory of a shared Buffer never moves).
	fast      int
	fastInt32 int
	elems     unsafe.Pointer
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
	if !kind.Valid() {
		return nil, Errorf(TypeError, "TypedArray", "invalid element kind %v", kind)
	}
	n := buf.ByteLength()
	if n%kind.Size() != 0 {
		return nil, Errorf(RangeError, kind.ArrayName(), "buffer byte length %d is not a multiple of the element size %d", n, kind.Size())
	}
	return NewTypedArray(buf, kind, 0, n/kind.Size())
}

func newTypedArray(buf Backing, kind Kind, byteOffset, length int, tracking bool) (*TypedArray, error) {
	if buf == nil {
		return nil, Errorf(TypeError, "TypedArray", "no buffer")
	}
	if !kind.Valid() {
		return nil, Errorf(TypeError, "TypedArray", "invalid element kind %v", kind)
	}
	op := kind.ArrayName()
	blk, ag := buf.backing()
	size := kind.Size()
	if byteOffset < 0 || byteOffset%size != 0 {
		return nil, Errorf(RangeError, op, "start offset %d is not a non-negative multiple of the element size %d", byteOffset, size)
	}
	if blk.detached() {
		return nil, Errorf(TypeError, op, "buffer is detached")
	}
	n := blk.byteLength()
	if byteOffset > n {
		return nil, Errorf(RangeError, op, "start offset %d is outside the bounds of the buffer (byte length %d)", byteOffset, n)
	}
	if tracking {
		if !blk.grow {
			// Over a fixed-length buffer a length-tracking view is a fixed view of the rest.
			if (n-byteOffset)%size != 0 {
				return nil, Errorf(RangeError, op, "byte length %d minus offset %d is not a multiple of the element size %d", n, byteOffset, size)
			}
			length, tracking = (n-byteOffset)/size, false
		} else {
			length = -1
		}
	} else if length < 0 || byteOffset+length*size > n || length > MaxBufferLength {
		return nil, Errorf(RangeError, op, "invalid typed array length %d at offset %d over %d bytes", length, byteOffset, n)
	}
	v := &TypedArray{blk: blk, agent: ag, kind: kind, shift: kind.shift(), offset: byteOffset, length: length}
	if length > 0 && blk.shared && kind.IsInteger() {
		v.fast = length
		v.elems = unsafe.Add(blk.base, byteOffset)
		if kind == Int32 {
			v.fastInt32 = length
		}
	}
	return v, nil
}

// For returns the view bound to agent a: the same memory and shape, with its
// operations attributed to a.
func (v *TypedArray) For(a *Agent) *TypedArray {
	w := *v
	w.agent = a
	return &w
}

// Agent returns the agent the view is bound to, or nil.
func (v *TypedArray) Agent() *Agent { return v.agent }

// Kind returns the element kind.
func (v *TypedArray) Kind() Kind { return v.kind }

// BufferID returns the ID of the buffer the view is over.
func (v *TypedArray) BufferID() uint64 { return v.blk.id }

// IsShared reports whether the view is over a shared Buffer.
func (v *TypedArray) IsShared() bool { return v.blk.shared }

// ByteOffset returns the view's byte offset (0 once its buffer is detached).
func (v *TypedArray) ByteOffset() int {
	if v.blk.detached() {
		return 0
	}
	return v.offset
}

// LengthTracking reports whether the view's length follows its buffer's.
func (v *TypedArray) LengthTracking() bool { return v.length < 0 }

// Length returns the current number of elements: 0 once the buffer is detached.
func (v *TypedArray) Length() int {
	n, _ := v.currentLength()
	return n
}

// ByteLength returns Length() times the element size.
func (v *TypedArray) ByteLength() int { return v.Length() << v.shift }

func (v *TypedArray) String() string {
	return fmt.Sprintf("%s(buffer %d, offset %d, length %d)", v.kind.ArrayName(), v.blk.id, v.offset, v.Length())
}

// currentLength returns the element count and false if the buffer is detached.
func (v *TypedArray) currentLength() (int, bool) {
	n := v.blk.length.Load()
	if n < 0 {
		return 0, false
	}
	if v.length >= 0 {
		return v.length, true
	}
	return max(int(n)-v.offset, 0) >> v.shift, true
}

// byteIndex validates element index i and returns its byte index in the
// buffer: a TypeError if the buffer is detached, a RangeError if i is out of
// range. This is the hot path of every access: for a fixed-length view over a
// shared buffer it is one compare.
func (v *TypedArray) byteIndex(op string, i int) (int, error) {
	if v.length >= 0 && v.blk.shared {
		if uint(i) < uint(v.length) {
			return v.offset + i<<v.shift, nil
		}
		return 0, v.rangeError(op, i, v.length)
	}
	n, ok := v.currentLength()
	if !ok {
		return 0, Errorf(TypeError, op, "%s's buffer is detached", v.kind.ArrayName())
	}
	if uint(i) >= uint(n) {
		return 0, v.rangeError(op, i, n)
	}
	return v.offset + i<<v.shift, nil
}

func (v *TypedArray) rangeError(op string, i, n int) error {
	return Errorf(RangeError, op, "index %d is out of range for %s of length %d", i, v.kind.ArrayName(), n)
}

// get is a plain (Unordered) read of element i's bits.
func (v *TypedArray) get(op string, i int) (uint64, error) {
	bi, err := v.byteIndex(op, i)
	if err != nil {
		return 0, err
	}
	if attached.Load() != 0 {
		return v.getRecorded(op, bi), nil
	}
	return v.blk.load(bi, 1<<v.shift), nil
}

func (v *TypedArray) getRecorded(op string, bi int) uint64 {
	size := 1 << v.shift
	t0 := Now()
	bits := v.blk.load(bi, size)
	t1 := Now()
	if wantsRecord(v.blk, v.agent) {
		record(v.blk, v.agent, &Event{Kind: EvRead, Order: Unordered, Op: op, ByteIndex: bi, Size: size,
			NoTear: v.kind.NoTear(false), Read: toLE(bits, size), Call: t0, Return: t1})
	}
	return bits
}

// set is a plain (Unordered) write of element i's bits.
func (v *TypedArray) set(op string, i int, bits uint64) error {
	bi, err := v.byteIndex(op, i)
	if err != nil {
		return err
	}
	size := 1 << v.shift
	if attached.Load() != 0 && wantsRecord(v.blk, v.agent) {
		t0 := Now()
		v.blk.store(bi, size, bits)
		t1 := Now()
		record(v.blk, v.agent, &Event{Kind: EvWrite, Order: Unordered, Op: op, ByteIndex: bi, Size: size,
			NoTear: v.kind.NoTear(false), Written: toLE(bits, size), Call: t0, Return: t1})
		return nil
	}
	v.blk.store(bi, size, bits)
	return nil
}

// GetBits reads element i (an Unordered read) and returns its bits: the
// element's value as stored, in the low Size() bytes.
func (v *TypedArray) GetBits(i int) (uint64, error) { return v.get(getOps[v.kind], i) }

// GetInt reads element i as an integer (see Kind.Int64 for each kind's conversion).
func (v *TypedArray) GetInt(i int) (int64, error) {
	b, err := v.get(getOps[v.kind], i)
	return v.kind.Int64(b), err
}

// GetUint reads element i as an unsigned integer: the element's bits,
// zero-extended (a negative Int32 element -1 reads as 0xffffffff).
func (v *TypedArray) GetUint(i int) (uint64, error) {
	if v.kind.IsFloat() {
		f, err := v.GetFloat(i)
		return uint64(saturate(f)), err
	}
	return v.get(getOps[v.kind], i)
}

// GetFloat reads element i as an ECMAScript Number (the nearest float64 for BigInt kinds).
func (v *TypedArray) GetFloat(i int) (float64, error) {
	b, err := v.get(getOps[v.kind], i)
	return v.kind.Float64(b), err
}

// SetBits writes element i's bits (an Unordered write); bits beyond the element size are ignored.
func (v *TypedArray) SetBits(i int, bits uint64) error {
	return v.set(setOps[v.kind], i, bits&v.kind.mask())
}

// SetInt writes x to element i, converted as Kind.FromInt64 (modular for
// integer kinds, clamped for Uint8Clamped).
func (v *TypedArray) SetInt(i int, x int64) error {
	return v.set(setOps[v.kind], i, v.kind.FromInt64(x))
}

// SetFloat writes the Number x to element i, converted as Kind.FromFloat64.
func (v *TypedArray) SetFloat(i int, x float64) error {
	return v.set(setOps[v.kind], i, v.kind.FromFloat64(x))
}

// getOps and setOps name plain element accesses in errors and events.
var getOps, setOps = func() (g, s [Float64 + 1]string) {
	for k := Int8; k <= Float64; k++ {
		g[k], s[k] = k.ArrayName()+" get", k.ArrayName()+" set"
	}
	return
}()

// toLE packs the native-endian bits of a size-byte element as the
// little-endian-by-position byte payload Event uses.
func toLE(bits uint64, size int) uint64 {
	if bigEndianHost == 0 {
		return bits
	}
	var out uint64
	for j := 0; j < size; j++ {
		out |= (bits >> (8 * uint(size-1-j)) & 0xff) << (8 * uint(j))
	}
	return out
}

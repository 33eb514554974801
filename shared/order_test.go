package shared

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/history"
)

// TestValidationOrder checks, case by case, that each constructor and
// operation reports the first error ECMA-262's algorithm steps reach when
// several of its arguments are wrong at once. Each case names the algorithm
// and the steps whose order it tests (ECMA-262 2026 draft; steps numbered
// as printed). Steps with no counterpart in Go's API are said so in the
// comments of the code under test: no NewTarget, no coercion of arguments
// (ToNumber, ToBigInt, ToBoolean, ToIntegerOrInfinity cannot fail on Go's
// typed values), no SpeciesConstructor, and no user code that could detach
// a buffer between two steps (so the re-checks after such code never
// differ).
//
// ToIndex refuses a negative value or one above 2^53 − 1 (RangeError); a
// Go int can exceed 2^53 − 1, so both ends are tested.
func TestValidationOrder(t *testing.T) {
	const twoPow53 = 1 << 53
	big := func(n int64) int { // n, on hosts where an int holds it
		if n > math.MaxInt {
			return math.MaxInt
		}
		return int(n)
	}
	over4G := big(1<<32 + 1) // 2^32 + 1: a valid index, too large a buffer
	sab := func(n int) *Buffer { return mustBuffer(t, n) }
	ab := func(n int) *ArrayBuffer {
		b, err := NewArrayBuffer(n)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	detached := func() *ArrayBuffer {
		b := ab(16)
		if _, err := b.Transfer(); err != nil {
			t.Fatal(err)
		}
		return b
	}
	growable := func() *Buffer {
		g, err := NewGrowableBuffer(8, 64)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	// dvDetached returns a DataView over an ArrayBuffer since detached.
	dvDetached := func() *DataView {
		b := ab(16)
		dv, err := NewDataView(b, 0, 16)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Transfer(); err != nil {
			t.Fatal(err)
		}
		return dv
	}
	dvShared := func() *DataView {
		dv, err := NewDataView(sab(16), 0, 16)
		if err != nil {
			t.Fatal(err)
		}
		return dv
	}
	err2 := func(_ any, err error) error { return err }

	cases := []struct {
		spec    string // the algorithm and the steps whose order is tested
		call    func() error
		want    ErrorKind
		mention string // a word the message must contain, where two checks give the same kind
	}{
		// InitializeTypedArrayFromArrayBuffer(O, buffer, byteOffset, length),
		// reached from the TypedArray constructor once its first argument has
		// an [[ArrayBufferData]] slot and its element type is chosen by the
		// constructor itself (Go: the buffer and Kind arguments).
		{"TypedArray constructor: buffer has no [[ArrayBufferData]] (TypeError) before InitializeTypedArrayFromArrayBuffer step 2 ToIndex(byteOffset)",
			func() error { return err2(NewTypedArray(nil, Int32, -1, -1)) }, TypeError, "no buffer"},
		{"TypedArray constructor: the element type (Go: an invalid Kind, no JS counterpart) before step 2 ToIndex(byteOffset)",
			func() error { return err2(NewTypedArray(sab(16), Kind(0), -1, -1)) }, TypeError, "kind"},
		{"InitializeTypedArrayFromArrayBuffer step 2 ToIndex(byteOffset) before step 6 IsDetachedBuffer",
			func() error { return err2(NewTypedArray(detached(), Int32, -4, 1)) }, RangeError, "offset"},
		{"step 2 ToIndex(byteOffset) refuses 2^53 before step 6 IsDetachedBuffer",
			func() error { return err2(NewTypedArray(detached(), Int8, big(twoPow53), 0)) }, RangeError, "offset"},
		{"step 3 byteOffset modulo elementSize before step 6 IsDetachedBuffer",
			func() error { return err2(NewTypedArray(detached(), Int32, 2, 1)) }, RangeError, "multiple"},
		{"step 5 ToIndex(length) before step 6 IsDetachedBuffer: length -1 over a detached buffer",
			func() error { return err2(NewTypedArray(detached(), Int32, 0, -1)) }, RangeError, "length"},
		{"step 5 ToIndex(length) refuses 2^53 before step 6 IsDetachedBuffer",
			func() error { return err2(NewTypedArray(detached(), Int8, 0, big(twoPow53))) }, RangeError, "length"},
		{"step 5 ToIndex(length) accepts 2^32+1, so step 6 IsDetachedBuffer comes first",
			func() error { return err2(NewTypedArray(detached(), Int8, 0, over4G)) }, TypeError, "detached"},
		{"step 6 IsDetachedBuffer before step 9 offset + newByteLength > bufferByteLength",
			func() error { return err2(NewTypedArray(detached(), Int32, 64, 100)) }, TypeError, "detached"},
		{"step 9 offset + newByteLength > bufferByteLength (no overflow for a huge length)",
			func() error { return err2(NewTypedArray(sab(16), Int8, 8, math.MaxInt)) }, RangeError, "length"},
		{"step 9 offset + newByteLength > bufferByteLength",
			func() error { return err2(NewTypedArray(sab(16), Int32, 4, 4)) }, RangeError, "length"},
		{"length undefined, growable: step 6 IsDetachedBuffer, then step 8 offset > bufferByteLength",
			func() error { return err2(NewLengthTrackingArray(growable(), Int32, 12)) }, RangeError, "offset"},
		{"length undefined, fixed: step 3 alignment before step 6 IsDetachedBuffer",
			func() error { return err2(NewLengthTrackingArray(detached(), Int32, 2)) }, RangeError, "multiple"},
		{"length undefined, fixed: step 6 IsDetachedBuffer before step 9 bufferByteLength modulo elementSize",
			func() error { return err2(NewLengthTrackingArray(detached(), Int32, 0)) }, TypeError, "detached"},
		{"length undefined, fixed: step 9 bufferByteLength modulo elementSize",
			func() error { return err2(NewLengthTrackingArray(sab(6), Int32, 0)) }, RangeError, "multiple"},
		{"View = new TA(buffer): byteOffset 0, step 6 IsDetachedBuffer",
			func() error { return err2(View(detached(), Int32)) }, TypeError, "detached"},
		{"View = new TA(buffer): step 9 bufferByteLength modulo elementSize",
			func() error { return err2(View(sab(6), Int32)) }, RangeError, "multiple"},

		// DataView(buffer, byteOffset, byteLength).
		{"DataView step 2 RequireInternalSlot(buffer) before step 3 ToIndex(byteOffset)",
			func() error { return err2(NewDataView(nil, -1, -1)) }, TypeError, "buffer"},
		{"DataView step 3 ToIndex(byteOffset) before step 4 IsDetachedBuffer",
			func() error { return err2(NewDataView(detached(), -1, 0)) }, RangeError, "offset"},
		{"DataView step 3 ToIndex(byteOffset) refuses 2^53 before step 4 IsDetachedBuffer",
			func() error { return err2(NewDataView(detached(), big(twoPow53), 0)) }, RangeError, "offset"},
		{"DataView step 4 IsDetachedBuffer before step 6 offset > bufferByteLength",
			func() error { return err2(NewDataView(detached(), 100, 0)) }, TypeError, "detached"},
		{"DataView step 4 IsDetachedBuffer before step 9a ToIndex(byteLength): unlike a TypedArray's length",
			func() error { return err2(NewDataView(detached(), 0, -1)) }, TypeError, "detached"},
		{"DataView step 6 offset > bufferByteLength before step 9a ToIndex(byteLength)",
			func() error { return err2(NewDataView(sab(16), 17, -1)) }, RangeError, "start offset"},
		{"DataView step 9a ToIndex(byteLength)",
			func() error { return err2(NewDataView(sab(16), 0, -1)) }, RangeError, "byte length"},
		{"DataView step 9b offset + viewByteLength > bufferByteLength",
			func() error { return err2(NewDataView(sab(16), 8, 9)) }, RangeError, "outside"},
		{"DataView, byteLength undefined: step 3 ToIndex(byteOffset) before step 4 IsDetachedBuffer",
			func() error { return err2(NewLengthTrackingDataView(detached(), -1)) }, RangeError, "offset"},
		{"DataView, byteLength undefined: step 4 IsDetachedBuffer",
			func() error { return err2(NewLengthTrackingDataView(detached(), 0)) }, TypeError, "detached"},

		// GetViewValue(view, requestIndex, isLittleEndian, type) and SetViewValue.
		{"GetViewValue step 1 RequireInternalSlot(view, [[DataView]]) before step 3 ToIndex(requestIndex)",
			func() error { return err2((*DataView)(nil).GetInt32(-1, true)) }, TypeError, "not a DataView"},
		{"SetViewValue step 1 RequireInternalSlot before step 3 ToIndex (a zero DataView)",
			func() error { return (&DataView{}).SetFloat64(-1, 1, false) }, TypeError, "not a DataView"},
		{"GetViewValue step 3 ToIndex(requestIndex) before step 8 IsViewOutOfBounds (detached)",
			func() error { return err2(dvDetached().GetUint16(-1, false)) }, RangeError, "offset"},
		{"SetViewValue step 3 ToIndex refuses 2^53 before IsViewOutOfBounds",
			func() error { return dvDetached().SetInt8(big(twoPow53), 1) }, RangeError, "offset"},
		{"GetViewValue step 8 IsViewOutOfBounds before step 11 getIndex + elementSize > viewSize",
			func() error { return err2(dvDetached().GetFloat64(100, true)) }, TypeError, "detached"},
		{"SetViewValue IsViewOutOfBounds before getIndex + elementSize > viewSize",
			func() error { return dvDetached().SetBigInt64(100, 1, true) }, TypeError, "detached"},
		{"GetViewValue step 11 getIndex + elementSize > viewSize",
			func() error { return err2(dvShared().GetFloat64(9, true)) }, RangeError, "outside"},
		{"DataView.prototype.getUint8Clamped does not exist (Go: GetBits(Uint8Clamped)), a TypeError before GetViewValue",
			func() error { return err2(dvDetached().GetBits(Uint8Clamped, -1, true)) }, TypeError, "Uint8Clamped"},
		{"get DataView.prototype.byteLength: IsViewOutOfBounds",
			func() error { return err2(dvDetached().ByteLength()) }, TypeError, "detached"},

		// ArrayBufferCopyAndDetach(arrayBuffer, newLength, preserveResizability).
		{"ArrayBufferCopyAndDetach step 1 RequireInternalSlot before step 4 ToIndex(newLength)",
			func() error { return err2((*ArrayBuffer)(nil).TransferToLength(-1)) }, TypeError, "not an ArrayBuffer"},
		{"ArrayBufferCopyAndDetach step 2 IsSharedArrayBuffer (Go: package Transfer of a Buffer)",
			func() error { return err2(Transfer(sab(8))) }, TypeError, "SharedArrayBuffer"},
		{"ArrayBufferCopyAndDetach step 4 ToIndex(newLength) before step 5 IsDetachedBuffer",
			func() error { return err2(detached().TransferToLength(-1)) }, RangeError, "length"},
		{"step 4 ToIndex(newLength) refuses 2^53 before step 5 IsDetachedBuffer",
			func() error { return err2(detached().TransferToLength(big(twoPow53))) }, RangeError, "length"},
		{"step 4 ToIndex accepts 2^32+1, so step 5 IsDetachedBuffer before step 9 AllocateArrayBuffer",
			func() error { return err2(detached().TransferToLength(over4G)) }, TypeError, "detached"},
		{"step 9 AllocateArrayBuffer fails (RangeError) before step 15 DetachArrayBuffer",
			func() error {
				b := ab(8)
				_, err := b.TransferToLength(over4G)
				if b.Detached() {
					return errors.New("a failed transfer detached its buffer")
				}
				return err
			}, RangeError, "exceeds"},
		{"newLength undefined (Transfer): step 5 IsDetachedBuffer",
			func() error { return err2(detached().Transfer()) }, TypeError, "detached"},

		// ArrayBuffer.prototype.slice and SharedArrayBuffer.prototype.slice.
		{"ArrayBuffer.prototype.slice step 2 RequireInternalSlot",
			func() error { return err2((*ArrayBuffer)(nil).Slice(math.MinInt, math.MaxInt)) }, TypeError, "not an ArrayBuffer"},
		{"ArrayBuffer.prototype.slice step 4 IsDetachedBuffer before step 6 ToIntegerOrInfinity(start)",
			func() error { return err2(detached().Slice(math.MinInt, math.MaxInt)) }, TypeError, "detached"},
		{"SharedArrayBuffer.prototype.slice step 2 RequireInternalSlot",
			func() error { return err2((*Buffer)(nil).Slice(math.MinInt, math.MaxInt)) }, TypeError, "not a SharedArrayBuffer"},

		// SharedArrayBuffer.prototype.grow(newLength).
		{"grow step 2 RequireInternalSlot(O, [[ArrayBufferMaxByteLength]]) before step 4 ToIndex(newLength)",
			func() error { return sab(8).Grow(-1) }, TypeError, "not growable"},
		{"grow step 2 RequireInternalSlot: a nil buffer",
			func() error { return (*Buffer)(nil).Grow(-1) }, TypeError, "not a SharedArrayBuffer"},
		{"grow step 4 ToIndex(newLength)",
			func() error { return growable().Grow(-1) }, RangeError, "new length"},
		{"grow step 11d newByteLength < currentByteLength",
			func() error { return growable().Grow(4) }, RangeError, "new length"},
		{"grow step 11d newByteLength > [[ArrayBufferMaxByteLength]]",
			func() error { return growable().Grow(math.MaxInt) }, RangeError, "new length"},
	}
	for _, c := range cases {
		err := c.call()
		if err == nil {
			t.Errorf("%s: no error, want %v", c.spec, c.want)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind != c.want {
			t.Errorf("%s: %v, want a %v", c.spec, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: %q does not say %q (another check came first?)", c.spec, err, c.mention)
		}
	}
}

// TestGrowToTheSameLength: SharedArrayBuffer.prototype.grow step 11c — if
// newByteLength equals the current length, return: nothing grows, so
// nothing is recorded.
func TestGrowToTheSameLength(t *testing.T) {
	r := history.NewRecorder()
	g, err := NewGrowableBuffer(8, 64, WithRecorder(r))
	if err != nil {
		t.Fatal(err)
	}
	n := r.Len()
	if err := g.Grow(8); err != nil {
		t.Fatal(err)
	}
	if r.Len() != n {
		t.Fatalf("growing to the same length recorded %v", r.Events()[n:])
	}
	if err := g.Grow(16); err != nil || r.Len() != n+2 { // the grow and the new bytes' Init
		t.Fatalf("grow: %v, %d events", err, r.Len()-n)
	}
}

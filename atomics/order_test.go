package atomics_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// TestValidationOrder checks, case by case, that each Atomics operation
// reports the first error ECMA-262's algorithm steps reach when several of
// its arguments are wrong at once (ECMA-262 2026 draft, steps numbered as
// printed). ValidateIntegerTypedArray is ValidateTypedArray (not a
// TypedArray, or out of bounds — detached — a TypeError) then the element
// type (TypeError); ValidateAtomicAccess is ToIndex(index) then index <
// length (RangeError). The value conversions that follow (ToIntegerOrInfinity,
// ToBigInt, ToInt32, ToNumber(timeout), ToIntegerOrInfinity(count)) and
// RevalidateAtomicAccess have no counterpart in Go: its typed arguments
// cannot fail to convert, and nothing runs in between that could detach a
// buffer.
func TestValidationOrder(t *testing.T) {
	sab := func(k shared.Kind) *shared.TypedArray {
		return must(shared.NewTypedArray(must(shared.NewBuffer(16)), k, 0, 16/k.Size()))
	}
	ab := func(k shared.Kind) *shared.TypedArray {
		return must(shared.NewTypedArray(must(shared.NewArrayBuffer(16)), k, 0, 16/k.Size()))
	}
	detached := func(k shared.Kind) *shared.TypedArray {
		b := must(shared.NewArrayBuffer(16))
		v := must(shared.NewTypedArray(b, k, 0, 16/k.Size()))
		must(b.Transfer())
		return v
	}
	cannotBlock := func() *shared.TypedArray {
		a := shared.NewAgent("main thread")
		a.SetCanBlock(false)
		return sab(shared.Int32).For(a)
	}
	err2 := func(_ any, err error) error { return err }
	rmws := map[string]func(*shared.TypedArray, int, int64) (int64, error){
		"add": atomics.Add, "sub": atomics.Sub, "and": atomics.And, "or": atomics.Or,
		"xor": atomics.Xor, "exchange": atomics.Exchange, "store": atomics.Store,
	}

	type tc struct {
		spec    string
		call    func() error
		want    shared.ErrorKind
		mention string // a word the message must contain, where two checks give the same kind
	}
	cases := []tc{
		// Atomics.load: ValidateAtomicAccessOnIntegerTypedArray, RevalidateAtomicAccess.
		{"load: ValidateTypedArray (RequireInternalSlot) before ValidateAtomicAccess",
			func() error { return err2(atomics.Load(nil, -1)) }, shared.TypeError, "not a TypedArray"},
		{"load: ValidateTypedArray (a zero TypedArray)",
			func() error { return err2(atomics.Load(&shared.TypedArray{}, -1)) }, shared.TypeError, "not a TypedArray"},
		{"ValidateIntegerTypedArray step 1 ValidateTypedArray (out of bounds: detached) before step 4 the element type",
			func() error { return err2(atomics.Load(detached(shared.Float32), -1)) }, shared.TypeError, "detached"},
		{"ValidateIntegerTypedArray step 4 element type before ValidateAtomicAccess",
			func() error { return err2(atomics.Load(sab(shared.Float64), -1)) }, shared.TypeError, "not an integer"},
		{"ValidateIntegerTypedArray step 4: Uint8Clamped is refused",
			func() error { return err2(atomics.Load(sab(shared.Uint8Clamped), 0)) }, shared.TypeError, "not an integer"},
		{"ValidateAtomicAccess step 2 ToIndex(requestIndex)",
			func() error { return err2(atomics.Load(sab(shared.Int32), -1)) }, shared.RangeError, "out of range"},
		{"ValidateAtomicAccess step 4 accessIndex ≥ length",
			func() error { return err2(atomics.Load(ab(shared.Int16), 8)) }, shared.RangeError, "out of range"},
		// Atomics.compareExchange: step 1 validation before steps 4-5 conversions.
		{"compareExchange step 1 ValidateAtomicAccessOnIntegerTypedArray: detached before the index",
			func() error { return err2(atomics.CompareExchange(detached(shared.Int32), -1, 0, 0)) }, shared.TypeError, "detached"},
		{"compareExchange step 1: element type before the index",
			func() error { return err2(atomics.CompareExchange(sab(shared.Float16), math.MaxInt, 0, 0)) }, shared.TypeError, "not an integer"},
		{"compareExchange step 1: the index (an Int32 view, off the fast path's range)",
			func() error { return err2(atomics.CompareExchange(sab(shared.Int32), math.MinInt, 0, 0)) }, shared.RangeError, "out of range"},
		// Atomics.notify: ValidateIntegerTypedArray(waitable), ValidateAtomicAccess, count, shared.
		{"notify step 1 ValidateIntegerTypedArray(waitable): detached before the element type",
			func() error { return err2(atomics.Notify(detached(shared.Int16), -1, -1)) }, shared.TypeError, "detached"},
		{"notify step 1: element type (only Int32, BigInt64) before step 2 the index",
			func() error { return err2(atomics.Notify(sab(shared.Uint32), -1, -1)) }, shared.TypeError, "neither"},
		{"notify step 2 ValidateAtomicAccess before step 4 ToIntegerOrInfinity(count)",
			func() error { return err2(atomics.Notify(sab(shared.Int32), -1, -1)) }, shared.RangeError, "out of range"},
		{"notify step 2 ValidateAtomicAccess before step 7 (a non-shared buffer returns +0)",
			func() error { return err2(atomics.Notify(ab(shared.BigInt64), 2, atomics.All)) }, shared.RangeError, "out of range"},
		// DoWait (Atomics.wait, Atomics.waitAsync).
		{"DoWait step 1 ValidateIntegerTypedArray: not a TypedArray",
			func() error { return err2(atomics.Wait(nil, -1, 0, 0)) }, shared.TypeError, "not a TypedArray"},
		{"DoWait step 1 ValidateIntegerTypedArray: detached before the element type and step 3",
			func() error { return err2(atomics.Wait(detached(shared.Uint8), -1, 0, 0)) }, shared.TypeError, "detached"},
		{"DoWait step 1: element type before step 3 IsSharedArrayBuffer",
			func() error { return err2(atomics.Wait(ab(shared.Int16), -1, 0, 0)) }, shared.TypeError, "neither"},
		{"DoWait step 3 IsSharedArrayBuffer before step 4 ValidateAtomicAccess",
			func() error { return err2(atomics.Wait(ab(shared.Int32), -1, 0, 0)) }, shared.TypeError, "SharedArrayBuffer"},
		{"waitAsync: DoWait step 3 IsSharedArrayBuffer before step 4 ValidateAtomicAccess",
			func() error { return err2(atomics.WaitAsync(ab(shared.BigInt64), 99, 0, 0)) }, shared.TypeError, "SharedArrayBuffer"},
		{"DoWait step 4 ValidateAtomicAccess before step 10 AgentCanSuspend",
			func() error { return err2(atomics.Wait(cannotBlock(), -1, 0, 0)) }, shared.RangeError, "out of range"},
		{"DoWait step 10 AgentCanSuspend before step 20 the value comparison (not-equal)",
			func() error { return err2(atomics.Wait(cannotBlock(), 0, 5, atomics.Forever)) }, shared.TypeError, "cannot block"},
	}
	for name, f := range rmws {
		cases = append(cases,
			tc{"AtomicReadModifyWrite (" + name + ") step 1: detached before the element type and the index",
				func() error { return err2(f(detached(shared.Float64), -1, 1)) }, shared.TypeError, "detached"},
			tc{"AtomicReadModifyWrite (" + name + ") step 1: element type before the index",
				func() error { return err2(f(sab(shared.Float32), -1, 1)) }, shared.TypeError, "not an integer"},
			tc{"AtomicReadModifyWrite (" + name + ") step 1: the index",
				func() error { return err2(f(ab(shared.Uint8), 16, 1)) }, shared.RangeError, "out of range"},
		)
	}
	for _, c := range cases {
		err := c.call()
		var e *shared.Error
		switch {
		case err == nil:
			t.Errorf("%s: no error, want %v", c.spec, c.want)
		case !errors.As(err, &e) || e.Kind != c.want:
			t.Errorf("%s: %v, want a %v", c.spec, err, c.want)
		case !strings.Contains(err.Error(), c.mention):
			t.Errorf("%s: %q does not say %q (another check came first?)", c.spec, err, c.mention)
		}
	}

	// What follows the validation, in DoWait's order: the comparison
	// (step 20) before the zero timeout of waitAsync (step 21); waitAsync
	// has no AgentCanSuspend step; a synchronous wait with a zero timeout
	// enqueues and times out (no special case).
	v := sab(shared.Int32)
	if r, err := atomics.WaitAsync(v, 0, 1, 0); err != nil || r.Async() {
		t.Fatalf("waitAsync not-equal with timeout 0: %v, %v", r, err)
	} else if res, _ := r.Value(); res != atomics.NotEqual {
		t.Fatalf("waitAsync: not-equal comes before the zero timeout, got %q", res)
	}
	if r, err := atomics.WaitAsync(cannotBlock(), 0, 0, 0); err != nil {
		t.Fatalf("waitAsync by an agent that cannot block: %v", err)
	} else if res, _ := r.Value(); res != atomics.TimedOut {
		t.Fatalf("waitAsync with timeout 0: %q", res)
	}
	if res, err := atomics.Wait(v, 0, 0, 0); err != nil || res != atomics.TimedOut {
		t.Fatalf("wait with timeout 0: %q, %v", res, err)
	}
	// Atomics.notify step 7: on a non-shared buffer, once validated, +0.
	if n, err := atomics.Notify(ab(shared.Int32), 3, -1); n != 0 || err != nil {
		t.Fatalf("notify on an ArrayBuffer: %d, %v", n, err)
	}
}

package atomics

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/sabre-mm/sabre/history"
	"math"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/shared"
)

// intKinds are the kinds Atomics accepts.
var intKinds = []shared.Kind{shared.Int8, shared.Uint8, shared.Int16, shared.Uint16,
	shared.Int32, shared.Uint32, shared.BigInt64, shared.BigUint64}

// newView returns a view of n elements of kind over a new shared Buffer or,
// with shared false, a new ArrayBuffer.
func newView(t testing.TB, isShared bool, k shared.Kind, n int) *shared.TypedArray {
	t.Helper()
	var b shared.Backing
	var err error
	if isShared {
		b, err = shared.NewBuffer(n * k.Size())
	} else {
		b, err = shared.NewArrayBuffer(n * k.Size())
	}
	if err != nil {
		t.Fatal(err)
	}
	v, err := shared.View(b, k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wrap is the test's own model of the modular conversion to a kind and back:
// x reduced modulo 2^bits, read as signed for the signed kinds.
func wrap(k shared.Kind, x int64) int64 {
	bits := uint(8 * k.Size())
	if bits == 64 {
		return x // two's complement bit pattern for BigUint64
	}
	u := uint64(x) & (1<<bits - 1)
	if k.IsSigned() && u >= 1<<(bits-1) {
		return int64(u) - 1<<bits
	}
	return int64(u)
}

// must returns a function that passes on an operation's value and fails the
// test on its error: must(t)(Load(v, i)).
func must(t testing.TB) func(int64, error) int64 {
	return func(x int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
}

var interesting = []int64{0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, -0x80000000, math.MaxInt64, math.MinInt64,
	0x123456789abcdef, -0x5555}

func TestOperationsEveryKind(t *testing.T) {
	ops := []struct {
		name string
		f    func(*shared.TypedArray, int, int64) (int64, error)
		want func(old, x int64) int64
	}{
		{"Add", Add, func(o, x int64) int64 { return o + x }},
		{"Sub", Sub, func(o, x int64) int64 { return o - x }},
		{"And", And, func(o, x int64) int64 { return o & x }},
		{"Or", Or, func(o, x int64) int64 { return o | x }},
		{"Xor", Xor, func(o, x int64) int64 { return o ^ x }},
		{"Exchange", Exchange, func(o, x int64) int64 { return x }},
	}
	for _, mode := range []string{"shared", "arraybuffer", "recorded"} {
		isShared := mode != "arraybuffer"
		for _, k := range intKinds {
			t.Run(fmt.Sprintf("%v/%s", k, mode), func(t *testing.T) {
				const n = 4
				v := newView(t, isShared, k, n)
				const at = 1
				var rec *history.Recorder
				if mode == "recorded" {
					// Record through the view's agent: every operation goes
					// through the general path and appends one event.
					rec = history.NewRecorder()
					ag := shared.NewAgent("recorded")
					ag.SetRecorder(rec)
					defer ag.SetRecorder(nil)
					v = v.For(ag)
				}
				mask := uint64(1)<<(8*uint(k.Size())) - 1
				if k.Size() == 8 {
					mask = ^uint64(0)
				}
				// lastEvent checks the event of the operation just made.
				lastEvent := func(kind history.Kind, read, written int64) {
					t.Helper()
					if rec == nil {
						return
					}
					evs := rec.Events()
					rec.Reset()
					if len(evs) != 1 {
						t.Fatalf("%d events for one operation", len(evs))
					}
					e := evs[0]
					r, w := payload(uint64(read)&mask, k.Size()), payload(uint64(written)&mask, k.Size())
					if kind == history.EvWrite {
						r = 0
					}
					if kind == history.EvRead {
						w = 0
					}
					if e.Kind != kind || e.Read != r || e.Written != w || e.Size != k.Size() || e.ByteIndex != at*k.Size() {
						t.Fatalf("event %v read %#x written %#x, want %v read %#x written %#x", e, e.Read, e.Written, kind, r, w)
					}
				}
				// Neighbours hold a pattern that no operation on element 1 may disturb.
				sentinel := func() {
					for _, j := range []int{0, 2, 3} {
						if err := v.SetInt(j, 0x5a5a5a5a5a5a5a5a+int64(j)); err != nil {
							t.Fatal(err)
						}
					}
				}
				checkNeighbours := func(what string) {
					t.Helper()
					for _, j := range []int{0, 2, 3} {
						if got := must(t)(v.GetInt(j)); got != wrap(k, 0x5a5a5a5a5a5a5a5a+int64(j)) {
							t.Fatalf("%s disturbed element %d: %#x", what, j, got)
						}
					}
				}
				sentinel()
				if rec != nil {
					rec.Reset()
				}
				for _, init := range interesting {
					for _, x := range interesting {
						for _, op := range ops {
							if got := must(t)(Store(v, at, init)); got != init {
								t.Fatalf("Store(%#x) returned %#x, want its argument", init, got)
							}
							lastEvent(history.EvWrite, 0, init)
							if got := must(t)(Load(v, at)); got != wrap(k, init) {
								t.Fatalf("Load after Store(%#x) = %#x, want %#x", init, got, wrap(k, init))
							}
							lastEvent(history.EvRead, init, 0)
							old := must(t)(op.f(v, at, x))
							if old != wrap(k, init) {
								t.Fatalf("%s(%#x) on %#x returned %#x, want %#x", op.name, x, init, old, wrap(k, init))
							}
							lastEvent(history.EvRMW, init, op.want(wrap(k, init), x))
							if got, want := must(t)(Load(v, at)), wrap(k, op.want(wrap(k, init), x)); got != want {
								t.Fatalf("%s(%#x) on %#x left %#x, want %#x", op.name, x, init, got, want)
							}
							lastEvent(history.EvRead, op.want(wrap(k, init), x), 0)
						}
						// CompareExchange: expected is converted first, so any
						// representative of the element's value matches.
						Store(v, at, init)
						lastEvent(history.EvWrite, 0, init)
						cur := wrap(k, init)
						other := cur + 1<<(8*k.Size()) // same bits unless 64-bit
						if k.Size() == 8 {
							other = cur
						}
						if got := must(t)(CompareExchange(v, at, other, x)); got != cur {
							t.Fatalf("CompareExchange hit returned %#x, want %#x", got, cur)
						}
						lastEvent(history.EvRMW, cur, x)
						if got := must(t)(Load(v, at)); got != wrap(k, x) {
							t.Fatalf("CompareExchange hit left %#x, want %#x", got, wrap(k, x))
						}
						lastEvent(history.EvRead, x, 0)
						if wrap(k, x) != wrap(k, init+1) {
							if got := must(t)(CompareExchange(v, at, init+1, 7)); got != wrap(k, x) {
								t.Fatalf("CompareExchange miss returned %#x, want %#x", got, wrap(k, x))
							}
							lastEvent(history.EvRead, x, 0) // a failing compareExchange only reads
							if got := must(t)(Load(v, at)); got != wrap(k, x) {
								t.Fatalf("CompareExchange miss stored: %#x, want %#x", got, wrap(k, x))
							}
							lastEvent(history.EvRead, x, 0)
						}
						checkNeighbours("atomics on element 1")
						if rec != nil {
							rec.Reset() // drop the plain reads of the check
						}
					}
				}
			})
		}
	}
}

func TestSignAndWrap(t *testing.T) {
	cases := []struct {
		k          shared.Kind
		store, add int64
		old, after int64
	}{
		{shared.Int8, 127, 1, 127, -128},
		{shared.Uint8, 255, 1, 255, 0},
		{shared.Int8, -128, -1, -128, 127},
		{shared.Int16, 0x7fff, 1, 0x7fff, -0x8000},
		{shared.Uint16, 0, -1, 0, 0xffff},
		{shared.Int32, math.MaxInt32, 1, math.MaxInt32, math.MinInt32},
		{shared.Uint32, 0, -1, 0, 0xffffffff},
		{shared.BigInt64, math.MaxInt64, 1, math.MaxInt64, math.MinInt64},
		{shared.BigUint64, -1, 1, -1, 0}, // 2^64-1 reads as the bit pattern -1
		{shared.Uint8, 300, 0, 44, 44},   // ToUint8(300)
		{shared.Int8, 200, 0, -56, -56},  // ToInt8(200)
	}
	for _, c := range cases {
		v := newView(t, true, c.k, 2)
		Store(v, 1, c.store)
		if old := must(t)(Add(v, 1, c.add)); old != c.old {
			t.Errorf("%v: Add(%d) after Store(%d) returned %d, want %d", c.k, c.add, c.store, old, c.old)
		}
		if got := must(t)(Load(v, 1)); got != c.after {
			t.Errorf("%v: after Add: %d, want %d", c.k, got, c.after)
		}
	}
	// A BigUint64 above MaxInt64 round-trips as its bit pattern.
	v := newView(t, true, shared.BigUint64, 1)
	Store(v, 0, -2)
	if u, _ := v.GetUint(0); u != math.MaxUint64-1 {
		t.Errorf("BigUint64 element = %d, want 2^64-2", u)
	}
	if got := must(t)(Load(v, 0)); uint64(got) != math.MaxUint64-1 {
		t.Errorf("Load BigUint64 = %d", uint64(got))
	}
}

// payload is an element's value as Event carries it: byte j of the access
// in bits 8j..8j+7, that is, the value's little-endian bytes.
// The element's bytes in memory are its value in the host's byte order.
func payload(bits uint64, size int) uint64 {
	var b [8]byte
	switch size {
	case 1:
		b[0] = byte(bits)
	case 2:
		binary.NativeEndian.PutUint16(b[:], uint16(bits))
	case 4:
		binary.NativeEndian.PutUint32(b[:], uint32(bits))
	case 8:
		binary.NativeEndian.PutUint64(b[:], bits)
	}
	return binary.LittleEndian.Uint64(b[:])
}

// everyOp runs each Atomics operation on v at index i and returns the errors
// by operation name.
func everyOp(v *shared.TypedArray, i int) map[string]error {
	errs := map[string]error{}
	_, errs["Load"] = Load(v, i)
	_, errs["Store"] = Store(v, i, 1)
	_, errs["Add"] = Add(v, i, 1)
	_, errs["Sub"] = Sub(v, i, 1)
	_, errs["And"] = And(v, i, 1)
	_, errs["Or"] = Or(v, i, 1)
	_, errs["Xor"] = Xor(v, i, 1)
	_, errs["Exchange"] = Exchange(v, i, 1)
	_, errs["CompareExchange"] = CompareExchange(v, i, 0, 1)
	_, errs["Wait"] = Wait(v, i, 1, 0)
	_, errs["WaitAsync"] = WaitAsync(v, i, 1, 0)
	_, errs["Notify"] = Notify(v, i, 1)
	return errs
}

func wantKind(t *testing.T, what string, err error, kind shared.ErrorKind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", what, kind)
		return
	}
	if !errors.Is(err, kind) {
		t.Errorf("%s: error %q, want %v", what, err, kind)
	}
	var e *shared.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Op, "Atomics.") {
		t.Errorf("%s: error %q does not name the Atomics operation", what, err)
	}
}

func TestErrorKinds(t *testing.T) {
	// A nil view, and views Atomics refuses, are TypeErrors for every operation.
	for op, err := range everyOp(nil, 0) {
		wantKind(t, "nil view: "+op, err, shared.TypeError)
	}
	for _, k := range []shared.Kind{shared.Float16, shared.Float32, shared.Float64, shared.Uint8Clamped} {
		v := newView(t, true, k, 4)
		for op, err := range everyOp(v, 99) { // the kind is checked before the index
			wantKind(t, k.String()+" view: "+op, err, shared.TypeError)
		}
	}
	// Wait, WaitAsync and Notify take only Int32 and BigInt64 views.
	for _, k := range []shared.Kind{shared.Int8, shared.Uint8, shared.Int16, shared.Uint16, shared.Uint32, shared.BigUint64} {
		v := newView(t, true, k, 4)
		errs := everyOp(v, 0)
		for _, op := range []string{"Wait", "WaitAsync", "Notify"} {
			wantKind(t, k.String()+" view: "+op, errs[op], shared.TypeError)
		}
		for _, op := range []string{"Load", "Store", "Add", "CompareExchange"} {
			if errs[op] != nil {
				t.Errorf("%v view: %s: %v", k, op, errs[op])
			}
		}
	}
	// An index out of range is a RangeError, for shared and non-shared views.
	for _, isShared := range []bool{true, false} {
		for _, k := range []shared.Kind{shared.Int8, shared.Int32, shared.BigInt64} {
			v := newView(t, isShared, k, 4)
			for _, i := range []int{-1, 4, 5, math.MaxInt, math.MinInt} {
				for op, err := range everyOp(v, i) {
					if !isShared && (op == "Wait" || op == "WaitAsync") {
						continue // the shared check comes first: below
					}
					if k == shared.Int8 && (op == "Wait" || op == "WaitAsync" || op == "Notify") {
						continue
					}
					wantKind(t, fmt.Sprintf("%v shared=%v index %d: %s", k, isShared, i, op), err, shared.RangeError)
				}
			}
		}
	}
	// Wait and WaitAsync on a non-shared buffer: TypeError, even with a bad
	// index (the buffer is checked first). Notify returns 0.
	for _, k := range []shared.Kind{shared.Int32, shared.BigInt64} {
		v := newView(t, false, k, 4)
		_, err := Wait(v, 0, 0, 0)
		wantKind(t, "Wait on ArrayBuffer", err, shared.TypeError)
		_, err = Wait(v, 9, 0, 0)
		wantKind(t, "Wait on ArrayBuffer, bad index", err, shared.TypeError)
		_, err = WaitAsync(v, 0, 0, Forever)
		wantKind(t, "WaitAsync on ArrayBuffer", err, shared.TypeError)
		if n, err := Notify(v, 0, All); n != 0 || err != nil {
			t.Errorf("Notify on ArrayBuffer = %d, %v; want 0, nil", n, err)
		}
		_, err = Notify(v, 4, All)
		wantKind(t, "Notify on ArrayBuffer, bad index", err, shared.RangeError)
	}
	// A detached ArrayBuffer: TypeError for every operation, even with a bad index.
	for _, k := range []shared.Kind{shared.Int8, shared.Int32, shared.BigInt64} {
		ab, err := shared.NewArrayBuffer(4 * k.Size())
		if err != nil {
			t.Fatal(err)
		}
		v, _ := shared.View(ab, k)
		Store(v, 0, 42)
		nb, err := ab.Transfer()
		if err != nil {
			t.Fatal(err)
		}
		for op, err := range everyOp(v, 0) {
			wantKind(t, k.String()+" detached: "+op, err, shared.TypeError)
		}
		for op, err := range everyOp(v, 100) {
			wantKind(t, k.String()+" detached, bad index: "+op, err, shared.TypeError)
		}
		// The bytes moved: a view over the new buffer sees them.
		w, _ := shared.View(nb, k)
		if got := must(t)(Load(w, 0)); got != 42 {
			t.Errorf("after transfer: %d, want 42", got)
		}
	}
}

func TestWaitCannotBlock(t *testing.T) {
	a := shared.NewAgent("main thread")
	a.SetCanBlock(false)
	buf, _ := shared.NewBuffer(16, shared.CreatedBy(a))
	v, _ := shared.View(buf, shared.Int32)
	_, err := Wait(v, 0, 0, 0)
	wantKind(t, "Wait by an agent that cannot block", err, shared.TypeError)
	_, err = Wait(v, 0, 1, 0) // not-equal would not block, but the check comes first
	wantKind(t, "Wait (not-equal) by an agent that cannot block", err, shared.TypeError)
	// The index is validated before [[CanBlock]].
	_, err = Wait(v, 4, 0, 0)
	wantKind(t, "Wait with a bad index by an agent that cannot block", err, shared.RangeError)
	// WaitAsync does not block, so it is allowed.
	r, err := WaitAsync(v, 0, 0, 0)
	if err != nil || r.Async() {
		t.Fatalf("WaitAsync by an agent that cannot block = %v, %v", r, err)
	}
	if res, ok := r.Value(); !ok || res != TimedOut {
		t.Errorf("WaitAsync zero timeout = %q, %v; want timed-out", res, ok)
	}
	// Another agent over the same memory may block.
	b := shared.NewAgent("worker")
	if res, err := Wait(v.For(b), 0, 0, 0); err != nil || res != TimedOut {
		t.Errorf("Wait by a blocking agent = %q, %v", res, err)
	}
}

func TestLengthTrackingAndGrowth(t *testing.T) {
	buf, err := shared.NewGrowableBuffer(8, 64)
	if err != nil {
		t.Fatal(err)
	}
	v, err := shared.NewLengthTrackingArray(buf, shared.Int32, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Add(v, 1, 1); !errors.Is(err, shared.RangeError) {
		t.Fatalf("Add beyond the tracked length: %v", err)
	}
	if err := buf.Grow(16); err != nil {
		t.Fatal(err)
	}
	if old := must(t)(Add(v, 2, 5)); old != 0 {
		t.Fatalf("Add after Grow returned %d", old)
	}
	if got := must(t)(Load(v, 2)); got != 5 {
		t.Fatalf("Load after Grow = %d", got)
	}
	if _, err := Load(v, 3); !errors.Is(err, shared.RangeError) {
		t.Fatalf("Load beyond the grown length: %v", err)
	}
	// Wait and Notify work on length-tracking views of shared buffers.
	if res, err := Wait(v, 2, 5, 0); err != nil || res != TimedOut {
		t.Fatalf("Wait = %q, %v", res, err)
	}
}

func TestIsLockFree(t *testing.T) {
	for _, n := range []int{1, 2, 4, 8} {
		if !IsLockFree(n) && !(n == 8 && !lockFree8) {
			t.Errorf("IsLockFree(%d) = false", n)
		}
	}
	for _, n := range []int{-1, 0, 3, 5, 16} {
		if IsLockFree(n) {
			t.Errorf("IsLockFree(%d) = true", n)
		}
	}
}

func TestPause(t *testing.T) {
	Pause()
	for _, n := range []float64{0, -0.0, 1, 3, 1e300, -5} {
		if err := PauseN(n); err != nil {
			t.Errorf("PauseN(%v): %v", n, err)
		}
	}
	for _, n := range []float64{0.5, -1.5, math.NaN(), math.Inf(1), math.Inf(-1)} {
		err := PauseN(n)
		if !errors.Is(err, shared.TypeError) {
			t.Errorf("PauseN(%v) = %v, want TypeError", n, err)
		}
	}
}

package shared_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// jsErrorRow is a row of the table in docs/semantics.md ("What a JavaScript
// layer does with them"): the case (first column, verbatim), the Go result
// (second column, verbatim) and what a JavaScript layer does (fourth column,
// verbatim); kind is the error kind the Go result names (0 for no error), and
// call makes the Go call and checks whatever else the row promises.
type jsErrorRow struct {
	call, goResult, layer string
	kind                  shared.ErrorKind
	run                   func(f *jsFixture) error
}

// jsFixture holds fresh buffers and views for one row.
type jsFixture struct {
	sab, growable *shared.Buffer
	i32, f64      *shared.TypedArray // over sab
	dv            *shared.DataView   // over sab
	ab            *shared.ArrayBuffer
	abI32         *shared.TypedArray // over ab
	gone          *shared.ArrayBuffer
	goneI32       *shared.TypedArray // over gone, detached
	goneDV        *shared.DataView   // over gone, detached
	q             *shared.Queue      // maxsize 1, empty
	i32Before     []byte             // sab's bytes, to check that nothing was written
}

func newJSFixture(t *testing.T) *jsFixture {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f := &jsFixture{}
	var err error
	f.sab, err = shared.NewBuffer(16)
	must(err)
	f.growable, err = shared.NewGrowableBuffer(8, 16)
	must(err)
	f.i32, err = shared.NewTypedArray(f.sab, shared.Int32, 0, 4)
	must(err)
	f.f64, err = shared.NewTypedArray(f.sab, shared.Float64, 0, 2)
	must(err)
	f.dv, err = shared.NewDataView(f.sab, 0, 16)
	must(err)
	for i := 0; i < 4; i++ {
		must(f.i32.SetInt(i, int64(i+1)))
	}
	f.i32Before = f.sab.Bytes()
	f.ab, err = shared.NewArrayBuffer(16)
	must(err)
	f.abI32, err = shared.NewTypedArray(f.ab, shared.Int32, 0, 4)
	must(err)
	f.gone, err = shared.NewArrayBuffer(16)
	must(err)
	f.goneI32, err = shared.NewTypedArray(f.gone, shared.Int32, 4, 2)
	must(err)
	f.goneDV, err = shared.NewDataView(f.gone, 4, 8)
	must(err)
	_, err = f.gone.Transfer()
	must(err)
	f.q = shared.NewQueue(1)
	return f
}

// unchanged reports an error if sab's bytes changed since the fixture was made.
func (f *jsFixture) unchanged() error {
	if got := f.sab.Bytes(); string(got) != string(f.i32Before) {
		return fmt.Errorf("bytes changed from %v to %v", f.i32Before, got)
	}
	return nil
}

// firstErr returns the first non-nil error, or nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// sameKind returns nil if every error has kind k (and not the other of
// TypeError and RangeError), or the first one that has not; a nil error is
// reported as such.
func sameKind(k shared.ErrorKind, errs ...error) error {
	for i, err := range errs {
		if err == nil {
			return fmt.Errorf("call %d: no error, want %v", i, k)
		}
		other := shared.RangeError
		if k == shared.RangeError {
			other = shared.TypeError
		}
		if !errors.Is(err, k) || errors.Is(err, other) {
			return err
		}
	}
	return errors.Join(errs...) // all of kind k
}

var jsErrorRows = []jsErrorRow{
	{"`TypedArray` `Get*`, index out of range", "`RangeError`", "returns `undefined`", shared.RangeError,
		func(f *jsFixture) error {
			_, e1 := f.i32.GetInt(-1)
			_, e2 := f.i32.GetInt(4)
			_, e3 := f.i32.GetUint(4)
			_, e4 := f.i32.GetFloat(4)
			_, e5 := f.i32.GetBits(1 << 40)
			return sameKind(shared.RangeError, e1, e2, e3, e4, e5)
		}},
	{"`TypedArray` `Get*`, buffer detached", "`TypeError`", "returns `undefined`", shared.TypeError,
		func(f *jsFixture) error {
			_, e1 := f.goneI32.GetInt(0)
			_, e2 := f.goneI32.GetFloat(0)
			_, e3 := f.goneI32.GetBits(0)
			return sameKind(shared.TypeError, e1, e2, e3)
		}},
	{"`TypedArray` `Set*`, index out of range", "`RangeError`, nothing written", "ignores the write", shared.RangeError,
		func(f *jsFixture) error {
			err := sameKind(shared.RangeError, f.i32.SetInt(-1, 9), f.i32.SetInt(4, 9), f.i32.SetFloat(4, 9), f.i32.SetBits(4, 9))
			if bad := f.unchanged(); bad != nil {
				return bad
			}
			return err
		}},
	{"`TypedArray` `Set*`, buffer detached", "`TypeError`, nothing written", "ignores the write", shared.TypeError,
		func(f *jsFixture) error {
			err := sameKind(shared.TypeError, f.goneI32.SetInt(0, 9), f.goneI32.SetFloat(0, 9), f.goneI32.SetBits(0, 9))
			if f.gone.ByteLength() != 0 {
				return fmt.Errorf("the detached buffer has byte length %d", f.gone.ByteLength())
			}
			return err
		}},
	{"`TypedArray` `Length`, `ByteLength`, `ByteOffset`, buffer detached", "0, no error", "returns 0", 0,
		func(f *jsFixture) error {
			if n, b, o := f.goneI32.Length(), f.goneI32.ByteLength(), f.goneI32.ByteOffset(); n != 0 || b != 0 || o != 0 {
				return fmt.Errorf("Length %d, ByteLength %d, ByteOffset %d", n, b, o)
			}
			return nil
		}},
	{"`NewTypedArray`, offset not a multiple of the element size, or past the end", "`RangeError`", "throws `RangeError`", shared.RangeError,
		func(f *jsFixture) error {
			_, e1 := shared.NewTypedArray(f.sab, shared.Int32, 2, 1)
			_, e2 := shared.NewTypedArray(f.sab, shared.Int32, 0, 5)
			_, e3 := shared.NewTypedArray(f.sab, shared.Int32, 20, 0)
			return sameKind(shared.RangeError, e1, e2, e3)
		}},
	{"`NewTypedArray`, buffer detached", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			_, err := shared.NewTypedArray(f.gone, shared.Int32, 0, 0)
			return sameKind(shared.TypeError, err)
		}},
	{"`DataView` `Get*`/`Set*`, offset negative or access past the end", "`RangeError`", "throws `RangeError`", shared.RangeError,
		func(f *jsFixture) error {
			_, e1 := f.dv.GetInt32(-1, false)
			_, e2 := f.dv.GetInt32(13, false)
			e3 := f.dv.SetInt32(13, 9, false)
			_, e4 := f.dv.GetFloat64(9, true)
			err := sameKind(shared.RangeError, e1, e2, e3, e4)
			if bad := f.unchanged(); bad != nil {
				return bad
			}
			return err
		}},
	{"`DataView` `Get*`/`Set*`, buffer detached", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			_, e1 := f.goneDV.GetInt32(0, false)
			e2 := f.goneDV.SetInt32(0, 9, false)
			return sameKind(shared.TypeError, e1, e2)
		}},
	{"`DataView` `ByteLength`, `ByteOffset`, buffer detached", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			_, e1 := f.goneDV.ByteLength()
			_, e2 := f.goneDV.ByteOffset()
			return sameKind(shared.TypeError, e1, e2)
		}},
	{"`NewDataView`, offset or length past the end", "`RangeError`", "throws `RangeError`", shared.RangeError,
		func(f *jsFixture) error {
			_, e1 := shared.NewDataView(f.sab, 17, 0)
			_, e2 := shared.NewDataView(f.sab, 8, 9)
			return sameKind(shared.RangeError, e1, e2)
		}},
	{"`atomics` operations, index out of range", "`RangeError`", "throws `RangeError`", shared.RangeError,
		func(f *jsFixture) error {
			_, e1 := atomics.Load(f.i32, 4)
			_, e2 := atomics.Store(f.i32, -1, 9)
			_, e3 := atomics.Add(f.i32, 4, 9)
			_, e4 := atomics.CompareExchange(f.i32, 4, 0, 9)
			_, e5 := atomics.Load(f.abI32, 4)
			err := sameKind(shared.RangeError, e1, e2, e3, e4, e5)
			if bad := f.unchanged(); bad != nil {
				return bad
			}
			return err
		}},
	{"`atomics` operations, float or Uint8Clamped view, or buffer detached", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			u8c, err := shared.NewTypedArray(f.sab, shared.Uint8Clamped, 0, 16)
			if err != nil {
				return err
			}
			_, e1 := atomics.Load(f.f64, 0)
			_, e2 := atomics.Add(u8c, 0, 1)
			_, e3 := atomics.Load(f.goneI32, 0)
			return sameKind(shared.TypeError, e1, e2, e3)
		}},
	{"`atomics.Wait`, view over an ArrayBuffer", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			_, err := atomics.Wait(f.abI32, 0, 0, 0)
			return sameKind(shared.TypeError, err)
		}},
	{"`atomics.Notify`, view over an ArrayBuffer", "0, no error", "returns 0", 0,
		func(f *jsFixture) error {
			n, err := atomics.Notify(f.abI32, 0, 1)
			if err != nil || n != 0 {
				return fmt.Errorf("Notify = %d, %v", n, err)
			}
			return nil
		}},
	{"`atomics.PauseN`, not an integral Number", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			return sameKind(shared.TypeError, atomics.PauseN(1.5))
		}},
	{"`NewBuffer`, `NewArrayBuffer`, length negative or too large", "`RangeError`", "throws `RangeError`", shared.RangeError,
		func(f *jsFixture) error {
			_, e1 := shared.NewBuffer(-1)
			_, e2 := shared.NewArrayBuffer(-1)
			_, e3 := shared.NewGrowableBuffer(8, 4)
			return sameKind(shared.RangeError, e1, e2, e3)
		}},
	{"`Buffer` `Grow`, buffer not growable", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			return sameKind(shared.TypeError, f.sab.Grow(32))
		}},
	{"`Buffer` `Grow`, shorter than now or beyond the maximum", "`RangeError`", "throws `RangeError`", shared.RangeError,
		func(f *jsFixture) error {
			return sameKind(shared.RangeError, f.growable.Grow(4), f.growable.Grow(17))
		}},
	{"`ArrayBuffer` `Transfer`, `Slice`, buffer detached", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			_, e1 := f.gone.Transfer()
			_, e2 := f.gone.TransferToLength(4)
			_, e3 := f.gone.Slice(0, 1)
			return sameKind(shared.TypeError, e1, e2, e3)
		}},
	{"`ArrayBuffer` `TransferToLength`, length negative", "`RangeError`", "throws `RangeError`", shared.RangeError,
		func(f *jsFixture) error {
			_, err := f.ab.TransferToLength(-1)
			if f.ab.Detached() {
				return errors.New("a refused transfer detached the buffer")
			}
			return sameKind(shared.RangeError, err)
		}},
	{"`shared.Transfer` of a `*Buffer`", "`TypeError`", "throws `TypeError`", shared.TypeError,
		func(f *jsFixture) error {
			_, err := shared.Transfer(f.sab)
			return sameKind(shared.TypeError, err)
		}},
	{"`Queue` `GetNowait`, queue empty", "`QueueEmpty`", "throws `QueueEmpty`", shared.QueueEmpty,
		func(f *jsFixture) error {
			_, err := f.q.GetNowait()
			return err
		}},
	{"`Queue` `PutNowait`, queue full", "`QueueFull`", "throws `QueueFull`", shared.QueueFull,
		func(f *jsFixture) error {
			if err := f.q.PutNowait(1); err != nil {
				return err
			}
			return f.q.PutNowait(2)
		}},
	{"`Queue` `Put*`, value not shareable", "`NotShareable` (also a `TypeError`)", "throws `NotShareableError`", shared.NotShareable,
		func(f *jsFixture) error {
			err := f.q.PutNowait(map[string]int{})
			if !errors.Is(err, shared.TypeError) {
				return fmt.Errorf("%v is not also a TypeError", err)
			}
			return err
		}},
}

// TestJSErrorTable pins the Go behaviour that docs/semantics.md's table of
// errors states, row by row, and checks that the table and this test list
// the same rows with the same Go results and JavaScript-layer actions, so
// that neither can drift from the other unnoticed.
func TestJSErrorTable(t *testing.T) {
	for _, r := range jsErrorRows {
		err := r.run(newJSFixture(t))
		switch {
		case r.kind == 0 && err != nil:
			t.Errorf("%s: %v, want no error", r.call, err)
		case r.kind != 0 && (err == nil || !errors.Is(err, r.kind)):
			t.Errorf("%s: %v, want %v", r.call, err, r.kind)
		}
	}

	doc, err := os.ReadFile("../docs/semantics.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{} // first cell → cells
	var order []string
	in := false
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| sabre call (Go) |") {
			in = true
			continue
		}
		if !in {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		if strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 5 {
			t.Errorf("docs/semantics.md: row %q has %d cells, want 5", line, len(cells))
			continue
		}
		rows[cells[0]] = cells
		order = append(order, cells[0])
	}
	if len(order) == 0 {
		t.Fatal("docs/semantics.md has no table headed \"| sabre call (Go) |\"")
	}
	tested := map[string]bool{}
	for _, r := range jsErrorRows {
		tested[r.call] = true
		cells, ok := rows[r.call]
		if !ok {
			t.Errorf("docs/semantics.md's table has no row %q", r.call)
			continue
		}
		if cells[1] != r.goResult || cells[3] != r.layer {
			t.Errorf("docs/semantics.md, row %q: Go result %q and JavaScript layer %q; the test pins %q and %q",
				r.call, cells[1], cells[3], r.goResult, r.layer)
		}
		if r.kind != 0 && !strings.HasPrefix(r.goResult, "`"+goKindName(r.kind)+"`") {
			t.Errorf("row %q: Go result %q does not begin with the kind %v", r.call, r.goResult, r.kind)
		}
	}
	for _, c := range order {
		if !tested[c] {
			t.Errorf("docs/semantics.md's table has row %q, which this test does not pin", c)
		}
	}
}

// goKindName is the Go name of an error kind (NotShareable's String is
// PEP 734's NotShareableError).
func goKindName(k shared.ErrorKind) string {
	if k == shared.NotShareable {
		return "NotShareable"
	}
	return k.String()
}

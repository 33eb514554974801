package shared_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/shared"
)

// smView is a view in the state machine, with what the model knows of it.
type smView struct {
	v      *shared.TypedArray
	kind   shared.Kind
	shared bool // over a Buffer (else an ArrayBuffer)
}

// smWait is a pending WaitAsync, the location it waits on, and the view
// and index it was made with.
type smWait struct {
	a   *atomics.AsyncWait
	loc [2]uint64 // buffer ID, byte index
	sv  smView
	i   int
}

// smItem is what a put enqueued, as the model expects the get to find it.
type smItem struct {
	kind string // "int", "bytes", "sab", "ab", "view", "tuple"
	n    int64
	b    []byte         // bytes, or the transferred ArrayBuffer's contents
	sab  *shared.Buffer // the Buffer passed by reference
	vk   shared.Kind    // the transferred view's kind
	vlen int
}

// machine is the state of one run: every value made so far and the model.
type machine struct {
	rec      *history.Recorder // nil when the run is not recorded
	agents   []*shared.Agent   // views are rebound among these (nil and a zero Agent too)
	sabs     []*shared.Buffer
	abs      []*shared.ArrayBuffer
	views    []smView
	dvs      []*shared.DataView
	queues   []*shared.Queue
	items    map[*shared.Queue][]smItem // the model of each queue's contents (by handle's queue)
	qmax     map[*shared.Queue]int
	pending  []smWait
	detached map[uint64]bool // model: the IDs of detached ArrayBuffer blocks
}

// smErr fails unless err is nil or a *shared.Error of a documented kind, and
// returns its kind (0 for nil).
func smErr(t *rapid.T, what string, err error) shared.ErrorKind {
	t.Helper()
	if err == nil {
		return 0
	}
	var e *shared.Error
	if !errors.As(err, &e) || e.Kind < shared.TypeError || e.Kind > shared.NotShareable {
		t.Fatalf("%s: error %v (%T) is not a *shared.Error of a documented kind", what, err, err)
	}
	return e.Kind
}

// smWant fails unless err has kind want (0: no error).
func smWant(t *rapid.T, what string, err error, want shared.ErrorKind) {
	t.Helper()
	if got := smErr(t, what, err); got != want {
		t.Fatalf("%s: error %v, want kind %v", what, err, want)
	}
}

func pick[E any](t *rapid.T, name string, xs []E) (E, int) {
	if len(xs) == 0 {
		t.Skip("no " + name)
	}
	i := rapid.IntRange(0, len(xs)-1).Draw(t, name)
	return xs[i], i
}

// index draws an element or byte index: mostly near the valid range,
// sometimes hostile.
func index(t *rapid.T, name string) int {
	return rapid.OneOf(rapid.IntRange(-2, 24),
		rapid.SampledFrom([]int{math.MinInt, math.MaxInt, 1 << 53, 1<<32 + 1})).Draw(t, name)
}

// elemIndex draws an index of v: mostly a valid one, else as index.
func elemIndex(t *rapid.T, v *shared.TypedArray) int {
	if n := v.Length(); n > 0 && rapid.IntRange(0, 2).Draw(t, "in range") > 0 {
		return rapid.IntRange(0, n-1).Draw(t, "index")
	}
	return index(t, "index")
}

// smKinds are the kinds drawn: every kind, two invalid ones, and the kinds
// Atomics.wait accepts again, so that waits are common.
var smKinds = []shared.Kind{0, shared.Int8, shared.Uint8, shared.Uint8Clamped, shared.Int16, shared.Uint16,
	shared.Int32, shared.Uint32, shared.BigInt64, shared.BigUint64, shared.Float16, shared.Float32,
	shared.Float64, 200, shared.Int32, shared.BigInt64}

func (m *machine) opts(t *rapid.T) []shared.Option {
	var o []shared.Option
	if m.rec != nil {
		o = append(o, shared.WithRecorder(m.rec))
	}
	ag, _ := pick(t, "creator", m.agents)
	return append(o, shared.CreatedBy(ag))
}

func (m *machine) addAB(ab *shared.ArrayBuffer) {
	m.abs = append(m.abs, ab)
}

// backing draws a buffer to make a view over: any Buffer or ArrayBuffer
// made so far (detached ones too), or a degenerate one.
func (m *machine) backing(t *rapid.T) (b shared.Backing, blk uint64, isShared, ok bool) {
	switch rapid.IntRange(0, 9).Draw(t, "backing") {
	case 0:
		return nil, 0, false, false
	case 1:
		return (*shared.Buffer)(nil), 0, false, false
	case 2:
		return &shared.ArrayBuffer{}, 0, false, false
	case 3, 4, 5:
		if len(m.abs) > 0 {
			ab, _ := pick(t, "ab", m.abs)
			return ab, ab.ID(), false, true
		}
	}
	if len(m.sabs) == 0 {
		t.Skip("no buffer")
	}
	s, _ := pick(t, "sab", m.sabs)
	return s, s.ID(), true, true
}

// typedArrayError is InitializeTypedArrayFromArrayBuffer's first error for
// these arguments (0 for none), in the spec's order.
func typedArrayError(ok bool, kind shared.Kind, off, length int, tracking, detached, growable bool, n int) shared.ErrorKind {
	switch {
	case !ok || !kind.Valid():
		return shared.TypeError
	case off < 0 || off >= 1<<53 || off%kind.Size() != 0:
		return shared.RangeError
	case !tracking && (length < 0 || length >= 1<<53):
		return shared.RangeError
	case detached:
		return shared.TypeError
	case off > n:
		return shared.RangeError
	case tracking && !growable && (n-off)%kind.Size() != 0:
		return shared.RangeError
	case !tracking && length > (n-off)/kind.Size():
		return shared.RangeError
	}
	return 0
}

func (m *machine) init(t *rapid.T) {
	m.items = map[*shared.Queue][]smItem{}
	m.qmax = map[*shared.Queue]int{}
	m.detached = map[uint64]bool{}
	main, other := shared.NewAgent("main"), shared.NewAgent("other")
	if rapid.Bool().Draw(t, "recorded") {
		m.rec = history.NewRecorder()
		main.SetRecorder(m.rec)
		other.SetRecorder(m.rec)
		t.Cleanup(func() { main.SetRecorder(nil); other.SetRecorder(nil) })
	}
	m.agents = []*shared.Agent{main, other, nil, {}}
}

func (m *machine) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"": m.check,
		"NewBuffer": func(t *rapid.T) {
			n := rapid.IntRange(-2, 64).Draw(t, "n")
			b, err := shared.NewBuffer(n, m.opts(t)...)
			if n < 0 {
				smWant(t, "NewBuffer", err, shared.RangeError)
				return
			}
			smWant(t, "NewBuffer", err, 0)
			if b.ByteLength() != n || !bytes.Equal(b.Bytes(), make([]byte, n)) {
				t.Fatalf("NewBuffer(%d): %d bytes % x", n, b.ByteLength(), b.Bytes())
			}
			m.sabs = append(m.sabs, b)
		},
		"NewGrowableBuffer": func(t *rapid.T) {
			n, max := rapid.IntRange(-1, 32).Draw(t, "n"), rapid.IntRange(-1, 96).Draw(t, "max")
			b, err := shared.NewGrowableBuffer(n, max, m.opts(t)...)
			if n < 0 || max < n {
				smWant(t, "NewGrowableBuffer", err, shared.RangeError)
				return
			}
			smWant(t, "NewGrowableBuffer", err, 0)
			m.sabs = append(m.sabs, b)
		},
		"Grow": func(t *rapid.T) {
			b, _ := pick(t, "sab", m.sabs)
			n := rapid.OneOf(rapid.IntRange(-1, 100), rapid.Just(math.MaxInt)).Draw(t, "newLength")
			cur := b.ByteLength()
			err := b.Grow(n)
			switch {
			case !b.Growable():
				smWant(t, "Grow", err, shared.TypeError)
			case n < cur || n > b.MaxByteLength():
				smWant(t, "Grow", err, shared.RangeError)
			default:
				smWant(t, "Grow", err, 0)
				if b.ByteLength() != n {
					t.Fatalf("Grow(%d): length %d", n, b.ByteLength())
				}
			}
		},
		"SliceBuffer": func(t *rapid.T) {
			b, _ := pick(t, "sab", m.sabs)
			ag, _ := pick(t, "agent", m.agents)
			b = b.For(ag)
			start, end := rapid.IntRange(-20, 70).Draw(t, "start"), rapid.IntRange(-20, 70).Draw(t, "end")
			before := b.Bytes()
			nb, err := b.Slice(start, end)
			smWant(t, "Slice", err, 0)
			from, to := relIndex(start, len(before)), relIndex(end, len(before))
			if to < from {
				to = from
			}
			if !bytes.Equal(nb.Bytes(), before[from:to]) || nb.Same(b) {
				t.Fatalf("Slice(%d, %d) of % x: % x", start, end, before, nb.Bytes())
			}
			m.sabs = append(m.sabs, nb)
		},
		"NewArrayBuffer": func(t *rapid.T) {
			n := rapid.IntRange(-1, 48).Draw(t, "n")
			b, err := shared.NewArrayBuffer(n, m.opts(t)...)
			if n < 0 {
				smWant(t, "NewArrayBuffer", err, shared.RangeError)
				return
			}
			smWant(t, "NewArrayBuffer", err, 0)
			m.addAB(b)
		},
		"Transfer": func(t *rapid.T) {
			b, _ := pick(t, "ab", m.abs)
			wasDetached := m.detached[b.ID()]
			before, _ := b.Bytes()
			var nb *shared.ArrayBuffer
			var err error
			n := len(before)
			if rapid.Bool().Draw(t, "toLength") {
				n = rapid.OneOf(rapid.IntRange(-1, 48), rapid.SampledFrom([]int{1<<32 + 1, 1 << 53, math.MaxInt})).Draw(t, "newLength")
				nb, err = b.TransferToLength(n)
			} else {
				nb, err = b.Transfer()
			}
			switch {
			case n < 0 || n >= 1<<53:
				smWant(t, "Transfer", err, shared.RangeError)
				return
			case wasDetached:
				smWant(t, "Transfer", err, shared.TypeError)
				return
			case n > shared.MaxBufferLength:
				smWant(t, "Transfer", err, shared.RangeError)
				if b.Detached() {
					t.Fatal("a transfer that failed detached its buffer")
				}
				return
			}
			smWant(t, "Transfer", err, 0)
			m.detached[b.ID()] = true
			got, err := nb.Bytes()
			smWant(t, "Bytes", err, 0)
			want := append(before[:min(n, len(before)):min(n, len(before))], make([]byte, max(n-len(before), 0))...)
			if !bytes.Equal(got, want) {
				t.Fatalf("transferred % x to length %d: % x", before, n, got)
			}
			m.addAB(nb)
		},
		"SliceArrayBuffer": func(t *rapid.T) {
			b, _ := pick(t, "ab", m.abs)
			start, end := rapid.IntRange(-20, 60).Draw(t, "start"), rapid.IntRange(-20, 60).Draw(t, "end")
			nb, err := b.Slice(start, end)
			if m.detached[b.ID()] {
				smWant(t, "ArrayBuffer.Slice", err, shared.TypeError)
				_, err = b.Bytes()
				smWant(t, "ArrayBuffer.Bytes", err, shared.TypeError)
				return
			}
			smWant(t, "ArrayBuffer.Slice", err, 0)
			all, _ := b.Bytes()
			from, to := relIndex(start, len(all)), max(relIndex(end, len(all)), relIndex(start, len(all)))
			got, _ := nb.Bytes()
			if !bytes.Equal(got, all[from:to]) {
				t.Fatalf("Slice(%d, %d) of % x: % x", start, end, all, got)
			}
			m.addAB(nb)
		},
		"NewTypedArray": func(t *rapid.T) {
			buf, blk, isShared, ok := m.backing(t)
			kind := rapid.SampledFrom(smKinds).Draw(t, "kind")
			tracking := rapid.IntRange(0, 3).Draw(t, "tracking") == 0
			growable, n := false, 0
			if ok {
				n = buf.ByteLength()
				if s, isBuf := buf.(*shared.Buffer); isBuf {
					growable = s.Growable()
				}
			}
			var off, length int
			if size := kind.Size(); size > 0 && rapid.Bool().Draw(t, "fits") {
				// Mostly views that fit, so that the other actions have views to use.
				off = size * rapid.IntRange(0, n/size).Draw(t, "element offset")
				length = rapid.IntRange(0, (n-off)/size).Draw(t, "length")
			} else {
				off = rapid.OneOf(rapid.IntRange(-1, 40), rapid.SampledFrom([]int{1 << 53, math.MaxInt})).Draw(t, "byteOffset")
				length = index(t, "length")
			}
			want := typedArrayError(ok, kind, off, length, tracking, m.detached[blk], growable, n)
			var v *shared.TypedArray
			var err error
			if tracking {
				v, err = shared.NewLengthTrackingArray(buf, kind, off)
			} else {
				v, err = shared.NewTypedArray(buf, kind, off, length)
			}
			smWant(t, fmt.Sprintf("NewTypedArray(%v, off %d, len %d, tracking %v)", kind, off, length, tracking), err, want)
			if err == nil {
				m.views = append(m.views, smView{v: v, kind: kind, shared: isShared})
			}
		},
		"For": func(t *rapid.T) {
			sv, i := pick(t, "view", m.views)
			ag, _ := pick(t, "agent", m.agents)
			sv.v = sv.v.For(ag)
			m.views[i] = sv
		},
		"SetGet": func(t *rapid.T) {
			sv, _ := pick(t, "view", m.views)
			i := elemIndex(t, sv.v)
			var bits uint64
			var err error
			if sv.kind.IsFloat() && rapid.Bool().Draw(t, "float") {
				f := rapid.Float64().Draw(t, "x")
				bits, err = sv.kind.FromFloat64(f), sv.v.SetFloat(i, f)
			} else {
				x := rapid.Int64().Draw(t, "x")
				bits, err = sv.kind.FromInt64(x), sv.v.SetInt(i, x)
			}
			_, gerr := sv.v.GetBits(i)
			switch {
			case m.detached[sv.v.BufferID()]:
				smWant(t, "TypedArray set on a detached buffer", err, shared.TypeError)
				smWant(t, "TypedArray get on a detached buffer", gerr, shared.TypeError)
			case i < 0 || i >= sv.v.Length():
				smWant(t, "TypedArray set out of range", err, shared.RangeError)
				smWant(t, "TypedArray get out of range", gerr, shared.RangeError)
			default:
				smWant(t, "TypedArray set", err, 0)
				got, err := sv.v.GetBits(i)
				smWant(t, "TypedArray get", err, 0)
				if got != bits {
					t.Fatalf("%v[%d]: wrote bits %#x, read back %#x", sv.kind, i, bits, got)
				}
				if x, _ := sv.v.GetInt(i); x != sv.kind.Int64(got) {
					t.Fatalf("%v[%d]: GetInt %d is not Int64(%#x)", sv.kind, i, x, got)
				}
			}
		},
		"DataView": func(t *rapid.T) {
			buf, blk, _, ok := m.backing(t)
			n := 0
			if ok {
				n = buf.ByteLength()
			}
			off, length := index(t, "byteOffset"), index(t, "byteLength")
			if rapid.Bool().Draw(t, "fits") {
				off = rapid.IntRange(0, n).Draw(t, "offset in range")
				length = rapid.IntRange(0, n-off).Draw(t, "length in range")
			}
			dv, err := shared.NewDataView(buf, off, length)
			var want shared.ErrorKind
			switch {
			case !ok:
				want = shared.TypeError
			case off < 0 || off >= 1<<53:
				want = shared.RangeError
			case m.detached[blk]:
				want = shared.TypeError
			case off > n || length < 0 || length >= 1<<53 || length > n-off:
				want = shared.RangeError
			}
			smWant(t, fmt.Sprintf("NewDataView(off %d, len %d) over %d bytes", off, length, n), err, want)
			if err == nil {
				m.dvs = append(m.dvs, dv)
			}
		},
		"DataViewSetGet": func(t *rapid.T) {
			dv, _ := pick(t, "dataView", m.dvs)
			kind := rapid.SampledFrom(smKinds).Draw(t, "kind")
			off := index(t, "byteOffset")
			le := rapid.Bool().Draw(t, "littleEndian")
			bits := rapid.Uint64().Draw(t, "bits")
			err := dv.SetBits(kind, off, bits, le)
			n, lerr := dv.ByteLength()
			switch {
			case !kind.Valid() || kind == shared.Uint8Clamped:
				smWant(t, "DataView set of a kind it lacks", err, shared.TypeError)
			case off < 0 || off >= 1<<53:
				smWant(t, "DataView set at a bad index", err, shared.RangeError)
			case m.detached[dv.BufferID()]:
				smWant(t, "DataView set on a detached buffer", err, shared.TypeError)
				smWant(t, "DataView byteLength of a detached buffer", lerr, shared.TypeError)
			case off+kind.Size() > n:
				smWant(t, "DataView set out of range", err, shared.RangeError)
			default:
				smWant(t, "DataView set", err, 0)
				got, err := dv.GetBits(kind, off, le)
				smWant(t, "DataView get", err, 0)
				mask := uint64(math.MaxUint64) >> (64 - 8*kind.Size())
				if got != bits&mask {
					t.Fatalf("DataView %v at %d (le %v): wrote %#x, read %#x", kind, off, le, bits&mask, got)
				}
			}
		},
		"Atomics": func(t *rapid.T) {
			sv, _ := pick(t, "view", m.views)
			i := elemIndex(t, sv.v)
			x := rapid.Int64().Draw(t, "x")
			var want shared.ErrorKind
			switch {
			case m.detached[sv.v.BufferID()] || !sv.kind.IsInteger():
				want = shared.TypeError
			case i < 0 || i >= sv.v.Length():
				want = shared.RangeError
			}
			prev, err := atomics.Load(sv.v, i)
			smWant(t, "Load", err, want)
			switch op := rapid.IntRange(0, 2).Draw(t, "op"); op {
			case 0:
				r, err := atomics.Store(sv.v, i, x)
				smWant(t, "Store", err, want)
				if err == nil && r != x {
					t.Fatalf("Store returned %d, not its argument %d", r, x)
				}
				prev = sv.kind.Int64(sv.kind.FromInt64(x))
			case 1:
				old, err := atomics.Add(sv.v, i, x)
				smWant(t, "Add", err, want)
				if err == nil && old != prev {
					t.Fatalf("Add returned %d, the element held %d", old, prev)
				}
				prev = sv.kind.Int64(sv.kind.FromInt64(prev + x))
			case 2:
				expected := x
				if rapid.Bool().Draw(t, "match") {
					expected = prev
				}
				old, err := atomics.CompareExchange(sv.v, i, expected, x)
				smWant(t, "CompareExchange", err, want)
				if err == nil && old != prev {
					t.Fatalf("CompareExchange returned %d, the element held %d", old, prev)
				}
				if sv.kind.FromInt64(expected) == sv.kind.FromInt64(prev) {
					prev = sv.kind.Int64(sv.kind.FromInt64(x))
				}
			}
			if want == 0 {
				if got, _ := atomics.Load(sv.v, i); got != prev {
					t.Fatalf("%v[%d] = %d after the operation, want %d", sv.kind, i, got, prev)
				}
			}
		},
		"Wait": func(t *rapid.T) {
			sv := m.waitView(t)
			i := elemIndex(t, sv.v)
			want := m.waitError(sv, i)
			cur, _ := atomics.Load(sv.v, i)
			expected := rapid.Int64().Draw(t, "expected")
			if rapid.Bool().Draw(t, "equal") {
				expected = cur
			}
			canBlock := sv.v.Agent() == nil || sv.v.Agent().CanBlock()
			res, err := atomics.Wait(sv.v, i, expected, 0)
			if want == 0 && !canBlock {
				want = shared.TypeError
			}
			smWant(t, "Wait", err, want)
			if err != nil {
				return
			}
			wantRes := atomics.NotEqual
			if sv.kind.FromInt64(expected) == sv.kind.FromInt64(cur) {
				wantRes = atomics.TimedOut
			}
			if res != wantRes {
				t.Fatalf("Wait(expected %d) on %d with timeout 0: %q, want %q", expected, cur, res, wantRes)
			}
		},
		"WaitAsync": func(t *rapid.T) {
			sv := m.waitView(t)
			i := elemIndex(t, sv.v)
			if len(m.pending) > 0 && rapid.Bool().Draw(t, "a waited-on location") {
				w, _ := pick(t, "pending wait", m.pending) // a second waiter there, to check FIFO order
				sv, i = w.sv, w.i
			}
			want := m.waitError(sv, i)
			cur, _ := atomics.Load(sv.v, i)
			expected := cur
			if rapid.Bool().Draw(t, "differ") {
				expected = rapid.Int64().Draw(t, "expected")
			}
			a, err := atomics.WaitAsync(sv.v, i, expected, atomics.Forever)
			smWant(t, "WaitAsync", err, want)
			if err != nil {
				return
			}
			if sv.kind.FromInt64(expected) != sv.kind.FromInt64(cur) {
				if r, ok := a.Value(); a.Async() || !ok || r != atomics.NotEqual {
					t.Fatalf("WaitAsync not equal: %v %q %v", a.Async(), r, ok)
				}
				return
			}
			if !a.Async() {
				t.Fatal("WaitAsync with a matching value did not enqueue")
			}
			m.pending = append(m.pending, smWait{a, [2]uint64{sv.v.BufferID(), uint64(sv.v.ByteOffset() + i*sv.kind.Size())}, sv, i})
		},
		"Notify": func(t *rapid.T) {
			sv := m.waitView(t)
			i := elemIndex(t, sv.v)
			if len(m.pending) > 0 && rapid.Bool().Draw(t, "a waited-on location") {
				w, _ := pick(t, "pending wait", m.pending)
				sv, i = w.sv, w.i
			}
			count := rapid.SampledFrom([]int{-1, 0, 1, 1, 1, 2, 3, atomics.All}).Draw(t, "count")
			var want shared.ErrorKind
			switch {
			case m.detached[sv.v.BufferID()] || (sv.kind != shared.Int32 && sv.kind != shared.BigInt64):
				want = shared.TypeError
			case i < 0 || i >= sv.v.Length():
				want = shared.RangeError
			}
			woke, err := atomics.Notify(sv.v, i, count)
			smWant(t, "Notify", err, want)
			if err != nil {
				return
			}
			loc := [2]uint64{sv.v.BufferID(), uint64(sv.v.ByteOffset() + i*sv.kind.Size())}
			n, rest := 0, m.pending[:0:0]
			for _, w := range m.pending {
				if w.loc == loc && n < max(count, 0) {
					n++
					if r, ok := w.a.Value(); !ok || r != atomics.OK {
						t.Fatalf("a waiter Notify woke (FIFO position %d) settled %q, %v", n, r, ok)
					}
					continue
				}
				if _, ok := w.a.Value(); ok {
					t.Fatal("Notify settled a waiter it should not have woken (FIFO order or location)")
				}
				rest = append(rest, w)
			}
			m.pending = rest
			if woke != n {
				t.Fatalf("Notify(count %d) woke %d, the model %d", count, woke, n)
			}
		},
		"Cancel": func(t *rapid.T) {
			w, i := pick(t, "pending wait", m.pending)
			if !w.a.Cancel() {
				t.Fatal("Cancel of a pending wait returned false")
			}
			if r, ok := w.a.Value(); !ok || r != atomics.TimedOut || w.a.Cancel() {
				t.Fatalf("cancelled wait: %q, %v", r, ok)
			}
			m.pending = append(m.pending[:i], m.pending[i+1:]...)
		},
		"StartJoin": func(t *rapid.T) {
			sv, _ := pick(t, "view", m.views)
			parent, _ := pick(t, "parent", m.agents)
			x := rapid.Int64().Draw(t, "x")
			h := parent.Start("child", func(c *shared.Agent) error {
				_, err := atomics.Store(sv.v.For(c), 0, x)
				return err
			})
			err := h.Join(parent)
			if err != nil {
				smErr(t, "a child's Store", err)
			}
		},
		"NewQueue": func(t *rapid.T) {
			q := shared.NewQueue(rapid.IntRange(-1, 3).Draw(t, "maxsize"))
			m.queues = append(m.queues, q)
			m.qmax[q] = q.MaxSize()
		},
		"Put": func(t *rapid.T) { m.put(t) },
		"Get": func(t *rapid.T) {
			q, _ := pick(t, "queue", m.queues)
			ag, _ := pick(t, "agent", m.agents)
			v, err := q.For(ag).GetNowait()
			model := m.items[q]
			if len(model) == 0 {
				smWant(t, "GetNowait", err, shared.QueueEmpty)
				return
			}
			smWant(t, "GetNowait", err, 0)
			m.items[q] = model[1:]
			m.received(t, model[0], v)
		},
	}
}

// waitView draws a view for Wait, WaitAsync and Notify: mostly one they
// accept (Int32 or BigInt64 over a Buffer), if there is one.
func (m *machine) waitView(t *rapid.T) smView {
	var ok []smView
	for _, sv := range m.views {
		if sv.shared && (sv.kind == shared.Int32 || sv.kind == shared.BigInt64) {
			ok = append(ok, sv)
		}
	}
	switch rapid.IntRange(0, 3).Draw(t, "waitable") {
	case 1:
		// A new view over a Buffer, as Atomics.wait accepts.
		var bufs []*shared.Buffer
		for _, b := range m.sabs {
			if b.ByteLength() >= 8 {
				bufs = append(bufs, b)
			}
		}
		if len(bufs) > 0 {
			b, _ := pick(t, "sab", bufs)
			k := rapid.SampledFrom([]shared.Kind{shared.Int32, shared.BigInt64}).Draw(t, "kind")
			off := k.Size() * rapid.IntRange(0, b.ByteLength()/k.Size()-1).Draw(t, "element offset")
			v, err := shared.NewTypedArray(b, k, off, (b.ByteLength()-off)/k.Size())
			smWant(t, "NewTypedArray", err, 0)
			sv := smView{v: v, kind: k, shared: true}
			m.views = append(m.views, sv)
			return sv
		}
	case 2, 3:
		if len(ok) > 0 {
			sv, _ := pick(t, "waitable view", ok)
			return sv
		}
	}
	sv, _ := pick(t, "view", m.views)
	return sv
}

// waitError is DoWait's first error for view sv and index i (0 for none),
// before the AgentCanSuspend check.
func (m *machine) waitError(sv smView, i int) shared.ErrorKind {
	switch {
	case m.detached[sv.v.BufferID()] || (sv.kind != shared.Int32 && sv.kind != shared.BigInt64) || !sv.shared:
		return shared.TypeError
	case i < 0 || i >= sv.v.Length():
		return shared.RangeError
	}
	return 0
}

// put puts a drawn item on a drawn queue, with a transfer list, and checks
// the outcome against the model: a refused put changes nothing, a full
// queue detaches nothing, and a transfer detaches the listed buffer (and
// so every view over it).
func (m *machine) put(t *rapid.T) {
	q, _ := pick(t, "queue", m.queues)
	ag, _ := pick(t, "agent", m.agents)
	q = q.For(ag)
	var item any
	var transfer []shared.Backing
	var it smItem
	var ab *shared.ArrayBuffer
	want := shared.ErrorKind(0)
	switch kind := rapid.SampledFrom([]string{"int", "bytes", "sab", "ab", "view", "tuple", "unlisted", "func"}).Draw(t, "item"); kind {
	case "int":
		it.n = rapid.Int64().Draw(t, "n")
		item, it.kind = it.n, "int"
	case "bytes":
		it.b = []byte(rapid.String().Draw(t, "bytes"))
		item, it.kind = it.b, "bytes"
	case "sab":
		s, _ := pick(t, "sab", m.sabs)
		item, it.kind, it.sab = s, "sab", s
	case "func":
		item, want = func() {}, shared.NotShareable
	case "ab", "view", "tuple", "unlisted":
		ab, _ = pick(t, "ab", m.abs)
		it.b, _ = ab.Bytes()
		it.kind = kind
		switch kind {
		case "ab", "unlisted":
			item = ab
			it.kind = "ab"
		case "view", "tuple":
			// A view over the buffer being transferred: it is in use.
			v, err := shared.View(ab, shared.Uint8)
			if err != nil {
				t.Skip("no view over a detached buffer")
			}
			m.views = append(m.views, smView{v: v, kind: shared.Uint8})
			it.vk, it.vlen = shared.Uint8, v.Length()
			item = v
			if kind == "tuple" {
				item = []any{ab, v, int64(7)}
			}
		}
		if kind != "unlisted" {
			transfer = []shared.Backing{ab}
		}
		switch {
		case m.detached[ab.ID()]:
			want = shared.NotShareable // (the transfer list's own check may come first: also a TypeError)
		case kind == "unlisted":
			want = shared.NotShareable
		}
	}
	full := m.qmax[qOf(m, q)] > 0 && len(m.items[qOf(m, q)]) >= m.qmax[qOf(m, q)]
	if want == 0 && full {
		want = shared.QueueFull
	}
	err := q.PutNowait(item, transfer...)
	got := smErr(t, "PutNowait", err)
	switch {
	case want == shared.NotShareable && got != 0 && errors.Is(err, shared.TypeError):
		// refused, as expected (NotShareable or the transfer list's TypeError)
	case got != want:
		t.Fatalf("PutNowait(%s): error %v, want %v", it.kind, err, want)
	}
	if err != nil {
		if ab != nil && ab.Detached() != m.detached[ab.ID()] {
			t.Fatal("a refused put changed its ArrayBuffer's detached state")
		}
		return
	}
	if ab != nil {
		m.detached[ab.ID()] = true
		if !ab.Detached() {
			t.Fatal("a put with a transfer list left its ArrayBuffer attached")
		}
	}
	m.items[qOf(m, q)] = append(m.items[qOf(m, q)], it)
}

// qOf returns the handle the machine made for q's queue (the model's key).
func qOf(m *machine, q *shared.Queue) *shared.Queue {
	for _, h := range m.queues {
		if h.Same(q) {
			return h
		}
	}
	panic("unknown queue")
}

// received checks a got item against what the model expects and adds the
// buffers and views it carries to the machine.
func (m *machine) received(t *rapid.T, want smItem, v any) {
	abBytes := func(ab *shared.ArrayBuffer) {
		if ab.Detached() || m.detached[ab.ID()] {
			t.Fatal("a received ArrayBuffer is detached")
		}
		got, err := ab.Bytes()
		smWant(t, "received ArrayBuffer's Bytes", err, 0)
		if !bytes.Equal(got, want.b) {
			t.Fatalf("received ArrayBuffer holds % x, was put holding % x", got, want.b)
		}
		m.addAB(ab)
	}
	view := func(x any) *shared.TypedArray {
		tv, ok := x.(*shared.TypedArray)
		if !ok || tv.Kind() != want.vk || tv.Length() != want.vlen {
			t.Fatalf("received %#v, want a %v view of %d elements", x, want.vk, want.vlen)
		}
		m.views = append(m.views, smView{v: tv, kind: tv.Kind()})
		return tv
	}
	switch want.kind {
	case "int":
		if v != want.n {
			t.Fatalf("received %#v, want %d", v, want.n)
		}
	case "bytes":
		if b, ok := v.([]byte); !ok || !bytes.Equal(b, want.b) {
			t.Fatalf("received %#v, want % x", v, want.b)
		}
	case "sab":
		if b, ok := v.(*shared.Buffer); !ok || !b.Same(want.sab) {
			t.Fatalf("received %#v, want the same Buffer", v)
		}
	case "ab":
		ab, ok := v.(*shared.ArrayBuffer)
		if !ok {
			t.Fatalf("received %#v, want an ArrayBuffer", v)
		}
		abBytes(ab)
	case "view":
		view(v)
	case "tuple":
		tup, ok := v.([]any)
		if !ok || len(tup) != 3 || tup[2] != int64(7) {
			t.Fatalf("received %#v, want a tuple of an ArrayBuffer, a view and 7", v)
		}
		ab, ok := tup[0].(*shared.ArrayBuffer)
		if !ok {
			t.Fatalf("received tuple %#v", tup)
		}
		abBytes(ab)
		if tv := view(tup[1]); tv.BufferID() != ab.ID() {
			t.Fatal("a received view is not over the received ArrayBuffer it was put with")
		}
	}
}

// check is the invariant after every action: the model's detached buffers
// are the detached ones, their views are empty, and a recorded run's
// history passes Validate and converts to an execution.
func (m *machine) check(t *rapid.T) {
	for _, ab := range m.abs {
		if ab.Detached() != m.detached[ab.ID()] {
			t.Fatalf("ArrayBuffer %d: Detached() %v, the model %v", ab.ID(), ab.Detached(), m.detached[ab.ID()])
		}
		if ab.Detached() && ab.ByteLength() != 0 {
			t.Fatal("a detached ArrayBuffer has a length")
		}
	}
	for _, sv := range m.views {
		if m.detached[sv.v.BufferID()] && (sv.v.Length() != 0 || sv.v.ByteLength() != 0 || sv.v.ByteOffset() != 0) {
			t.Fatalf("a view over a detached buffer has length %d", sv.v.Length())
		}
	}
	if m.rec == nil {
		return
	}
	h := m.rec.History()
	if err := h.Validate(); err != nil {
		t.Fatalf("recorded history fails Validate: %v", err)
	}
	if _, err := history.Convert(h); err != nil {
		t.Fatalf("recorded history does not convert: %v", err)
	}
}

func relIndex(i, n int) int {
	if i < 0 {
		return max(n+i, 0)
	}
	return min(i, n)
}

// TestStateMachine runs random sequences of operations on buffers,
// ArrayBuffers (transfers included), typed arrays and DataViews of every
// kind (and invalid ones), Atomics, waits and queues, half of them with a
// recorder attached, and checks after every step that nothing panicked,
// that every error is a *shared.Error of the kind the model predicts (in
// ECMA-262's order), that values written read back, that detached buffers
// stay detached and their views empty, that Notify wakes pending waiters in
// FIFO order, and that the recorded history passes Validate and converts.
//
// The "waiters" run restricts the actions to waits, notifies, cancels and
// atomic writes on views of one Buffer at several offsets (views of
// different kinds share a waiter list where their elements start at the
// same byte), so that notify's FIFO order is checked on many waiters.
func TestStateMachine(t *testing.T) {
	run := func(t *rapid.T, setup func(*machine, *rapid.T), only ...string) {
		m := &machine{}
		m.init(t)
		defer func() {
			for _, w := range m.pending { // let go of the waiters left enqueued
				w.a.Cancel()
			}
		}()
		setup(m, t)
		actions := m.actions()
		if len(only) > 0 {
			some := map[string]func(*rapid.T){"": actions[""]}
			for _, a := range only {
				some[a] = actions[a]
			}
			actions = some
		}
		t.Repeat(actions)
	}
	t.Run("all", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { run(t, func(*machine, *rapid.T) {}) })
	})
	t.Run("waiters", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			run(t, func(m *machine, t *rapid.T) {
				b, err := shared.NewBuffer(24, m.opts(t)...)
				if err != nil {
					t.Fatal(err)
				}
				m.sabs = append(m.sabs, b)
				for _, k := range []struct {
					kind   shared.Kind
					off, n int
				}{{shared.Int32, 0, 6}, {shared.Int32, 8, 2}, {shared.BigInt64, 0, 3}, {shared.BigInt64, 8, 1}} {
					v, err := shared.NewTypedArray(b, k.kind, k.off, k.n)
					if err != nil {
						t.Fatal(err)
					}
					m.views = append(m.views, smView{v: v, kind: k.kind, shared: true})
				}
			}, "WaitAsync", "Notify", "Cancel", "Wait", "Atomics", "For")
		})
	})
}

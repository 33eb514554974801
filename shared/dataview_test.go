package shared

import (
	"encoding/binary"
	"errors"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"math"
	"math/rand"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// dvAccessor drives one pair of typed DataView accessors through their bits,
// so that every accessor can be tested by the same loops.
type dvAccessor struct {
	kind Kind
	get  func(v *DataView, off int, le bool) (uint64, error)
	set  func(v *DataView, off int, bits uint64, le bool) error
}

var dvAccessors = []dvAccessor{
	{Int8,
		func(v *DataView, off int, _ bool) (uint64, error) {
			x, err := v.GetInt8(off)
			return uint64(uint8(x)), err
		},
		func(v *DataView, off int, b uint64, _ bool) error { return v.SetInt8(off, int8(b)) }},
	{Uint8,
		func(v *DataView, off int, _ bool) (uint64, error) { x, err := v.GetUint8(off); return uint64(x), err },
		func(v *DataView, off int, b uint64, _ bool) error { return v.SetUint8(off, uint8(b)) }},
	{Int16,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetInt16(off, le)
			return uint64(uint16(x)), err
		},
		func(v *DataView, off int, b uint64, le bool) error { return v.SetInt16(off, int16(b), le) }},
	{Uint16,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetUint16(off, le)
			return uint64(x), err
		},
		func(v *DataView, off int, b uint64, le bool) error { return v.SetUint16(off, uint16(b), le) }},
	{Int32,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetInt32(off, le)
			return uint64(uint32(x)), err
		},
		func(v *DataView, off int, b uint64, le bool) error { return v.SetInt32(off, int32(b), le) }},
	{Uint32,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetUint32(off, le)
			return uint64(x), err
		},
		func(v *DataView, off int, b uint64, le bool) error { return v.SetUint32(off, uint32(b), le) }},
	{BigInt64,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetBigInt64(off, le)
			return uint64(x), err
		},
		func(v *DataView, off int, b uint64, le bool) error { return v.SetBigInt64(off, int64(b), le) }},
	{BigUint64,
		func(v *DataView, off int, le bool) (uint64, error) { return v.GetBigUint64(off, le) },
		func(v *DataView, off int, b uint64, le bool) error { return v.SetBigUint64(off, b, le) }},
	{Float16,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetFloat16(off, le)
			return uint64(float64ToFloat16(x)), err
		},
		func(v *DataView, off int, b uint64, le bool) error {
			return v.SetFloat16(off, float16ToFloat64(uint16(b)), le)
		}},
	{Float32,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetFloat32(off, le)
			return uint64(math.Float32bits(x)), err
		},
		func(v *DataView, off int, b uint64, le bool) error {
			return v.SetFloat32(off, math.Float32frombits(uint32(b)), le)
		}},
	{Float64,
		func(v *DataView, off int, le bool) (uint64, error) {
			x, err := v.GetFloat64(off, le)
			return math.Float64bits(x), err
		},
		func(v *DataView, off int, b uint64, le bool) error {
			return v.SetFloat64(off, math.Float64frombits(b), le)
		}},
}

// dvEncode returns the size bytes of x in the given byte order, by encoding/binary.
func dvEncode(x uint64, size int, le bool) []byte {
	out := make([]byte, 8)
	var order binary.ByteOrder = binary.BigEndian
	if le {
		order = binary.LittleEndian
	}
	switch size {
	case 1:
		out[0] = byte(x)
	case 2:
		order.PutUint16(out, uint16(x))
	case 4:
		order.PutUint32(out, uint32(x))
	case 8:
		order.PutUint64(out, x)
	}
	return out[:size]
}

// dvDecode decodes size bytes in the given byte order, by encoding/binary.
func dvDecode(p []byte, le bool) uint64 {
	var order binary.ByteOrder = binary.BigEndian
	if le {
		order = binary.LittleEndian
	}
	switch len(p) {
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(order.Uint16(p))
	case 4:
		return uint64(order.Uint32(p))
	}
	return order.Uint64(p)
}

// dvValue returns random bits for an element of kind that survive a round
// trip through the kind's Go type (no NaN for the float kinds, whose NaN
// payloads the typed accessors need not keep).
func dvValue(r *rand.Rand, k Kind) uint64 {
	for {
		x := r.Uint64() & k.mask()
		if !k.IsFloat() || !math.IsNaN(k.Float64(x)) {
			return x
		}
	}
}

func dvBackings(t *testing.T, n int) map[string]Backing {
	t.Helper()
	b, err := NewBuffer(n)
	if err != nil {
		t.Fatal(err)
	}
	ab, err := NewArrayBuffer(n)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Backing{"Buffer": b, "ArrayBuffer": ab}
}

func dvSnapshot(t *testing.T, buf Backing) []byte {
	t.Helper()
	switch b := buf.(type) {
	case *Buffer:
		return b.Bytes()
	case *ArrayBuffer:
		p, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Fatalf("unknown backing %T", buf)
	return nil
}

func dvFill(t *testing.T, buf Backing, p []byte) {
	t.Helper()
	u8, err := View(buf, Uint8)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range p {
		if err := u8.SetInt(i, int64(c)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDataViewRoundTripEveryAlignment writes a value with every accessor at
// every byte offset (so at every alignment modulo 8, inside one word and
// across words) in both byte orders, over a view that itself starts at an
// odd offset, and checks the read-back value, the bytes in the buffer against
// encoding/binary, and that no byte outside the access changed.
func TestDataViewRoundTripEveryAlignment(t *testing.T) {
	const n, viewOff = 27, 3
	r := rand.New(rand.NewSource(1))
	for name, buf := range dvBackings(t, n) {
		dv, err := NewDataView(buf, viewOff, n-viewOff)
		if err != nil {
			t.Fatal(err)
		}
		background := make([]byte, n)
		for i := range background {
			background[i] = 0xe0 | byte(i&0xf)
		}
		for _, acc := range dvAccessors {
			size := acc.kind.Size()
			for off := 0; off+size <= n-viewOff; off++ {
				for _, le := range []bool{false, true} {
					dvFill(t, buf, background)
					x := dvValue(r, acc.kind)
					if err := acc.set(dv, off, x, le); err != nil {
						t.Fatalf("%s %v set at %d: %v", name, acc.kind, off, err)
					}
					got, err := acc.get(dv, off, le)
					if err != nil || got != x {
						t.Fatalf("%s %v at %d le=%v: read %#x, %v; wrote %#x", name, acc.kind, off, le, got, err, x)
					}
					bits, err := dv.GetBits(acc.kind, off, le)
					if err != nil || bits != x {
						t.Fatalf("%s GetBits(%v, %d, %v) = %#x, %v; want %#x", name, acc.kind, off, le, bits, err, x)
					}
					snap := dvSnapshot(t, buf)
					bi := viewOff + off
					if want := dvEncode(x, size, le); string(snap[bi:bi+size]) != string(want) {
						t.Fatalf("%s %v at %d le=%v: bytes % x, encoding/binary says % x", name, acc.kind, off, le, snap[bi:bi+size], want)
					}
					for i := range snap {
						if (i < bi || i >= bi+size) && snap[i] != background[i] {
							t.Fatalf("%s %v at %d le=%v: byte %d outside the access changed to %#x", name, acc.kind, off, le, i, snap[i])
						}
					}
				}
			}
		}
		// SetBits writes what GetBits reads, for every kind DataView has.
		for k := Int8; k <= Float64; k++ {
			if k == Uint8Clamped {
				continue
			}
			x := r.Uint64() & k.mask()
			if err := dv.SetBits(k, 5, x, false); err != nil {
				t.Fatal(err)
			}
			if got, _ := dv.GetBits(k, 5, false); got != x {
				t.Fatalf("%s SetBits/GetBits %v: %#x != %#x", name, k, got, x)
			}
			if got, _ := dv.GetBits(k, 5, true); k.Size() > 1 && got == x && x != reverseBytes(x, k.Size()) {
				t.Fatalf("%s GetBits %v ignores the byte order", name, k)
			}
		}
	}
}

// TestDataViewAgainstEncodingBinary fills a buffer with random bytes and
// checks every accessor at every offset in both byte orders against
// encoding/binary's decoding of a snapshot.
func TestDataViewAgainstEncodingBinary(t *testing.T) {
	const n = 29
	r := rand.New(rand.NewSource(2))
	for name, buf := range dvBackings(t, n) {
		p := make([]byte, n)
		r.Read(p)
		dvFill(t, buf, p)
		snap := dvSnapshot(t, buf)
		dv, err := NewLengthTrackingDataView(buf, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, acc := range dvAccessors {
			size := acc.kind.Size()
			for off := 0; off+size <= n; off++ {
				for _, le := range []bool{false, true} {
					want := dvDecode(snap[off:off+size], le)
					got, err := dv.GetBits(acc.kind, off, le)
					if err != nil || got != want {
						t.Fatalf("%s GetBits(%v, %d, %v) = %#x, %v; encoding/binary says %#x", name, acc.kind, off, le, got, err, want)
					}
					if acc.kind.IsFloat() && math.IsNaN(acc.kind.Float64(want)) {
						continue // the typed float accessors need not keep NaN payloads
					}
					got, err = acc.get(dv, off, le)
					if err != nil || got != want {
						t.Fatalf("%s get%v(%d, %v) = %#x, %v; encoding/binary says %#x", name, acc.kind, off, le, got, err, want)
					}
				}
			}
		}
	}
}

// TestDataViewDefaultIsBigEndian checks ECMAScript's default byte order:
// big-endian unless littleEndian is true.
func TestDataViewDefaultIsBigEndian(t *testing.T) {
	b, _ := NewBuffer(8)
	dv, _ := NewDataView(b, 0, 8)
	if err := dv.SetUint32(0, 0x01020304, false); err != nil {
		t.Fatal(err)
	}
	if got := b.Bytes()[:4]; string(got) != "\x01\x02\x03\x04" {
		t.Fatalf("big-endian setUint32 stored % x", got)
	}
	if x, _ := dv.GetUint16(1, false); x != 0x0203 {
		t.Fatalf("big-endian getUint16(1) = %#x", x)
	}
	if x, _ := dv.GetUint16(1, true); x != 0x0302 {
		t.Fatalf("little-endian getUint16(1) = %#x", x)
	}
	if x, _ := dv.GetInt8(0); x != 1 {
		t.Fatalf("getInt8(0) = %d", x)
	}
	_ = dv.SetInt16(4, -2, true)
	if x, _ := dv.GetInt16(4, true); x != -2 {
		t.Fatalf("getInt16 = %d, want -2", x)
	}
	if x, _ := dv.GetUint16(4, false); x != 0xfeff {
		t.Fatalf("getUint16 big-endian of -2 little-endian = %#x, want 0xfeff", x)
	}
}

func TestDataViewFloat16(t *testing.T) {
	b, _ := NewBuffer(4)
	dv, _ := NewDataView(b, 0, 4)
	cases := []struct {
		in   float64
		bits uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {1e9, 0x7c00},
		{math.Inf(-1), 0xfc00}, {math.Copysign(0, -1), 0x8000}, {math.Ldexp(1, -24), 0x0001},
		{1 + math.Ldexp(1, -11), 0x3c00},   // a tie: to even
		{1 + 3*math.Ldexp(1, -11), 0x3c02}, // a tie: to even
		{0.1, 0x2e66},
	}
	for _, c := range cases {
		if err := dv.SetFloat16(1, c.in, false); err != nil {
			t.Fatal(err)
		}
		if got := b.Bytes()[1:3]; got[0] != byte(c.bits>>8) || got[1] != byte(c.bits) {
			t.Errorf("setFloat16(%v) big-endian stored % x, want %04x", c.in, got, c.bits)
		}
		x, err := dv.GetFloat16(1, false)
		if err != nil || float64ToFloat16(x) != c.bits {
			t.Errorf("getFloat16 after setFloat16(%v) = %v, %v", c.in, x, err)
		}
	}
	_ = dv.SetFloat16(0, math.NaN(), true)
	if x, _ := dv.GetFloat16(0, true); !math.IsNaN(x) {
		t.Errorf("NaN round trip gave %v", x)
	}
}

func TestDataViewConstructionErrors(t *testing.T) {
	b, _ := NewBuffer(16)
	var nilBuf *Buffer
	var nilAB *ArrayBuffer
	for name, buf := range map[string]Backing{"nil": nil, "nil *Buffer": nilBuf, "nil *ArrayBuffer": nilAB, "zero Buffer": &Buffer{}} {
		_, err := NewDataView(buf, 0, 0)
		wantKind(t, err, TypeError, name)
		_, err = NewLengthTrackingDataView(buf, 0)
		wantKind(t, err, TypeError, name+" (length-tracking)")
	}
	_, err := NewDataView(b, -1, 4)
	wantKind(t, err, RangeError, "negative offset")
	_, err = NewDataView(b, 17, 0)
	wantKind(t, err, RangeError, "offset beyond the buffer")
	_, err = NewDataView(b, 0, -1)
	wantKind(t, err, RangeError, "negative length")
	_, err = NewDataView(b, 8, 9)
	wantKind(t, err, RangeError, "view beyond the buffer")
	_, err = NewDataView(b, 8, math.MaxInt)
	wantKind(t, err, RangeError, "huge length")
	_, err = NewLengthTrackingDataView(b, 17)
	wantKind(t, err, RangeError, "length-tracking offset beyond the buffer")
	if !strings.Contains(err.Error(), "DataView") || !strings.Contains(err.Error(), "17") {
		t.Errorf("error %q does not name the operation and the offset", err)
	}
	dv, err := NewDataView(b, 16, 0)
	if err != nil {
		t.Fatalf("empty view at the end: %v", err)
	}
	_, err = dv.GetUint8(0)
	wantKind(t, err, RangeError, "read from an empty view")

	ab, _ := NewArrayBuffer(8)
	if _, err := ab.Transfer(); err != nil {
		t.Fatal(err)
	}
	_, err = NewDataView(ab, 0, 0)
	wantKind(t, err, TypeError, "detached buffer")
	_, err = NewDataView(ab, -1, 0)
	wantKind(t, err, RangeError, "negative offset on a detached buffer (ToIndex comes first)")
}

func TestDataViewAccessErrors(t *testing.T) {
	b, _ := NewBuffer(16)
	dv, _ := NewDataView(b, 4, 8)
	for _, acc := range dvAccessors {
		size := acc.kind.Size()
		_, err := acc.get(dv, 8-size+1, false)
		wantKind(t, err, RangeError, "get"+acc.kind.String()+" past the end")
		if !strings.Contains(err.Error(), "DataView.get"+acc.kind.String()) {
			t.Errorf("error %q does not name DataView.get%v", err, acc.kind)
		}
		wantKind(t, acc.set(dv, 8-size+1, 0, true), RangeError, "set"+acc.kind.String()+" past the end")
		_, err = acc.get(dv, -1, true)
		wantKind(t, err, RangeError, "get"+acc.kind.String()+" at -1")
		_, err = acc.get(dv, math.MaxInt, true)
		wantKind(t, err, RangeError, "get"+acc.kind.String()+" at MaxInt")
		if _, err := acc.get(dv, 8-size, true); err != nil {
			t.Errorf("get%v at the last offset: %v", acc.kind, err)
		}
	}
	if got := b.Bytes(); string(got) != string(make([]byte, 16)) {
		t.Fatalf("refused writes changed the buffer: % x", got)
	}
	_, err := dv.GetBits(Uint8Clamped, 0, true)
	wantKind(t, err, TypeError, "GetBits(Uint8Clamped)")
	wantKind(t, dv.SetBits(Uint8Clamped, 0, 0, true), TypeError, "SetBits(Uint8Clamped)")
	_, err = dv.GetBits(Kind(0), 0, true)
	wantKind(t, err, TypeError, "GetBits(invalid kind)")
	wantKind(t, dv.SetBits(Kind(200), 0, 0, true), TypeError, "SetBits(invalid kind)")
}

func TestDataViewDetached(t *testing.T) {
	ab, _ := NewArrayBuffer(16)
	dv, _ := NewDataView(ab, 2, 8)
	if err := dv.SetUint32(1, 0xcafef00d, true); err != nil {
		t.Fatal(err)
	}
	if n, err := dv.ByteLength(); n != 8 || err != nil {
		t.Fatalf("ByteLength = %d, %v", n, err)
	}
	if o, err := dv.ByteOffset(); o != 2 || err != nil {
		t.Fatalf("ByteOffset = %d, %v", o, err)
	}
	moved, err := ab.Transfer()
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range dvAccessors {
		_, err := acc.get(dv, 0, true)
		wantKind(t, err, TypeError, "get"+acc.kind.String()+" on a detached buffer")
		wantKind(t, acc.set(dv, 0, 1, true), TypeError, "set"+acc.kind.String()+" on a detached buffer")
		_, err = acc.get(dv, -1, true)
		wantKind(t, err, RangeError, "negative offset on a detached buffer (ToIndex comes first)")
	}
	_, err = dv.ByteLength()
	wantKind(t, err, TypeError, "byteLength of a detached view")
	_, err = dv.ByteOffset()
	wantKind(t, err, TypeError, "byteOffset of a detached view")
	if dv.Buffer() != Backing(ab) {
		t.Error("Buffer() is not the buffer the view was made over")
	}
	dv2, _ := NewDataView(moved, 0, 16)
	if x, err := dv2.GetUint32(3, true); x != 0xcafef00d || err != nil {
		t.Fatalf("moved bytes read %#x, %v", x, err)
	}
}

func TestDataViewLengthTracking(t *testing.T) {
	g, err := NewGrowableBuffer(8, 64)
	if err != nil {
		t.Fatal(err)
	}
	dv, err := NewLengthTrackingDataView(g, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !dv.LengthTracking() || !dv.IsShared() {
		t.Fatal("view over a growable buffer should be length-tracking and shared")
	}
	if n, _ := dv.ByteLength(); n != 4 {
		t.Fatalf("ByteLength = %d, want 4", n)
	}
	_, err = dv.GetUint32(1, true)
	wantKind(t, err, RangeError, "read past the current end")
	if err := g.Grow(16); err != nil {
		t.Fatal(err)
	}
	if n, _ := dv.ByteLength(); n != 12 {
		t.Fatalf("ByteLength after grow = %d, want 12", n)
	}
	if err := dv.SetBigUint64(4, 0x0102030405060708, false); err != nil {
		t.Fatalf("write into grown bytes: %v", err)
	}
	if got := g.Bytes()[8:16]; string(got) != "\x01\x02\x03\x04\x05\x06\x07\x08" {
		t.Fatalf("grown bytes % x", got)
	}
	fixed, _ := NewDataView(g, 4, 4)
	if fixed.LengthTracking() {
		t.Fatal("a view with a length is fixed")
	}

	b, _ := NewBuffer(16)
	rest, err := NewLengthTrackingDataView(b, 5)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := rest.ByteLength(); rest.LengthTracking() || n != 11 {
		t.Fatalf("over a fixed buffer: tracking=%v length=%d, want a fixed view of 11 bytes", rest.LengthTracking(), n)
	}

	// Readers of a length-tracking view while the buffer grows see either a
	// RangeError (not grown yet) or the bytes; never anything else.
	g2, _ := NewGrowableBuffer(0, 4096)
	dv2, _ := NewLengthTrackingDataView(g2, 0)
	var wg sync.WaitGroup
	var done atomic.Bool
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				_, err := dv2.GetUint32(4090, true)
				if err != nil && !errors.Is(err, RangeError) {
					t.Errorf("read during grow: %v", err)
					return
				}
			}
		}()
	}
	for n := 8; n <= 4096; n += 8 {
		if err := g2.Grow(n); err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	wg.Wait()
	if _, err := dv2.GetUint32(4090, true); err != nil {
		t.Fatalf("after growing: %v", err)
	}
}

func TestDataViewRecording(t *testing.T) {
	r := history.NewRecorder()
	a := NewAgent("writer")
	b, _ := NewBuffer(16, WithRecorder(r))
	defer b.SetRecorder(nil)
	dv, _ := NewDataView(b, 4, 8)
	dv = dv.For(a)
	if dv.Agent() != a || dv.BufferID() != b.ID() || dv.Buffer().(*Buffer).Agent() != a || !dv.Buffer().(*Buffer).Same(b) {
		t.Fatal("For/BufferID/Buffer")
	}
	r.Reset() // drop the Init event
	if err := dv.SetUint32(1, 0x11223344, false); err != nil {
		t.Fatal(err)
	}
	x, err := dv.GetUint16(1, true)
	if err != nil || x != 0x2211 {
		t.Fatalf("GetUint16 = %#x, %v", x, err)
	}
	_ = dv.SetBigInt64(0, -1, true)
	if _, err := dv.GetUint32(7, true); err == nil {
		t.Fatal("out-of-range read succeeded")
	}
	ev := r.Events()
	if len(ev) != 3 {
		t.Fatalf("recorded %d events, want 3 (none for the refused access): %v", len(ev), ev)
	}
	w, rd, w8 := ev[0], ev[1], ev[2]
	if w.Kind != history.EvWrite || w.Order != model.Unordered || w.NoTear || w.Op != "DataView.setUint32" ||
		w.ByteIndex != 5 || w.Size != 4 || w.Written != 0x44332211 || w.Agent != a.ID() || w.Seq == 0 ||
		w.Buffer != b.ID() || w.Call > w.Return {
		t.Errorf("write event %+v", w)
	}
	if rd.Kind != history.EvRead || rd.Order != model.Unordered || rd.NoTear || rd.Op != "DataView.getUint16" ||
		rd.ByteIndex != 5 || rd.Size != 2 || rd.Read != 0x2211 || rd.Seq != w.Seq+1 || rd.Call > rd.Return || rd.Call < w.Return {
		t.Errorf("read event %+v", rd)
	}
	if w8.Op != "DataView.setBigInt64" || w8.ByteIndex != 4 || w8.Size != 8 || w8.Written != math.MaxUint64 {
		t.Errorf("8-byte write event %+v", w8)
	}
	// An unbound view over an unrecorded buffer records nothing, and an agent's recorder sees its accesses.
	r2 := history.NewRecorder()
	a.SetRecorder(r2)
	defer a.SetRecorder(nil)
	plain, _ := NewBuffer(8)
	pv, _ := NewDataView(plain, 0, 8)
	_ = pv.SetUint8(0, 1)
	_ = pv.For(a).SetUint8(1, 2)
	if ev := r2.Events(); len(ev) != 1 || ev[0].ByteIndex != 1 || ev[0].Written != 2 {
		t.Fatalf("agent recorder events %v", ev)
	}
}

// TestDataViewNeighbourBytes has goroutines write disjoint bytes of the same
// words — unaligned DataView writes inside a word and across words, 1-byte
// writes, and TypedArray sub-word writes — and each checks after every write
// that its bytes hold what it wrote: a write that disturbed a neighbour's
// bytes (a lost update) is caught.
func TestDataViewNeighbourBytes(t *testing.T) {
	b, _ := NewBuffer(16)
	dv, _ := NewDataView(b, 0, 16)
	u16, _ := NewTypedArray(b, Uint16, 0, 8)
	const iters = 3000
	type writer struct {
		name string
		do   func(i int) error
		read func() (uint64, error)
		want func(i int) uint64
	}
	writers := []writer{
		{"dv u16 @1", func(i int) error { return dv.SetUint16(1, uint16(i), false) },
			func() (uint64, error) { x, err := dv.GetUint16(1, false); return uint64(x), err },
			func(i int) uint64 { return uint64(uint16(i)) }},
		{"dv u8 @0", func(i int) error { return dv.SetUint8(0, uint8(i*7)) },
			func() (uint64, error) { x, err := dv.GetUint8(0); return uint64(x), err },
			func(i int) uint64 { return uint64(uint8(i * 7)) }},
		{"dv u8 @3", func(i int) error { return dv.SetUint8(3, uint8(i*3)) },
			func() (uint64, error) { x, err := dv.GetUint8(3); return uint64(x), err },
			func(i int) uint64 { return uint64(uint8(i * 3)) }},
		{"dv u32 @6", func(i int) error { return dv.SetUint32(6, uint32(i)*0x01010101, true) },
			func() (uint64, error) { x, err := dv.GetUint32(6, true); return uint64(x), err },
			func(i int) uint64 { return uint64(uint32(i) * 0x01010101) }},
		{"u16[2]", func(i int) error { return u16.SetInt(2, int64(i*5)) },
			func() (uint64, error) { return u16.GetBits(2) },
			func(i int) uint64 { return uint64(uint16(i * 5)) }},
		{"dv u16 @10", func(i int) error { return dv.SetUint16(10, uint16(i*11), true) },
			func() (uint64, error) { x, err := dv.GetUint16(10, true); return uint64(x), err },
			func(i int) uint64 { return uint64(uint16(i * 11)) }},
		{"dv u32 @12", func(i int) error { return dv.SetUint32(12, ^uint32(i), false) },
			func() (uint64, error) { x, err := dv.GetUint32(12, false); return uint64(x), err },
			func(i int) uint64 { return uint64(^uint32(i)) }},
	}
	var wg sync.WaitGroup
	for _, w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				if err := w.do(i); err != nil {
					t.Error(err)
					return
				}
				got, err := w.read()
				if err != nil || got != w.want(i) {
					t.Errorf("%s: after writing %#x read %#x, %v: a neighbour's write disturbed these bytes", w.name, w.want(i), got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// dvByteMix reports whether every byte of the size-byte value x is the byte in
// the same position of one of the values in vs: the only values an model.Unordered
// read racing with writes of vs may return (bytes from one write or another,
// byte by byte).
func dvByteMix(x uint64, size int, vs ...uint64) bool {
	for j := 0; j < size; j++ {
		sh := 8 * uint(j)
		ok := false
		for _, v := range vs {
			if byte(x>>sh) == byte(v>>sh) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// TestDataViewByteMixPredicate shows the predicate the tearing tests rely on can fail.
func TestDataViewByteMixPredicate(t *testing.T) {
	const a, c uint64 = 0x11223344, 0xaabbccdd
	for _, x := range []uint64{a, c, 0x1122ccdd, 0xaabb3344, 0x11bb33dd} {
		if !dvByteMix(x, 4, a, c) {
			t.Errorf("%#x is a mix of %#x and %#x", x, a, c)
		}
	}
	for _, x := range []uint64{0, 0x11223345, 0xaabbcc44 ^ 0xff, 0x2211ccdd} {
		if dvByteMix(x, 4, a, c) {
			t.Errorf("%#x is not a mix of %#x and %#x", x, a, c)
		}
	}
}

// dvHammer runs write(a), write(c), ... on one goroutine while the caller reads
// with read for a bounded time, and returns the values read.
func dvHammer(t *testing.T, write func(uint64) error, read func() (uint64, error), a, c uint64) (reads []uint64) {
	t.Helper()
	if err := write(a); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			if write(c) != nil || write(a) != nil {
				t.Error("write failed")
				return
			}
		}
	}()
	deadline := time.Now().Add(150 * time.Millisecond)
	for i := 0; i < 400000 && (i&1023 != 0 || time.Now().Before(deadline)); i++ {
		x, err := read()
		if err != nil {
			stop.Store(true)
			wg.Wait()
			t.Fatal(err)
		}
		reads = append(reads, x)
		if i&255 == 0 {
			runtime.Gosched()
		}
	}
	stop.Store(true)
	wg.Wait()
	return reads
}

// TestDataViewUnalignedMayTear demonstrates that an unaligned DataView access
// may tear: one goroutine writes two 4-byte values alternately at byte 2 (so
// the access spans two aligned words), another reads them. Every value read
// must be a byte-wise mix of the two (the memory model's guarantee); how many
// were neither — torn reads — is reported, not asserted, since tearing
// depends on the scheduler and the machine.
func TestDataViewUnalignedMayTear(t *testing.T) {
	const a, c uint64 = 0x11223344, 0xaabbccdd
	b, _ := NewBuffer(16)
	dv, _ := NewDataView(b, 0, 16)
	for _, le := range []bool{true, false} {
		reads := dvHammer(t,
			func(x uint64) error { return dv.SetUint32(2, uint32(x), le) },
			func() (uint64, error) { x, err := dv.GetUint32(2, le); return uint64(x), err }, a, c)
		torn := 0
		for _, x := range reads {
			if !dvByteMix(x, 4, a, c) {
				t.Fatalf("read %#x: not a byte-wise mix of %#x and %#x", x, a, c)
			}
			if x != a && x != c {
				torn++
			}
		}
		t.Logf("littleEndian=%v: %d of %d unaligned reads were torn (GOMAXPROCS=%d)", le, torn, len(reads), runtime.GOMAXPROCS(0))
	}
}

// TestTypedArrayAlignedInt32NeverTears is the companion of
// TestDataViewUnalignedMayTear: the same hammering on an aligned Int32
// element never yields anything but one of the two values written.
func TestTypedArrayAlignedInt32NeverTears(t *testing.T) {
	const a, c uint64 = 0x11223344, 0xaabbccdd
	b, _ := NewBuffer(16)
	v, err := NewTypedArray(b, Int32, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	reads := dvHammer(t,
		func(x uint64) error { return v.SetBits(1, x) },
		func() (uint64, error) { return v.GetUint(1) }, a, c)
	for _, x := range reads {
		if x != a && x != c {
			t.Fatalf("aligned Int32 read %#x: torn (wrote only %#x and %#x)", x, a, c)
		}
	}
	t.Logf("%d aligned reads, none torn", len(reads))
}

// The DataView benchmarks compare with BenchmarkTypedArrayGetUint32InDataViewBench,
// a TypedArray read of the same word in the same run.
var dvSink uint64

func BenchmarkDataViewGetUint32(b *testing.B) {
	buf, _ := NewBuffer(64)
	dv, _ := NewDataView(buf, 0, 64)
	var s uint64
	for i := 0; i < b.N; i++ {
		x, _ := dv.GetUint32(8, true)
		s += uint64(x)
	}
	dvSink = s
}

func BenchmarkDataViewGetUint32Unaligned(b *testing.B) {
	buf, _ := NewBuffer(64)
	dv, _ := NewDataView(buf, 0, 64)
	var s uint64
	for i := 0; i < b.N; i++ {
		x, _ := dv.GetUint32(10, false)
		s += uint64(x)
	}
	dvSink = s
}

func BenchmarkDataViewSetUint32Unaligned(b *testing.B) {
	buf, _ := NewBuffer(64)
	dv, _ := NewDataView(buf, 0, 64)
	for i := 0; i < b.N; i++ {
		_ = dv.SetUint32(10, uint32(i), false)
	}
}

func BenchmarkTypedArrayGetUint32InDataViewBench(b *testing.B) {
	buf, _ := NewBuffer(64)
	v, _ := NewTypedArray(buf, Uint32, 0, 16)
	var s uint64
	for i := 0; i < b.N; i++ {
		x, _ := v.GetUint(2)
		s += x
	}
	dvSink = s
}

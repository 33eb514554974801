package shared

import "math"

// MaxBufferLength is the largest byte length (or maximum byte length) a
// Buffer or ArrayBuffer may have: 4 GiB, or math.MaxInt on 32-bit hosts. A growable buffer reserves its maximum
// length when it is made, so that growing never moves memory.
const MaxBufferLength = min(1<<32, math.MaxInt)

// Option configures a new Buffer or ArrayBuffer.
type Option func(*options)

type options struct {
	rec     *Recorder
	creator *Agent
}

// WithRecorder attaches a recorder from the start, so that the history begins
// with the block's Init event.
func WithRecorder(r *Recorder) Option { return func(o *options) { o.rec = r } }

// CreatedBy attributes the new buffer's Init event to an agent, and binds the
// returned buffer to it (see Buffer.For).
func CreatedBy(a *Agent) Option { return func(o *options) { o.creator = a } }

func makeBlock(op string, length, maxLength int, shared, growable bool, opts []Option) (*block, *Agent, error) {
	if length < 0 || length > MaxBufferLength {
		return nil, nil, Errorf(RangeError, op, "byte length %d is not in [0, %d]", length, MaxBufferLength)
	}
	if maxLength < length || maxLength > MaxBufferLength {
		return nil, nil, Errorf(RangeError, op, "max byte length %d is not in [%d, %d]", maxLength, length, MaxBufferLength)
	}
	var o options
	for _, f := range opts {
		f(&o)
	}
	blk := newBlock(length, maxLength, shared, growable)
	blk.creator = o.creator
	if o.rec != nil {
		swapRecorder(&blk.rec, o.rec)
	}
	recordInit(blk, o.creator, 0, length)
	return blk, o.creator, nil
}

// recordInit records the Init writes of bytes [from, to) of blk: one event
// standing for ECMA-262's one 1-byte Init write per byte.
func recordInit(blk *block, ag *Agent, from, to int) {
	if to > from && wantsRecord(blk, ag) {
		t := Now()
		record(blk, ag, &Event{Kind: EvInit, Order: Init, Op: "init", ByteIndex: from, Size: to - from, Call: t, Return: t})
	}
}

// Buffer is a SharedArrayBuffer: a fixed-length or growable block of bytes
// that any number of agents may access at once. Its bytes start as zero.
// A *Buffer is bound to at most one agent, to which its operations (and the
// views made from it) are attributed; For returns the same memory bound to
// another agent.
type Buffer struct {
	blk   *block
	agent *Agent
}

// NewBuffer returns a fixed-length shared buffer of length zero bytes.
func NewBuffer(length int, opts ...Option) (*Buffer, error) {
	blk, ag, err := makeBlock("SharedArrayBuffer", length, length, true, false, opts)
	if err != nil {
		return nil, err
	}
	return &Buffer{blk: blk, agent: ag}, nil
}

// NewGrowableBuffer returns a growable shared buffer of length bytes that
// may grow up to maxLength bytes. The memory for maxLength bytes is reserved
// at once; Grow never moves it.
func NewGrowableBuffer(length, maxLength int, opts ...Option) (*Buffer, error) {
	blk, ag, err := makeBlock("SharedArrayBuffer", length, maxLength, true, true, opts)
	if err != nil {
		return nil, err
	}
	return &Buffer{blk: blk, agent: ag}, nil
}

// For returns b bound to agent a: the same memory, with operations
// attributed to a.
func (b *Buffer) For(a *Agent) *Buffer { return &Buffer{blk: b.blk, agent: a} }

// Agent returns the agent b is bound to, or nil.
func (b *Buffer) Agent() *Agent { return b.agent }

// ID returns the buffer's identity in recorded histories. Buffers bound to
// different agents over the same memory have the same ID.
func (b *Buffer) ID() uint64 { return b.blk.id }

// Same reports whether b and c are the same memory.
func (b *Buffer) Same(c *Buffer) bool { return c != nil && b.blk == c.blk }

// ByteLength returns the current length. It may be read while other agents
// access or grow the buffer.
func (b *Buffer) ByteLength() int { return b.blk.byteLength() }

// MaxByteLength returns the maximum length (the length, if not growable).
func (b *Buffer) MaxByteLength() int { return b.blk.max }

// Growable reports whether the buffer was made by NewGrowableBuffer.
func (b *Buffer) Growable() bool { return b.blk.grow }

// SetRecorder attaches r to the buffer (nil detaches): every access to its
// bytes is recorded in r from now on.
func (b *Buffer) SetRecorder(r *Recorder) { swapRecorder(&b.blk.rec, r) }

// Recorder returns the recorder attached to the buffer, or nil.
func (b *Buffer) Recorder() *Recorder { return b.blk.rec.Load() }

// Grow sets the length to newLength, as SharedArrayBuffer.prototype.grow: a
// TypeError if the buffer is not growable, a RangeError if newLength is
// below the current length or above the maximum. The new bytes are zero.
// Concurrent grows are serialised; readers see the length change atomically.
func (b *Buffer) Grow(newLength int) error {
	const op = "SharedArrayBuffer.prototype.grow"
	if !b.blk.grow {
		return Errorf(TypeError, op, "buffer is not growable")
	}
	b.blk.growMu.Lock()
	defer b.blk.growMu.Unlock()
	cur := b.blk.byteLength()
	if newLength < cur || newLength > b.blk.max {
		return Errorf(RangeError, op, "new length %d is not in [%d, %d]", newLength, cur, b.blk.max)
	}
	if wantsRecord(b.blk, b.agent) {
		t := Now()
		record(b.blk, b.agent, &Event{Kind: EvGrow, Op: op, ByteIndex: cur, Size: newLength - cur, Call: t, Return: t})
		recordInit(b.blk, b.agent, cur, newLength)
	}
	b.blk.length.Store(int64(newLength))
	return nil
}

// Slice returns a new fixed-length Buffer holding a copy of bytes
// [start, end), with ECMAScript's relative indices: negative values count
// from the end, and both are clamped to [0, ByteLength()]. The copy reads
// each byte with an Unordered 1-byte read, as the spec's CopyDataBlockBytes.
func (b *Buffer) Slice(start, end int) (*Buffer, error) {
	from, to := relativeRange(start, end, b.ByteLength())
	nb, err := NewBuffer(to-from, CreatedBy(b.agent))
	if err != nil {
		return nil, err
	}
	copyBytes(b.blk, from, nb.blk, 0, to-from, b.agent, "SharedArrayBuffer.prototype.slice")
	return nb, nil
}

// relativeRange resolves ECMAScript relative start/end indices against length.
func relativeRange(start, end, length int) (int, int) {
	rel := func(i int) int {
		if i < 0 {
			return max(length+i, 0)
		}
		return min(i, length)
	}
	from, to := rel(start), rel(end)
	return from, max(to, from)
}

// copyBytes copies n bytes from src[from:] to dst[to:] one byte at a time,
// each an Unordered 1-byte read and write.
func copyBytes(src *block, from int, dst *block, to, n int, ag *Agent, op string) {
	rec := wantsRecord(src, ag) || wantsRecord(dst, ag)
	for k := 0; k < n; k++ {
		var t0 int64
		if rec {
			t0 = Now()
		}
		v := src.loadByte(from + k)
		if rec {
			t1 := Now()
			record(src, ag, &Event{Kind: EvRead, Order: Unordered, Op: op, ByteIndex: from + k, Size: 1, Read: uint64(v), Call: t0, Return: t1})
			t0 = t1
		}
		dst.storeByte(to+k, v)
		if rec {
			record(dst, ag, &Event{Kind: EvWrite, Order: Unordered, Op: op, ByteIndex: to + k, Size: 1, Written: uint64(v), Call: t0, Return: Now()})
		}
	}
}

// Bytes returns a copy of bytes [0, ByteLength()) read with Unordered reads
// (not recorded): a snapshot for inspection and tests.
func (b *Buffer) Bytes() []byte { return snapshot(b.blk) }

func snapshot(blk *block) []byte {
	n := blk.byteLength()
	out := make([]byte, n)
	for i := range out {
		out[i] = blk.loadByte(i)
	}
	return out
}

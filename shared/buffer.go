package shared

import (
	"math"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/model"
)

// block is the memory behind a buffer (package mem owns its raw operations).
type block = mem.Block

// MaxBufferLength is the largest byte length (or maximum byte length) a
// Buffer or ArrayBuffer may have: 4 GiB, or math.MaxInt on 32-bit hosts. A growable buffer reserves its maximum
// length when it is made, so that growing never moves memory.
const MaxBufferLength = min(1<<32, math.MaxInt)

// maxIndex is 2^53 − 1, the largest integer ECMAScript's ToIndex accepts.
const maxIndex = 1<<53 - 1

// isIndex reports whether ToIndex accepts x, as a Number: a RangeError
// unless 0 ≤ x ≤ 2^53 − 1. (Go's int has no fractions, NaN or infinities,
// so ToIndex's ToIntegerOrInfinity step has nothing to do.)
func isIndex(x int) bool { return x >= 0 && int64(x) <= maxIndex }

// Option configures a new Buffer or ArrayBuffer.
type Option func(*options)

type options struct {
	rec     *history.Recorder
	ctrl    Controller
	creator *Agent
}

// WithRecorder attaches a recorder from the start, so that the history begins
// with the block's Init event.
func WithRecorder(r *history.Recorder) Option { return func(o *options) { o.rec = r } }

// WithController attaches a controller from the start, so that it sees the
// block's creation (its Init event).
func WithController(c Controller) Option { return func(o *options) { o.ctrl = c } }

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
		if f != nil {
			f(&o)
		}
	}
	blk := mem.NewBlock(length, maxLength, shared, growable)
	blk.Creator = coreOf(o.creator)
	if o.rec != nil {
		blk.SetRecorder(o.rec)
	}
	if o.ctrl != nil {
		blk.SetController(o.ctrl)
	}
	initBytes(blk, o.creator, op, 0, length)
	return blk, o.creator, nil
}

// initBytes passes the Init writes of bytes [from, to) of blk through the
// bracket: one event standing for ECMA-262's one 1-byte Init write per byte.
func initBytes(blk *block, ag *Agent, op string, from, to int) {
	if to > from && mem.Attached() {
		var ev history.Event
		initEvent(&ev, op, from, to)
		var o mem.Obs
		o.Begin(blk, coreOf(ag), &ev)
		o.End(&ev)
	}
}

// initEvent fills ev as the Init event of bytes [from, to).
func initEvent(ev *history.Event, op string, from, to int) {
	ev.Kind = history.EvInit
	ev.Order = model.Init
	ev.Op = op
	ev.ByteIndex = from
	ev.Size = to - from
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

// NewBuffer returns a fixed-length shared buffer of length bytes, all zero:
// a RangeError if length is negative or above MaxBufferLength.
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

// ok reports whether b is a buffer made by NewBuffer or NewGrowableBuffer
// (not nil, not the zero Buffer). The methods of a nil or zero Buffer return
// zero values, or a TypeError where they return an error.
func (b *Buffer) ok() bool { return b != nil && b.blk != nil }

func errNoBuffer(op string) error {
	return Errorf(TypeError, op, "not a SharedArrayBuffer (nil, or not made by NewBuffer)")
}

// For returns b bound to agent a: the same memory, with operations
// attributed to a. For a nil Buffer it returns nil.
func (b *Buffer) For(a *Agent) *Buffer {
	if b == nil {
		return nil
	}
	return &Buffer{blk: b.blk, agent: a}
}

// Agent returns the agent b is bound to, or nil.
func (b *Buffer) Agent() *Agent {
	if b == nil {
		return nil
	}
	return b.agent
}

// ID returns the buffer's identity in recorded histories. Buffers bound to
// different agents over the same memory have the same ID. (0 for a nil or
// zero Buffer.)
func (b *Buffer) ID() uint64 {
	if !b.ok() {
		return 0
	}
	return b.blk.ID
}

// Same reports whether b and c are the same memory.
func (b *Buffer) Same(c *Buffer) bool { return b.ok() && c.ok() && b.blk == c.blk }

// ByteLength returns the current length. It may be read while other agents
// access or grow the buffer.
func (b *Buffer) ByteLength() int {
	if !b.ok() {
		return 0
	}
	return b.blk.ByteLength()
}

// MaxByteLength returns the maximum length (the length, if not growable).
func (b *Buffer) MaxByteLength() int {
	if !b.ok() {
		return 0
	}
	return b.blk.Max
}

// Growable reports whether the buffer was made by NewGrowableBuffer.
func (b *Buffer) Growable() bool { return b.ok() && b.blk.Growable }

// SetRecorder attaches r to the buffer (nil detaches): every access to its
// bytes is recorded in r from now on.
func (b *Buffer) SetRecorder(r *history.Recorder) {
	if b.ok() {
		b.blk.SetRecorder(r)
	}
}

// Recorder returns the recorder attached to the buffer, or nil.
func (b *Buffer) Recorder() *history.Recorder {
	if !b.ok() {
		return nil
	}
	return b.blk.Recorder()
}

// SetController attaches c to the buffer (nil detaches): accesses to its
// bytes by agents without a controller of their own call c first.
func (b *Buffer) SetController(c Controller) {
	if b.ok() {
		b.blk.SetController(c)
	}
}

// Grow sets the length to newLength, as SharedArrayBuffer.prototype.grow: a
// TypeError if the buffer is not growable, a RangeError if newLength is
// below the current length or above the maximum. The new bytes are zero.
// Growing to the current length does nothing (and records nothing).
// Concurrent grows are serialised; readers see the length change atomically.
func (b *Buffer) Grow(newLength int) error {
	const op = "SharedArrayBuffer.prototype.grow"
	if !b.ok() {
		return errNoBuffer(op)
	}
	if !b.blk.Growable {
		return Errorf(TypeError, op, "buffer is not growable")
	}
	for {
		// The controller sees the grow before it happens and before the
		// grow lock is taken (another agent's Grow must not wait for a
		// paused one); if a concurrent Grow changed the length meanwhile,
		// the attempt starts again.
		cur := b.blk.ByteLength()
		if newLength == cur {
			return nil // ECMA-262: "If newByteLength = currentByteLength, return undefined" — no grow happens
		}
		if newLength < cur || newLength > b.blk.Max {
			return Errorf(RangeError, op, "new length %d is not in [%d, %d]", newLength, cur, b.blk.Max)
		}
		// Both brackets, the grow's and its new bytes' Init, open before
		// the new length is published.
		var o, oi mem.Obs
		var ev, init history.Event
		if mem.Attached() {
			ev.Kind = history.EvGrow
			ev.Op = op
			ev.ByteIndex = cur
			ev.Size = newLength - cur
			o.Begin(b.blk, coreOf(b.agent), &ev)
			initEvent(&init, op, cur, newLength)
			oi.Begin(b.blk, coreOf(b.agent), &init)
		}
		b.blk.GrowMu.Lock()
		if b.blk.ByteLength() != cur {
			b.blk.GrowMu.Unlock()
			continue
		}
		b.blk.Len.Store(int64(newLength))
		b.blk.GrowMu.Unlock()
		o.End(&ev)
		oi.End(&init)
		return nil
	}
}

// Slice returns a new fixed-length Buffer holding a copy of bytes
// [start, end), with ECMAScript's relative indices: negative values count
// from the end, and both are clamped to [0, ByteLength()]. The copy reads
// each byte with an Unordered 1-byte read, as the spec's CopyDataBlockBytes.
// The new buffer keeps b's recorder and controller (as a transfer does), so
// that a recorded buffer's slices are recorded from their creation.
func (b *Buffer) Slice(start, end int) (*Buffer, error) {
	const op = "SharedArrayBuffer.prototype.slice"
	if !b.ok() {
		return nil, errNoBuffer(op)
	}
	from, to := relativeRange(start, end, b.ByteLength())
	nb, err := NewBuffer(to-from, sliceOptions(b.blk, b.agent)...)
	if err != nil {
		return nil, err
	}
	copyBytes(b.blk, from, nb.blk, 0, to-from, b.agent, op)
	return nb, nil
}

// sliceOptions are the options of a slice of blk by agent ag: created by
// ag, with blk's recorder and controller.
func sliceOptions(blk *block, ag *Agent) []Option {
	return []Option{CreatedBy(ag), WithRecorder(blk.Recorder()), WithController(blk.Controller())}
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
// each an Unordered 1-byte read and write through the bracket.
func copyBytes(src *block, from int, dst *block, to, n int, ag *Agent, op string) {
	for k := 0; k < n; k++ {
		if !mem.Attached() {
			dst.StoreByte(to+k, src.LoadByte(from+k))
			continue
		}
		v := plainRead(src, coreOf(ag), op, from+k, 1, false)
		plainWrite(dst, coreOf(ag), op, to+k, 1, false, v)
	}
}

// Bytes returns a copy of bytes [0, ByteLength()): a snapshot for
// inspection and tests (nil for a nil or zero Buffer). Its reads are the one
// access to a buffer's bytes that no recorder or controller sees: they are
// not part of any agent's program.
func (b *Buffer) Bytes() []byte {
	if !b.ok() {
		return nil
	}
	return b.blk.Snapshot()
}

package shared

import (
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
)

// ArrayBuffer is a non-shared buffer: it belongs to one agent at a time, and
// ownership moves with Transfer, which detaches the source. Any access
// through a detached ArrayBuffer or its views is a TypeError, never a read of
// stale bytes. The methods of a nil or zero ArrayBuffer return zero values,
// or a TypeError where they return an error.
type ArrayBuffer struct {
	blk   *block
	agent *Agent
}

// NewArrayBuffer returns a zeroed ArrayBuffer of length bytes: a RangeError
// if length is negative or above MaxBufferLength.
func NewArrayBuffer(length int, opts ...Option) (*ArrayBuffer, error) {
	blk, ag, err := makeBlock("ArrayBuffer", length, length, false, false, opts)
	if err != nil {
		return nil, err
	}
	return &ArrayBuffer{blk: blk, agent: ag}, nil
}

func (b *ArrayBuffer) ok() bool { return b != nil && b.blk != nil }

func errNoArrayBuffer(op string) error {
	return Errorf(TypeError, op, "not an ArrayBuffer (nil, or not made by NewArrayBuffer)")
}

// For returns the buffer bound to agent a (same memory, same detached state).
func (b *ArrayBuffer) For(a *Agent) *ArrayBuffer {
	if b == nil {
		return nil
	}
	return &ArrayBuffer{blk: b.blk, agent: a}
}

// Agent returns the agent the buffer is bound to, or nil.
func (b *ArrayBuffer) Agent() *Agent {
	if b == nil {
		return nil
	}
	return b.agent
}

// ID returns the buffer's identity in recorded histories (0 for a nil or
// zero ArrayBuffer).
func (b *ArrayBuffer) ID() uint64 {
	if !b.ok() {
		return 0
	}
	return b.blk.ID
}

// ByteLength returns the length in bytes; 0 once detached.
func (b *ArrayBuffer) ByteLength() int {
	if !b.ok() {
		return 0
	}
	return b.blk.ByteLength()
}

// Detached reports whether the buffer's bytes were transferred away.
func (b *ArrayBuffer) Detached() bool { return b.ok() && b.blk.Detached() }

// SetRecorder attaches r to the buffer (nil detaches).
func (b *ArrayBuffer) SetRecorder(r *history.Recorder) {
	if b.ok() {
		b.blk.SetRecorder(r)
	}
}

// Recorder returns the recorder attached to the buffer, or nil.
func (b *ArrayBuffer) Recorder() *history.Recorder {
	if !b.ok() {
		return nil
	}
	return b.blk.Recorder()
}

// SetController attaches c to the buffer (nil detaches).
func (b *ArrayBuffer) SetController(c Controller) {
	if b.ok() {
		b.blk.SetController(c)
	}
}

const opTransfer = "ArrayBuffer.prototype.transfer"

// Transfer moves the bytes to a new ArrayBuffer, without copying, and
// detaches b (ArrayBuffer.prototype.transfer). Transferring a detached buffer
// is a TypeError. The new buffer keeps b's recorder, controller and agent
// binding.
func (b *ArrayBuffer) Transfer() (*ArrayBuffer, error) { return b.transfer(-1) }

// TransferToLength is Transfer with a new length: the bytes are copied,
// truncated or zero-extended, and b is detached. Errors, in ECMA-262's
// order (ArrayBufferCopyAndDetach): a TypeError for a nil buffer
// (RequireInternalSlot), then ToIndex(newLength) — a RangeError for a
// negative length or one above 2^53 − 1 — then a TypeError if b is
// detached, then a RangeError if newLength is above MaxBufferLength (the
// allocation fails).
func (b *ArrayBuffer) TransferToLength(newLength int) (*ArrayBuffer, error) {
	if !b.ok() {
		return nil, errNoArrayBuffer(opTransfer)
	}
	if !isIndex(newLength) {
		return nil, Errorf(RangeError, opTransfer, "new length %d is not a valid index", newLength)
	}
	if !b.blk.Detached() && newLength > MaxBufferLength {
		return nil, Errorf(RangeError, opTransfer, "new length %d exceeds %d", newLength, MaxBufferLength)
	}
	return b.transfer(newLength)
}

func (b *ArrayBuffer) transfer(newLength int) (*ArrayBuffer, error) {
	if !b.ok() {
		return nil, errNoArrayBuffer(opTransfer)
	}
	old := b.blk
	if old.Detached() {
		return nil, Errorf(TypeError, opTransfer, "ArrayBuffer is detached")
	}
	moved := newLength < 0 || newLength == old.ByteLength()
	// The controller sees the transfer before the buffer is detached.
	var t transferBracket
	t.begin(old, coreOf(b.agent), opTransfer, moved)
	n, ok := old.Detach()
	if !ok { // another transfer won the race since the check above
		return nil, Errorf(TypeError, opTransfer, "ArrayBuffer is detached")
	}
	if moved {
		nb := old.MoveTo(n, coreOf(b.agent))
		t.end(old, nb, n)
		return &ArrayBuffer{blk: nb, agent: b.agent}, nil
	}
	nb := mem.NewBlock(newLength, newLength, false, false)
	nb.Creator = coreOf(b.agent)
	t.end(old, nb, n)
	initBytes(nb, b.agent, opTransfer, 0, newLength)
	copyBytes(old, 0, nb, 0, min(newLength, int(n)), b.agent, opTransfer)
	return &ArrayBuffer{blk: nb, agent: b.agent}, nil
}

// transferBracket is the bracket of one ArrayBuffer transfer: begun before
// the source is detached (so that a controller sees the transfer before it
// happens, and not while a Queue's lock is held), ended once the new block
// exists.
type transferBracket struct {
	o  mem.Obs
	ev history.Event
}

// begin opens the bracket of a transfer of old by ag (moved: without a copy).
func (t *transferBracket) begin(old *block, ag *mem.Agent, op string, moved bool) {
	if !mem.Attached() {
		return
	}
	t.ev.Kind = history.EvTransfer
	t.ev.Op = op
	t.ev.Size = old.ByteLength()
	t.ev.Stored = moved
	t.o.Begin(old, ag, &t.ev)
}

// end gives nb old's recorder and controller and closes the bracket of the
// transfer of n bytes from old to nb.
func (t *transferBracket) end(old, nb *block, n int64) {
	if r := old.Recorder(); r != nil {
		nb.SetRecorder(r)
	}
	if c := old.Controller(); c != nil {
		nb.SetController(c)
	}
	if !t.o.Recorded() {
		return
	}
	t.ev.Size, t.ev.Peer = int(n), nb.ID
	t.o.End(&t.ev)
	if r := nb.Recorder(); r != nil && t.ev.Stored {
		r.AddBuffer(history.Buffer{ID: nb.ID, Length: int(n), MaxLength: int(n)})
	}
}

// Slice returns a new ArrayBuffer holding a copy of bytes [start, end)
// (relative indices as in Buffer.Slice), with b's recorder and controller.
// A TypeError if b is detached.
func (b *ArrayBuffer) Slice(start, end int) (*ArrayBuffer, error) {
	const op = "ArrayBuffer.prototype.slice"
	if !b.ok() {
		return nil, errNoArrayBuffer(op)
	}
	if b.blk.Detached() {
		return nil, Errorf(TypeError, op, "ArrayBuffer is detached")
	}
	from, to := relativeRange(start, end, b.ByteLength())
	nb, err := NewArrayBuffer(to-from, sliceOptions(b.blk, b.agent)...)
	if err != nil {
		return nil, err
	}
	copyBytes(b.blk, from, nb.blk, 0, to-from, b.agent, op)
	return nb, nil
}

// Bytes returns a copy of the contents, a snapshot for inspection and tests
// that no recorder or controller sees (as Buffer.Bytes); a TypeError if
// detached.
func (b *ArrayBuffer) Bytes() ([]byte, error) {
	if !b.ok() {
		return nil, errNoArrayBuffer("ArrayBuffer")
	}
	if b.blk.Detached() {
		return nil, Errorf(TypeError, "ArrayBuffer", "ArrayBuffer is detached")
	}
	return b.blk.Snapshot(), nil
}

// Backing is a buffer a view can be made over: *Buffer or *ArrayBuffer.
type Backing interface {
	ByteLength() int
	backing() (*block, *Agent)
}

func (b *Buffer) backing() (*block, *Agent) {
	if b == nil {
		return nil, nil
	}
	return b.blk, b.agent
}

func (b *ArrayBuffer) backing() (*block, *Agent) {
	if b == nil {
		return nil, nil
	}
	return b.blk, b.agent
}

// Transfer transfers b: an *ArrayBuffer's bytes move to a new ArrayBuffer and
// b is detached; a *Buffer (SharedArrayBuffer) cannot be transferred and
// gives a TypeError, as a SharedArrayBuffer in a postMessage transfer list does.
func Transfer(b Backing) (*ArrayBuffer, error) {
	switch b := b.(type) {
	case *ArrayBuffer:
		return b.Transfer()
	case *Buffer:
		return nil, Errorf(TypeError, "transfer", "a SharedArrayBuffer cannot be transferred")
	}
	return nil, Errorf(TypeError, "transfer", "%T is not transferable", b)
}

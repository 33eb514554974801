package shared

// ArrayBuffer is a non-shared buffer: it belongs to one agent at a time, and
// ownership moves with Transfer, which detaches the source. Any access
// through a detached ArrayBuffer or its views is a TypeError, never a read of
// stale bytes.
type ArrayBuffer struct {
	blk   *block
	agent *Agent
}

// NewArrayBuffer returns a zeroed ArrayBuffer of length bytes.
func NewArrayBuffer(length int, opts ...Option) (*ArrayBuffer, error) {
	blk, ag, err := makeBlock("ArrayBuffer", length, length, false, false, opts)
	if err != nil {
		return nil, err
	}
	return &ArrayBuffer{blk: blk, agent: ag}, nil
}

// For returns the buffer bound to agent a (same memory, same detached state).
func (b *ArrayBuffer) For(a *Agent) *ArrayBuffer { return &ArrayBuffer{blk: b.blk, agent: a} }

// Agent returns the agent the buffer is bound to, or nil.
func (b *ArrayBuffer) Agent() *Agent { return b.agent }

// ID returns the buffer's identity in recorded histories.
func (b *ArrayBuffer) ID() uint64 { return b.blk.id }

// ByteLength returns the length in bytes; 0 once detached.
func (b *ArrayBuffer) ByteLength() int { return b.blk.byteLength() }

// Detached reports whether the buffer's bytes were transferred away.
func (b *ArrayBuffer) Detached() bool { return b.blk.detached() }

// SetRecorder attaches r to the buffer (nil detaches).
func (b *ArrayBuffer) SetRecorder(r *Recorder) { swapRecorder(&b.blk.rec, r) }

// Transfer moves the bytes to a new ArrayBuffer, without copying, and
// detaches b (ArrayBuffer.prototype.transfer). Transferring a detached buffer
// is a TypeError. The new buffer keeps b's recorder and agent binding.
func (b *ArrayBuffer) Transfer() (*ArrayBuffer, error) { return b.transfer(-1) }

// TransferToLength is Transfer with a new length: the bytes are copied,
// truncated or zero-extended, and b is detached.
func (b *ArrayBuffer) TransferToLength(newLength int) (*ArrayBuffer, error) {
	if newLength < 0 || newLength > MaxBufferLength {
		return nil, Errorf(RangeError, "ArrayBuffer.prototype.transfer", "new length %d is not in [0, %d]", newLength, MaxBufferLength)
	}
	return b.transfer(newLength)
}

func (b *ArrayBuffer) transfer(newLength int) (*ArrayBuffer, error) {
	const op = "ArrayBuffer.prototype.transfer"
	old := b.blk
	n, ok := old.detach()
	if !ok {
		return nil, Errorf(TypeError, op, "ArrayBuffer is detached")
	}
	if newLength < 0 || newLength == int(n) {
		return &ArrayBuffer{blk: old.moveTo(n, b.agent, op), agent: b.agent}, nil
	}
	nb := newBlock(newLength, newLength, false, false)
	nb.creator = b.agent
	for i := 0; i < min(newLength, int(n)); i++ {
		nb.storeByte(i, old.loadByte(i))
	}
	old.handOver(nb, n, b.agent, op)
	return &ArrayBuffer{blk: nb, agent: b.agent}, nil
}

// detach marks a non-shared block detached and returns the length it had.
// It is a compare-and-swap, so that of two concurrent transfers exactly one
// wins; false if the block was already detached.
func (old *block) detach() (int64, bool) {
	n := old.length.Load()
	if n < 0 || !old.length.CompareAndSwap(n, -1) {
		return 0, false
	}
	return n, true
}

// moveTo returns a new block that owns old's memory (n bytes, no copy), once
// old has been detached: the moving half of a transfer.
func (old *block) moveTo(n int64, ag *Agent, op string) *block {
	nb := &block{base: old.base, words: old.words, max: int(n), id: blockIDs.Add(1), creator: ag}
	nb.length.Store(n)
	old.handOver(nb, n, ag, op)
	return nb
}

// handOver gives nb old's recorder and records the transfer of n bytes from
// old to nb by agent ag.
func (old *block) handOver(nb *block, n int64, ag *Agent, op string) {
	if r := old.rec.Load(); r != nil {
		swapRecorder(&nb.rec, r)
	}
	if wantsRecord(old, ag) {
		t := Now()
		record(old, ag, &Event{Kind: EvTransfer, Op: op, Size: int(n), Peer: nb.id, Call: t, Return: t})
	}
}

// Slice returns a new ArrayBuffer holding a copy of bytes [start, end)
// (relative indices as in Buffer.Slice). A TypeError if b is detached.
func (b *ArrayBuffer) Slice(start, end int) (*ArrayBuffer, error) {
	const op = "ArrayBuffer.prototype.slice"
	if b.blk.detached() {
		return nil, Errorf(TypeError, op, "ArrayBuffer is detached")
	}
	from, to := relativeRange(start, end, b.ByteLength())
	nb, err := NewArrayBuffer(to-from, CreatedBy(b.agent))
	if err != nil {
		return nil, err
	}
	copyBytes(b.blk, from, nb.blk, 0, to-from, b.agent, op)
	return nb, nil
}

// Bytes returns a copy of the contents; a TypeError if detached.
func (b *ArrayBuffer) Bytes() ([]byte, error) {
	if b.blk.detached() {
		return nil, Errorf(TypeError, "ArrayBuffer", "ArrayBuffer is detached")
	}
	return snapshot(b.blk), nil
}

// Backing is a buffer a view can be made over: *Buffer or *ArrayBuffer.
type Backing interface {
	ByteLength() int
	backing() (*block, *Agent)
}

func (b *Buffer) backing() (*block, *Agent)      { return b.blk, b.agent }
func (b *ArrayBuffer) backing() (*block, *Agent) { return b.blk, b.agent }

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

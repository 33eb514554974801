package examples

import (
	"errors"
	"fmt"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// The layout of a ring buffer's Int32 elements (RingElements of them).
const (
	ringHead  = 0 // the consumer's index: items taken, modulo 2^32
	ringTail  = 1 // the producer's index: items put, modulo 2^32
	ringSlots = 2 // the first of the capacity data slots
)

// RingElements is the number of Int32 elements a ring buffer of capacity
// items occupies (the head and tail indices, then the slots): 4·(2 +
// capacity) bytes.
func RingElements(capacity int) int { return ringSlots + capacity }

// ringBug selects a deliberately broken ring buffer (the buggy examples).
type ringBug int

const (
	ringCorrect         ringBug = iota
	ringIndexBeforeData         // the producer publishes the tail before it writes the slot
	ringPlainIndex              // the indices are read and written with plain accesses
)

// RingProducer is the producing end of a single-producer single-consumer
// ring buffer of Int32 items in shared memory: an Int32 view of
// RingElements(capacity) elements — head (element 0, advanced by the
// consumer only), tail (element 1, advanced by the producer only), then
// capacity slots — all 0 at first. The ring holds tail − head items
// (modulo 2^32), item k in slot k mod capacity.
//
// The slots are read and written with plain (Unordered) accesses; the
// indices with Atomics. That is enough under ECMA-262's memory model: the
// producer writes a slot and then Atomics.stores the tail (agent-order);
// the consumer Atomics.loads the tail, and a seq-cst load that reads the
// value a seq-cst store of the same range wrote synchronizes-with it, so
// the slot's write happens-before the consumer's plain read of it, which
// must read it (coherent reads) — and the two do not race. Symmetrically
// the consumer's read of a slot happens-before the producer's next write
// of it through the head. (The indices themselves are seq-cst accesses of
// equal ranges: no data race.)
//
// Blocking calls (Put, Get) sleep with Atomics.wait on the other end's
// index and are woken by the Atomics.notify that follows each index
// store; the wait checks the index and enqueues in one critical section
// with respect to the notify (ECMA-262 DoWait / Atomics.notify), so no
// wake-up is lost.
//
// A RingProducer belongs to one agent (its view's) and keeps its tail in
// a Go variable too: it is the only writer of it. The same code runs
// under the explorer and on real goroutines.
type RingProducer struct {
	v        *shared.TypedArray
	capacity uint32
	tail     uint32
	bug      ringBug
	slept    int
}

// RingConsumer is the consuming end of the ring buffer RingProducer
// describes; it belongs to one agent and keeps its head in a Go variable
// (it is the only writer of it).
type RingConsumer struct {
	v        *shared.TypedArray
	capacity uint32
	head     uint32
	bug      ringBug
	slept    int
}

// errRing is the error of a bad ring buffer argument.
var errRing = errors.New("examples: ring buffer")

// checkRingView checks that v is an Int32 view of a shared buffer long
// enough for a ring of capacity items.
func checkRingView(v *shared.TypedArray, capacity int) error {
	if capacity < 1 || capacity > 1<<20 {
		return fmt.Errorf("%w: capacity %d, want 1 to 2^20", errRing, capacity)
	}
	if err := checkCells(fmt.Sprintf("ring buffer of capacity %d", capacity), v, 0, RingElements(capacity)); err != nil {
		return fmt.Errorf("%w: %w", errRing, err)
	}
	return nil
}

// NewRingProducer returns the producer of the ring of capacity items
// over v (an Int32 view of a shared buffer with at least
// RingElements(capacity) elements, bound to the producing agent). It reads
// the tail once (Atomics.load). A bad view or capacity is an error.
func NewRingProducer(v *shared.TypedArray, capacity int) (*RingProducer, error) {
	return newRingProducer(v, capacity, ringCorrect)
}

func newRingProducer(v *shared.TypedArray, capacity int, bug ringBug) (*RingProducer, error) {
	if err := checkRingView(v, capacity); err != nil {
		return nil, err
	}
	t, err := atomics.Load(v, ringTail)
	if err != nil {
		return nil, err
	}
	return &RingProducer{v: v, capacity: uint32(capacity), tail: uint32(t), bug: bug}, nil
}

// NewRingConsumer returns the consumer of the ring of capacity items over
// v, as NewRingProducer (it reads the head once).
func NewRingConsumer(v *shared.TypedArray, capacity int) (*RingConsumer, error) {
	return newRingConsumer(v, capacity, ringCorrect)
}

func newRingConsumer(v *shared.TypedArray, capacity int, bug ringBug) (*RingConsumer, error) {
	if err := checkRingView(v, capacity); err != nil {
		return nil, err
	}
	h, err := atomics.Load(v, ringHead)
	if err != nil {
		return nil, err
	}
	return &RingConsumer{v: v, capacity: uint32(capacity), head: uint32(h), bug: bug}, nil
}

// loadIndex reads index i: Atomics.load, or a plain read in the
// ringPlainIndex variant.
func loadIndex(v *shared.TypedArray, i int, bug ringBug) (uint32, error) {
	var x int64
	var err error
	if bug == ringPlainIndex {
		x, err = v.GetInt(i)
	} else {
		x, err = atomics.Load(v, i)
	}
	return uint32(x), err
}

// storeIndex publishes index i: Atomics.store, or a plain write in the
// ringPlainIndex variant.
func storeIndex(v *shared.TypedArray, i int, x uint32, bug ringBug) error {
	if bug == ringPlainIndex {
		return v.SetInt(i, int64(int32(x)))
	}
	_, err := atomics.Store(v, i, int64(int32(x)))
	return err
}

// TryPut appends x if the ring is not full and reports whether it did: it
// reads the head (Atomics.load); if tail − head is the capacity it returns
// false; otherwise it writes x into the tail's slot (a plain write) and
// publishes tail + 1 (Atomics.store, then Atomics.notify of one waiter on
// the tail, for a consumer blocked in Get). Errors are the view's.
func (p *RingProducer) TryPut(x int64) (bool, error) {
	h, err := loadIndex(p.v, ringHead, p.bug)
	if err != nil {
		return false, err
	}
	if p.tail-h >= p.capacity {
		return false, nil
	}
	return true, p.put(x)
}

// Put appends x, sleeping (Atomics.wait on the head) while the ring is
// full; it returns when x is in the ring. It blocks forever if no
// consumer takes an item from a full ring.
func (p *RingProducer) Put(x int64) error {
	for {
		h, err := loadIndex(p.v, ringHead, p.bug)
		if err != nil {
			return err
		}
		if p.tail-h < p.capacity {
			return p.put(x)
		}
		r, err := atomics.Wait(p.v, ringHead, int64(int32(h)), atomics.Forever)
		if err != nil {
			return err
		}
		if r == atomics.OK {
			p.slept++
		}
	}
}

// put writes x into the tail's slot and publishes the tail.
func (p *RingProducer) put(x int64) error {
	slot := ringSlots + int(p.tail%p.capacity)
	next := p.tail + 1
	if p.bug == ringIndexBeforeData {
		// The bug: the consumer may see the new tail and read the slot
		// before x is in it.
		if err := storeIndex(p.v, ringTail, next, p.bug); err != nil {
			return err
		}
		if err := p.v.SetInt(slot, x); err != nil {
			return err
		}
	} else {
		if err := p.v.SetInt(slot, x); err != nil {
			return err
		}
		if err := storeIndex(p.v, ringTail, next, p.bug); err != nil {
			return err
		}
	}
	p.tail = next
	_, err := atomics.Notify(p.v, ringTail, 1)
	return err
}

// Slept is the number of times Put slept in Atomics.wait and was woken
// ("ok"), a local count.
func (p *RingProducer) Slept() int { return p.slept }

// Slept is the number of times Get slept in Atomics.wait and was woken.
func (c *RingConsumer) Slept() int { return c.slept }

// TryGet takes the oldest item if the ring is not empty: it reads the
// tail (Atomics.load); if it equals the head it returns false; otherwise
// it reads the head's slot (a plain read) and publishes head + 1
// (Atomics.store, then Atomics.notify of one waiter on the head, for a
// producer blocked in Put).
func (c *RingConsumer) TryGet() (int64, bool, error) {
	t, err := loadIndex(c.v, ringTail, c.bug)
	if err != nil {
		return 0, false, err
	}
	if t == c.head {
		return 0, false, nil
	}
	x, err := c.get()
	return x, err == nil, err
}

// Get takes the oldest item, sleeping (Atomics.wait on the tail) while the
// ring is empty. It blocks forever if no producer puts an item into an
// empty ring.
func (c *RingConsumer) Get() (int64, error) {
	for {
		t, err := loadIndex(c.v, ringTail, c.bug)
		if err != nil {
			return 0, err
		}
		if t != c.head {
			return c.get()
		}
		r, err := atomics.Wait(c.v, ringTail, int64(int32(t)), atomics.Forever)
		if err != nil {
			return 0, err
		}
		if r == atomics.OK {
			c.slept++
		}
	}
}

// get reads the head's slot and publishes the head.
func (c *RingConsumer) get() (int64, error) {
	x, err := c.v.GetInt(ringSlots + int(c.head%c.capacity))
	if err != nil {
		return 0, err
	}
	c.head++
	if err := storeIndex(c.v, ringHead, c.head, c.bug); err != nil {
		return 0, err
	}
	_, err = atomics.Notify(c.v, ringHead, 1)
	return x, err
}

// RingOp is an operation of a ring buffer as its specification
// (RingSpec) reads it: a put of Value or a get, blocking (Put, Get) or not
// (TryPut, TryGet).
type RingOp struct {
	Put   bool
	Block bool
	Value int64 // the item a put appends
}

// RingResult is a ring buffer operation's result: OK is false for a
// TryPut that found the ring full or a TryGet that found it empty; Value
// is the item a get took.
type RingResult struct {
	OK    bool
	Value int64
}

// RingSpec returns the sequential specification of a ring buffer of
// capacity items: a bounded FIFO queue. A put appends its value if fewer
// than capacity items are queued, and then returns OK; a TryPut on a full
// queue returns not OK and changes nothing; a blocking Put on a full queue
// cannot take effect (it must be linearized after a get). A get removes
// and returns the oldest item; a TryGet on an empty queue returns not OK,
// and a blocking Get on an empty queue cannot take effect. Inputs are
// RingOp, outputs RingResult.
func RingSpec(capacity int) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return "" }, // the queued items, comma-terminated
		Step: func(state, input, output any) (bool, any) {
			q := state.(string)
			op, res := input.(RingOp), output.(RingResult)
			n := strings.Count(q, ",")
			if op.Put {
				switch {
				case n < capacity:
					return res.OK, fmt.Sprintf("%s%d,", q, op.Value)
				case op.Block:
					return false, q
				}
				return !res.OK, q
			}
			if n == 0 {
				return !op.Block && !res.OK, q
			}
			first, rest, _ := strings.Cut(q, ",")
			return res.OK && first == fmt.Sprint(res.Value), rest
		},
		DescribeOperation: func(input, output any) string {
			op, res := input.(RingOp), output.(RingResult)
			name := map[[2]bool]string{{true, true}: "Put", {true, false}: "TryPut", {false, true}: "Get", {false, false}: "TryGet"}[[2]bool{op.Put, op.Block}]
			switch {
			case op.Put && res.OK:
				return fmt.Sprintf("%s(%d) → ok", name, op.Value)
			case op.Put:
				return fmt.Sprintf("%s(%d) → full", name, op.Value)
			case res.OK:
				return fmt.Sprintf("%s() → %d", name, res.Value)
			}
			return name + "() → empty"
		},
	}
}

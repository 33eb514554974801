package shared

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
	"github.com/sabre-mm/sabre/internal/mutant"
)

// Queue is PEP 734's interpreters.Queue: a FIFO queue through which agents
// pass shareable values. A *Queue is a handle bound to at most one agent
// (For returns another handle to the same queue, bound to another agent);
// puts and gets through a bound handle are recorded as EvQueuePut and
// EvQueueGet events of that agent.
//
// # Shareable values
//
// Only values whose passing shares no Go memory that could then be accessed
// without synchronization pass; anything else is refused with an error of kind
// NotShareable that names its type, and nothing is enqueued:
//
//   - nil, booleans, integers, floating-point and complex numbers, strings
//     (also of named types whose underlying type is one of these): passed as
//     they are (they are immutable).
//   - []byte (or a named byte-slice type): copied when it is put, so that
//     changing the original afterwards does not change what is received.
//   - *Buffer (SharedArrayBuffer): by reference; the receiver gets the same
//     memory, bound to the receiving agent. Likewise a *TypedArray or
//     *DataView over a Buffer (PEP 734's memoryview): the receiver gets the
//     same view of the same memory.
//   - *ArrayBuffer: only by transfer, when it is also named in the put's
//     transfer list. The receiver gets a new ArrayBuffer that owns the bytes
//     and the sender's is detached (an EvTransfer event of the sender). A
//     *TypedArray or *DataView over an ArrayBuffer named in the transfer list
//     arrives as the same view over the received buffer.
//   - *Queue: by reference (queues are shareable in PEP 734); the receiver
//     gets a handle to the same queue bound to the receiving agent.
//   - []any: PEP 734's tuple; copied, and every element must be shareable.
//     A buffer named twice in one item arrives as one buffer, and a tuple
//     that occurs at several places in one item is copied once and arrives
//     as one tuple at those places (validating and copying an item costs
//     time and memory linear in its distinct tuples' total length, however
//     they share). A tuple that contains itself, directly or not, is
//     refused ("item[1] is item: a tuple that contains itself …"), and so
//     are tuples nested more than MaxTupleDepth deep.
//
// The transfer list may name only ArrayBuffers (a *Buffer is a TypeError,
// "cannot transfer a SharedArrayBuffer"), each once, none detached, and each
// must occur in the item. Every check is made before anything happens: a
// refused put enqueues nothing and detaches nothing. The transfer takes
// place when the item enters the queue, so a put that times out or is
// cancelled leaves the sender's buffers as they were.
//
// # Blocking, timeouts and cancellation
//
// Put waits while the queue is full and Get while it is empty; neither
// busy-waits. Waiting gets are served in the order they began waiting, and
// items come out in the order they went in. A freed slot wakes the put that
// has waited longest, but a put that arrives before the woken one runs may
// take the slot (the woken one then waits again, first in line): a put
// fails "full" exactly when the queue holds maxsize items, so the queue is
// linearizable (checker.Linearizability checks it), as Python's queue.Queue,
// which promises no order among blocked puts either. Each
// operation completes without waiting whenever it can — even when its
// context is already done or its timeout is zero — and otherwise fails with
// an error of kind QueueFull or QueueEmpty when its timeout passes or its
// context ends (then it also wraps ctx.Err(), so errors.Is(err,
// context.DeadlineExceeded) holds). An operation either completes or fails
// with nothing done: a get that returns an error has taken no item, and a
// put that returns an error has enqueued nothing. An operation that
// completes at the moment its context ends reports success.
//
// # Recording
//
// A put and the get that takes its item are a host-synchronizes-with edge:
// both events carry the same Sync token (allocated when the put is recorded).
// Their Peer field is the queue's ID, their Count the queue's maxsize (0
// when unbounded, so that a checker can check it is respected), Call and
// Return are the instants the operation began and completed, and Result is
// "ok". A put that found the queue full or a get that found it empty
// (nowait, timeout, context) is recorded with Result "full" or "empty" and
// no Sync token; a refused value records nothing.
type Queue struct {
	s     *queueState
	agent *Agent
}

type queueState struct {
	id      uint64
	maxsize int

	mu      sync.Mutex
	items   []queueItem // the queue is items[head:]
	head    int
	waking  int            // waiting puts woken for a free slot that have not looked at it yet
	getters []*queueWaiter // gets waiting for an item, in arrival order
	putters []*queueWaiter // puts waiting for a slot, in arrival order
}

// queueItem is a prepared value (copied, transferred; bound to no agent) and
// the Sync token of its put.
type queueItem struct {
	v     any
	token uint64
	id    uint64 // the item's identity in histories (0 when the put was not recorded)
}

// queueWaiter is a waiting get or put. served is set, under the queue's
// lock, when a get has been handed an item or a put woken for a slot; ready is
// closed at the same time. A waiter that gives up removes itself under the
// lock unless it was served, so it never takes an item or a slot after
// reporting failure.
type queueWaiter struct {
	ready  chan struct{}
	served bool
	item   queueItem
}

var queueIDs atomic.Uint64

// NewQueue returns an empty queue that holds at most maxsize items; if
// maxsize is zero or negative the queue is unbounded (as PEP 734's
// create_queue and Python's queue.Queue). The handle is bound to no agent.
func NewQueue(maxsize int) *Queue {
	return &Queue{s: &queueState{id: queueIDs.Add(1), maxsize: maxsize}}
}

// For returns a handle to the same queue bound to agent a: its puts and gets
// are attributed to a, and values it receives are bound to a.
func (q *Queue) For(a *Agent) *Queue {
	if q == nil {
		return &Queue{agent: a} // as unusable as q: its operations are TypeErrors
	}
	return &Queue{s: q.s, agent: a}
}

// Agent returns the agent the handle is bound to, or nil.
func (q *Queue) Agent() *Agent {
	if q == nil {
		return nil
	}
	return q.agent
}

// ID returns the queue's identity (the Peer of its recorded events). All
// handles to one queue have the same ID; 0 for a nil or zero Queue.
func (q *Queue) ID() uint64 {
	if q == nil || q.s == nil {
		return 0
	}
	return q.s.id
}

// Same reports whether q and r are handles to the same queue.
func (q *Queue) Same(r *Queue) bool { return q != nil && r != nil && q.s != nil && q.s == r.s }

// MaxSize returns the maxsize the queue was made with (zero or negative:
// unbounded).
func (q *Queue) MaxSize() int {
	if q == nil || q.s == nil {
		return 0
	}
	return q.s.maxsize
}

// Size returns the number of items in the queue (PEP 734's qsize). Other
// agents may change it at any moment.
func (q *Queue) Size() int {
	if q == nil || q.s == nil {
		return 0
	}
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	return q.s.size()
}

// Empty reports whether the queue holds no item.
func (q *Queue) Empty() bool { return q.Size() == 0 }

// Full reports whether a put would have to wait: the queue is bounded and
// holds maxsize items (counting those of puts that have been given a slot and
// are completing). An unbounded queue is never full.
func (q *Queue) Full() bool {
	if q == nil || q.s == nil {
		return false
	}
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	return !q.s.room()
}

func (q *Queue) String() string {
	if q == nil || q.s == nil {
		return "Queue(nil)"
	}
	if q.s.maxsize <= 0 {
		return fmt.Sprintf("Queue(%d, unbounded)", q.s.id)
	}
	return fmt.Sprintf("Queue(%d, maxsize %d)", q.s.id, q.s.maxsize)
}

// Put adds item to the back of the queue, waiting while the queue is full
// until a slot frees or ctx ends (a nil ctx never ends). The ArrayBuffers in
// transfer are transferred (see Queue). Errors: NotShareable or TypeError
// for a value or transfer list that cannot be sent; QueueFull, wrapping
// ctx.Err(), if ctx ended first.
func (q *Queue) Put(ctx context.Context, item any, transfer ...Backing) error {
	return q.put("Queue.put", item, transfer, waitSpec{block: true, ctx: ctx})
}

// PutTimeout is Put waiting at most timeout; QueueFull if no slot freed in
// time. A timeout of zero or less does not wait (as PutNowait).
func (q *Queue) PutTimeout(item any, timeout time.Duration, transfer ...Backing) error {
	return q.put("Queue.put", item, transfer, waitSpec{block: timeout > 0, timeout: timeout})
}

// PutNowait is Put without waiting: QueueFull if the queue is full.
func (q *Queue) PutNowait(item any, transfer ...Backing) error {
	return q.put("Queue.put_nowait", item, transfer, waitSpec{})
}

// Get removes and returns the item at the front of the queue, waiting while
// the queue is empty until an item arrives or ctx ends (a nil ctx never
// ends); QueueEmpty, wrapping ctx.Err(), if ctx ended first. Buffers, views
// and queues in the item are bound to the handle's agent.
func (q *Queue) Get(ctx context.Context) (any, error) {
	return q.get("Queue.get", waitSpec{block: true, ctx: ctx})
}

// GetTimeout is Get waiting at most timeout; QueueEmpty if no item arrived
// in time. A timeout of zero or less does not wait (as GetNowait).
func (q *Queue) GetTimeout(timeout time.Duration) (any, error) {
	return q.get("Queue.get", waitSpec{block: timeout > 0, timeout: timeout})
}

// GetNowait is Get without waiting: QueueEmpty if the queue is empty.
func (q *Queue) GetNowait() (any, error) { return q.get("Queue.get_nowait", waitSpec{}) }

// IsShareable reports whether v may be put on a queue without a transfer
// list (PEP 734's is_shareable): false for ArrayBuffers (and views over
// them), which pass only by transfer, for every type Queue does not list,
// and for tuples that contain themselves or nest more than MaxTupleDepth
// deep.
func IsShareable(v any) bool {
	p := parcel{dry: true}
	_, err := p.value("IsShareable", v)
	return err == nil
}

// waitSpec says how long an operation may wait: not at all (block false),
// until timeout (if positive), until ctx ends (if not nil), or forever.
type waitSpec struct {
	block   bool
	timeout time.Duration
	ctx     context.Context
}

// await waits, through the bracket o, until w is served, the timeout
// passes or the context ends (with a controller: until it decides), and
// returns the context's (or controller's) error if that ended the wait.
func (ws waitSpec) await(o *mem.Obs, ev *history.Event, w *queueWaiter) error {
	timeout := time.Duration(-1)
	if ws.timeout > 0 {
		timeout = ws.timeout
	}
	// The controller's copy of the event carries the timeout (Controller);
	// the recorded event does not (history records Timeout for waits only).
	ev.Timeout = int64(timeout)
	_, err := o.Await(ev, w.ready, timeout, ws.ctx)
	ev.Timeout = 0
	return err
}

// failure returns the QueueFull or QueueEmpty error of an operation that
// could not complete, wrapping cause (the context's error) if there is one.
func (ws waitSpec) failure(kind ErrorKind, op string, id uint64, cause error) error {
	what := "full"
	if kind == QueueEmpty {
		what = "empty"
	}
	var e *Error
	switch {
	case cause != nil:
		e = &Error{Kind: kind, Op: op, Msg: fmt.Sprintf("queue %d stayed %s until the context ended", id, what)}
		return &queueCtxError{err: e, cause: cause}
	case ws.block:
		e = &Error{Kind: kind, Op: op, Msg: fmt.Sprintf("queue %d stayed %s for %v", id, what, ws.timeout)}
	default:
		e = &Error{Kind: kind, Op: op, Msg: fmt.Sprintf("queue %d is %s", id, what)}
	}
	return e
}

// queueCtxError is a QueueFull or QueueEmpty error that also wraps the
// context error that ended the wait: errors.Is matches both, and errors.As
// finds the *Error.
type queueCtxError struct {
	err   *Error
	cause error
}

func (e *queueCtxError) Error() string   { return e.err.Error() + ": " + e.cause.Error() }
func (e *queueCtxError) Unwrap() []error { return []error{e.err, e.cause} }

// room reports whether a put can complete now without waiting (under mu):
// the queue holds fewer than maxsize items.
func (s *queueState) room() bool {
	return s.maxsize <= 0 || s.size() < s.maxsize
}

// grant wakes waiting puts, oldest first, one for each free slot not
// already promised to a woken put (under mu). A woken put takes the slot
// only if it is still free when it runs: a slot is never reserved, so that
// a put fails "full" exactly when the queue holds maxsize items, and items
// enter the queue in the order they are delivered — which makes the queue
// linearizable (checker.Linearizability), at the price of fairness: a put
// that arrives while a woken put is on its way may take the slot, and the
// woken one waits again, first in line.
func (s *queueState) grant() {
	for len(s.putters) > 0 && (s.maxsize <= 0 || s.size()+s.waking < s.maxsize) {
		w := s.putters[0]
		s.putters[0] = nil
		s.putters = s.putters[1:]
		w.served = true
		s.waking++
		close(w.ready)
	}
}

// deliver hands it to the oldest waiting get, or appends it (under mu).
func (s *queueState) deliver(it queueItem) {
	if mutant.Enabled && mutant.Is(mutant.QueueDropsItem) && (len(s.putters) > 0 || s.size() > 0) {
		// The mutant: under contention (other puts wait for room, or items
		// wait for gets) the item is lost, though its put completes and is
		// recorded "ok".
		return
	}
	if len(s.getters) > 0 {
		w := s.getters[0]
		s.getters[0] = nil
		s.getters = s.getters[1:]
		w.item, w.served = it, true
		close(w.ready)
		return
	}
	s.items = append(s.items, it)
}

func (s *queueState) size() int { return len(s.items) - s.head }

// recordedMaxsize is the maxsize the queue's events record (Event.Count):
// 0 for an unbounded queue.
func (s *queueState) recordedMaxsize() int64 { return int64(max(s.maxsize, 0)) }

// pop removes the front item (under mu; the queue is not empty) and gives
// the freed slot to a waiting put.
func (s *queueState) pop() queueItem {
	it := s.items[s.head]
	s.items[s.head] = queueItem{}
	s.head++
	switch {
	case s.head == len(s.items):
		s.items, s.head = s.items[:0], 0
	case s.head >= 64 && 2*s.head >= len(s.items):
		n := copy(s.items, s.items[s.head:])
		clear(s.items[n:])
		s.items, s.head = s.items[:n], 0
	}
	s.grant()
	return it
}

func removeWaiter(ws []*queueWaiter, w *queueWaiter) []*queueWaiter {
	for i, x := range ws {
		if x == w {
			copy(ws[i:], ws[i+1:])
			ws[len(ws)-1] = nil
			return ws[:len(ws)-1]
		}
	}
	return ws
}

func errNoQueue(op string) error {
	return Errorf(TypeError, op, "queue is nil or not made by NewQueue")
}

// itemIDs numbers the items put, for their identity in histories.
var itemIDs atomic.Uint64

func (q *Queue) put(op string, item any, transfer []Backing, ws waitSpec) error {
	if q == nil || q.s == nil {
		return errNoQueue(op)
	}
	p := parcel{sender: q.agent}
	if err := p.prepare(op, item, transfer); err != nil {
		return err
	}
	s := q.s
	var o mem.Obs
	var ev history.Event
	ev.Kind = history.EvQueuePut
	ev.Op = op
	ev.Peer = s.id
	ev.Count = s.recordedMaxsize()
	if mem.Attached() {
		o.Begin(nil, coreOf(q.agent), &ev)
		if o.Recorded() {
			ev.Sync, ev.Item = history.NewSyncToken(), itemIDs.Add(1)
		}
	}
	// A controller sees the transfers before the lock is taken; they are
	// recorded only if the put succeeds.
	p.beginTransfers(op)
	s.mu.Lock()
	var deadline time.Time
	if ws.timeout > 0 {
		deadline = time.Now().Add(ws.timeout)
	}
	waited := false
	for !s.room() {
		if !ws.block || (waited && ws.timeout > 0 && !time.Now().Before(deadline)) {
			s.mu.Unlock()
			return q.failed(&o, &ev, "full", ws.failure(QueueFull, op, s.id, nil))
		}
		w := &queueWaiter{ready: make(chan struct{})}
		if waited {
			// Woken, but another put took the slot first: wait again, ahead
			// of the puts that began waiting after this one.
			s.putters = append([]*queueWaiter{w}, s.putters...)
		} else {
			s.putters = append(s.putters, w)
		}
		s.mu.Unlock()
		wsi := ws
		if ws.timeout > 0 {
			wsi.timeout = max(time.Until(deadline), time.Nanosecond)
		}
		cause := wsi.await(&o, &ev, w)
		s.mu.Lock()
		if !w.served {
			s.putters = removeWaiter(s.putters, w)
			s.mu.Unlock()
			return q.failed(&o, &ev, "full", ws.failure(QueueFull, op, s.id, cause))
		}
		s.waking-- // woken for a free slot: the loop checks it is still free
		waited = true
	}
	if err := p.commit(op); err != nil {
		s.grant() // the slot goes to the next put
		s.mu.Unlock()
		return err
	}
	s.deliver(queueItem{v: p.v, token: ev.Sync, id: ev.Item})
	s.grant() // an item handed straight to a waiting get left its slot free
	s.mu.Unlock()
	p.endTransfers()
	ev.Result = "ok"
	o.End(&ev)
	return nil
}

// failed records a put or get that could not complete (Result "full" or
// "empty", no Sync token or item) and returns err.
func (q *Queue) failed(o *mem.Obs, ev *history.Event, result string, err error) error {
	ev.Result, ev.Sync, ev.Item = result, 0, 0
	o.End(ev)
	return err
}

func (q *Queue) get(op string, ws waitSpec) (any, error) {
	if q == nil || q.s == nil {
		return nil, errNoQueue(op)
	}
	s := q.s
	var o mem.Obs
	var ev history.Event
	ev.Kind = history.EvQueueGet
	ev.Op = op
	ev.Peer = s.id
	ev.Count = s.recordedMaxsize()
	if mem.Attached() {
		o.Begin(nil, coreOf(q.agent), &ev)
	}
	s.mu.Lock()
	var it queueItem
	if s.size() > 0 {
		it = s.pop()
		s.mu.Unlock()
	} else {
		if !ws.block {
			s.mu.Unlock()
			return nil, q.failed(&o, &ev, "empty", ws.failure(QueueEmpty, op, s.id, nil))
		}
		w := &queueWaiter{ready: make(chan struct{})}
		s.getters = append(s.getters, w)
		s.mu.Unlock()
		cause := ws.await(&o, &ev, w)
		s.mu.Lock()
		if !w.served {
			s.getters = removeWaiter(s.getters, w)
			s.mu.Unlock()
			return nil, q.failed(&o, &ev, "empty", ws.failure(QueueEmpty, op, s.id, cause))
		}
		it = w.item
		s.mu.Unlock()
	}
	ev.Result, ev.Sync, ev.Item = "ok", it.token, it.id
	o.End(&ev)
	return bindValue(it.v, q.agent), nil
}

// MaxTupleDepth is how deeply tuples ([]any) may nest in a queued item: the
// item, if it is a tuple, is at depth 1, a tuple in it at depth 2, and so on.
// A deeper item is refused as NotShareable. Validating and copying an item
// never recurses, so the limit does not protect sabre itself; it protects
// the receiver, whose own walks of the value are likely to be recursive
// (fmt and reflect.DeepEqual need about half a kilobyte of goroutine stack
// per level, so a million levels come close to Go's 1 GB stack limit, a
// fatal error). Python's own cross-interpreter tuples stop at its recursion
// limit, far below this.
const MaxTupleDepth = 100_000

// parcel is an item being put: its validated, copied value and the
// ArrayBuffers to transfer with it.
type parcel struct {
	dry      bool // only validate (IsShareable)
	sender   *Agent
	v        any
	transfer []*ArrayBuffer    // the transfer list, validated
	listed   map[*block]int    // transfer list position of each listed block
	used     map[*block]bool   // listed blocks that occur in the item
	moved    map[*block]*block // after commit: each transferred block's new block
	// newBlocks[i] is transfer[i]'s new block (after commit); brackets[i]
	// the bracket of its transfer.
	newBlocks []*block
	brackets  []transferBracket

	// The walk of the item's tuples (see value): the tuples from the item
	// down to the one being validated, each at the index of its element being
	// validated (the path to the current element is "item" and those
	// indices); the tuples met so far (once the item has a tuple in a tuple),
	// indexed by a map once there are more than tupleScan of them; and, when
	// there are ArrayBuffers to transfer, the copies made (for rewrite).
	stack  []tupleFrame
	marks  []tupleMark
	seen   map[tupleKey]int // index in marks
	copies [][]any
}

// tupleScan is how many remembered tuples are searched one by one before
// they are indexed by a map: most items hold only a few tuples.
const tupleScan = 8

// tupleKey identifies a non-empty tuple by its elements' memory: two []any
// with the same first element address and the same length hold the same
// elements. A tuple that reaches a tuple with its own key contains itself.
type tupleKey struct {
	first *any
	n     int
}

// tupleFrame is a tuple on the walk's path: its elements, its copy (nil in a
// dry run), the index of the element being validated, and its mark (-1 while
// no tuple is remembered).
type tupleFrame struct {
	src  []any
	out  []any
	i    int
	mark int
}

// tupleMark is what the walk knows about a tuple it met: its key, its copy,
// and whether it is open: on the path, so that meeting it again closes a
// cycle.
type tupleMark struct {
	key  tupleKey
	out  []any
	open bool
}

// find returns the index of the mark of the tuple with key k, or -1.
func (p *parcel) find(k tupleKey) int {
	if p.seen != nil {
		if i, ok := p.seen[k]; ok {
			return i
		}
		return -1
	}
	for i := range p.marks {
		if p.marks[i].key == k {
			return i
		}
	}
	return -1
}

// remember adds an open mark for the tuple with key k and copy out, and
// returns its index.
func (p *parcel) remember(k tupleKey, out []any) int {
	i := len(p.marks)
	p.marks = append(tupleGrow(p.marks), tupleMark{key: k, out: out, open: true})
	switch {
	case p.seen != nil:
		p.seen[k] = i
	case len(p.marks) > tupleScan:
		p.seen = make(map[tupleKey]int, 2*len(p.marks))
		for j := range p.marks {
			p.seen[p.marks[j].key] = j
		}
	}
	return i
}

// prepare validates the transfer list and the item, and copies the item's
// byte slices and tuples. It changes nothing outside the parcel.
func (p *parcel) prepare(op string, item any, transfer []Backing) error {
	for i, tb := range transfer {
		switch b := tb.(type) {
		case *Buffer:
			if b == nil || b.blk == nil {
				return Errorf(TypeError, op, "transfer list entry %d is a nil buffer", i)
			}
			return Errorf(TypeError, op, "transfer list entry %d: cannot transfer a SharedArrayBuffer", i)
		case *ArrayBuffer:
			if b == nil || b.blk == nil {
				return Errorf(TypeError, op, "transfer list entry %d is a nil buffer", i)
			}
			if j, dup := p.listed[b.blk]; dup {
				return Errorf(TypeError, op, "transfer list entries %d and %d are the same ArrayBuffer %d", j, i, b.blk.ID)
			}
			if b.blk.Detached() {
				return Errorf(TypeError, op, "transfer list entry %d: ArrayBuffer %d is detached", i, b.blk.ID)
			}
			if p.listed == nil {
				p.listed = make(map[*block]int)
				p.used = make(map[*block]bool)
			}
			p.listed[b.blk] = i
			p.transfer = append(p.transfer, b)
		default:
			return Errorf(TypeError, op, "transfer list entry %d is nil", i)
		}
	}
	v, err := p.value(op, item)
	if err != nil {
		return err
	}
	for i, b := range p.transfer {
		if !p.used[b.blk] {
			return Errorf(TypeError, op, "transfer list entry %d: ArrayBuffer %d does not occur in the item", i, b.blk.ID)
		}
	}
	p.v = v
	return nil
}

// value validates v (the item) and returns what will be enqueued, copying
// its byte slices and tuples. Tuples are walked depth first with a stack of
// their own, not by recursion, so that no nesting can overflow the goroutine
// stack, and each distinct tuple is validated and copied once: a tuple that
// occurs at several places in the item (a DAG) arrives as one copy occurring
// at the same places, so the work and the copy are linear in the total length
// of the item's distinct tuples. A tuple that contains itself (a cycle) and
// tuples nested more than MaxTupleDepth deep are refused. The path to an
// element ("item[1][0]") is rendered only for an error.
func (p *parcel) value(op string, v any) (any, error) {
	root, ok := v.([]any)
	if !ok {
		return p.element(op, v)
	}
	out, err := p.open(op, root)
	for err == nil && len(p.stack) > 0 {
		f := &p.stack[len(p.stack)-1]
		if f.i == len(f.src) { // f is complete: close it and return its copy to its parent
			done := f.out
			if f.mark >= 0 {
				p.marks[f.mark].open = false
			}
			*f = tupleFrame{}
			p.stack = p.stack[:len(p.stack)-1]
			if len(p.stack) == 0 {
				out = done
				break
			}
			f = &p.stack[len(p.stack)-1]
			if f.out != nil {
				f.out[f.i] = done
			}
			f.i++
			continue
		}
		var c any
		if t, ok := f.src[f.i].([]any); ok {
			depth := len(p.stack)
			var sub []any
			if sub, err = p.open(op, t); err != nil || len(p.stack) > depth {
				continue // refused, or t's frame is pushed (f may have moved)
			}
			c = sub
		} else if c, err = p.element(op, f.src[f.i]); err != nil {
			break
		}
		if f.out != nil {
			f.out[f.i] = c
		}
		f.i++
	}
	p.stack, p.marks, p.seen = nil, nil, nil
	if err != nil {
		return nil, err
	}
	return out, nil
}

// open starts the walk of tuple t, met at the current path: it refuses t if
// it is too deep or contains itself, returns its copy if it is empty or was
// met before, and otherwise pushes its frame (returning nil).
func (p *parcel) open(op string, t []any) ([]any, error) {
	if len(p.stack) >= MaxTupleDepth {
		return nil, Errorf(NotShareable, op, "%s is a tuple nested more than MaxTupleDepth (%d) deep, which is not shareable", p.path(len(p.stack)), MaxTupleDepth)
	}
	if len(t) == 0 {
		if t == nil || p.dry {
			return nil, nil
		}
		return []any{}, nil
	}
	key := tupleKey{&t[0], len(t)}
	if len(p.stack) > 0 && len(p.marks) == 0 {
		// The first tuple inside the item: from now on tuples are
		// remembered, the item first (a flat tuple needs no marks).
		root := &p.stack[0]
		root.mark = p.remember(tupleKey{&root.src[0], len(root.src)}, root.out)
	}
	if k := p.find(key); k >= 0 {
		m := p.marks[k]
		if m.open {
			j := 0
			for p.stack[j].mark != k {
				j++
			}
			return nil, Errorf(NotShareable, op, "%s is %s: a tuple that contains itself is not shareable", p.path(len(p.stack)), p.path(j))
		}
		return m.out, nil
	}
	f := tupleFrame{src: t, mark: -1}
	if !p.dry {
		f.out = make([]any, len(t))
		if len(p.transfer) > 0 {
			p.copies = append(p.copies, f.out)
		}
	}
	if len(p.marks) > 0 {
		f.mark = p.remember(key, f.out)
	}
	p.stack = append(tupleGrow(p.stack), f)
	return nil, nil
}

// tupleGrow returns s with room for one more element, doubling its capacity
// when it is full (append grows large slices by only a quarter, which for
// the walk of a deep item allocates about five times the final size).
func tupleGrow[T any](s []T) []T {
	if len(s) < cap(s) || len(s) < 256 {
		return s
	}
	return append(make([]T, 0, 2*cap(s)), s...)
}

// pathEdge is how many indices of a long path an error shows at each end.
const pathEdge = 16

// path renders the path through the first n frames of the walk: "item" and
// each frame's index, with the middle of a path longer than 2*pathEdge
// indices elided.
func (p *parcel) path(n int) string {
	var b strings.Builder
	b.WriteString("item")
	for j, f := range p.stack[:n] {
		if n > 2*pathEdge && j == pathEdge {
			fmt.Fprintf(&b, "[…%d more…]", n-2*pathEdge)
		}
		if n > 2*pathEdge && j >= pathEdge && j < n-pathEdge {
			continue
		}
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(f.i))
		b.WriteByte(']')
	}
	return b.String()
}

// element validates v, an element of the item that is not a tuple (or the
// item itself), at the current path, and returns what will be enqueued.
func (p *parcel) element(op string, v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr,
		float32, float64, complex64, complex128:
		return v, nil
	case []byte:
		if p.dry {
			return nil, nil
		}
		return bytes.Clone(x), nil
	case *Buffer:
		if x == nil || x.blk == nil {
			return nil, p.refuse(op, v, "a nil Buffer")
		}
		return x, nil
	case *ArrayBuffer:
		if x == nil || x.blk == nil {
			return nil, p.refuse(op, v, "a nil ArrayBuffer")
		}
		return x, p.transferred(op, v, x.blk)
	case *TypedArray:
		if !x.ok() {
			return nil, p.refuse(op, v, "a nil view")
		}
		if x.arr.Blk.Shared {
			return x, nil
		}
		return x, p.transferred(op, v, x.arr.Blk)
	case *DataView:
		if x == nil || x.blk == nil {
			return nil, p.refuse(op, v, "a nil view")
		}
		if x.blk.Shared {
			return x, nil
		}
		return x, p.transferred(op, v, x.blk)
	case *Queue:
		if x == nil || x.s == nil {
			return nil, p.refuse(op, v, "a nil Queue")
		}
		return x, nil
	}
	// Named types whose underlying type is a scalar or a byte slice.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return v, nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if p.dry || rv.IsNil() {
				return v, nil
			}
			c := reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())
			reflect.Copy(c, rv)
			return c.Interface(), nil
		}
	}
	return nil, p.refuse(op, v, "")
}

// refuse returns the NotShareable error for v at the current path.
func (p *parcel) refuse(op string, v any, what string) error {
	path := p.path(len(p.stack))
	if what == "" {
		return Errorf(NotShareable, op, "%s of type %T is not shareable", path, v)
	}
	return Errorf(NotShareable, op, "%s is %s (%T), which is not shareable", path, what, v)
}

// transferred checks that the non-shared block of an item's ArrayBuffer (or
// view), at the current path, is transferred with it, and not detached.
func (p *parcel) transferred(op string, v any, blk *block) error {
	if blk.Detached() {
		return Errorf(NotShareable, op, "%s (%T) is over ArrayBuffer %d, which is detached", p.path(len(p.stack)), v, blk.ID)
	}
	if _, ok := p.listed[blk]; !ok {
		return Errorf(NotShareable, op, "%s (%T) is over ArrayBuffer %d, which is not shareable: an ArrayBuffer passes only by transfer (name it in the transfer list)", p.path(len(p.stack)), v, blk.ID)
	}
	p.used[blk] = true
	return nil
}

// commit transfers the parcel's ArrayBuffers and rewrites its value to refer
// to the new ones. All or nothing: it first detaches every source (each by
// compare-and-swap, so that a concurrent Transfer of the same buffer cannot
// also win), and if one was detached meanwhile it restores the others and
// fails with a TypeError.
func (p *parcel) commit(op string) error {
	if len(p.transfer) == 0 {
		return nil
	}
	lengths := make([]int64, len(p.transfer))
	for i, b := range p.transfer {
		n, ok := b.blk.Detach()
		if !ok {
			for j := 0; j < i; j++ {
				p.transfer[j].blk.Len.Store(lengths[j])
			}
			return Errorf(TypeError, op, "transfer list entry %d: ArrayBuffer %d was detached while the put was pending", i, b.blk.ID)
		}
		lengths[i] = n
	}
	p.moved = make(map[*block]*block, len(p.transfer))
	for i, b := range p.transfer {
		old, n := b.blk, lengths[i]
		nb := old.MoveTo(n, coreOf(p.transferAgent(i)))
		p.newBlocks = append(p.newBlocks, nb)
		p.moved[old] = nb
	}
	p.v = p.rewrite(p.v)
	return nil
}

// transferAgent is the agent to which transfer i is attributed: the
// sender (nil when the queue handle is bound to no agent: then the
// transfer is an event of no agent, not one of another agent's order).
func (p *parcel) transferAgent(int) *Agent { return p.sender }

// beginTransfers opens the brackets of the parcel's transfers, before the
// queue's lock is taken: a controller may pause the agent in them.
func (p *parcel) beginTransfers(op string) {
	p.brackets = make([]transferBracket, len(p.transfer))
	for i, b := range p.transfer {
		p.brackets[i].begin(b.blk, coreOf(p.transferAgent(i)), op, true)
	}
}

// endTransfers closes them once the transfers happened (commit succeeded),
// after the queue's lock is released.
func (p *parcel) endTransfers() {
	for i, b := range p.transfer {
		p.brackets[i].end(b.blk, p.newBlocks[i], int64(p.newBlocks[i].ByteLength()))
	}
}

// rewrite replaces the transferred buffers in v (the parcel's own copy) by
// their new blocks. The copy's tuples are those value made (p.copies), each
// rewritten once however often it occurs, without recursion.
func (p *parcel) rewrite(v any) any {
	if _, ok := v.([]any); !ok {
		return p.rewriteOne(v)
	}
	for _, t := range p.copies {
		for i, e := range t {
			t[i] = p.rewriteOne(e)
		}
	}
	return v
}

// rewriteOne returns v, an element of the copy that is not a tuple, with a
// transferred buffer replaced by its new block.
func (p *parcel) rewriteOne(v any) any {
	switch x := v.(type) {
	case *ArrayBuffer:
		return &ArrayBuffer{blk: p.moved[x.blk]}
	case *TypedArray:
		if nb, ok := p.moved[x.arr.Blk]; ok {
			w := *x
			w.arr.Blk = nb
			return &w
		}
	case *DataView:
		if nb, ok := p.moved[x.blk]; ok {
			w := *x
			w.blk, w.buf = nb, &ArrayBuffer{blk: nb}
			return &w
		}
	}
	return v
}

// bindValue returns a received value with its buffers, views and queues
// bound to the receiving agent a. The value is a put's copy, so its tuples
// form no cycle and a tuple that occurs at several places is one slice;
// each is bound once, without recursion.
func bindValue(v any, a *Agent) any {
	root, ok := v.([]any)
	if !ok {
		return bindOne(v, a)
	}
	todo := [][]any{root}
	var seen map[*any]bool
	for len(todo) > 0 {
		t := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for i, e := range t {
			sub, ok := e.([]any)
			if !ok {
				t[i] = bindOne(e, a)
				continue
			}
			if len(sub) == 0 {
				continue
			}
			if seen == nil {
				seen = make(map[*any]bool)
			}
			if !seen[&sub[0]] {
				seen[&sub[0]] = true
				todo = append(todo, sub)
			}
		}
	}
	return v
}

// bindOne returns v, a received value that is not a tuple, bound to a.
func bindOne(v any, a *Agent) any {
	switch x := v.(type) {
	case *Buffer:
		return &Buffer{blk: x.blk, agent: a}
	case *ArrayBuffer:
		return &ArrayBuffer{blk: x.blk, agent: a}
	case *TypedArray:
		return x.For(a)
	case *DataView:
		return x.For(a)
	case *Queue:
		return x.For(a)
	}
	return v
}

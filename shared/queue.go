package shared

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
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
//     A buffer named twice in one item arrives as one buffer.
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
// busy-waits. Waiting puts are served in the order they began waiting, and
// so are waiting gets; items come out in the order they went in. Each
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
// Their Peer field is the queue's ID, Call and Return are the instants the
// operation began and completed, and Result is "ok". A put that found the
// queue full or a get that found it empty (nowait, timeout, context) is
// recorded with Result "full" or "empty" and no Sync token; a refused value
// records nothing.
type Queue struct {
	s     *queueState
	agent *Agent
}

type queueState struct {
	id      uint64
	maxsize int

	mu       sync.Mutex
	items    []queueItem // the queue is items[head:]
	head     int
	reserved int            // free slots granted to waiting putters that have not filled them yet
	getters  []*queueWaiter // gets waiting for an item, in arrival order
	putters  []*queueWaiter // puts waiting for a slot, in arrival order
}

// queueItem is a prepared value (copied, transferred; bound to no agent) and
// the Sync token of its put.
type queueItem struct {
	v     any
	token uint64
	id    uint64 // the item's identity in histories (0 when the put was not recorded)
}

// queueWaiter is a waiting get or put. served is set, under the queue's
// lock, when a get has been handed an item or a put granted a slot; ready is
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
// them), which pass only by transfer, and for every type Queue does not list.
func IsShareable(v any) bool {
	p := parcel{dry: true}
	_, err := p.value("IsShareable", v, "item")
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
	_, err := o.Await(ev, w.ready, timeout, ws.ctx)
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

// room reports whether a put can complete now without waiting (under mu).
func (s *queueState) room() bool {
	return len(s.getters) > 0 || s.maxsize <= 0 || s.size()+s.reserved < s.maxsize
}

// grant gives the free slots to waiting puts, oldest first (under mu).
func (s *queueState) grant() {
	for len(s.putters) > 0 && (s.maxsize <= 0 || s.size()+s.reserved < s.maxsize) {
		w := s.putters[0]
		s.putters[0] = nil
		s.putters = s.putters[1:]
		w.served = true
		s.reserved++
		close(w.ready)
	}
}

// deliver hands it to the oldest waiting get, or appends it (under mu).
func (s *queueState) deliver(it queueItem) {
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
	ev := history.Event{Kind: history.EvQueuePut, Op: op, Peer: s.id}
	if mem.Attached() {
		o, _, _ = mem.Begin(nil, coreOf(q.agent), &ev)
		if o.Recorded() {
			ev.Sync, ev.Item = history.NewSyncToken(), itemIDs.Add(1)
		}
	}
	s.mu.Lock()
	if !s.room() {
		if !ws.block {
			s.mu.Unlock()
			return q.failed(&o, &ev, "full", ws.failure(QueueFull, op, s.id, nil))
		}
		w := &queueWaiter{ready: make(chan struct{})}
		s.putters = append(s.putters, w)
		s.mu.Unlock()
		cause := ws.await(&o, &ev, w)
		s.mu.Lock()
		if !w.served {
			s.putters = removeWaiter(s.putters, w)
			s.mu.Unlock()
			return q.failed(&o, &ev, "full", ws.failure(QueueFull, op, s.id, cause))
		}
		s.reserved-- // the slot granted to us is filled now (or given on, below)
	}
	if err := p.commit(op); err != nil {
		s.grant() // a slot we were granted goes to the next put
		s.mu.Unlock()
		return err
	}
	s.deliver(queueItem{v: p.v, token: ev.Sync, id: ev.Item})
	s.grant() // a granted slot handed straight to a waiting get is free again
	s.mu.Unlock()
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
	ev := history.Event{Kind: history.EvQueueGet, Op: op, Peer: s.id}
	if mem.Attached() {
		o, _, _ = mem.Begin(nil, coreOf(q.agent), &ev)
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
	v, err := p.value(op, item, "item")
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

// value validates v (at path in the item) and returns what will be enqueued.
func (p *parcel) value(op string, v any, path string) (any, error) {
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
			return nil, p.refuse(op, path, v, "a nil Buffer")
		}
		return x, nil
	case *ArrayBuffer:
		if x == nil || x.blk == nil {
			return nil, p.refuse(op, path, v, "a nil ArrayBuffer")
		}
		return x, p.transferred(op, path, v, x.blk)
	case *TypedArray:
		if !x.ok() {
			return nil, p.refuse(op, path, v, "a nil view")
		}
		if x.arr.Blk.Shared {
			return x, nil
		}
		return x, p.transferred(op, path, v, x.arr.Blk)
	case *DataView:
		if x == nil || x.blk == nil {
			return nil, p.refuse(op, path, v, "a nil view")
		}
		if x.blk.Shared {
			return x, nil
		}
		return x, p.transferred(op, path, v, x.blk)
	case *Queue:
		if x == nil || x.s == nil {
			return nil, p.refuse(op, path, v, "a nil Queue")
		}
		return x, nil
	case []any:
		var out []any
		if x != nil && !p.dry {
			out = make([]any, len(x))
		}
		for i, e := range x {
			c, err := p.value(op, e, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			if out != nil {
				out[i] = c
			}
		}
		return out, nil
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
	return nil, p.refuse(op, path, v, "")
}

func (p *parcel) refuse(op, path string, v any, what string) error {
	if what == "" {
		return Errorf(NotShareable, op, "%s of type %T is not shareable", path, v)
	}
	return Errorf(NotShareable, op, "%s is %s (%T), which is not shareable", path, what, v)
}

// transferred checks that the non-shared block of an item's ArrayBuffer (or
// view) is transferred with it, and not detached.
func (p *parcel) transferred(op, path string, v any, blk *block) error {
	if blk.Detached() {
		return Errorf(NotShareable, op, "%s (%T) is over ArrayBuffer %d, which is detached", path, v, blk.ID)
	}
	if _, ok := p.listed[blk]; !ok {
		return Errorf(NotShareable, op, "%s (%T) is over ArrayBuffer %d, which is not shareable: an ArrayBuffer passes only by transfer (name it in the transfer list)", path, v, blk.ID)
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
		ag := p.sender
		if ag == nil {
			ag = b.agent
		}
		nb := old.MoveTo(n, coreOf(ag))
		handOver(old, nb, n, ag, op, true)
		p.moved[old] = nb
	}
	p.v = p.rewrite(p.v)
	return nil
}

// rewrite replaces the transferred buffers in v (the parcel's own copy) by
// their new blocks.
func (p *parcel) rewrite(v any) any {
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
	case []any:
		for i, e := range x {
			x[i] = p.rewrite(e)
		}
	}
	return v
}

// bindValue returns a received value with its buffers, views and queues
// bound to the receiving agent a.
func bindValue(v any, a *Agent) any {
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
	case []any:
		for i, e := range x {
			x[i] = bindValue(e, a)
		}
	}
	return v
}

package mem

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/sabre-mm/sabre/history"
)

// Controller is the interface a scheduler implements to control agents (see
// shared.Controller, which has the same method set). Before is called before
// every observed access takes effect; Block when an operation would block.
type Controller interface {
	Before(ev *history.Event) (read uint64, supplied bool)
	Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (timedOut bool, err error)
}

// Attached counts the recorders and controllers attached to any block or
// agent, in units of AttachedUnit. While it is zero, operations skip the
// bracket after one atomic load. The unit is larger than any element index,
// so the Int32 fast paths test "nothing is observed" and "the index is in
// range" with one compare: uint64(i)|attached < length (see array.go).
var attached struct {
	_ [64]byte // alone on its cache line: every operation reads it
	atomic.Int64
	_ [56]byte
}

// AttachedUnit is the unit of the attached count.
const AttachedUnit = 1 << 40

// Attached reports whether any recorder or controller is attached anywhere:
// the test every operation makes before it looks for its observers.
func Attached() bool { return attached.Load() != 0 }

type ctrlBox struct{ c Controller }

// observers are the recorder and controller attached to a block or an agent.
type observers struct {
	rec  atomic.Pointer[history.Recorder]
	ctrl atomic.Pointer[ctrlBox]
}

// SetRecorder attaches r (nil detaches) and returns the previous recorder.
func (o *observers) SetRecorder(r *history.Recorder) *history.Recorder {
	old := o.rec.Swap(r)
	count(old != nil, r != nil)
	return old
}

// Recorder returns the attached recorder, or nil.
func (o *observers) Recorder() *history.Recorder { return o.rec.Load() }

// SetController attaches c (nil detaches).
func (o *observers) SetController(c Controller) {
	var box *ctrlBox
	if c != nil {
		box = &ctrlBox{c}
	}
	old := o.ctrl.Swap(box)
	count(old != nil, box != nil)
}

// Controller returns the attached controller, or nil.
func (o *observers) Controller() Controller {
	if b := o.ctrl.Load(); b != nil {
		return b.c
	}
	return nil
}

func count(had, has bool) {
	switch {
	case !had && has:
		attached.Add(AttachedUnit)
	case had && !has:
		attached.Add(-AttachedUnit)
	}
}

// Agent is the identity and observers of one agent (package shared's Agent
// wraps it): its ID, its agent-order counter, and the recorder and
// controller attached to it.
type Agent struct {
	ID       int
	Name     string
	seq      atomic.Uint64
	CanBlock atomic.Bool
	log      [2]atomic.Pointer[logRef] // the agent's logs in its last two recorders
	logNext  uint8                     // which entry of log to replace next (the agent's goroutine only)
	observers
}

type logRef struct {
	rec *history.Recorder
	log *history.Log
}

var agentIDs atomic.Int64

// NewAgent returns an agent with a fresh ID (never 0) that may block.
func NewAgent(name string) *Agent {
	a := &Agent{ID: int(agentIDs.Add(1)), Name: name}
	a.CanBlock.Store(true)
	return a
}

// logIn returns a's log in r, caching it (two entries: an access is
// recorded in at most two recorders, the buffer's and the agent's).
func (a *Agent) logIn(r *history.Recorder) *history.Log {
	for i := range a.log {
		if l := a.log[i].Load(); l != nil && l.rec == r {
			return l.log
		}
	}
	l := r.Log(a.ID)
	a.log[a.logNext&1].Store(&logRef{r, l})
	a.logNext++
	return l
}

// unattributed numbers the events of no agent (they need unique names). It
// is alone on its cache line, like attached.
var unattributed struct {
	_ [64]byte
	atomic.Uint64
	_ [56]byte
}

// Obs is the bracket of one access: who observes it. The zero Obs observes
// nothing (End does nothing, Await simply waits).
type Obs struct {
	ag         *Agent
	rec1, rec2 *history.Recorder
	ctrl       Controller
}

// Observed reports whether anyone observes the access.
func (o *Obs) Observed() bool { return o.rec1 != nil || o.rec2 != nil || o.ctrl != nil }

// Recorded reports whether the access will be recorded.
func (o *Obs) Recorded() bool { return o.rec1 != nil || o.rec2 != nil }

// Controlled reports whether a controller observes the access.
func (o *Obs) Controlled() bool { return o.ctrl != nil }

// Observe sets o to the observers of an access to blk (nil for none) by ag
// (nil for none): the recorders of both and the controller of the agent, or
// else of the block. Callers test Attached first.
func (o *Obs) Observe(blk *Block, ag *Agent) {
	o.ag, o.rec1, o.rec2, o.ctrl = ag, nil, nil, nil
	if blk != nil {
		o.rec1 = blk.rec.Load()
		if c := blk.ctrl.Load(); c != nil {
			o.ctrl = c.c
		}
	}
	if ag != nil {
		if r := ag.rec.Load(); r != o.rec1 {
			o.rec2 = r
		}
		if c := ag.ctrl.Load(); c != nil {
			o.ctrl = c.c
		}
	}
}

// Begin opens the bracket of an access: it sets o to the access's
// observers and, when there are any, stamps ev with the agent, its next
// agent-order position and the buffer, notes the buffer in the recorders,
// and calls the controller's Before — which may pause the agent, and for an
// EvRead, EvRMW or EvWait may supply the bytes its read returns (supplied
// true). Then it
// stamps the call instant. The caller performs the access (unless supplied)
// and calls End. (o and ev are filled in place, not returned: copying
// these structs through the stack costs more than the bracket itself.)
func (o *Obs) Begin(blk *Block, ag *Agent, ev *history.Event) (read uint64, supplied bool) {
	o.Observe(blk, ag)
	if !o.Observed() {
		return 0, false
	}
	if ag != nil {
		ev.Agent, ev.Seq = ag.ID, ag.seq.Add(1)
	} else {
		ev.Seq = unattributed.Add(1)
	}
	if blk != nil {
		ev.Buffer = blk.ID
		if r := o.rec1; r != nil && !blk.notedIn(r) {
			note(blk, r)
		}
		if r := o.rec2; r != nil && !blk.notedIn(r) {
			note(blk, r)
		}
	}
	if o.ctrl != nil {
		// The controller gets a copy, so that ev itself never escapes (no
		// allocation per access while only recorders observe).
		c := *ev
		read, supplied = o.ctrl.Before(&c)
		supplied = supplied && (ev.Kind == history.EvRead || ev.Kind == history.EvRMW || ev.Kind == history.EvWait)
	}
	ev.Call = history.Now()
	return read, supplied
}

// note tells r about blk (Recorder.AddBuffer) and remembers it did, in
// the entry of blk.noted the other recorder of the access does not hold.
func note(blk *Block, r *history.Recorder) {
	r.AddBuffer(blk.Info())
	if blk.noted[0].Load() == nil {
		blk.noted[0].Store(r)
		return
	}
	blk.noted[1].Store(blk.noted[0].Load())
	blk.noted[0].Store(r)
}

// notedIn reports whether blk was noted in r lately.
func (b *Block) notedIn(r *history.Recorder) bool {
	return b.noted[0].Load() == r || b.noted[1].Load() == r
}

// End closes the bracket: it stamps the return instant and appends ev to
// the recorders.
func (o *Obs) End(ev *history.Event) {
	if !o.Recorded() {
		return
	}
	ev.Return = history.Now()
	o.Append(ev)
}

// Append appends a finished event to the recorders (each once).
func (o *Obs) Append(ev *history.Event) {
	for _, r := range [...]*history.Recorder{o.rec1, o.rec2} {
		if r == nil {
			continue
		}
		switch {
		case ev.Kind == history.EvWaitSettle:
			r.Append(*ev)
		case o.ag != nil:
			o.ag.logIn(r).Append(ev)
		default:
			r.Log(0).Append(ev)
		}
	}
}

// ErrNoTimeout is the error of an operation with no timeout that its
// controller said timed out: it ends as if cancelled.
var ErrNoTimeout = errors.New("the controller timed out an operation that has no timeout")

// ErrNotReady is the error of an operation whose controller let it go on
// (Block returned no timeout and no error) before it could complete (ready
// was not closed): it ends as if cancelled, so that no waiter is left behind
// and nothing is reported that did not happen.
var ErrNotReady = errors.New("the controller resumed an operation that could not complete yet")

// Await blocks the calling agent until ready is closed (or yields a value),
// the timeout passes (timeout < 0: none), or ctx ends (nil: never). With a
// controller observing the access, the controller decides instead
// (Controller.Block, which is given ctx and must return once it is done):
// the goroutine does not block on ready itself. It reports whether the wait
// timed out, or the context's (or controller's) error if it was cancelled;
// ErrNoTimeout or ErrNotReady if the controller's answer was impossible.
func (o *Obs) Await(ev *history.Event, ready <-chan struct{}, timeout time.Duration, ctx context.Context) (timedOut bool, err error) {
	if o.ctrl != nil {
		if ctx == nil {
			ctx = context.Background()
		}
		c := *ev
		timedOut, err = o.ctrl.Block(ctx, &c, ready)
		switch {
		case err != nil:
			return false, err
		case timedOut && timeout < 0:
			// Only an operation with a timeout can time out.
			return false, ErrNoTimeout
		case timedOut:
			return true, nil
		}
		select {
		case <-ready:
			return false, nil
		default:
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, ErrNotReady
	}
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	if timeout < 0 {
		select {
		case <-ready:
			return false, nil
		case <-done:
			return false, ctx.Err()
		}
	}
	if timeout == 0 {
		return true, nil
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ready:
		return false, nil
	case <-t.C:
		return true, nil
	case <-done:
		return false, ctx.Err()
	}
}

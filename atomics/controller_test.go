package atomics_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// These tests prove the controller seam usable before any scheduler
// exists: small controllers of their own run agents strictly alternately,
// make a plain read return an older write, and turn a deadlock into a
// report instead of a hang.

// alternator runs the agents it manages strictly alternately, access by
// access: an agent's Before returns only on its turn, and its next Before
// (the proof that its previous access completed) passes the turn on.
type alternator struct {
	mu       sync.Mutex
	cond     *sync.Cond
	order    []int // managed agents, in turn order
	turn     int   // index into order
	holding  map[int]bool
	finished map[int]bool
}

func newAlternator(ids ...int) *alternator {
	a := &alternator{order: ids, holding: map[int]bool{}, finished: map[int]bool{}}
	a.cond = sync.NewCond(&a.mu)
	return a
}

func (a *alternator) manage(ids ...int) {
	a.mu.Lock()
	a.order = append(a.order, ids...)
	a.mu.Unlock()
}

func (a *alternator) managed(id int) bool {
	for _, x := range a.order {
		if x == id {
			return true
		}
	}
	return false
}

// pass gives the turn to the next agent that has not finished.
func (a *alternator) pass() {
	for k := 1; k <= len(a.order); k++ {
		next := (a.turn + k) % len(a.order)
		if !a.finished[a.order[next]] {
			a.turn = next
			break
		}
	}
	a.cond.Broadcast()
}

func (a *alternator) Before(ev *history.Event) (uint64, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.managed(ev.Agent) || (!ev.Kind.IsMemory() && ev.Kind != history.EvAgentEnd) {
		return 0, false // only memory accesses take turns (and an agent's end passes its turn for good)
	}
	if a.holding[ev.Agent] {
		a.holding[ev.Agent] = false
		a.pass()
	}
	for a.order[a.turn] != ev.Agent {
		a.cond.Wait()
	}
	if ev.Kind == history.EvAgentEnd {
		a.finished[ev.Agent] = true
		a.pass()
		return 0, false
	}
	a.holding[ev.Agent] = true
	return 0, false
}

func (a *alternator) Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (bool, error) {
	select {
	case <-ready:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// step is what a run of TestControllerAlternates observed, with the run's
// own identities (agent and buffer IDs, clock instants) left out.
type step struct {
	Agent         int // 0 or 1: which of the two agents
	Seq           uint64
	Kind          history.Kind
	Op            string
	Index         int
	Read, Written uint64
}

func alternatingRun(t *testing.T) []step {
	t.Helper()
	main := shared.NewAgent("main")
	rec := history.NewRecorder()
	buf, err := shared.NewBuffer(16)
	if err != nil {
		t.Fatal(err)
	}
	buf.SetRecorder(rec)
	defer buf.SetRecorder(nil)
	v, _ := shared.View(buf, shared.Int32)
	// Two agents made first, so the controller knows them before they run.
	gate := make(chan struct{})
	body := func(me *shared.Agent) error {
		<-gate
		w := v.For(me)
		for n := 0; n < 25; n++ {
			x, err := atomics.Add(w, 0, 1) // the order of these decides every value read
			if err != nil {
				return err
			}
			if err := w.SetInt(1, x); err != nil {
				return err
			}
			if _, err := w.GetInt(1); err != nil {
				return err
			}
		}
		return nil
	}
	// The agents inherit the controller from main, so it sees each of them
	// from its first event; it manages them once both are known.
	alt := newAlternator()
	main.SetController(alt)
	defer main.SetController(nil)
	ha, hb := main.Start("A", body), main.Start("B", body)
	alt.manage(ha.Agent().ID(), hb.Agent().ID())
	close(gate)
	if err := errors.Join(ha.Join(main), hb.Join(main)); err != nil {
		t.Fatal(err)
	}
	idx := map[int]int{ha.Agent().ID(): 0, hb.Agent().ID(): 1}
	var steps []step
	for _, e := range rec.Events() {
		if e.Kind == history.EvInit {
			continue
		}
		steps = append(steps, step{idx[e.Agent], e.Seq, e.Kind, e.Op, e.ByteIndex, e.Read, e.Written})
	}
	return steps
}

// TestControllerAlternates: (a) two agents run strictly alternately,
// access by access, and every run gives the same history.
func TestControllerAlternates(t *testing.T) {
	first := alternatingRun(t)
	if len(first) != 2*75 {
		t.Fatalf("%d accesses recorded, want 150", len(first))
	}
	for i, s := range first {
		if s.Agent != i%2 {
			t.Fatalf("access %d is agent %d's: not strictly alternating\n%v", i, s.Agent, first)
		}
	}
	for run := 0; run < 20; run++ {
		if got := alternatingRun(t); !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d recorded another history:\n%v\nfirst:\n%v", run, got, first)
		}
	}
}

// staleReader supplies, for every Unordered read, the bytes of the oldest
// write it saw to the same bytes: the weak behaviour of a read that sees
// an older write.
type staleReader struct {
	mu     sync.Mutex
	writes map[[2]int][]uint64 // (buffer, byte index) → payloads written, oldest first
}

func (s *staleReader) Before(ev *history.Event) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [2]int{int(ev.Buffer), ev.ByteIndex}
	switch {
	case ev.Kind == history.EvWrite:
		s.writes[key] = append(s.writes[key], ev.Written)
	case ev.Kind == history.EvRead && ev.Order == model.Unordered && len(s.writes[key]) > 0:
		return s.writes[key][0], true
	}
	return 0, false
}

func (s *staleReader) Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (bool, error) {
	select {
	case <-ready:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// TestControllerSuppliesOlderWrite: (b) an Unordered read returns the bytes
// of an older write, the history says so, and it converts with the read
// reading from that older write.
func TestControllerSuppliesOlderWrite(t *testing.T) {
	main := shared.NewAgent("main")
	rec := history.NewRecorder()
	ctrl := &staleReader{writes: map[[2]int][]uint64{}}
	main.SetRecorder(rec)
	main.SetController(ctrl) // the writer and the reader inherit both
	buf, err := shared.NewBuffer(8, shared.CreatedBy(main))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := shared.View(buf, shared.Int32)
	written := make(chan struct{}) // Go-level only: no synchronization in the model
	writer := main.Start("writer", func(me *shared.Agent) error {
		defer close(written)
		if err := v.For(me).SetInt(0, 1); err != nil {
			return err
		}
		return v.For(me).SetInt(0, 2)
	})
	var got int64
	reader := main.Start("reader", func(me *shared.Agent) error {
		<-written
		var err error
		got, err = v.For(me).GetInt(0)
		return err
	})
	if err := errors.Join(writer.Join(main), reader.Join(main)); err != nil {
		t.Fatal(err)
	}
	main.SetRecorder(nil)
	main.SetController(nil)
	if got != 1 {
		t.Fatalf("the read returned %d, want the older write's 1", got)
	}
	if x, _ := v.GetInt(0); x != 2 {
		t.Fatalf("memory holds %d, want 2: the controller changed what the read returned, not memory", x)
	}
	h := rec.History()
	var read history.Event
	for _, e := range h.Events {
		if e.Kind == history.EvRead && e.Agent == reader.Agent().ID() {
			read = e
		}
	}
	if read.Read != 1 {
		t.Fatalf("recorded read %v, want read=0x1", read)
	}
	c, err := history.Convert(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Execution.Check(); err != nil {
		t.Fatal(err)
	}
	for id, e := range c.Execution.Events {
		if e.Kind != model.ReadSharedMemory || h.Events[c.Source[id]].Agent != reader.Agent().ID() {
			continue
		}
		src := h.Events[c.Source[c.Execution.ReadsBytesFrom[id][0]]]
		if src.Kind != history.EvWrite || src.Written != 1 {
			t.Fatalf("the read reads byte 0 from %v, want the write of 1", src)
		}
	}
}

// deadlockDetector knows how many agents it manages; when every one of
// them is blocked it writes a report and releases them with an error.
type deadlockDetector struct {
	mu      sync.Mutex
	want    int
	blocked map[int]string // agent → what it is blocked on
	release chan struct{}
	report  string
}

var errDeadlock = errors.New("deadlock: every agent is blocked")

func (d *deadlockDetector) Before(ev *history.Event) (uint64, bool) { return 0, false }

func (d *deadlockDetector) Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (bool, error) {
	d.mu.Lock()
	d.blocked[ev.Agent] = fmt.Sprintf("agent %d is blocked on %s at b%d[%d]", ev.Agent, ev.Op, ev.Buffer, ev.ByteIndex)
	if len(d.blocked) == d.want {
		var lines []string
		for _, s := range d.blocked {
			lines = append(lines, s)
		}
		sort.Strings(lines)
		d.report = strings.Join(lines, "\n")
		close(d.release)
	}
	release := d.release
	d.mu.Unlock()
	select {
	case <-ready:
		d.mu.Lock()
		delete(d.blocked, ev.Agent)
		d.mu.Unlock()
		return false, nil
	case <-release:
		return false, errDeadlock
	}
}

// TestControllerReportsDeadlock: (c) two agents wait on each other's
// location; the controller sees both blocked and ends the run with a
// report instead of a hang, leaving no waiter behind.
func TestControllerReportsDeadlock(t *testing.T) {
	main := shared.NewAgent("main")
	buf, err := shared.NewBuffer(16)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := shared.View(buf, shared.Int32)
	d := &deadlockDetector{want: 3, blocked: map[int]string{}, release: make(chan struct{})}
	q := shared.NewQueue(1)
	main.SetController(d)
	waitThenNotify := func(mine, theirs int) func(*shared.Agent) error {
		return func(me *shared.Agent) error {
			// Each waits to be woken before it would wake the other.
			if _, err := atomics.Wait(v.For(me), mine, 0, atomics.Forever); err != nil {
				return err
			}
			_, err := atomics.Notify(v.For(me), theirs, 1)
			return err
		}
	}
	done := make(chan error, 3)
	go func() {
		ha := main.Start("A", waitThenNotify(0, 2))
		hb := main.Start("B", waitThenNotify(2, 0))
		// C waits for an item nobody puts: a Queue get is controlled the same way.
		hc := main.Start("C", func(me *shared.Agent) error {
			_, err := q.For(me).Get(context.Background())
			return err
		})
		done <- ha.Join(nil)
		done <- hb.Join(nil)
		done <- hc.Join(nil)
	}()
	for k := 0; k < 3; k++ {
		select {
		case err := <-done:
			if !errors.Is(err, errDeadlock) {
				t.Fatalf("agent ended with %v, want the deadlock error", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("hung: the controller did not end the deadlock")
		}
	}
	for _, i := range []int{0, 2} {
		want := fmt.Sprintf("is blocked on Atomics.wait at b%d[%d]", buf.ID(), 4*i)
		if !strings.Contains(d.report, want) {
			t.Errorf("report %q does not say %q", d.report, want)
		}
	}
	if !strings.Contains(d.report, "is blocked on Queue.get") {
		t.Errorf("report %q does not name the blocked Queue.get", d.report)
	}
	if _, err := q.GetNowait(); !errors.Is(err, shared.QueueEmpty) {
		t.Errorf("the cancelled get left the queue in a strange state: %v", err)
	}
	// The cancelled waits left their lists as if they had timed out.
	if n, _ := atomics.Notify(v, 0, atomics.All); n != 0 {
		t.Errorf("a cancelled waiter was still listed at index 0 (%d woken)", n)
	}
	if n, _ := atomics.Notify(v, 2, atomics.All); n != 0 {
		t.Errorf("a cancelled waiter was still listed at index 2 (%d woken)", n)
	}
}

// waiter is a controller that lets every blocked operation wait for ready
// or its context, as a scheduler that honours cancellation does.
type waiter struct{}

func (waiter) Before(*history.Event) (uint64, bool) { return 0, false }
func (waiter) Block(ctx context.Context, _ *history.Event, ready <-chan struct{}) (bool, error) {
	select {
	case <-ready:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// hasty is a controller that lets blocked operations go on at once, before
// they can complete: a controller's mistake.
type hasty struct{}

func (hasty) Before(*history.Event) (uint64, bool) { return 0, false }
func (hasty) Block(context.Context, *history.Event, <-chan struct{}) (bool, error) {
	return false, nil
}

// TestControllerHonoursContext: under a controller, a host still releases
// an agent blocked in WaitContext or Queue.Get by ending the context, and
// nothing is left behind.
func TestControllerHonoursContext(t *testing.T) {
	main := shared.NewAgent("main")
	main.SetController(waiter{})
	defer main.SetController(nil)
	buf, _ := shared.NewBuffer(8)
	v, _ := shared.View(buf.For(main), shared.Int32)
	q := shared.NewQueue(1).For(main)
	for _, what := range []string{"wait", "get"} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			var err error
			if what == "wait" {
				_, err = atomics.WaitContext(ctx, v, 0, 0, atomics.Forever)
			} else {
				_, err = q.Get(ctx)
			}
			done <- err
		}()
		time.Sleep(10 * time.Millisecond) // let it block (not needed for correctness)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("%s ended with %v, want context.Canceled", what, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: the cancelled context did not release the agent", what)
		}
	}
	if n, _ := atomics.Notify(v, 0, atomics.All); n != 0 {
		t.Errorf("a cancelled wait left a waiter (%d woken)", n)
	}
}

// TestControllerCannotInventWakeups: a controller that resumes a Wait
// before any Notify does not make the Wait return "ok", and leaves no
// waiter behind for a later Notify to count.
func TestControllerCannotInventWakeups(t *testing.T) {
	main := shared.NewAgent("main")
	main.SetController(hasty{})
	buf, _ := shared.NewBuffer(8)
	v, _ := shared.View(buf.For(main), shared.Int32)
	res, err := atomics.Wait(v, 0, 0, atomics.Forever)
	main.SetController(nil)
	if !errors.Is(err, shared.ErrNotReady) || res == atomics.OK {
		t.Fatalf("Wait = %q, %v: a wake-up nobody sent (want ErrNotReady)", res, err)
	}
	if n, _ := atomics.Notify(v, 0, atomics.All); n != 0 {
		t.Fatalf("a ghost waiter was left: Notify woke %d", n)
	}
	q := shared.NewQueue(1).For(main)
	main.SetController(hasty{})
	_, err = q.Get(context.Background())
	main.SetController(nil)
	if !errors.Is(err, shared.QueueEmpty) {
		t.Fatalf("Get on an empty queue, resumed early: %v", err)
	}
}

// supplier supplies the bytes every read-modify-write and wait reads: 7.
type supplier struct{}

func (supplier) Before(ev *history.Event) (uint64, bool) {
	if ev.Kind == history.EvRMW || ev.Kind == history.EvWait {
		return 7, true
	}
	return 0, false
}

func (supplier) Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (bool, error) {
	return true, nil // every blocking wait times out at once
}

// TestControllerSuppliesRMWAndWaitReads: a controller may choose what a
// read-modify-write, a compareExchange and a wait's value check read; the
// operation then acts on the supplied value (and writes what it makes of
// it), and the history records it so.
func TestControllerSuppliesRMWAndWaitReads(t *testing.T) {
	main := shared.NewAgent("main")
	rec := history.NewRecorder()
	main.SetRecorder(rec)
	main.SetController(supplier{})
	defer main.SetController(nil)
	defer main.SetRecorder(nil)
	var buf *shared.Buffer
	var err error
	word := func(i int) int32 { // memory, read without the bracket
		b := buf.Bytes()
		return int32(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
	}
	buf, err = shared.NewBuffer(16, shared.CreatedBy(main))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := shared.View(buf.For(main), shared.Int32)
	if old, err := atomics.Add(v, 0, 1); err != nil || old != 7 {
		t.Fatalf("Add returned %d, %v; want the supplied 7", old, err)
	}
	if got := word(0); got != 8 {
		t.Fatalf("after Add memory holds %d, want 7+1", got)
	}
	if old, err := atomics.CompareExchange(v, 1, 7, 9); err != nil || old != 7 {
		t.Fatalf("CompareExchange returned %d, %v; want 7", old, err)
	}
	if got := word(1); got != 9 {
		t.Fatalf("a compareExchange that read the supplied 7 = expected stores 9; memory holds %d", got)
	}
	if old, err := atomics.CompareExchange(v, 2, 5, 9); err != nil || old != 7 {
		t.Fatalf("CompareExchange returned %d, %v; want 7", old, err)
	}
	if got := word(2); got != 0 {
		t.Fatalf("a compareExchange that read 7 ≠ 5 must not store; memory holds %d", got)
	}
	if r, err := atomics.Wait(v, 3, 0, time.Second); err != nil || r != atomics.NotEqual {
		t.Fatalf("Wait(expected 0) on memory 0 with 7 supplied: %v, %v; want not-equal", r, err)
	}
	if r, err := atomics.Wait(v, 3, 7, time.Second); err != nil || r != atomics.TimedOut {
		t.Fatalf("Wait(expected 7) with 7 supplied: %v, %v; want timed-out (the controller times it out)", r, err)
	}
	var kinds []string
	for _, e := range rec.History().Events {
		if e.Agent == main.ID() && e.Kind != history.EvInit {
			kinds = append(kinds, fmt.Sprintf("%s read=%d written=%d stored=%v", e.Kind, e.Read, e.Written, e.Stored))
		}
	}
	want := []string{
		"rmw read=7 written=8 stored=false",
		"rmw read=7 written=9 stored=true",
		"read read=7 written=0 stored=false",
		"wait read=7 written=0 stored=false",
		"wait read=7 written=0 stored=false",
	}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("recorded\n%s\nwant\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
}

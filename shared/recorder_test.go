package shared

import (
	"errors"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"reflect"
	"strings"
	"testing"
)

func TestRecordPlainAccesses(t *testing.T) {
	r := history.NewRecorder()
	ag := NewAgent("main")
	b := mustBuffer(t, 8, WithRecorder(r), CreatedBy(ag))
	if b.Agent() != ag || b.Recorder() != r {
		t.Fatal("options not applied")
	}
	v := mustView(t, b, Int16, 0, 4)
	if v.Agent() != ag {
		t.Fatal("a view inherits its buffer's agent")
	}
	_ = v.SetInt(1, 0x0102)
	_, _ = v.GetInt(1)
	_, _ = v.GetInt(9) // an error: not an access, not recorded
	ev := r.Events()
	if len(ev) != 3 {
		t.Fatalf("%d events: %v", len(ev), ev)
	}
	init, w, rd := ev[0], ev[1], ev[2]
	if init.Kind != history.EvInit || init.Order != model.Init || init.ByteIndex != 0 || init.Size != 8 || init.Agent != ag.ID() {
		t.Errorf("init event %v", init)
	}
	if w.Kind != history.EvWrite || w.Order != model.Unordered || w.ByteIndex != 2 || w.Size != 2 || !w.NoTear || w.Written != 0x0102 {
		t.Errorf("write event %v", w)
	}
	if rd.Kind != history.EvRead || rd.Read != 0x0102 || rd.Op != "Int16Array.get" {
		t.Errorf("read event %v", rd)
	}
	for i, e := range ev {
		if e.Seq != uint64(i+1) || e.Buffer != b.ID() || e.Return < e.Call {
			t.Errorf("event %d: seq %d buffer %d call %d return %d", i, e.Seq, e.Buffer, e.Call, e.Return)
		}
	}
	if !strings.Contains(w.String(), "write") {
		t.Error(w.String())
	}
	// BigInt64 plain accesses may tear per the model: NoTear is false.
	big := mustView(t, mustBuffer(t, 8, WithRecorder(r)), BigInt64, 0, 1)
	_ = big.SetInt(0, 5)
	last := r.Events()[r.Len()-1]
	if last.NoTear || last.Agent != 0 || last.Seq == 0 { // unattributed events are numbered process-wide
		t.Errorf("unattributed BigInt64 write %v", last)
	}
	// Detaching the recorder stops recording and restores the fast path.
	n := r.Len()
	b.SetRecorder(nil)
	big2 := big.For(nil)
	_ = v.SetInt(0, 1)
	if r.Len() != n || big2.Agent() != nil {
		t.Fatal("recorded after detach")
	}
	r.Reset()
	if r.Len() != 0 {
		t.Fatal("reset")
	}
}

func TestRecordAgentRecorder(t *testing.T) {
	rb, ra := history.NewRecorder(), history.NewRecorder()
	ag := NewAgent("worker")
	ag.SetRecorder(ra)
	defer ag.SetRecorder(nil)
	b := mustBuffer(t, 4, WithRecorder(rb))
	v := mustView(t, b, Uint8, 0, 4).For(ag)
	_ = v.SetInt(3, 7)
	// The access is recorded once in each distinct recorder, with the same stamp.
	eb, ea := rb.Events(), ra.Events()
	if len(eb) != 2 || len(ea) != 1 { // rb also has the Init event
		t.Fatalf("buffer recorder %v, agent recorder %v", eb, ea)
	}
	if !reflect.DeepEqual(eb[1], ea[0]) || ea[0].Agent != ag.ID() || ea[0].Seq != 1 {
		t.Fatalf("%v vs %v", eb[1], ea[0])
	}
	// The agent's recorder sees its accesses to unrecorded buffers too.
	other := mustView(t, mustBuffer(t, 4), Uint8, 0, 4).For(ag)
	_, _ = other.GetInt(0)
	if ra.Len() != 2 || ra.Events()[1].Seq != 2 {
		t.Fatal(ra.Events())
	}
}

func TestRecordGrowSliceTransfer(t *testing.T) {
	r := history.NewRecorder()
	g, _ := NewGrowableBuffer(4, 16, WithRecorder(r))
	if err := g.Grow(12); err != nil {
		t.Fatal(err)
	}
	ev := r.Events()
	if len(ev) != 3 || ev[1].Kind != history.EvGrow || ev[2].Kind != history.EvInit || ev[2].ByteIndex != 4 || ev[2].Size != 8 {
		t.Fatalf("%v", ev)
	}
	r.Reset()
	sl, err := g.Slice(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	// The slice keeps the source's recorder: its Init, then for each of the
	// two bytes copied a 1-byte model.Unordered read of the source and a
	// write of the slice.
	ev = r.Events()
	if sl.Recorder() != r || len(ev) != 5 || ev[0].Kind != history.EvInit || ev[0].Buffer != sl.ID() || ev[0].Size != 2 ||
		ev[1].Kind != history.EvRead || ev[1].Buffer != g.ID() || ev[1].ByteIndex != 1 || ev[1].Size != 1 ||
		ev[2].Kind != history.EvWrite || ev[2].Buffer != sl.ID() || ev[2].ByteIndex != 0 ||
		ev[3].ByteIndex != 2 || ev[4].ByteIndex != 1 {
		t.Fatalf("%v", ev)
	}
	if err := r.History().Validate(); err != nil {
		t.Fatal(err)
	}
	r.Reset()
	ab, _ := NewArrayBuffer(4, WithRecorder(r))
	nb, _ := ab.Transfer()
	ev = r.Events()
	if len(ev) != 2 || ev[1].Kind != history.EvTransfer || ev[1].Buffer != ab.ID() || ev[1].Peer != nb.ID() {
		t.Fatalf("%v", ev)
	}
}

func TestAgentStartJoin(t *testing.T) {
	r := history.NewRecorder()
	parent := NewAgent("main")
	parent.SetRecorder(r)
	defer parent.SetRecorder(nil)
	if !parent.CanBlock() {
		t.Fatal("agents may block by default")
	}
	parent.SetCanBlock(false)
	if parent.CanBlock() {
		t.Fatal("SetCanBlock")
	}
	var childID int
	h := parent.Start("child", func(c *Agent) error {
		childID = c.ID()
		if c.Recorder() != r {
			return errors.New("recorder not inherited")
		}
		return nil
	})
	if err := h.Join(parent); err != nil {
		t.Fatal(err)
	}
	if err := h.Join(parent); err != nil { // joining twice is harmless
		t.Fatal(err)
	}
	if h.Agent().ID() != childID || h.Agent().Name() != "child" {
		t.Fatal("handle agent")
	}
	ev := r.Events()
	if len(ev) != 4 {
		t.Fatalf("%v", ev)
	}
	byKind := map[history.Kind]history.Event{}
	for _, e := range ev {
		byKind[e.Kind] = e
	}
	start, begin, end, join := byKind[history.EvAgentStart], byKind[history.EvAgentBegin], byKind[history.EvAgentEnd], byKind[history.EvAgentJoin]
	if start.Sync == 0 || start.Sync != begin.Sync || end.Sync == 0 || end.Sync != join.Sync || start.Sync == end.Sync {
		t.Fatalf("sync tokens: %v", ev)
	}
	if start.Agent != parent.ID() || join.Agent != parent.ID() || begin.Agent != childID || end.Agent != childID {
		t.Fatalf("agents: %v", ev)
	}
	if start.Seq != 1 || join.Seq != 2 || begin.Seq != 1 || end.Seq != 2 {
		t.Fatalf("agent-order: %v", ev)
	}
	// A panicking agent's panic comes back from Join as an error.
	h = parent.Start("boom", func(*Agent) error { panic("kaboom") })
	if err := h.Join(nil); err == nil || !strings.Contains(err.Error(), "kaboom") {
		t.Fatalf("join of a panicking agent: %v", err)
	}
}

func TestErrorKinds(t *testing.T) {
	err := Errorf(NotShareable, "Queue.put", "%T is not shareable", struct{}{})
	if !errors.Is(err, NotShareable) || !errors.Is(err, TypeError) || errors.Is(err, RangeError) {
		t.Fatal("NotShareable is a TypeError")
	}
	if !strings.HasPrefix(err.Error(), "NotShareableError: Queue.put: ") {
		t.Fatal(err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != NotShareable {
		t.Fatal("errors.As")
	}
	if ErrorKind(42).String() != "ErrorKind(42)" || TypeError.Error() != "TypeError" {
		t.Fatal("names")
	}
}

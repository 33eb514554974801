package history_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// TestMixedRunConverts: a history of 4 agents running a mixed workload
// passes Validate, converts to an Execution that passes Check, and
// round-trips through the file format byte for byte.
func TestMixedRunConverts(t *testing.T) {
	h := mixedRun(t)
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	kinds := map[history.Kind]int{}
	agents := map[int]bool{}
	for _, e := range h.Events {
		kinds[e.Kind]++
		agents[e.Agent] = true
	}
	for _, k := range []history.Kind{history.EvRead, history.EvWrite, history.EvRMW, history.EvInit, history.EvWait,
		history.EvWaitSettle, history.EvNotify, history.EvQueuePut, history.EvQueueGet, history.EvTransfer,
		history.EvAgentStart, history.EvAgentBegin, history.EvAgentEnd, history.EvAgentJoin, history.EvGrow} {
		if kinds[k] == 0 {
			t.Errorf("the workload recorded no %s event", k)
		}
	}
	if len(agents) != 4 {
		t.Errorf("%d agents recorded, want 4", len(agents))
	}
	c, err := history.Convert(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Execution.Check(); err != nil {
		t.Fatal(err)
	}
	if len(c.Source) != len(c.Execution.Events) {
		t.Fatalf("Source has %d entries for %d events", len(c.Source), len(c.Execution.Events))
	}
	if len(c.Execution.HostSynchronizesWith) == 0 {
		t.Error("no host-synchronizes-with pairs")
	}
	var buf bytes.Buffer
	if err := history.Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	h2, err := history.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h, h2) {
		t.Fatal("Read(Write(h)) differs from h")
	}
	var buf2 bytes.Buffer
	if err := history.Write(&buf2, h2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
		t.Fatal("Write(Read(Write(h))) differs from Write(h)")
	}
}

// TestConvertIsDeterministic: the conversion of one history is always the
// same execution.
func TestConvertIsDeterministic(t *testing.T) {
	h := mixedRun(t)
	a, err := history.Convert(h)
	if err != nil {
		t.Fatal(err)
	}
	b, err := history.Convert(h)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two conversions of one history differ")
	}
}

const header = `{"format":"sabre-history","version":1,"buffers":1}` + "\n" +
	`{"id":1,"shared":true,"length":8,"maxLength":8}` + "\n"

// A small valid history: init, a write of 5, a read of 5.
const small = header +
	`{"agent":1,"seq":1,"kind":"init","order":"init","op":"SharedArrayBuffer","buffer":1,"size":8,"call":1,"return":1}` + "\n" +
	`{"agent":1,"seq":2,"kind":"write","order":"unordered","op":"Int32Array.set","buffer":1,"size":4,"noTear":true,"written":"05000000","call":2,"return":3}` + "\n" +
	`{"agent":2,"seq":1,"kind":"read","order":"seq-cst","op":"Atomics.load","buffer":1,"size":4,"noTear":true,"read":"05000000","call":4,"return":5}` + "\n"

func TestReadSmall(t *testing.T) {
	h, err := history.Read(strings.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 3 || h.Events[2].Read != 5 || h.Buffers[0].Length != 8 {
		t.Fatalf("%+v", h)
	}
	c, err := history.Convert(h)
	if err != nil {
		t.Fatal(err)
	}
	x := c.Execution
	// 4 init bytes touched (of 8), the write, the read.
	if len(x.Events) != 6 {
		t.Fatalf("%d events: %v", len(x.Events), x.Events)
	}
	read := model.EventID(5)
	// Bytes 1..3 are zero, which the write and the init wrote alike: the
	// source is not unique, and the latest candidate (the write) is chosen.
	if x.Events[read].Kind != model.ReadSharedMemory || c.Unique[read] {
		t.Fatalf("read %v unique %v", x.Events[read], c.Unique[read])
	}
	for k, w := range x.ReadsBytesFrom[read] {
		if x.Events[w].Kind != model.WriteSharedMemory || x.Events[w].Order != model.Unordered {
			t.Errorf("byte %d reads from %v", k, x.Events[w])
		}
	}
	if err := x.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestReadErrors: malformed input names the line and the field.
func TestReadErrors(t *testing.T) {
	ev := func(s string) string { return header + s + "\n" }
	for _, c := range []struct {
		name, in, want string
	}{
		{"empty", "", "line 1: empty input"},
		{"not json", "hello\n", "line 1: not JSON"},
		{"wrong format", `{"format":"x","version":1,"buffers":0}` + "\n", `line 1: field "format"`},
		{"wrong version", `{"format":"sabre-history","version":9,"buffers":0}` + "\n", `line 1: field "version": version 9`},
		{"unknown header field", `{"format":"sabre-history","version":1,"buffers":0,"x":1}` + "\n", `line 1: field "x": unknown field`},
		{"negative buffer count", `{"format":"sabre-history","version":1,"buffers":-1}` + "\n", `line 1: field "buffers": negative count`},
		{"missing buffer lines", `{"format":"sabre-history","version":1,"buffers":2}` + "\n" + `{"id":1,"shared":true,"length":8,"maxLength":8}` + "\n", `line 3: the header announces 2 buffers`},
		{"bad buffer line", `{"format":"sabre-history","version":1,"buffers":1}` + "\n" + `{"id":"x"}` + "\n", `line 2: field "id"`},
		{"buffer twice", `{"format":"sabre-history","version":1,"buffers":2}` + "\n" + `{"id":1,"length":8,"maxLength":8}` + "\n" + `{"id":1,"length":8,"maxLength":8}` + "\n", `line 3: field "id": buffer 1 is declared twice`},
		{"payload the kind lacks", ev(`{"agent":1,"seq":1,"kind":"write","order":"unordered","buffer":1,"size":1,"written":"01","expected":"01","call":1,"return":1}`), `line 3: field "expected": not allowed`},
		{"negative size", ev(`{"agent":1,"seq":1,"kind":"grow","size":-5,"call":1,"return":1}`), `line 3: field "size": negative size -5`},
		{"host event on an undeclared buffer", ev(`{"agent":1,"seq":1,"kind":"notify","buffer":9,"call":1,"return":1}`), `line 3: field "buffer": buffer 9 is not declared`},
		{"count on a transfer", ev(`{"agent":1,"seq":1,"kind":"transfer","count":2,"call":1,"return":1}`), `line 3: field "count": a transfer event has no count`},
		{"notify count below -1", ev(`{"agent":1,"seq":1,"kind":"notify","count":-2,"call":1,"return":1}`), `line 3: field "count": a notify's count is -1 (all) or at least 0, not -2`},
		{"negative queue maxsize", ev(`{"agent":1,"seq":1,"kind":"queue-get","count":-1,"result":"empty","call":1,"return":1}`), `line 3: field "count": a queue event's count is its queue's maxsize`},
		{"woken on a wait", ev(`{"agent":1,"seq":1,"kind":"wait","order":"seq-cst","buffer":1,"size":4,"noTear":true,"read":"00000000","expected":"00000000","woken":[{"agent":1,"seq":1}],"call":1,"return":1}`), `line 3: field "woken": only a notify`},
		{"two senders of a token", ev(`{"agent":1,"seq":1,"kind":"queue-put","sync":4,"call":1,"return":1}` + "\n" + `{"agent":1,"seq":2,"kind":"agent-start","sync":4,"call":2,"return":2}`), `line 4: field "sync": token 4 is sent by event 0 already`},
		{"bad kind", ev(`{"agent":1,"seq":1,"kind":"jump","call":1,"return":1}`), `line 3: field "kind": unknown kind "jump"`},
		{"bad order", ev(`{"agent":1,"seq":1,"kind":"read","order":"relaxed","buffer":1,"size":1,"read":"00","call":1,"return":1}`), `line 3: field "order"`},
		{"wrong type", ev(`{"agent":"one","seq":1,"kind":"read","call":1,"return":1}`), `line 3: field "agent"`},
		{"short payload", ev(`{"agent":1,"seq":1,"kind":"read","order":"unordered","buffer":1,"size":4,"read":"05","call":1,"return":1}`), `line 3: field "read": "05" is not 4 bytes`},
		{"duplicate key", ev(`{"agent":1,"agent":2,"seq":1,"kind":"notify","call":1,"return":1}`), `line 3: field "agent": given twice`},
		{"key in another case", ev(`{"AGENT":1,"seq":1,"kind":"notify","call":1,"return":1}`), `line 3: field "AGENT"`},
		{"upper-case hex", ev(`{"agent":1,"seq":1,"kind":"read","order":"unordered","buffer":1,"size":1,"read":"AB","call":1,"return":1}`), `line 3: field "read": "AB" is not lower-case hex`},
		{"invalid UTF-8", ev("{\"agent\":1,\"seq\":1,\"kind\":\"notify\",\"op\":\"a\xffb\",\"call\":1,\"return\":1}"), `line 3: not valid UTF-8`},
		{"woken key twice", ev(`{"agent":1,"seq":1,"kind":"notify","woken":[{"agent":2,"agent":3,"seq":1}],"call":1,"return":1}`), `line 3: field "woken.agent": given twice`},
		{"woken key case", ev(`{"agent":1,"seq":1,"kind":"notify","woken":[{"AGENT":2,"seq":1}],"call":1,"return":1}`), `line 3: field "woken.AGENT"`},
		{"not hex", ev(`{"agent":1,"seq":1,"kind":"read","order":"unordered","buffer":1,"size":1,"read":"zz","call":1,"return":1}`), `line 3: field "read": "zz" is not lower-case hex`},
		{"missing payload", ev(`{"agent":1,"seq":1,"kind":"write","order":"unordered","buffer":1,"size":1,"call":1,"return":1}`), `line 3: field "written": missing`},
		{"payload on host event", ev(`{"agent":1,"seq":1,"kind":"notify","read":"00","call":1,"return":1}`), `line 3: field "read": not allowed`},
		{"undeclared buffer", ev(`{"agent":1,"seq":1,"kind":"read","order":"unordered","buffer":7,"size":1,"read":"00","call":1,"return":1}`), `line 3: field "buffer": buffer 7 is not declared`},
		{"out of bounds", ev(`{"agent":1,"seq":1,"kind":"read","order":"unordered","buffer":1,"index":6,"size":4,"read":"00000000","call":1,"return":1}`), `line 3: field "index"`},
		{"no seq", ev(`{"agent":1,"kind":"notify","call":1,"return":1}`), `line 3: field "seq": missing`},
		{"duplicate seq", ev(`{"agent":1,"seq":1,"kind":"notify","call":1,"return":1}` + "\n" + `{"agent":1,"seq":1,"kind":"notify","call":2,"return":2}`), `line 4: field "seq": a1#1 appears twice`},
		{"return before call", ev(`{"agent":1,"seq":1,"kind":"notify","call":5,"return":4}`), `line 3: field "return"`},
		{"rmw arithmetic", ev(`{"agent":1,"seq":1,"kind":"rmw","order":"seq-cst","buffer":1,"size":1,"noTear":true,"read":"01","written":"05","modifyOp":"add","operand":"01","call":1,"return":1}`), `line 3: field "written": 0x5 is not add(0x1, 0x1) = 0x2`},
		{"plain rmw", ev(`{"agent":1,"seq":1,"kind":"rmw","order":"unordered","buffer":1,"size":1,"noTear":true,"read":"01","written":"02","modifyOp":"add","operand":"01","call":1,"return":1}`), `line 3: field "order"`},
		{"torn notear", ev(`{"agent":1,"seq":1,"kind":"read","order":"seq-cst","buffer":1,"index":1,"size":4,"noTear":true,"read":"00000000","call":1,"return":1}`), `line 3: field "noTear"`},
		{"failing cas that matched", ev(`{"agent":1,"seq":1,"kind":"read","order":"seq-cst","buffer":1,"size":1,"noTear":true,"read":"01","modifyOp":"compareExchange","operand":"02","expected":"01","call":1,"return":1}`), `line 3: field "stored"`},
		{"wait result misspelt", ev(`{"agent":1,"seq":1,"kind":"wait","order":"seq-cst","buffer":1,"size":4,"noTear":true,"read":"00000000","expected":"00000000","timeout":-1,"result":"timedout","call":1,"return":2}`), `line 3: field "result": a wait's result is ok, not-equal, timed-out, cancelled or async, not "timedout"`},
		{"wait without result", ev(`{"agent":1,"seq":1,"kind":"wait","order":"seq-cst","buffer":1,"size":4,"noTear":true,"read":"00000000","expected":"00000000","timeout":-1,"call":1,"return":2}`), `line 3: field "result": a wait's result`},
		{"settle result", ev(`{"agent":1,"kind":"wait-settle","buffer":1,"size":4,"result":"async","call":1,"return":1}`), `line 3: field "result": a wait-settle's result is ok, timed-out or cancelled, not "async"`},
		{"notify result not a number", ev(`{"agent":1,"seq":1,"kind":"notify","buffer":1,"size":4,"count":1,"result":"two","call":1,"return":1}`), `line 3: field "result": a notify's result is the number of waiters it woke`},
		{"notify result below woken", ev(`{"agent":1,"seq":1,"kind":"notify","buffer":1,"size":4,"count":-1,"woken":[{"agent":2,"seq":1},{"agent":3,"seq":1}],"result":"1","call":1,"return":1}`), `line 3: field "result": the notify says it woke 1 waiters but lists 2`},
		{"queue get result", ev(`{"agent":1,"seq":1,"kind":"queue-get","peer":3,"result":"full","call":1,"return":1}`), `line 3: field "result": a queue-get event's result is ok or empty, not "full"`},
		{"queue maxsize changes", ev(`{"agent":1,"seq":1,"kind":"queue-put","peer":3,"count":1,"result":"ok","item":1,"sync":1,"call":1,"return":1}` + "\n" + `{"agent":1,"seq":2,"kind":"queue-put","peer":3,"result":"ok","item":2,"sync":2,"call":2,"return":2}`), `line 4: field "count": queue 3's maxsize is 0 here but 1 at event 0`},
		{"two values", ev(`{"agent":1,"seq":1,"kind":"notify","call":1,"return":1} {}`), `line 3: more than one JSON value`},
		{"long line", header + `{"op":"` + strings.Repeat("x", history.MaxLineBytes) + `"}` + "\n", "line 3: line longer than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := history.Read(strings.NewReader(c.in))
			var fe *history.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want a *FormatError", err, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// TestConvertRefusesImpossibleRead: a read of a value nobody wrote is
// reported, naming the read and the byte.
func TestConvertRefusesImpossibleRead(t *testing.T) {
	in := strings.Replace(small, `"read":"05000000"`, `"read":"06000000"`, 1)
	h, err := history.Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	_, err = history.Convert(h)
	if err == nil || !strings.Contains(err.Error(), "(a2#1) read 0x06 at byte 0 of buffer 1") {
		t.Fatalf("error %v", err)
	}
	// A read can only read from a write that began before it returned.
	late := strings.Replace(small, `"call":2,"return":3}`, `"call":7,"return":8}`, 1)
	h, err = history.Read(strings.NewReader(late))
	if err != nil {
		t.Fatal(err)
	}
	if _, err = history.Convert(h); err == nil {
		t.Fatal("a read took its value from a write that began after it returned")
	}
}

// TestRecorderMerge: per-agent logs merge by call instant, each agent's
// events staying in agent-order.
func TestRecorderMerge(t *testing.T) {
	r := history.NewRecorder()
	r.Append(history.Event{Agent: 2, Seq: 1, Kind: history.EvNotify, Call: 3, Return: 3})
	r.Append(history.Event{Agent: 1, Seq: 1, Kind: history.EvNotify, Call: 1, Return: 4})
	r.Append(history.Event{Agent: 1, Seq: 2, Kind: history.EvNotify, Call: 5, Return: 5})
	r.Append(history.Event{Agent: 0, Seq: 9, Kind: history.EvNotify, Call: 2, Return: 2})
	var got []history.Ref
	for _, e := range r.Events() {
		got = append(got, e.Ref())
	}
	want := []history.Ref{{1, 1}, {0, 9}, {2, 1}, {1, 2}}
	if !reflect.DeepEqual(got, want) || r.Len() != 4 {
		t.Fatalf("merged %v, want %v", got, want)
	}
	r.Reset()
	if r.Len() != 0 || len(r.Events()) != 0 {
		t.Fatal("Reset left events")
	}
}

// FuzzRead: Read never panics, and what it accepts round-trips exactly.
func FuzzRead(f *testing.F) {
	f.Add([]byte(small))
	f.Add([]byte(header))
	f.Add([]byte(header + `{"agent":1,"seq":3,"kind":"notify","count":-1,"woken":[{"agent":2,"seq":1}],"result":"1","sync":4,"call":6,"return":7}` + "\n"))
	var buf bytes.Buffer
	if err := history.Write(&buf, mixedRun(f)); err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	f.Add([]byte(strings.Join(lines[:min(len(lines), 40)], "")))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := history.Read(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := history.Write(&out, h); err != nil {
			t.Fatalf("Write refused what Read accepted: %v", err)
		}
		h2, err := history.Read(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Read refused what Write wrote: %v", err)
		}
		if !reflect.DeepEqual(h, h2) {
			t.Fatal("round trip changed the history")
		}
		_, _ = history.Convert(h) // never panics
	})
}

// TestDocExample: the example in docs/history.md reads, converts and checks.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/history.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i := strings.Index(s, "```\n{\"format\"")
	if i < 0 {
		t.Fatal("docs/history.md has no example history")
	}
	s = s[i+4:]
	s = s[:strings.Index(s, "```")]
	h, err := history.Read(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	x, err := history.ToExecution(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Check(); err != nil {
		t.Fatal(err)
	}
	// The notify's wake-up of the wait, and the waiter list's critical
	// sections: the wait's, then the notify's.
	if len(x.HostSynchronizesWith) != 2 {
		t.Errorf("%d host-synchronizes-with pairs, want the notify's wake-up and the critical sections' one", len(x.HostSynchronizesWith))
	}
}

// TestValidateRefusesIndexOverflow: an event whose ByteIndex+Size overflows
// int is out of its buffer; Validate used to accept it (the sum wrapped to a
// negative number, below every buffer's length).
func TestValidateRefusesIndexOverflow(t *testing.T) {
	for _, e := range []history.Event{
		{Agent: 1, Seq: 1, Kind: history.EvRead, Order: model.Unordered, Buffer: 1, ByteIndex: math.MaxInt, Size: 1},
		{Agent: 1, Seq: 1, Kind: history.EvRead, Order: model.Unordered, Buffer: 1, ByteIndex: math.MaxInt - 2, Size: 8},
		{Agent: 1, Seq: 1, Kind: history.EvInit, Order: model.Init, Buffer: 1, ByteIndex: 1, Size: math.MaxInt},
	} {
		h := &history.History{Buffers: []history.Buffer{{ID: 1, Shared: true, Length: 8, MaxLength: 8}}, Events: []history.Event{e}}
		var fe *history.FormatError
		if err := h.Validate(); !errors.As(err, &fe) || fe.Field != "index" {
			t.Errorf("Validate of %v: %v, want an index error", e, err)
		}
	}
}

// TestNilRecorderAndLog: a nil *Recorder and a nil *Log record nothing and
// report nothing.
func TestNilRecorderAndLog(t *testing.T) {
	var r *history.Recorder
	r.Append(history.Event{Kind: history.EvRead})
	r.AddBuffer(history.Buffer{ID: 1})
	r.Reset()
	if r.Log(1) != nil || r.Events() != nil || r.History() != nil || r.Len() != 0 || r.HasBuffer(1) {
		t.Fatal("nil Recorder")
	}
	var l *history.Log
	l.Append(&history.Event{})
	l.Reset()
	if _, err := history.Read(nil); err == nil {
		t.Fatal("Read(nil)")
	}
	if err := history.Write(nil, &history.History{}); err == nil {
		t.Fatal("Write(nil, ...)")
	}
}

// FuzzWrite: any History that passes Validate is written and read back
// exactly (Write never writes what Read refuses, and drops nothing).
func FuzzWrite(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte("\x03\x01\x04\x08\x00\x02\xff\xfe\x10\x20\x30\x05\x06\x07"))
	f.Fuzz(func(t *testing.T, in []byte) {
		pos := 0
		next := func() uint64 {
			if pos >= len(in) {
				return 0
			}
			pos++
			return uint64(in[pos-1])
		}
		word := func() uint64 {
			var x uint64
			for j := 0; j < 8; j++ {
				x |= next() << (8 * j)
			}
			return x
		}
		h := &history.History{Buffers: []history.Buffer{{ID: 1, Shared: true, Length: 16, MaxLength: 16}, {ID: 2, Length: 8, MaxLength: 8}}}
		strs := []string{"", "Atomics.add", "Int32Array.get", "ok", "\xff", "é", strings.Repeat("x", 300)}
		for len(h.Events) < 12 && pos < len(in) {
			e := history.Event{
				Agent: int(next() % 4), Seq: next() % 6, Kind: history.Kind(next() % 17), Order: model.Order(next() % 4),
				NoTear: next()%2 == 0, ModifyOp: model.ModifyOp(next() % 9), Stored: next()%2 == 0,
				Op: strs[next()%uint64(len(strs))], Buffer: next() % 3, ByteIndex: int(next()%20) - 2, Size: int(next()%12) - 1,
				Read: word() >> (8 * (next() % 9)), Written: word() >> (8 * (next() % 9)),
				Operand: word() >> (8 * (next() % 9)), Expected: word() >> (8 * (next() % 9)),
				Timeout: int64(next()) - 1, Count: int64(next()) - 1, Result: strs[next()%uint64(len(strs))],
				Item: next(), Sync: next() % 4, Peer: next(), Call: int64(next()), Return: int64(next()),
			}
			for n := next() % 3; n > 0; n-- {
				e.Woken = append(e.Woken, history.Ref{Agent: int(next() % 4), Seq: next() % 6})
			}
			h.Events = append(h.Events, e)
		}
		if h.Validate() != nil {
			return
		}
		var buf bytes.Buffer
		if err := history.Write(&buf, h); err != nil {
			t.Fatalf("Write refused a valid history: %v", err)
		}
		h2, err := history.Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Read refused what Write wrote: %v\n%s", err, buf.String())
		}
		if len(h.Events) == 0 {
			h.Events = nil
		}
		if !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip changed the history:\n%+v\n%+v", h, h2)
		}
		_, _ = history.Convert(h)
	})
}

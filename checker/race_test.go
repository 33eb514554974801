package checker

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

const (
	sc = model.SeqCst
	un = model.Unordered
)

// wantRaces asserts the report lists exactly the given data races, as
// (E, D) event index pairs, with the given reads-from flags.
func wantRaces(t *testing.T, rep *RaceReport, want ...[2]int) {
	t.Helper()
	var got [][2]int
	for _, x := range rep.DataRaces {
		got = append(got, [2]int{x.E.Index, x.D.Index})
	}
	if len(got) != len(want) {
		t.Fatalf("data races %v, want %v (%s)", got, want, rep.Reason)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("data races %v, want %v", got, want)
		}
	}
	if len(want) == 0 && rep.Verdict != Ok || len(want) > 0 && rep.Verdict != Illegal {
		t.Fatalf("verdict %v (%s)", rep.Verdict, rep.Reason)
	}
}

// Message passing through a seq-cst flag publishes plain data: no race.
func TestRacesMessagePassingAtomics(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	b.write(1, un, 1, 0, 4, 42)
	b.write(1, sc, 1, 4, 4, 1)
	b.read(2, sc, 1, 4, 4, 1)
	b.read(2, un, 1, 0, 4, 42)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep)
	if rep.Checked != 4 || rep.Check != Race {
		t.Errorf("checked %d (%v)", rep.Checked, rep.Check)
	}
}

// The same with a plain flag: both the flag and the data race.
func TestRacesMessagePassingPlainFlag(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	data := b.write(1, un, 1, 0, 4, 42)
	flag := b.write(1, un, 1, 4, 4, 1)
	rflag := b.read(2, un, 1, 4, 4, 1)
	rdata := b.read(2, un, 1, 0, 4, 42)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep, [2]int{flag, rflag}, [2]int{data, rdata})
	x := rep.DataRaces[1]
	if !x.ReadsFrom || x.ESeqCst || x.DSeqCst || x.Buffer != 1 || x.ByteIndex != 0 || x.Size != 4 {
		t.Errorf("race %+v", x)
	}
	if x.E.Agent != 1 || x.E.Seq != 2 || x.D.Agent != 2 || x.D.Seq != 2 || x.E.Op != "Int32Array.set" {
		t.Errorf("refs %v %v", x.E, x.D)
	}
	want := "no happens-before between a1#2 Int32Array.set b1[0:4] and a2#2 Int32Array.get b1[0:4]: a2 read what a1 wrote, but nothing a1 did after the write synchronizes with a2 before the read — make the write (or a later write) Atomics.store and read it with Atomics.load"
	if x.Missing != want || rep.Findings[1].Message != want {
		t.Errorf("missing edge:\n%s\nwant\n%s", x.Missing, want)
	}
	if len(rep.Findings[1].Events) != 2 || rep.Findings[1].Events[0] != x.E {
		t.Errorf("finding events %v", rep.Findings[1].Events)
	}
}

// A seq-cst store read by a plain load, and a plain store read by a
// seq-cst load: data races, each explained by its own missing half.
func TestRacesHalfAtomic(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	w1 := b.write(1, sc, 1, 0, 4, 7)
	r1 := b.read(2, un, 1, 0, 4, 7)
	w2 := b.write(1, un, 1, 8, 4, 9)
	r2 := b.read(2, sc, 1, 8, 4, 9)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep, [2]int{w1, r1}, [2]int{w2, r2})
	if m := rep.DataRaces[0].Missing; !strings.Contains(m, "the read is not seq-cst") || !strings.Contains(m, "read it with Atomics.load") {
		t.Error(m)
	}
	if m := rep.DataRaces[1].Missing; !strings.Contains(m, "the write is not seq-cst") || !strings.Contains(m, "make the write Atomics.store") {
		t.Error(m)
	}
	if !rep.DataRaces[0].ESeqCst || rep.DataRaces[0].DSeqCst || rep.DataRaces[1].ESeqCst || !rep.DataRaces[1].DSeqCst {
		t.Errorf("seq-cst flags %+v", rep.DataRaces)
	}
}

// Seq-cst accesses of unequal, overlapping ranges: a data race, both as
// writes and as reads-from (a mixed-size read does not synchronize).
func TestRacesMixedSizeSeqCst(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	w32 := b.write(1, sc, 1, 0, 4, 0x01020304)
	w16 := b.write(2, sc, 1, 2, 2, 0x0506)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep, [2]int{w32, w16})
	x := rep.DataRaces[0]
	if x.ReadsFrom || !x.ESeqCst || !x.DSeqCst || x.ByteIndex != 2 || x.Size != 2 {
		t.Errorf("%+v", x)
	}
	if !strings.Contains(x.Missing, "unequal ranges") {
		t.Error(x.Missing)
	}

	b = newHist()
	b.init(1, 1, 16)
	w := b.write(1, sc, 1, 0, 4, 0x01020304)
	r := b.read(2, sc, 1, 0, 2, 0x0304)
	b.read(2, un, 1, 8, 4, 0)
	rep = checkRaces(t, &b.h)
	wantRaces(t, rep, [2]int{w, r})
	if !strings.Contains(rep.DataRaces[0].Missing, "synchronize only when their ranges are equal") {
		t.Error(rep.DataRaces[0].Missing)
	}
}

// Two seq-cst stores of an equal range that nothing orders race, but not
// as a data race: Ok, with the race counted.
func TestRacesSeqCstEqualRangeIsNoDataRace(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	b.write(1, sc, 1, 0, 4, 1)
	b.write(2, sc, 1, 0, 4, 2)
	b.rmw(3, model.Add, 1, 0, 4, 2, 5)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep)
	// a1's store races a2's and a3's add (a3 read a2's value: synchronized).
	if rep.Races != 2 || rep.Total != 0 {
		t.Errorf("races %d, data races %d", rep.Races, rep.Total)
	}
}

// A plain read that read the initial value and a concurrent write it did
// not read from do not race by the spec's definition (only reads-from
// makes a read race); the model agrees (checkRaces compares).
func TestRacesReadOfInitIsNoRace(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	b.read(2, un, 1, 0, 4, 0)
	b.write(1, un, 1, 0, 4, 0x01010101)
	b.read(3, un, 1, 0, 4, 0)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep)
	if rep.Races != 0 {
		t.Errorf("%d races", rep.Races)
	}
	want, _ := modelRaces(t, &b.h)
	if len(want) != 0 {
		t.Errorf("the model finds races %v", want)
	}
	// Reads-from is per byte: a plain write of 1 writes zeros to bytes
	// 1..3, and a read of 0 that began after it takes those bytes from it.
	b = newHist()
	b.init(1, 1, 16)
	w := b.write(1, un, 1, 0, 4, 1)
	r := b.read(3, un, 1, 0, 4, 0)
	wantRaces(t, checkRaces(t, &b.h), [2]int{w, r})
}

// Plain writes by two agents race; by one agent, or ordered by an agent
// start, they do not.
func TestRacesWriteWrite(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	w1 := b.write(1, un, 1, 0, 4, 1)
	b.write(1, un, 1, 0, 4, 2) // same agent: ordered
	w2 := b.write(2, un, 1, 3, 1, 3)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep, [2]int{w1, w2}, [2]int{w1 + 1, w2})
	if x := rep.DataRaces[0]; x.ByteIndex != 3 || x.Size != 1 || x.ReadsFrom || !strings.Contains(x.Missing, "a1 and a2 both wrote b1[3:4]") {
		t.Errorf("%+v", x)
	}
}

// Host edges: a Queue put and the get that took its item, an agent's start
// and its first event, its end and the join, a notify and the wait it
// woke. Each publishes plain writes; without the edge, the same accesses
// race.
func TestRacesHostEdges(t *testing.T) {
	type step func(b *histBuilder, linked bool)
	edge := func(send, recv history.Kind) step {
		return func(b *histBuilder, linked bool) {
			tok := b.newToken()
			b.host(1, send, tok)
			if !linked {
				tok = b.newToken()
			}
			b.host(2, recv, tok)
		}
	}
	cases := map[string]step{
		"queue":       edge(history.EvQueuePut, history.EvQueueGet),
		"agent-start": edge(history.EvAgentStart, history.EvAgentBegin),
		"agent-join":  edge(history.EvAgentEnd, history.EvAgentJoin),
		"notify-wait": func(b *histBuilder, linked bool) {
			tok := b.newToken()
			// a2 waits on b1[8:12] (its value check reads 0), a1 notifies.
			w := b.add(history.Event{Agent: 2, Kind: history.EvWait, Order: sc, Op: "Atomics.wait", Buffer: 1, ByteIndex: 8, Size: 4,
				NoTear: true, Timeout: -1, Result: "ok", Sync: tok, Call: 100, Return: 300})
			woken := []history.Ref{b.h.Events[w].Ref()}
			if !linked {
				tok = b.newToken()
			}
			b.add(history.Event{Agent: 1, Kind: history.EvNotify, Op: "Atomics.notify", Buffer: 1, ByteIndex: 8, Size: 4, Count: -1,
				Result: "1", Woken: woken, Sync: tok, Call: 200, Return: 201})
			b.t = 400
		},
	}
	for name, link := range cases {
		for _, linked := range []bool{true, false} {
			t.Run(name+map[bool]string{true: "/linked", false: "/unlinked"}[linked], func(t *testing.T) {
				b := newHist()
				b.init(1, 1, 16)
				w := b.write(1, un, 1, 0, 4, 42)
				link(b, linked)
				r := b.read(2, un, 1, 0, 4, 42)
				w2 := b.write(2, un, 1, 0, 4, 43)
				rep := checkRaces(t, &b.h)
				if linked {
					wantRaces(t, rep)
				} else {
					wantRaces(t, rep, [2]int{w, r}, [2]int{w, w2})
				}
			})
		}
	}
}

// A woken wait's value check comes before the notify's edge: a write the
// notifier made before notifying is not ordered before the check, and a
// write the waiter made before waiting is ordered before the notifier's
// later accesses only through a seq-cst flag.
func TestRacesWaitValueCheckPrecedesWake(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	tok := b.newToken()
	w := b.write(1, un, 1, 8, 4, 0) // a1 plain-writes 0 where a2 waits
	wait := b.add(history.Event{Agent: 2, Kind: history.EvWait, Order: sc, Op: "Atomics.wait", Buffer: 1, ByteIndex: 8, Size: 4,
		NoTear: true, Timeout: -1, Result: "ok", Sync: tok, Call: 10, Return: 30})
	b.add(history.Event{Agent: 1, Kind: history.EvNotify, Op: "Atomics.notify", Buffer: 1, ByteIndex: 8, Size: 4, Count: -1, Result: "1",
		Woken: []history.Ref{b.h.Events[wait].Ref()}, Sync: tok, Call: 20, Return: 21})
	rep := checkRaces(t, &b.h)
	// The wait read a1's plain 0 (the latest write of 0 before it
	// returned), and nothing orders that write before the check.
	wantRaces(t, rep, [2]int{w, wait})
}

// An ArrayBuffer transfer that moves the bytes makes the new buffer the
// same memory: a write to the old buffer and a read of the new one race
// unless a Queue orders them.
func TestRacesTransfer(t *testing.T) {
	for _, linked := range []bool{true, false} {
		b := newHist(history.Buffer{ID: 1, Length: 8, MaxLength: 8}, history.Buffer{ID: 2, Length: 8, MaxLength: 8})
		b.init(1, 1, 8)
		w := b.write(1, un, 1, 0, 4, 42)
		b.add(history.Event{Agent: 1, Kind: history.EvTransfer, Op: "ArrayBuffer.prototype.transfer", Buffer: 1, Peer: 2, Size: 8, Stored: true})
		tok := b.newToken()
		b.host(1, history.EvQueuePut, tok)
		if !linked {
			tok = b.newToken()
		}
		b.host(2, history.EvQueueGet, tok)
		r := b.read(2, un, 2, 0, 4, 42)
		rep := checkRaces(t, &b.h)
		if linked {
			wantRaces(t, rep)
		} else {
			wantRaces(t, rep, [2]int{w, r})
			if x := rep.DataRaces[0]; x.Buffer != 2 || x.E.Buffer != 1 || x.D.Buffer != 2 {
				t.Errorf("%+v", x)
			}
		}
	}
	// A copying transfer (not Stored) is a new block: no alias, so the read
	// of buffer 2 has no source but its own init.
	b := newHist(history.Buffer{ID: 1, Length: 8, MaxLength: 8}, history.Buffer{ID: 2, Length: 8, MaxLength: 8})
	b.init(1, 1, 8)
	b.write(1, un, 1, 0, 4, 42)
	b.add(history.Event{Agent: 1, Kind: history.EvTransfer, Op: "ArrayBuffer.prototype.transfer", Buffer: 1, Peer: 2, Size: 8})
	b.init(1, 2, 8)
	b.write(1, un, 2, 0, 4, 0x2a2a2a2a)
	b.read(2, un, 2, 0, 4, 0)
	wantRaces(t, checkRaces(t, &b.h))
}

// Events of agent 0 are in no agent-order: two of them race with each
// other, and with agents' events, unless a synchronizes-with edge orders
// them; a chain of agent-0 read-modify-writes orders each before the next.
func TestRacesAgentZero(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	w0 := b.write(0, un, 1, 0, 4, 1)
	w0b := b.write(0, un, 1, 0, 4, 2)
	r := b.read(1, un, 1, 0, 4, 2)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep, [2]int{w0, w0b}, [2]int{w0b, r})
	if !strings.Contains(rep.DataRaces[0].Missing, "no agent (a0)") {
		t.Error(rep.DataRaces[0].Missing)
	}

	// a0 publishes data with a seq-cst store that a1 loads; then three
	// agent-0 adds chain through synchronizes-with to a2.
	b = newHist()
	b.init(1, 1, 16)
	b.write(0, un, 1, 0, 4, 7)
	b.write(0, sc, 1, 4, 4, 1) // a different agent-0 event: not ordered after the data write
	b.read(1, sc, 1, 4, 4, 1)
	rd := b.read(1, un, 1, 0, 4, 7)
	b.write(1, un, 1, 12, 4, 5)
	b.rmw(1, model.Add, 1, 8, 4, 0, 1)
	b.rmw(0, model.Add, 1, 8, 4, 1, 1)
	b.rmw(0, model.Add, 1, 8, 4, 2, 1)
	b.rmw(0, model.Add, 1, 8, 4, 3, 1)
	b.read(2, sc, 1, 8, 4, 4)
	b.read(2, un, 1, 12, 4, 5)
	rep = checkRaces(t, &b.h)
	wantRaces(t, rep, [2]int{1, rd})
}

// Overlapping read-modify-writes that read equal values can each be chosen
// as the other's source: happens-before then has a cycle, whose events all
// happen before each other (as in the model), and the report says so.
func TestRacesCycle(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	b.rmw(1, model.Exchange, 1, 0, 4, 0, 1)
	// a3 plain-writes X before its exchange; a2 writes X after its own.
	before := b.add(history.Event{Agent: 3, Kind: history.EvWrite, Order: un, Op: "Int32Array.set", Buffer: 1, ByteIndex: 8, Size: 4,
		NoTear: true, Written: 0x06060606, Call: 5, Return: 6})
	// a2's and a3's exchanges overlap in time and both read 1.
	b.add(history.Event{Agent: 2, Kind: history.EvRMW, Order: sc, Op: "Atomics.exchange", Buffer: 1, Size: 4, NoTear: true,
		ModifyOp: model.Exchange, Read: 1, Operand: 1, Written: 1, Call: 10, Return: 20})
	b.add(history.Event{Agent: 3, Kind: history.EvRMW, Order: sc, Op: "Atomics.exchange", Buffer: 1, Size: 4, NoTear: true,
		ModifyOp: model.Exchange, Read: 1, Operand: 1, Written: 1, Call: 11, Return: 21})
	b.t = 30
	b.write(2, un, 1, 8, 4, 0x05050505)
	y2 := b.write(2, un, 1, 12, 4, 1)
	y3 := b.write(3, un, 1, 12, 4, 2)
	rep := checkRaces(t, &b.h)
	if rep.Cycles != 1 || !strings.Contains(rep.Reason, "cycle") {
		t.Errorf("cycles %d: %s", rep.Cycles, rep.Reason)
	}
	// a3's write of X is ordered before a2's through the cycle; the writes
	// of Y after it are not ordered either way.
	wantRaces(t, rep, [2]int{y2, y3})

	// Without the cycle (a3's exchange begins after a2's returned, so it
	// reads a2's 1 and a2 reads a1's) a3's first write races a2's.
	for i := range b.h.Events {
		if e := &b.h.Events[i]; e.Agent == 3 && e.Kind == history.EvRMW {
			e.Call, e.Return = 22, 23
		}
	}
	rep = checkRaces(t, &b.h)
	if rep.Cycles != 0 {
		t.Errorf("cycles %d", rep.Cycles)
	}
	wantRaces(t, rep, [2]int{before, 5}, [2]int{y2, y3})
}

// More data races than the report lists: all counted, RaceListLimit listed,
// each pair once though the writes share several bytes.
func TestRacesLimitAndCount(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	const n = 40
	for i := range n {
		b.write(1, un, 1, 0, 4, uint64(i))
		b.write(2, un, 1, 2, 4, uint64(i))
		b.write(3, sc, 1, 0, 4, uint64(i))
	}
	rep, err := Races(context.Background(), &b.h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Every cross-agent pair of writes races (3·n² pairs); a3's seq-cst
	// writes race each other's agents as data races (a1 and a2 are plain,
	// and a2's range is unequal to a3's).
	if want := 3 * n * n; rep.Total != want || rep.Races != want {
		t.Errorf("total %d, races %d, want %d", rep.Total, rep.Races, want)
	}
	if len(rep.DataRaces) != RaceListLimit || rep.Omitted != rep.Total-RaceListLimit {
		t.Errorf("listed %d, omitted %d", len(rep.DataRaces), rep.Omitted)
	}
	if !strings.Contains(rep.Reason, "100 listed") {
		t.Error(rep.Reason)
	}
}

func TestRacesBadInput(t *testing.T) {
	rep, err := Races(context.Background(), nil, Options{})
	if rep != nil || err == nil {
		t.Fatalf("nil history: %v, %v", rep, err)
	}
	if fe := mustFormatError(t, err); !strings.Contains(fe.Error(), "nil History") {
		t.Error(fe)
	}
	b := newHist()
	b.init(1, 1, 16)
	b.write(1, un, 1, 0, 4, 1)
	b.h.Events[1].Return = b.h.Events[1].Call - 1
	_, err = Races(context.Background(), &b.h, Options{})
	want := b.h.Validate()
	if fe := mustFormatError(t, err); fe.Event != 1 || fe.Field != "return" || err.Error() != want.Error() {
		t.Errorf("%v, want %v", err, want)
	}
	b.h.Events[1].Return = b.h.Events[1].Call
	b.h.Events[1].Buffer = 9
	_, err = Races(context.Background(), &b.h, Options{})
	if fe := mustFormatError(t, err); fe.Event != 1 || fe.Field != "buffer" {
		t.Error(err)
	}
	// An empty history is no bad input.
	rep, err = Races(context.Background(), &history.History{}, Options{})
	if err != nil || rep.Verdict != Ok || rep.Checked != 0 {
		t.Errorf("empty: %v %+v", err, rep)
	}
	// A nil context is the background.
	//lint:ignore SA1012 testing a nil context on purpose
	if rep, err := Races(nil, &history.History{}, Options{}); err != nil || rep.Verdict != Ok { //nolint:staticcheck
		t.Error(rep, err)
	}
}

// A read of a value nothing wrote takes part in no reads-from race and is
// counted as skipped.
func TestRacesUnsourcedRead(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	b.write(1, un, 1, 0, 4, 0x01010101)
	b.read(2, un, 1, 0, 4, 0x77777777)
	rep := checkRaces(t, &b.h)
	wantRaces(t, rep)
	if rep.Unsourced != 1 || rep.Skipped != 1 || !strings.Contains(rep.Reason, "no recorded write") {
		t.Errorf("%+v", rep)
	}
}

// A cancelled context, or a budget that runs out, gives Unknown when no
// race was found, Illegal (with what was found) when one was.
func TestRacesCancelled(t *testing.T) {
	h := syntheticHistory(200000, 8, 1, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Races(ctx, h, Options{})
	if err != nil || rep.Verdict != Unknown || !strings.Contains(rep.Reason, "canceled") {
		t.Fatalf("%v %v: %s", err, rep.Verdict, rep.Reason)
	}
	rep, err = Races(context.Background(), h, Options{Budget: time.Nanosecond})
	if err != nil || rep.Verdict != Unknown || !strings.Contains(rep.Reason, "budget of 1ns ran out") {
		t.Fatalf("%v %v: %s", err, rep.Verdict, rep.Reason)
	}
	rep, err = Races(context.Background(), h, Options{})
	if err != nil || rep.Verdict != Ok {
		t.Fatalf("%v %v: %s", err, rep.Verdict, rep.Reason)
	}
	// Stopped in the middle of the order with races found: Illegal, with
	// how far it got.
	ctx, cancel = context.WithCancel(context.Background())
	n := 0
	rep, err = races(ctx, syntheticHistory(200000, 8, 1, true), Options{}, func(int, int, bool) {
		if n++; n == 1000 {
			cancel()
		}
	})
	if err != nil || rep.Verdict != Illegal || !strings.Contains(rep.Reason, "stopped (context canceled) after") || rep.Races < 1000 || rep.Total == 0 {
		t.Fatalf("%v %v (%d): %s", err, rep.Verdict, rep.Total, rep.Reason)
	}
	// Stopped in the middle of the order with none found: Unknown.
	ctx, cancel = context.WithCancel(context.Background())
	d := newRaceDetector(ctx, h)
	d.prepare()
	cancel()
	d.order()
	if rep := d.report(0); rep.Verdict != Unknown || !strings.Contains(rep.Reason, "undecided: no data race among the") || rep.Checked == 0 {
		t.Fatalf("%v: %s", rep.Verdict, rep.Reason)
	}
}

// The report encodes as JSON with the Result's fields inline.
func TestRaceReportJSON(t *testing.T) {
	b := newHist()
	b.init(1, 1, 16)
	b.write(1, un, 1, 0, 4, 1)
	b.read(2, un, 1, 0, 4, 1)
	rep := checkRaces(t, &b.h)
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back["check"] != "race" || back["verdict"] != "illegal" || back["total"] != 1.0 {
		t.Errorf("%s", js)
	}
	races := back["dataRaces"].([]any)
	x := races[0].(map[string]any)
	if x["readsFrom"] != true || x["e"].(map[string]any)["index"] != 1.0 || x["d"].(map[string]any)["index"] != 2.0 {
		t.Errorf("%s", js)
	}
}

func TestRacesErrorIsFormatError(t *testing.T) {
	_, err := Races(context.Background(), &history.History{Events: []history.Event{{Kind: 99}}}, Options{})
	var fe *history.FormatError
	if !errors.As(err, &fe) || fe.Field != "kind" {
		t.Fatal(err)
	}
}

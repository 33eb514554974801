package history_test

import (
	"runtime"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// synthetic returns a history of n events by 4 agents on one 64-byte
// buffer: plain writes of few distinct values to few locations (so one value
// is written very often), reads of them, and a notify with many waiters;
// the shapes that made Convert quadratic once.
func synthetic(n int) *history.History {
	h := &history.History{Buffers: []history.Buffer{{ID: 1, Shared: true, Length: 64, MaxLength: 64}}}
	seq := map[int]uint64{}
	add := func(e history.Event) {
		seq[e.Agent]++
		e.Seq = seq[e.Agent]
		e.Call = int64(2*len(h.Events) + 1)
		e.Return = e.Call + 1
		h.Events = append(h.Events, e)
	}
	add(history.Event{Agent: 1, Kind: history.EvInit, Order: model.Init, Buffer: 1, Size: 64})
	tok := history.NewSyncToken()
	for len(h.Events) < n {
		k := len(h.Events)
		a := 1 + k%4
		at := 4 * (k % 3)
		switch k % 5 {
		case 0, 1:
			add(history.Event{Agent: a, Kind: history.EvWrite, Order: model.Unordered, Buffer: 1, ByteIndex: at, Size: 4, NoTear: true, Written: uint64(k % 2)})
		case 2, 3:
			add(history.Event{Agent: a, Kind: history.EvRead, Order: model.Unordered, Buffer: 1, ByteIndex: at, Size: 4, NoTear: true, Read: 0})
		default:
			add(history.Event{Agent: a, Kind: history.EvWait, Order: model.SeqCst, Buffer: 1, ByteIndex: 60, Size: 4, NoTear: true, Timeout: -1, Result: "ok", Sync: tok})
		}
	}
	add(history.Event{Agent: 1, Kind: history.EvNotify, Buffer: 1, ByteIndex: 60, Size: 4, Count: -1, Sync: tok})
	return h
}

// TestConvertScalesLinearly: ten times the events cost about ten times the
// allocation, not a hundred: what Convert builds (events, pairs, candidate
// lists) grows with the history. Allocation, unlike time, does not depend
// on the machine's load; BenchmarkConvert measures the time.
func TestConvertScalesLinearly(t *testing.T) {
	alloc := func(n int) uint64 {
		h := synthetic(n)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := history.Convert(h); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(5_000), alloc(50_000)
	ratio := float64(large) / float64(small)
	t.Logf("Convert: %d bytes for 5,000 events, %d for 50,000: ratio %.1f (linear 10, quadratic 100)", small, large, ratio)
	if ratio > 25 {
		t.Fatalf("ten times the events allocated %.1f times as much: Convert is not linear", ratio)
	}
}

// BenchmarkConvert converts a 100,000-event history.
func BenchmarkConvert(b *testing.B) {
	h := synthetic(100_000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := history.Convert(h); err != nil {
			b.Fatal(err)
		}
	}
}

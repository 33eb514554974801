package atomics

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/shared"
)

var sink int64

func benchView(b *testing.B, k shared.Kind) *shared.TypedArray {
	buf, err := shared.NewBuffer(64)
	if err != nil {
		b.Fatal(err)
	}
	v, err := shared.View(buf, k)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func BenchmarkRawLoadInt32(b *testing.B) {
	var w int32
	var s int64
	for i := 0; i < b.N; i++ {
		s += int64(atomic.LoadInt32(&w))
	}
	sink = s
}

func BenchmarkLoadInt32(b *testing.B) {
	v := benchView(b, shared.Int32)
	var s int64
	for i := 0; i < b.N; i++ {
		x, _ := Load(v, 1)
		s += x
	}
	sink = s
}

func BenchmarkRawAddInt32(b *testing.B) {
	var w int32
	var s int64
	for i := 0; i < b.N; i++ {
		s += int64(atomic.AddInt32(&w, 1))
	}
	sink = s
}

func BenchmarkAddInt32(b *testing.B) {
	v := benchView(b, shared.Int32)
	var s int64
	for i := 0; i < b.N; i++ {
		x, _ := Add(v, 1, 1)
		s += x
	}
	sink = s
}

func BenchmarkAddInt8(b *testing.B) {
	v := benchView(b, shared.Int8)
	var s int64
	for i := 0; i < b.N; i++ {
		x, _ := Add(v, 1, 1)
		s += x
	}
	sink = s
}

// BenchmarkAddInt32Recorded is BenchmarkAddInt32 with a recorder attached to
// the buffer: every Add appends one event. The recorder is emptied every
// 1024 operations, as a bounded history of a test run would be; the cost of
// regrowing its event slice after each Reset is included.
func BenchmarkAddInt32Recorded(b *testing.B) {
	rec := history.NewRecorder()
	buf, err := shared.NewBuffer(64, shared.WithRecorder(rec))
	if err != nil {
		b.Fatal(err)
	}
	defer buf.SetRecorder(nil)
	v, _ := shared.View(buf, shared.Int32)
	var s int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x, _ := Add(v, 1, 1)
		s += x
		if i&(4096-1) == 4096-1 {
			rec.Reset()
		}
	}
	sink = s
	if rec.Len() == 0 {
		b.Fatal("nothing recorded")
	}
}

// BenchmarkAddInt32RecordedParallel is BenchmarkAddInt32Recorded with
// b.RunParallel: each goroutine is an agent of its own, adding to its own
// element of one recorded buffer. Recording appends to per-agent logs, so
// the time per operation should not exceed the single-agent benchmark's.
func BenchmarkAddInt32RecordedParallel(b *testing.B) {
	rec := history.NewRecorder()
	buf, err := shared.NewBuffer(4096, shared.WithRecorder(rec))
	if err != nil {
		b.Fatal(err)
	}
	defer buf.SetRecorder(nil)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		me := next.Add(1)
		ag := shared.NewAgent(fmt.Sprint("adder ", me))
		v, _ := shared.View(buf.For(ag), shared.Int32)
		i := int(me*16) % v.Length()
		var s int64
		n := 0
		for pb.Next() {
			x, _ := Add(v, i, 1)
			s += x
			if n++; n&(4096-1) == 0 {
				rec.Log(ag.ID()).Reset()
			}
		}
		sink = s
	})
}

// BenchmarkWaitNotifyPingPong: two goroutines pass a token back and forth
// through one Int32 element with Store, Notify and Wait. One op is one
// round trip (two hand-offs).
func BenchmarkWaitNotifyPingPong(b *testing.B) {
	v := benchView(b, shared.Int32)
	done := make(chan struct{})
	go func() { // the other player: waits for 1, answers 0
		for i := 0; i < b.N; i++ {
			for {
				if x, _ := Load(v, 0); x == 1 {
					break
				}
				Wait(v, 0, 0, Forever)
			}
			Store(v, 0, 0)
			Notify(v, 0, 1)
		}
		close(done)
	}()
	for i := 0; i < b.N; i++ {
		Store(v, 0, 1)
		Notify(v, 0, 1)
		for {
			if x, _ := Load(v, 0); x == 0 {
				break
			}
			Wait(v, 0, 1, Forever)
		}
	}
	<-done
}

// BenchmarkChanPingPong is the baseline: the same round trip over two
// unbuffered channels.
func BenchmarkChanPingPong(b *testing.B) {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	for i := 0; i < b.N; i++ {
		ping <- struct{}{}
		<-pong
	}
	close(ping)
}

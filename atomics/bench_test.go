package atomics

import (
	"sync/atomic"
	"testing"

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

package shared

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Tests of the Queue's validation and copying of tuples ([]any) on hostile
// shapes: tuples that contain themselves, deep nesting, and tuples that occur
// at many places in one item.

// tupNest returns depth nested tuples: []any{[]any{… []any{leaf} …}}.
func tupNest(depth int, leaf any) []any {
	t := []any{leaf}
	for i := 1; i < depth; i++ {
		t = []any{t}
	}
	return t
}

// tupDepth returns how deeply tuples nest in v (a chain of one-element
// tuples as tupNest makes), without recursion, and the innermost element.
func tupDepth(v any) (int, any) {
	d := 0
	for {
		t, ok := v.([]any)
		if !ok || len(t) != 1 {
			return d, v
		}
		d, v = d+1, t[0]
	}
}

// tupPuts are the ways an item can be offered: IsShareable (as an error) and
// the three puts.
func tupPuts(q *Queue, item any, transfer ...Backing) map[string]func() error {
	return map[string]func() error{
		"IsShareable": func() error {
			if IsShareable(item) {
				return nil
			}
			return Errorf(NotShareable, "IsShareable", "false")
		},
		"PutNowait":  func() error { return q.PutNowait(item, transfer...) },
		"Put":        func() error { return q.Put(context.Background(), item, transfer...) },
		"PutTimeout": func() error { return q.PutTimeout(item, time.Second, transfer...) },
	}
}

func TestQueueRefusesTupleCycles(t *testing.T) {
	direct := []any{1, nil}
	direct[1] = direct

	indirect := []any{1, nil}
	indirect[1] = []any{"a", []any{indirect}}

	deeper := []any{"x", []any{nil, 2}} // the cycle closes below the item: item[1][0] is item[1]
	deeper[1].([]any)[0] = deeper[1]

	prefix := []any{nil, 2} // a tuple containing a shorter tuple over the same array, which contains itself
	prefix[0] = prefix[:1]

	shared := []any{1}
	inDAG := []any{shared, shared, nil} // shared twice (fine), then a cycle through the item
	inDAG[2] = []any{inDAG}

	cases := []struct {
		name, mention string
		item          []any
	}{
		{"direct", "item[1] is item: a tuple that contains itself", direct},
		{"indirect", "item[1][1][0] is item: a tuple that contains itself", indirect},
		{"below the item", "item[1][0] is item[1]: a tuple that contains itself", deeper},
		{"through a shorter slice", "item[0][0] is item[0]: a tuple that contains itself", prefix},
		{"after a shared tuple", "item[2][0] is item: a tuple that contains itself", inDAG},
	}
	q := NewQueue(0)
	for _, c := range cases {
		for name, put := range tupPuts(q, c.item) {
			err := put()
			wantKind(t, err, NotShareable, c.name+" via "+name)
			if name != "IsShareable" && !strings.Contains(err.Error(), c.mention) {
				t.Errorf("%s via %s: error %q does not mention %q", c.name, name, err, c.mention)
			}
		}
		// Also as an element of a larger item, after a good element.
		if err := q.PutNowait([]any{"ok", c.item}); !errors.Is(err, NotShareable) || !strings.Contains(err.Error(), "contains itself") {
			t.Errorf("%s inside another tuple: %v", c.name, err)
		}
	}
	if q.Size() != 0 {
		t.Fatalf("refused puts enqueued %d items", q.Size())
	}

	// With a transfer list: refused, and the buffer is not detached.
	ab, _ := NewArrayBuffer(8)
	withBuffer := []any{ab, nil}
	withBuffer[1] = []any{withBuffer}
	for name, put := range tupPuts(q, withBuffer, ab) {
		if name == "IsShareable" {
			continue
		}
		err := put()
		wantKind(t, err, NotShareable, "cycle with a transfer via "+name)
		if !strings.Contains(err.Error(), "item[1][0] is item: a tuple that contains itself") {
			t.Errorf("cycle with a transfer via %s: %q", name, err)
		}
		if ab.Detached() || q.Size() != 0 {
			t.Fatalf("cycle with a transfer via %s: detached %v, size %d", name, ab.Detached(), q.Size())
		}
	}
}

func TestQueueTupleSharedSubtuples(t *testing.T) {
	// A tuple at several places in the item (a DAG): accepted, copied once,
	// and it arrives as one copy at those places.
	leaf := []any{1, "a", []byte("xy")}
	item := []any{leaf, []any{leaf}, leaf}
	q := NewQueue(0)
	qMust(t, q.PutNowait(item))
	leaf[0] = 99 // changing the original after the put changes nothing received
	leaf[2].([]byte)[0] = 'z'
	v, err := q.GetNowait()
	qMust(t, err)
	got := v.([]any)
	a, b, c := got[0].([]any), got[1].([]any)[0].([]any), got[2].([]any)
	if &a[0] != &b[0] || &a[0] != &c[0] {
		t.Errorf("the shared tuple arrived as several copies")
	}
	if &a[0] == &leaf[0] {
		t.Errorf("the shared tuple was not copied")
	}
	if a[0] != 1 || a[1] != "a" || string(a[2].([]byte)) != "xy" {
		t.Errorf("received %v", a)
	}

	// 2^64 paths through 64 tuples: linear in the tuples, not in the paths.
	// An ArrayBuffer at the bottom is transferred once, and every path to it
	// arrives at the moved buffer, bound to the receiver.
	ab, _ := NewArrayBuffer(4)
	u8, _ := NewTypedArray(ab, Uint8, 0, 4)
	qMust(t, u8.SetInt(0, 42))
	var dag any = []any{ab, 7}
	for i := 0; i < 64; i++ {
		dag = []any{dag, dag}
	}
	if IsShareable(dag) { // without a transfer list the ArrayBuffer is not shareable
		t.Errorf("IsShareable(DAG over an ArrayBuffer) = true")
	}
	recv := NewAgent("receiver")
	qMust(t, q.PutNowait(dag, ab))
	if !ab.Detached() {
		t.Fatalf("the ArrayBuffer was not transferred")
	}
	v, err = q.For(recv).GetNowait()
	qMust(t, err)
	var bottoms []*ArrayBuffer
	for _, pick := range []int{0, 1} {
		x := v
		for i := 0; i < 64; i++ {
			x = x.([]any)[pick]
		}
		bottom := x.([]any)
		nb := bottom[0].(*ArrayBuffer)
		data, err := nb.Bytes()
		if err != nil || data[0] != 42 || nb.Agent() != recv || bottom[1] != 7 {
			t.Fatalf("bottom of the DAG: %v (bytes %v, %v; agent %v)", bottom, data, err, nb.Agent())
		}
		bottoms = append(bottoms, nb)
	}
	if bottoms[0].ID() != bottoms[1].ID() {
		t.Errorf("the transferred buffer arrived as two buffers")
	}
}

func TestQueueTupleDepthLimit(t *testing.T) {
	q := NewQueue(0)
	recv := NewAgent("receiver")
	buf, _ := NewBuffer(4)

	// MaxTupleDepth levels pass, and arrive whole and bound.
	item := tupNest(MaxTupleDepth, buf)
	if !IsShareable(item) {
		t.Fatalf("IsShareable(%d-deep tuple) = false", MaxTupleDepth)
	}
	qMust(t, q.PutNowait(item))
	v, err := q.For(recv).GetNowait()
	qMust(t, err)
	d, leaf := tupDepth(v)
	if b, ok := leaf.(*Buffer); d != MaxTupleDepth || !ok || b.Agent() != recv || !b.Same(buf) {
		t.Fatalf("received a %d-deep tuple of %v", d, leaf)
	}

	// One more level, or a million, is refused with a short message.
	for _, depth := range []int{MaxTupleDepth + 1, 1_000_000} {
		item := tupNest(depth, 1)
		for name, put := range tupPuts(q, item) {
			if depth > MaxTupleDepth+1 && name != "PutNowait" {
				continue // the same walk as at MaxTupleDepth+1
			}
			err := put()
			wantKind(t, err, NotShareable, name)
			if name == "IsShareable" {
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "MaxTupleDepth (100000)") || !strings.Contains(msg, "item[0][0]") || len(msg) > 400 {
				t.Errorf("depth %d via %s: error %q (%d bytes)", depth, name, msg, len(msg))
			}
		}
	}
	if q.Size() != 0 {
		t.Fatalf("refused puts enqueued %d items", q.Size())
	}

	// An error deep inside an item names its whole path, elided in the middle.
	deep := tupNest(1000, map[int]int{})
	err = q.PutNowait(deep)
	wantKind(t, err, NotShareable, "map 1000 tuples deep")
	want := "item" + strings.Repeat("[0]", pathEdge) + "[…968 more…]" + strings.Repeat("[0]", pathEdge) + " of type map[int]int"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}

// TestQueueTupleWorkIsLinear checks that validating and copying a deeply
// nested item costs time and memory linear in its depth (it was quadratic:
// the path string of every level was built in advance), by the ratios of the
// costs per operation at depths 10,000 and 100,000 measured in one run: the
// bytes allocated, and the best time of three rounds (against noise). No
// absolute time is asserted.
func TestQueueTupleWorkIsLinear(t *testing.T) {
	q := NewQueue(0)
	ops := []struct {
		name string
		op   func(item []any) error
	}{
		{"IsShareable", func(item []any) error {
			if !IsShareable(item) {
				return errors.New("not shareable")
			}
			return nil
		}},
		{"PutNowait+GetNowait", func(item []any) error {
			if err := q.PutNowait(item); err != nil {
				return err
			}
			_, err := q.GetNowait()
			return err
		}},
	}
	const small, large = 10_000, 100_000
	depths := []int{small, large}
	items := map[int][]any{small: tupNest(small, "leaf"), large: tupNest(large, "leaf")}
	for _, o := range ops {
		run := func(depth, reps int) {
			for i := 0; i < reps; i++ {
				if err := o.op(items[depth]); err != nil {
					t.Fatalf("%s at depth %d: %v", o.name, depth, err)
				}
			}
		}
		bytes := map[int]uint64{}
		for _, depth := range depths {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			run(depth, 1)
			runtime.ReadMemStats(&after)
			bytes[depth] = after.TotalAlloc - before.TotalAlloc
		}
		best := map[int]time.Duration{}
		for round := 0; round < 3; round++ {
			for _, depth := range depths {
				reps := large / depth // the same number of levels at each depth
				start := time.Now()
				run(depth, reps)
				per := time.Since(start) / time.Duration(reps)
				if b, ok := best[depth]; !ok || per < b {
					best[depth] = per
				}
			}
		}
		memRatio := float64(bytes[large]) / float64(bytes[small])
		timeRatio := float64(best[large]) / float64(best[small])
		t.Logf("%s: depth %d: %v, %d bytes; depth %d: %v, %d bytes; ratios %.1f (time), %.1f (memory); linear: 10, quadratic: 100",
			o.name, small, best[small], bytes[small], large, best[large], bytes[large], timeRatio, memRatio)
		if memRatio > 30 {
			t.Errorf("%s: 10 times deeper allocated %.1f times as much; linear work allocates about 10 times", o.name, memRatio)
		}
		if timeRatio > 30 {
			t.Errorf("%s: 10 times deeper took %.1f times as long; linear work takes about 10 times", o.name, timeRatio)
		}
	}
}

package shared

import (
	"context"
	"errors"
	"os"
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
		// Time is only checked on request (SABRE_BENCH_RATIOS=1, as the other
		// timing ratios): on a loaded machine it varies; allocation does not.
		if timeRatio > 30 && os.Getenv("SABRE_BENCH_RATIOS") == "1" {
			t.Errorf("%s: 10 times deeper took %.1f times as long; linear work takes about 10 times", o.name, timeRatio)
		}
	}
}

// FuzzIsShareable builds from the fuzz input a few tuples over a few arrays,
// whose elements are scalars, byte slices, a map (not shareable), an
// ArrayBuffer, and other tuples — prefixes of the arrays, so that tuples
// share, nest and contain themselves at random — and checks IsShareable and
// a put against a model of the item's graph: a tuple that contains itself is
// refused, nothing panics, and an accepted item arrives as a copy of the same
// shape (a tuple met twice arrives as one copy, byte slices are copied, the
// ArrayBuffer arrives transferred).
func FuzzIsShareable(f *testing.F) {
	// The bytes: the number of arrays-1 (mod 4); each array's length-1 (mod
	// 5); each slot's kind (mod 8), then for an int or string or []byte one
	// byte, for a tuple (kind 6 or 7) the array and the length; then whether
	// the ArrayBuffer is in the transfer list.
	f.Add([]byte{0})
	f.Add([]byte{0, 1, 0, 7, 6, 0, 2})             // [7, itself]: a direct cycle
	f.Add([]byte{1, 0, 0, 6, 1, 1, 6, 0, 1})       // two arrays that contain each other
	f.Add([]byte{1, 1, 0, 6, 1, 1, 6, 1, 1, 1, 3}) // one tuple at two places (a DAG)
	f.Add([]byte{0, 1, 6, 0, 1, 0, 9})             // a prefix of the item that contains itself
	f.Add([]byte{0, 1, 5, 0, 4, 1})                // the ArrayBuffer, listed
	f.Add([]byte{0, 2, 6, 0, 0, 5, 3, 0})          // an empty tuple; the ArrayBuffer, not listed
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		// The arrays and, for the model, what each slot holds.
		type slot struct {
			kind int // 0 int, 1 string, 2 bytes, 3 nil, 4 map, 5 ArrayBuffer, 6 tuple
			j, m int // the tuple arrays[j][:m]
		}
		ab, _ := NewArrayBuffer(2)
		arrays := make([][]any, 1+next()%4)
		slots := make([][]slot, len(arrays))
		for j := range arrays {
			arrays[j] = make([]any, 1+next()%5)
			slots[j] = make([]slot, len(arrays[j]))
		}
		for j := range arrays {
			for i := range arrays[j] {
				s := slot{kind: next() % 8}
				switch s.kind {
				case 0:
					arrays[j][i] = next()
				case 1:
					arrays[j][i] = string(rune('a' + next()%26))
				case 2:
					arrays[j][i] = []byte{byte(next())}
				case 3:
					arrays[j][i] = nil
				case 4:
					arrays[j][i] = map[int]int{}
				case 5:
					arrays[j][i] = ab
				default:
					s.kind, s.j = 6, next()%len(arrays)
					s.m = next() % (len(arrays[s.j]) + 1)
					arrays[j][i] = arrays[s.j][:s.m]
				}
				slots[j][i] = s
			}
		}
		listed := next()%2 == 1
		item := arrays[0]

		// The model: which tuples (array, length) the item reaches, and
		// whether it reaches a cycle, a map or the ArrayBuffer.
		type node struct{ j, m int }
		const (
			unseen = iota
			open
			done
		)
		state := map[node]int{}
		var cycle, bad, hasAB bool
		var walk func(n node)
		walk = func(n node) {
			state[n] = open
			for _, s := range slots[n.j][:n.m] {
				switch s.kind {
				case 4:
					bad = true
				case 5:
					hasAB = true
				case 6:
					if s.m == 0 {
						continue
					}
					switch state[node{s.j, s.m}] {
					case open:
						cycle = true
					case unseen:
						walk(node{s.j, s.m})
					}
				}
			}
			state[n] = done
		}
		root := node{0, len(arrays[0])}
		walk(root)

		if got, want := IsShareable(item), !cycle && !bad && !hasAB; got != want {
			t.Fatalf("IsShareable = %v, want %v (cycle %v, map %v, ArrayBuffer %v)", got, want, cycle, bad, hasAB)
		}
		q := NewQueue(0)
		var transfer []Backing
		if listed {
			transfer = []Backing{ab}
		}
		err := q.PutNowait(item, transfer...)
		switch {
		case cycle || bad || hasAB && !listed:
			if !errors.Is(err, NotShareable) {
				t.Fatalf("put = %v, want NotShareable (cycle %v, map %v, ArrayBuffer %v, listed %v)", err, cycle, bad, hasAB, listed)
			}
			if cycle && !bad && !hasAB && !strings.Contains(err.Error(), "a tuple that contains itself") {
				t.Fatalf("put of a cyclic item: %v", err)
			}
			if ab.Detached() || q.Size() != 0 {
				t.Fatalf("a refused put changed something")
			}
			return
		case listed && !hasAB:
			if !errors.Is(err, TypeError) || errors.Is(err, NotShareable) || !strings.Contains(err.Error(), "does not occur") {
				t.Fatalf("put with an unused transfer = %v", err)
			}
			return
		case err != nil:
			t.Fatalf("put = %v", err)
		}
		if ab.Detached() != hasAB {
			t.Fatalf("ArrayBuffer detached %v, in the item %v", ab.Detached(), hasAB)
		}

		// The received item has the model's shape.
		v, err := q.GetNowait()
		if err != nil {
			t.Fatal(err)
		}
		copies := map[node]*any{}
		var received *ArrayBuffer
		var check func(n node, got []any)
		check = func(n node, got []any) {
			if len(got) != n.m {
				t.Fatalf("tuple %v arrived with %d elements", n, len(got))
			}
			if c, ok := copies[n]; ok {
				if c != &got[0] {
					t.Fatalf("tuple %v arrived as two copies", n)
				}
				return
			}
			copies[n] = &got[0]
			if &got[0] == &arrays[n.j][0] {
				t.Fatalf("tuple %v was not copied", n)
			}
			for i, s := range slots[n.j][:n.m] {
				src, e := arrays[n.j][i], got[i]
				switch s.kind {
				case 0, 1, 3:
					if e != src {
						t.Fatalf("tuple %v[%d] = %v, want %v", n, i, e, src)
					}
				case 2:
					b, ok := e.([]byte)
					if !ok || len(b) != 1 || b[0] != src.([]byte)[0] || &b[0] == &src.([]byte)[0] {
						t.Fatalf("tuple %v[%d] = %v, want a copy of %v", n, i, e, src)
					}
				case 5:
					r, ok := e.(*ArrayBuffer)
					if !ok || r.Detached() || received != nil && r.ID() != received.ID() {
						t.Fatalf("tuple %v[%d] = %v, want the transferred buffer", n, i, e)
					}
					received = r
				case 6:
					sub, ok := e.([]any)
					if !ok || sub == nil {
						t.Fatalf("tuple %v[%d] = %#v, want a tuple", n, i, e)
					}
					if s.m > 0 {
						check(node{s.j, s.m}, sub)
					} else if len(sub) != 0 {
						t.Fatalf("tuple %v[%d] = %v, want an empty tuple", n, i, e)
					}
				}
			}
		}
		check(root, v.([]any))
	})
}

package history_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/shared"
)

// mixedRun records a run of 4 agents over every kind of operation: plain
// and atomic accesses (Int32, Int8, BigInt64, DataView), compareExchange
// that succeeds and fails, wait/notify and waitAsync, a Queue carrying a
// shared buffer by reference and an ArrayBuffer by transfer, Slice, Grow,
// and agent start and join.
func mixedRun(t testing.TB) *history.History {
	t.Helper()
	rec := history.NewRecorder()
	main := shared.NewAgent("main")
	main.SetRecorder(rec)
	defer main.SetRecorder(nil)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	buf, err := shared.NewGrowableBuffer(64, 128, shared.CreatedBy(main))
	must(err)
	i32, err := shared.NewTypedArray(buf, shared.Int32, 0, 8)
	must(err)
	i8, err := shared.NewTypedArray(buf, shared.Int8, 32, 8)
	must(err)
	big, err := shared.NewTypedArray(buf, shared.BigInt64, 40, 2)
	must(err)
	dv, err := shared.NewDataView(buf, 56, 8)
	must(err)
	q := shared.NewQueue(2)
	ab, err := shared.NewArrayBuffer(8, shared.CreatedBy(main))
	must(err)
	abv, err := shared.NewTypedArray(ab, shared.Uint8, 0, 8)
	must(err)
	must(abv.SetInt(0, 7))

	const workers = 3
	var hs []*shared.Handle
	for w := 0; w < workers; w++ {
		hs = append(hs, main.Start(fmt.Sprint("worker ", w), func(me *shared.Agent) error {
			v := i32.For(me)
			for n := 0; n < 20; n++ {
				if _, err := atomics.Add(v, 0, 1); err != nil {
					return err
				}
				if err := v.SetInt(1+w, int64(n)); err != nil { // plain, racy with nobody
					return err
				}
				if _, err := v.GetInt(1 + (w+1)%workers); err != nil { // plain, racy
					return err
				}
			}
			if _, err := atomics.Sub(i8.For(me), w, 3); err != nil {
				return err
			}
			if _, err := atomics.CompareExchange(big.For(me), 0, int64(w), int64(w+100)); err != nil {
				return err
			}
			if err := dv.For(me).SetUint16(w*2, uint16(w), w%2 == 0); err != nil {
				return err
			}
			// Announce, then wait to be notified through element 7.
			if _, err := atomics.Add(v, 6, 1); err != nil {
				return err
			}
			if _, err := atomics.Notify(v, 6, atomics.All); err != nil {
				return err
			}
			if _, err := atomics.Wait(v, 7, 0, 5*time.Second); err != nil {
				return err
			}
			// Worker 0 receives the shared buffer and the transferred ArrayBuffer.
			if w == 0 {
				item, err := q.For(me).Get(context.Background())
				if err != nil {
					return err
				}
				got := item.([]any)
				mine := got[1].(*shared.ArrayBuffer)
				mv, err := shared.NewTypedArray(mine, shared.Uint8, 0, 8)
				if err != nil {
					return err
				}
				if x, _ := mv.GetInt(0); x != 7 {
					return fmt.Errorf("transferred byte is %d", x)
				}
				if _, err := got[0].(*shared.Buffer).Slice(0, 4); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	// Wait until every worker announced, then release them.
	for {
		n, err := atomics.Load(i32.For(main), 6)
		must(err)
		if n == workers {
			break
		}
		if _, err := atomics.Wait(i32.For(main), 6, n, 10*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := atomics.WaitAsync(i32.For(main), 5, 0, atomics.Forever)
	must(err)
	if _, err := atomics.Store(i32.For(main), 7, 1); err != nil {
		t.Fatal(err)
	}
	for woken := 0; woken < workers; {
		n, err := atomics.Notify(i32.For(main), 7, atomics.All)
		must(err)
		woken += n
		if woken < workers {
			time.Sleep(time.Millisecond) // a worker not yet enqueued sees 1 and does not wait
			if x, _ := atomics.Load(i32.For(main), 7); x == 1 {
				break
			}
		}
	}
	must(q.For(main).Put(context.Background(), []any{buf.For(main), ab.For(main)}, ab.For(main)))
	if _, err := atomics.Notify(i32.For(main), 5, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := pending.Await(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		must(h.Join(main))
	}
	must(buf.For(main).Grow(96))
	return rec.History()
}

package shared_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sabre-mm/sabre/shared"
)

// A worker agent receives a shared Buffer by reference and an ArrayBuffer by
// transfer, and answers through a second queue.
func ExampleQueue() {
	parent := shared.NewAgent("parent")
	tasks, results := shared.NewQueue(0), shared.NewQueue(0)

	data, _ := shared.NewBuffer(4, shared.CreatedBy(parent))
	scratch, _ := shared.NewArrayBuffer(2, shared.CreatedBy(parent))

	worker := parent.Start("worker", func(me *shared.Agent) error {
		v, err := tasks.For(me).Get(context.Background())
		if err != nil {
			return err
		}
		job := v.([]any)
		buf, own := job[0].(*shared.Buffer), job[1].(*shared.ArrayBuffer)
		dv, _ := shared.NewDataView(buf, 0, 4)
		_ = dv.SetUint32(0, 0xcafef00d, false) // seen by the parent: same memory
		return results.For(me).Put(context.Background(), own.ByteLength())
	})

	if err := tasks.For(parent).PutNowait([]any{data, scratch, "job 1"}, scratch); err != nil {
		fmt.Println(err)
	}
	fmt.Println("scratch detached after the put:", scratch.Detached())

	n, _ := results.For(parent).Get(context.Background())
	_ = worker.Join(parent)
	fmt.Println("worker received", n, "bytes")
	fmt.Printf("data: % x\n", data.Bytes())
	// Output:
	// scratch detached after the put: true
	// worker received 2 bytes
	// data: ca fe f0 0d
}

// Refusals and timeouts are errors with a kind.
func ExampleQueue_errors() {
	q := shared.NewQueue(1)
	ab, _ := shared.NewArrayBuffer(8)

	err := q.PutNowait(map[string]int{"a": 1})
	fmt.Println(errors.Is(err, shared.NotShareable), err)

	err = q.PutNowait(ab) // an ArrayBuffer passes only by transfer
	fmt.Println(errors.Is(err, shared.NotShareable), ab.Detached())

	buf, _ := shared.NewBuffer(8)
	err = q.PutNowait(buf, buf)
	fmt.Println(errors.Is(err, shared.TypeError), err)

	_ = q.PutNowait("only slot")
	err = q.PutTimeout("one more", 10*time.Millisecond)
	fmt.Println(errors.Is(err, shared.QueueFull))

	_, _ = q.GetNowait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = q.Get(ctx)
	fmt.Println(errors.Is(err, shared.QueueEmpty), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// true NotShareableError: Queue.put_nowait: item of type map[string]int is not shareable
	// true false
	// true TypeError: Queue.put_nowait: transfer list entry 0: cannot transfer a SharedArrayBuffer
	// true
	// true true
}

package atomics_test

import (
	"errors"
	"fmt"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

func Example() {
	buf, _ := shared.NewBuffer(16)
	counts, _ := shared.View(buf, shared.Int32)

	atomics.Store(counts, 0, 41)
	old, _ := atomics.Add(counts, 0, 1)
	now, _ := atomics.Load(counts, 0)
	fmt.Println(old, now)

	// Values wrap modulo the element size, as in JavaScript.
	bytes, _ := shared.View(buf, shared.Int8)
	atomics.Store(bytes, 8, 127)
	atomics.Add(bytes, 8, 1)
	b, _ := atomics.Load(bytes, 8)
	fmt.Println(b)

	// Errors carry ECMAScript's kinds.
	_, err := atomics.Load(counts, 4)
	fmt.Println(errors.Is(err, shared.RangeError), err)
	// Output:
	// 41 42
	// -128
	// true RangeError: Atomics.load: index 4 is out of range for Int32Array of length 4
}

func ExampleWait() {
	buf, _ := shared.NewBuffer(4)
	flag, _ := shared.View(buf, shared.Int32)

	done := make(chan atomics.WaitResult)
	go func() {
		// Sleep while the flag is 0. If it has already changed, Wait
		// returns "not-equal" at once: no wake-up is lost.
		for {
			if x, _ := atomics.Load(flag, 0); x != 0 {
				done <- atomics.OK
				return
			}
			atomics.Wait(flag, 0, 0, atomics.Forever)
		}
	}()
	atomics.Store(flag, 0, 1)
	atomics.Notify(flag, 0, atomics.All)
	fmt.Println(<-done)
	// Output: ok
}

func ExampleWaitAsync() {
	buf, _ := shared.NewBuffer(8)
	v, _ := shared.View(buf, shared.BigInt64)

	r, _ := atomics.WaitAsync(v, 0, 0, atomics.Forever)
	fmt.Println(r.Async())
	n, _ := atomics.Notify(v, 0, 1)
	<-r.Done()
	res, _ := r.Value()
	fmt.Println(n, res)
	// Output:
	// true
	// 1 ok
}

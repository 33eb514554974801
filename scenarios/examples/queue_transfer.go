package examples

import (
	"context"
	"errors"
	"fmt"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// queueBytes is what Queue+transfer's sender writes into its ArrayBuffer
// (and what the receiver must find there), as the little-endian Int32
// 0x04030201.
var queueBytes = [4]byte{1, 2, 3, 4}

// QueueTransfer returns "Queue+transfer": an ArrayBuffer (not shared)
// transferred through a shared.Queue — PEP 734's interpreters.Queue, with
// sabre's transfer list, which moves ArrayBuffers as postMessage's does.
//
// Shape (a Queue of at most 1 item, and a shared buffer "m" of one Int32
// element, 0 at first):
//
//	sender:   ab = new ArrayBuffer(4); ab[0..3] = 1, 2, 3, 4   // plain stores
//	          m[0] = 4                                          // plain store
//	          q.put(ab, transfer=[ab])
//	          detached = ab.detached; length = ab.byteLength    // true, 0
//	          ab[0]                                             // TypeError: detached
//	receiver: rb = q.get()
//	          length = rb.byteLength; bytes = rb as Int32       // 4, 0x04030201
//	          shared = m[0]                                     // plain read: 4
//
// Reports: "sender:detached" (1 if the sender's ArrayBuffer is detached
// after the put), "sender:length" (its byte length then), "sender:type-error"
// (1 if reading through the sender's view failed with a TypeError);
// "receiver:length" and "receiver:bytes" (the received buffer's length and
// its 4 bytes as a little-endian Int32), "receiver:shared" (what it read
// from m[0]).
//
// Expected (Check), in every execution: the sender's buffer is detached,
// of length 0, and unreadable (TypeError); the receiver's is 4 bytes long
// and holds 1, 2, 3, 4; the receiver reads 4 from m[0]. The transfer
// detaches the source when the item enters the queue (shared.Queue; as
// ECMA-262's ArrayBuffer.prototype.transfer and DetachArrayBuffer: a
// detached buffer has length 0, and its TypedArrays' accesses fail), and
// the put host-synchronizes-with the get that takes the item, so the
// sender's plain stores happen before the receiver's plain reads: no stale
// byte can be read, under any model.
//
// The explorer chooses what reads of the shared buffer m return (it tries
// the stale 0, which the model rejects), not what reads of the
// ArrayBuffer return: an ArrayBuffer an agent makes is not one of the
// World's buffers, so its reads return the bytes in memory (its events are
// still recorded and judged by the model check).
// Neither a litmus test (no queue, no transfer) nor a shared buffer can
// express this: an ArrayBuffer belongs to one agent at a time.
func QueueTransfer() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "Queue+transfer",
		Doc: "An ArrayBuffer transferred through a Queue (PEP 734's, with a transfer list): after the put the sender's " +
			"buffer is detached (length 0, reads throw TypeError) and the receiver finds the 4 bytes the sender wrote.",
		Setup: queueSetup,
		Check: checkQueue,
	}
}

func queueSetup(w *scenarios.World) error {
	q := w.Queue(1)
	m := w.Buffer("m", 4)
	w.Agent("sender", func(a *shared.Agent) error {
		ab, err := shared.NewArrayBuffer(len(queueBytes), shared.CreatedBy(a))
		if err != nil {
			return err
		}
		v, err := shared.View(ab, shared.Uint8)
		if err != nil {
			return err
		}
		for i, b := range queueBytes {
			if err := v.SetInt(i, int64(b)); err != nil {
				return err
			}
		}
		mv, err := shared.View(m.For(a), shared.Int32)
		if err != nil {
			return err
		}
		if err := mv.SetInt(0, int64(len(queueBytes))); err != nil {
			return err
		}
		if err := q.For(a).Put(context.Background(), ab, ab); err != nil {
			return err
		}
		w.Report(a, "detached", b2i(ab.Detached()))
		w.Report(a, "length", int64(ab.ByteLength()))
		_, err = v.GetInt(0)
		w.Report(a, "type-error", b2i(errors.Is(err, shared.TypeError)))
		return nil
	})
	w.Agent("receiver", func(a *shared.Agent) error {
		x, err := q.For(a).Get(context.Background())
		if err != nil {
			return err
		}
		rb, ok := x.(*shared.ArrayBuffer)
		if !ok {
			return fmt.Errorf("received a %T, want *shared.ArrayBuffer", x)
		}
		w.Report(a, "length", int64(rb.ByteLength()))
		v, err := shared.NewTypedArray(rb, shared.Int32, 0, 1)
		if err != nil {
			return err
		}
		got, err := v.GetInt(0)
		if err != nil {
			return err
		}
		w.Report(a, "bytes", got)
		mv, err := shared.View(m.For(a), shared.Int32)
		if err != nil {
			return err
		}
		sh, err := mv.GetInt(0)
		if err != nil {
			return err
		}
		w.Report(a, "shared", sh)
		return nil
	})
	return nil
}

// queueWant is the Int32 the receiver reads from queueBytes.
func queueWant() int64 {
	var x int64
	for k := len(queueBytes) - 1; k >= 0; k-- {
		x = x<<8 | int64(queueBytes[k])
	}
	return x
}

// checkQueue checks one Queue+transfer outcome against the semantics
// above.
func checkQueue(o *scenarios.Outcome) error {
	want := map[string]int64{
		"sender:detached":   1,
		"sender:length":     0,
		"sender:type-error": 1,
		"receiver:length":   int64(len(queueBytes)),
		"receiver:bytes":    queueWant(),
		"receiver:shared":   int64(len(queueBytes)),
	}
	for _, k := range sortedKeys(want) {
		got, ok := o.Values[k]
		switch {
		case !ok:
			return fmt.Errorf("no report %s", k)
		case got != want[k]:
			return fmt.Errorf("%s = %#x, want %#x", k, got, want[k])
		}
	}
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

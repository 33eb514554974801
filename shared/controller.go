package shared

import (
	"context"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mem"
)

// Controller is the interface a scheduler implements to control agents:
// package scenarios' explorer implements it, and so may a test. Attach one
// to an agent (Agent.SetController; started agents inherit it) or to a
// buffer (Buffer.SetController, ArrayBuffer.SetController); an access by an
// agent with a controller is controlled by the agent's, otherwise by the
// buffer's.
//
// Every operation on a buffer's bytes — typed-array and DataView get and
// set, every Atomics operation, the byte copies of Slice and
// TransferToLength, Transfer, Grow, a buffer's creation (its Init event) —
// and every host operation — Wait, WaitAsync, Notify, Queue put and get,
// agent start, begin, end and join — passes one bracket. With a controller
// attached, the bracket calls it on the agent's goroutine:
//
//   - Before(ev) before the operation takes effect. ev is the event being
//     made (history.Event): agent, agent-order position (Seq), kind, order,
//     operation, buffer, byte index, size and the operands known before
//     the access (Written for a write, Operand for a read-modify-write,
//     Expected for compareExchange and wait); the results are not yet
//     filled in, and ev must not be changed. Before may block for as long
//     as the scheduler wants the agent paused: it is a scheduling point.
//     For an event that reads — an EvRead (a typed-array or DataView get,
//     Atomics.load, a byte read of a copy), an EvRMW (an Atomics
//     read-modify-write or compareExchange) or an EvWait (the value check of
//     Atomics.wait and waitAsync) — it may return supplied true and the
//     bytes the read returns (ev.Size bytes, little-endian by position, as
//     history.Event payloads) instead of the real memory's: that is how a
//     scheduler simulates the weak behaviours the memory model allows. A
//     read-modify-write then writes what its operation makes of the
//     supplied bytes (a compareExchange compares them with its expected
//     value, and stores its replacement only if they are equal; one that
//     does not store is recorded as an EvRead), and a wait compares them
//     with its expected value. For any other kind, supplied is ignored.
//
//   - Block(ctx, ev, ready) when an operation would block the agent: a Wait that
//     enqueued its waiter, a Queue put on a full queue or get on an empty
//     one, a Join of an agent still running. ready is closed when the
//     operation can complete (a Notify removed the waiter; the put has its
//     slot or the get its item; the joined agent ended); the controller
//     must not receive from it otherwise than to observe closure. Block
//     returns when the scheduler decides: timedOut false once ready is
//     closed (the operation completes), timedOut true to make the operation
//     time out (only when it has a timeout: Wait with a finite timeout, a
//     Put or Get with a timeout; for one without, timedOut cancels it with
//     an error saying so; Block's ev.Timeout is the timeout in nanoseconds,
//     -1 for none, for a queue operation as for a wait), or a non-nil err
//     to cancel it
//     (for example a deadlock report: every agent blocked) — then the
//     operation ends as if its context had been cancelled, leaving no
//     waiter behind, and returns an error wrapping err. ctx is the
//     operation's context (WaitContext's, Queue.Put's, JoinContext's;
//     never nil): Block must return once it is done, so that a host can
//     release an agent blocked under a scheduler, and the operation then
//     ends with ctx's error. Returning (false, nil) before ready is closed
//     is a controller's mistake: the operation ends as if cancelled, with
//     an error saying so, rather than report what did not happen. For a pending
//     waitAsync with a timeout, Block is called on a goroutine of its own
//     with an EvWaitSettle event: timedOut true expires the waiter.
//
// A controller's methods are called concurrently by different agents; a
// scheduler that runs one agent at a time serialises them by blocking.
type Controller interface {
	Before(ev *history.Event) (read uint64, supplied bool)
	Block(ctx context.Context, ev *history.Event, ready <-chan struct{}) (timedOut bool, err error)
}

var _ mem.Controller = Controller(nil) // the same method set as the bracket's

// The errors an operation ends with when its controller's answer was
// impossible (errors.Is finds them in what Wait, Join and the Queue return):
//
//   - ErrNotReady: Block returned neither a timeout nor an error before the
//     operation could complete (ready was not closed);
//   - ErrNoTimeout: Block said an operation that has no timeout timed out.
//
// The operation ends as if cancelled: nothing is left in a waiter list and
// nothing is reported that did not happen.
var (
	ErrNotReady  = mem.ErrNotReady
	ErrNoTimeout = mem.ErrNoTimeout
)

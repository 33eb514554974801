// Package atomics is ECMAScript's Atomics object for Go: sequentially
// consistent operations on the integer elements of shared.TypedArray views,
// and the waiter lists behind Atomics.wait and Atomics.notify, with
// ECMA-262's validation order, error kinds and results.
//
// # Read, write and read-modify-write
//
//   - Load(v, i): Atomics.load.
//   - Store(v, i, x): Atomics.store; returns x itself, as the spec does.
//   - Add, Sub, And, Or, Xor, Exchange(v, i, x): Atomics.add … exchange;
//     return the element's previous value.
//   - CompareExchange(v, i, expected, replacement): Atomics.compareExchange;
//     returns the previous value whether or not it stored.
//
// They accept Int8, Uint8, Int16, Uint16, Int32, Uint32, BigInt64 and
// BigUint64 views of a shared Buffer or of an ArrayBuffer. Values go in as
// int64 and are converted to the element kind with ECMAScript's modular
// conversions (ToInt8, ToUint16, …, ToBigUint64; see shared.Kind.FromInt64):
// Add(v, i, 256) on a Uint8 element adds 0. Values come out as int64,
// sign-extended for the signed kinds and zero-extended for the unsigned ones
// (shared.Kind.Int64); a BigUint64 element above math.MaxInt64 comes out as
// its two's complement bit pattern, so convert with uint64(x).
//
// 4- and 8-byte operations are single sync/atomic instructions (or
// compare-and-swap loops where sync/atomic has no fetch-and-op); 1- and
// 2-byte read-modify-writes are compare-and-swap loops on the aligned 32-bit
// word that contains the element, so neighbouring elements are never
// disturbed and no update is lost; no operation takes a lock. A
// compareExchange that does not store is a read, not a read-modify-write
// (tc39/ecma262 PR #2250).
//
// # Wait and notify
//
//   - Wait(v, i, expected, timeout) and WaitContext(ctx, …): Atomics.wait;
//     returns OK, NotEqual or TimedOut; a context that ends withdraws the
//     waiter as if it had timed out and returns the context's error. Forever
//     is the default (infinite) timeout; TimeoutFromMillis converts a
//     JavaScript timeout.
//   - WaitAsync(v, i, expected, timeout) and WaitAsyncContext(ctx, …):
//     Atomics.waitAsync; returns an *AsyncWait that is settled at once (Async
//     false) or pending (Done, Value, Await, and Cancel to withdraw it; the
//     context's end withdraws it too).
//   - Notify(v, i, count): Atomics.notify; wakes up to count waiters (All for
//     every one) in FIFO order and returns how many it woke.
//
// Wait, WaitAsync and Notify accept only Int32 and BigInt64 views; Wait and
// WaitAsync only over a shared Buffer (Notify on an ArrayBuffer returns 0).
// There is one waiter list per buffer location (buffer and byte index), so
// views at different offsets over the same bytes share it. Reading the
// element and enqueueing the waiter form one critical section with respect
// to Notify, so a wake-up cannot be lost. Waiter lists live in a sharded
// table, so unrelated locations rarely contend.
//
// # Other operations
//
//   - IsLockFree(size): Atomics.isLockFree.
//   - Pause(), PauseN(n): Atomics.pause, a processor spin-wait hint.
//
// # Errors
//
// Errors are *shared.Error values whose kind a JavaScript layer maps one to
// one: errors.Is(err, shared.TypeError) or shared.RangeError. The checks
// come in ECMA-262's order: a nil view, a detached buffer, or a kind Atomics
// refuses (floats, Uint8Clamped; for Wait/WaitAsync/Notify anything but
// Int32 and BigInt64) is a TypeError; Wait and WaitAsync on a non-shared
// buffer is a TypeError; an index out of range (negative or ≥ the length)
// is a RangeError; Wait by an agent whose CanBlock is false is a TypeError
// (checked after the index). No input makes an operation panic.
//
// # Observation: recording and control
//
// Every operation passes the bracket of internal/mem, where the recorder
// and controller attached to the view's buffer or agent observe it (see
// shared.Controller and package history). Each operation that passes
// validation is one event with its call and return instants: EvRead
// (Load; a failing CompareExchange, with ModifyOp CompareExchange, Expected
// and the replacement as Operand), EvWrite (Store), EvRMW (the others, with
// their ModifyOp and Operand; a successful CompareExchange with Stored), all
// SeqCst and NoTear; EvWait with the expected value, the value read, the
// Timeout (-1 for Forever) and the result ("async" for a WaitAsync that
// enqueued; Cancelled for a wait its context or controller ended);
// EvWaitSettle when a pending WaitAsync settles; EvNotify with the Count
// (-1 for All), the number woken (Result) and which waiters (Woken, in
// FIFO order). A Notify and the waits it wakes share a Sync token (a
// host-synchronizes-with edge). A controller is called before each
// operation takes effect (it may pause the agent, or supply the bytes a Load
// returns), and decides when a Wait that enqueued ends, instead of the
// goroutine blocking (so that a scheduler can report a deadlock).
//
// # Performance
//
// Unobserved operations (nothing attached anywhere) on a fixed-length view of a shared Buffer take fast
// paths: Load, Store and Add on an Int32 view inline into the caller
// (TestFastPathsInline guards this), 64-bit and other 32-bit operations are
// one call away, and 1- and 2-byte read-modify-writes are one call and a
// compare-and-swap loop. Waiting and waking allocate nothing in the steady
// state. The targets are checked as ratios against baselines in the
// same run by
//
//	SABRE_BENCH_RATIOS=1 go test -run TestBenchmarkRatios -v ./atomics
//
// # Mutants
//
// Built with the tag sabre_mutants, faulty variants of Load (LoadStale),
// Store (StoreNotSeqCst) and Notify (NotifyNewestFirst, NotifyLosesWakeup;
// mutants.go) can be put in force by tests (internal/mutant), to show that
// sabre's checkers catch them. Without the tag their hooks compile to
// nothing (internal/mutant's TestHooksCostNothing compares the machine code).
//
// # Limitations
//
//   - Values are int64; there are no per-kind typed variants.
//   - A WaitAsync settlement (EvWaitSettle) is outside its agent's
//     agent-order: when the agent observes it is the host's business.
//   - Only the Notify-to-woken-waiter edges are recorded, not the
//     synchronization ECMA-262's waiter-list critical sections imply between
//     every pair of Wait and Notify calls on a location.
//   - Timeouts have the resolution of Go timers; a waiter may wake somewhat
//     after its timeout (ECMA-262 allows an implementation-defined delay).
//   - A pending WaitAsync with no timeout that is never notified stays in its
//     waiter list until Cancel, as an unresolved promise would in JavaScript.
//   - PauseN sends at most MaxPause hints; the hint is PAUSE on amd64 and 386,
//     YIELD on arm64, and nothing on other architectures.
//   - An inlined Load still costs several times a bare sync/atomic load in
//     a tight loop: the kind, bounds, nil and recording checks, and the
//     spills Go's register allocator makes around the (cold) general-path
//     call.
package atomics

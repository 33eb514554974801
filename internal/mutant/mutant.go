// Package mutant is the switch of sabre's mutants: faulty variants of the
// core (internal/mem, atomics, shared) that exist to prove that the checkers
// can fail (issue 7, "Mutants: every check must be shown to fail").
//
// Each hook sits in the code path it corrupts, guarded by Is:
//
//	if mutant.Is(mutant.LoadStale) { … the faulty variant … }
//
// and records what the faulty code actually did, as the real code would
// record it, so that the recorded history shows the fault.
//
// Without the build tag sabre_mutants, Is is a constant false function that
// the compiler inlines and removes with the code it guards: the production
// path pays nothing (internal/mutant's cost test compares the machine code
// of the hot paths with and without the hooks). With the tag, Set selects
// the mutant in force (process-wide) and All lists them:
//
//	go test -tags sabre_mutants ./...
//
// The hooks are on the paths that an observed access takes (a recorder or
// a controller attached): the Int32 and sub-word fast paths, which run only
// while nothing is attached anywhere, could never show a fault in a
// history, and stay as they are.
package mutant

// Mutant names one faulty variant of the core.
type Mutant string

// The mutants, each with the hook that makes it and what its history shows.
const (
	// SubWordRMWLoadStore: an 8- or 16-bit read-modify-write (Atomics.add
	// on an Int8 or Int16 element, …) done as an atomic load of the
	// containing word, a yield, and a separate store of the word: updates
	// are lost, of the element and of its neighbours in the word. Hook:
	// mem.Block.RMW. History: two rmw events on one element that read the
	// same value.
	SubWordRMWLoadStore Mutant = "SubWordRMWLoadStore"
	// Store64Halves: an 8-byte store (BigInt64 Atomics.store, a BigInt64
	// element set) done as two 32-bit stores with a yield between them: a
	// concurrent 8-byte load may see one half of each of two writes. Hook:
	// mem.Block.Store. History: an 8-byte read of a value that mixes the
	// halves of two writes.
	Store64Halves Mutant = "Store64Halves"
	// CASWritesOnFailure: a compareExchange whose comparison fails stores
	// the replacement anyway, and is recorded as the failing
	// compareExchange (a read) it claims to be. Hook:
	// mem.Block.CompareExchange. History: a read of a value only a failing
	// compareExchange had as its replacement.
	CASWritesOnFailure Mutant = "CASWritesOnFailure"
	// NotifyNewestFirst: Atomics.notify wakes the newest waiter of the
	// location first (LIFO instead of FIFO). Hook: the waiter list's notify
	// in package atomics. History: woken lists that, in notify order, do
	// not name the waits in the order they enqueued (their call instants).
	NotifyNewestFirst Mutant = "NotifyNewestFirst"
	// NotifyLosesWakeup: every second synchronous waiter that Atomics.notify
	// removes from its list is counted and listed as woken but never woken:
	// its wait times out (so it needs a finite timeout). Hook: the waiter
	// list's notify and Wait's timeout path in package atomics. History: a
	// wait with result "timed-out" that a notify's woken list names.
	NotifyLosesWakeup Mutant = "NotifyLosesWakeup"
	// LoadStale: every second Atomics.load of a location returns the value
	// an Atomics.load of that location returned before (a stale cached
	// value), recorded as the seq-cst read it claims to be. Hook: Load in
	// package atomics. History: a load that returns a value older than one
	// whose write returned before the load was called.
	LoadStale Mutant = "LoadStale"
	// QueueDropsItem: a Queue put made while other puts wait for room or
	// items wait for gets (contention) drops its item and reports success. Hook: the put's
	// delivery (queueState.deliver) in package shared. History: a queue-put with result "ok"
	// whose item no queue-get received.
	QueueDropsItem Mutant = "QueueDropsItem"
	// StoreNotSeqCst: Atomics.store done as a plain store, recorded as the
	// unordered write it is (the memory is still accessed with sync/atomic
	// underneath). Hook: Store in package atomics. History: a seq-cst load
	// that reads from an unordered write, so no synchronizes-with edge: a
	// message-passing program's data accesses race.
	StoreNotSeqCst Mutant = "StoreNotSeqCst"
	// PlainLoadStale: every second plain (Unordered) read of a typed-array
	// element (Int32Array.get, …: TypedArray's Get* of any kind) that an
	// agent makes of a location (buffer, byte index, size) returns, without
	// reading memory, the bytes that agent's previous plain read of the
	// location returned (a stale cached value), recorded as the unordered
	// read it claims to be. Hook: TypedArray's get in package shared.
	// History: a plain read of bytes overwritten by a write that
	// happens-before it (ECMA-262 "Coherent Reads"); the accesses are
	// Unordered and race-free, so neither linearizability nor the race
	// detector sees it, only model conformance.
	PlainLoadStale Mutant = "PlainLoadStale"
)

// all lists the mutants in the order All returns them.
var all = [...]Mutant{
	SubWordRMWLoadStore, Store64Halves, CASWritesOnFailure, NotifyNewestFirst,
	NotifyLosesWakeup, LoadStale, QueueDropsItem, StoreNotSeqCst, PlainLoadStale,
}

// Known reports whether m is one of the mutants above.
func (m Mutant) Known() bool {
	for _, x := range all {
		if x == m {
			return true
		}
	}
	return false
}

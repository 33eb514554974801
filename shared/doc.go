// Package shared is sabre's shared memory: a SharedArrayBuffer-style shared
// byte buffer, typed views and DataViews over it, transferable (non-shared)
// ArrayBuffers, a PEP 734-style Queue, agents, and the recording of every
// access as a memory-model event.
//
// Every access to a buffer's bytes — plain or atomic — is made with
// sync/atomic on the aligned 32- or 64-bit word that contains it. So no access
// is a Go data race (go test -race never reports one), nothing is undefined
// behaviour, and aligned accesses never tear. Plain accesses are the memory
// model's Unordered events; package atomics provides the SeqCst ones. What a
// racy program may observe is defined by ECMAScript's memory model: see
// docs/semantics.md and docs/memory-model.md.
//
// # Buffers
//
//   - Buffer (SharedArrayBuffer): NewBuffer, NewGrowableBuffer, ByteLength,
//     MaxByteLength, Growable, Grow, Slice, Bytes, For, Same, ID.
//   - ArrayBuffer (not shared): NewArrayBuffer, Transfer, TransferToLength,
//     Detached, Slice, Bytes; the package function Transfer, which refuses a
//     shared Buffer.
//   - Options for new buffers: WithRecorder, WithController, CreatedBy.
//     MaxBufferLength. Buffer and ArrayBuffer have SetRecorder, Recorder and
//     SetController.
//
// # Views
//
//   - Kind: the element kinds Int8 … Float64 (with Float16), with Size,
//     IsInteger, IsBigInt, IsFloat, IsSigned, NoTear and the ECMAScript value
//     conversions Int64, Float64, FromInt64, FromFloat64.
//   - TypedArray: NewTypedArray, NewLengthTrackingArray, View; GetInt, GetUint,
//     GetFloat, GetBits, SetInt, SetFloat, SetBits (Unordered accesses);
//     Length, ByteLength, ByteOffset, LengthTracking, IsShared, For. Built
//     with the tag sabre_mutants, a test may make every second observed
//     plain read of a location by an agent return that agent's previous
//     read of it (internal/mutant's PlainLoadStale; mutants.go).
//   - DataView: NewDataView, NewLengthTrackingDataView; GetInt8 … GetFloat64
//     and SetInt8 … SetFloat64 at any byte offset, big-endian unless
//     littleEndian (Float16 included); GetBits/SetBits by Kind; ByteLength,
//     ByteOffset (TypeError once detached), Buffer, For, LengthTracking,
//     IsShared. Unordered, never NoTear; unaligned accesses may tear.
//
// # Agents, recording and control
//
//   - Agent: NewAgent, ID, Name, CanBlock, SetCanBlock, SetRecorder,
//     Recorder, SetController, Controller, Record, Start (a child agent on a
//     new goroutine) and Handle.Join / JoinContext / Agent. Operations are
//     attributed to the agent a buffer or view is bound to (For).
//   - Every access to a buffer's bytes and every host operation passes one
//     bracket (internal/mem), where the recorder (a history.Recorder) and
//     the Controller attached to the buffer or the agent observe it. The raw
//     memory operations are internal: no caller can bypass the observers
//     (Bytes, a snapshot for inspection and tests, is the one unobserved
//     read).
//     Recorded events are package history's (docs/history.md).
//   - Controller: the interface a scheduler implements: Before (a scheduling
//     point, and the bytes a read returns) and Block (the outcome of an
//     operation that would block, under the operation's context);
//     ErrNotReady and ErrNoTimeout, the errors of impossible answers.
//
// # Queue
//
//   - Queue (PEP 734's interpreters.Queue): NewQueue (maxsize ≤ 0 =
//     unbounded), Put/PutTimeout/PutNowait (with a transfer list),
//     Get/GetTimeout/GetNowait, Size, Empty, Full, MaxSize, For, Same, ID;
//     IsShareable; MaxTupleDepth. A put host-synchronizes-with the get that
//     takes its item; both record the queue's maxsize (Event.Count). Built
//     with the tag sabre_mutants, a test may make a put made under contention
//     drop its item (internal/mutant's QueueDropsItem).
//
// # Errors
//
// Errors are *Error values with an ErrorKind — TypeError, RangeError,
// QueueEmpty, QueueFull, NotShareable — named after the exception
// ECMAScript (or PEP 734) raises in the same situation: errors.Is(err,
// shared.RangeError). A JavaScript layer throws each as that exception,
// except for plain TypedArray element accesses (Get*, Set*) out of range or
// on a detached buffer, which JavaScript does not treat as errors: ta[i] is
// undefined and ta[i] = v does nothing (DataView and Atomics accesses out of
// range do throw RangeError). See ErrorKind, and the table in
// docs/semantics.md. No input makes this package panic: methods of nil or
// zero values (a nil *Agent, a zero Buffer or TypedArray, an invalid Kind)
// return zero values, or a TypeError where they return an error.
//
// # Limitations
//
//   - A buffer is at most MaxBufferLength (4 GiB) bytes; a growable buffer
//     reserves its maximum length up front.
//   - Resizable (non-shared) ArrayBuffers are not provided; ArrayBuffers have
//     a fixed length and move only by Transfer.
//   - An Agent (and a view bound to it) must be used by one goroutine at a
//     time, as agent-order requires. Accesses through a view bound to no
//     agent are recorded with Agent 0 (and a sequence number that names the
//     event but implies no order).
//   - An ArrayBuffer belongs to one agent at a time: an access that runs
//     concurrently with that buffer's Transfer may complete against the moved
//     bytes (memory-safe, but a program error).
//   - Queue values: only the types listed on Queue; []any is the only
//     container (PEP 734's tuple); a tuple may not contain itself, and tuples
//     nest at most MaxTupleDepth (100,000) deep. Queue events are recorded
//     by the recorder of the handle's agent; a queue has no recorder of its
//     own. A put and the get that takes its item share the item's identity
//     and a Sync token.
//   - Typed arrays use the host's byte order (little-endian on the platforms
//     Go commonly targets); DataView takes the byte order per access.
package shared

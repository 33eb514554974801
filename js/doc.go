// Package js runs JavaScript agents on goja (github.com/dop251/goja) over
// sabre's shared memory: SharedArrayBuffer, typed arrays and DataView over
// it, and Atomics, every shared access going through packages shared and
// atomics (so recorded and schedulable like a Go agent's); test262's $262
// host; and JS scenarios for the explorer and the stress runner.
// docs/js.md is the guide.
//
// goja has no SharedArrayBuffer and no Atomics, and its typed arrays read
// and write their bytes with plain loads and stores: two runtimes sharing
// bytes through goja's own typed arrays would be a Go data race. So goja's
// typed arrays are kept for non-shared buffers only, and a typed array or
// DataView over a SharedArrayBuffer is a host object (a goja
// DynamicObject) backed by a shared.TypedArray or shared.DataView.
//
// # Realm
//
//   - [Install](rt, [Options]) (*[Realm], error): SharedArrayBuffer
//     (ECMA-262 25.2, growable: constructor with {maxByteLength},
//     byteLength, maxByteLength, growable, grow, slice, @@toStringTag,
//     @@species), the typed-array and DataView constructors replaced by
//     Proxies of the originals (a SharedArrayBuffer argument makes a host
//     view; anything else goes to goja's constructor; prototypes,
//     instanceof and the spec's error order kept), %TypedArray%.prototype
//     getters and methods and ArrayBuffer.isView dispatching host views to
//     the realm and native arrays to goja's originals, and Atomics (25.4:
//     every method, waitAsync and pause included, with the 2024
//     validation order) over host views through package atomics and over
//     native arrays of non-shared buffers.
//   - [Options]: Agent (the shared.Agent accesses are attributed to),
//     Host, NewBuffer (who makes a new SharedArrayBuffer's buffer).
//   - [Host]: what a realm needs of its agent — Post (run on the agent's
//     goroutine, from any goroutine), Hold (keep its loop alive while a
//     waitAsync is pending), Context (ends when the agent is over budget or
//     cancelled: a blocked Atomics.wait is released).
//   - [Realm.WrapBuffer] (the SharedArrayBuffer object of a shared.Buffer,
//     one per buffer per realm), [BufferOf] and [TypedArrayOf] (the
//     shared.Buffer or shared.TypedArray behind an object of any realm),
//     [Realm.DetachArrayBuffer] (non-shared only), [Realm.Throw]
//     (*shared.Error kinds as TypeError, RangeError, …),
//     [Realm.WaitAsyncSettled] (a channel closed when a pending waitAsync
//     settles, for event loops under a scheduler), [Realm.Runtime],
//     [Realm.Agent].
//
// # Agents
//
//   - [Agent], [NewAgent]([AgentOptions]: Name, Shared, CanBlock, Budget,
//     Context, Stdout, Clock, NewBuffer, MaxCallStackSize, AwaitSettled):
//     a goja runtime with the realm installed and its own event loop
//     (macrotasks, setTimeout/clearTimeout, promise jobs on the agent's
//     goroutine); it implements [Host].
//   - [Agent.RunScript], [Agent.RunProgram] (a *goja.Program may be
//     shared), [Agent.Do] (host-driven code): run, then the loop until
//     idle (no task, timer or hold); errors carry file:line:col.
//     [Agent.Start] runs a script on a new goroutine; [Agent.Eval] runs
//     one without the loop.
//   - [Agent.Interrupt], [Agent.Close]; [ErrBudget] (over
//     AgentOptions.Budget: interrupted, its context cancelled, a blocked
//     Atomics.wait released), [ErrClosed].
//   - [Clock], [RealClock], [VirtualClock] (jumps to the next timer when
//     the loop is otherwise idle: deterministic runs).
//   - Sandbox: ECMAScript built-ins, the realm, setTimeout, clearTimeout
//     and print; no require, module loader, filesystem or network. The
//     loop is our own rather than goja_nodejs/eventloop's (loop.go says
//     why).
//
// # test262 host
//
//   - [Host262], [NewHost262](*Agent): $262 (global, evalScript,
//     detachArrayBuffer; createRealm and gc absent) and $262.agent (start,
//     broadcast — blocking until every agent has received —,
//     receiveBroadcast, report, getReport, sleep, monotonicNow, leaving)
//     per test262's INTERPRETING.md; [Host262.Close] cancels and joins the
//     started agents; [Host262.Agents], [Host262.Reports]. The runner is
//     package js/test262 (`sabre test262`).
//
// # Scenarios
//
//   - [Scenario](filename, source, [ScenarioOptions]: Print, AgentBudget —
//     [DefaultAgentBudget]) and [ScenarioFile] turn a JS scenario file
//     into a scenarios.Scenario: the global sabre (agent, setup, observe,
//     forbid, allow, require, queue, config; docs/js.md); each
//     SharedArrayBuffer made at top level is a World buffer (sab0, sab1,
//     …); each agent a fresh [Agent] on its goroutine with a
//     [VirtualClock], whose wait for a pending waitAsync is a blocking
//     operation of the explorer; errors at file:line:col.
//     [OutcomeObject] is what predicates see. `sabre run` runs one.
//
// # Queue
//
//   - [NewQueueObject] exposes a shared.Queue in a realm with PEP 734's
//     names (put, put_nowait, get, get_nowait, qsize, empty, full,
//     maxsize; timeouts in ms): values by value, arrays as tuples,
//     SharedArrayBuffers and queues by reference, ArrayBuffers only by
//     transfer (the sender's detached, as postMessage does); anything
//     else a TypeError naming it.
//
// # Limitations
//
//   - No cross-realm ($262.createRealm), no resizable non-shared
//     ArrayBuffer (goja has none), no Float16Array (goja has none).
//   - Host views are goja DynamicObjects: getOwnPropertyDescriptor of an
//     out-of-range index gives {value: undefined}, not undefined; no own
//     symbol or accessor properties; no preventExtensions.
//   - A realm keeps every SharedArrayBuffer object it made for its life.
//   - A pending waitAsync's settlement is a host event outside the
//     waiter's agent-order (history.EvWaitSettle): code after the await is
//     not ordered after the notifier's writes unless it synchronizes
//     (docs/js.md).
package js

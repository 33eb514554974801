// Atomics.waitAsync: settled at once, or a promise settled through the
// event loop. asyncChecks runs after the loop has drained.
var ta = new Int32Array(new SharedArrayBuffer(16));
var r = Atomics.waitAsync(ta, 0, 1);
same(r.async, false, "not-equal is synchronous");
same(r.value, "not-equal", "not-equal");
r = Atomics.waitAsync(ta, 0, 0, 0);
same(r.async, false, "zero timeout is synchronous");
same(r.value, "timed-out", "timed-out");
same(Object.getPrototypeOf(r), Object.prototype, "result is an ordinary object");
same(Object.keys(r).join(), "async,value", "result keys");

var results = {};
r = Atomics.waitAsync(ta, 1, 0);
same(r.async, true, "pending");
same(r.value instanceof Promise, true, "value is a promise");
r.value.then(function (v) { results.notified = v; });
same(Atomics.notify(ta, 1, 1), 1, "notify wakes the async waiter");

Atomics.waitAsync(ta, 2, 0, 10).value.then(function (v) { results.timeout = v; });
var big = new BigInt64Array(new SharedArrayBuffer(16));
Atomics.waitAsync(big, 0, 0n).value.then(function (v) { results.bigint = v; });
same(Atomics.notify(big, 0), 1, "notify a BigInt64 waiter");
var order = [];
Atomics.waitAsync(ta, 3, 0).value.then(function () { order.push("a"); });
Atomics.waitAsync(ta, 3, 0).value.then(function () { order.push("b"); });
same(Atomics.notify(ta, 3, 1), 1, "notify one of two");
same(Atomics.notify(ta, 3), 1, "then the other");

throws(TypeError, function () { Atomics.waitAsync(new Int32Array(4), 0, 0, 0); }, "waitAsync on non-shared");
throws(RangeError, function () { Atomics.waitAsync(ta, 4, 0, 0); }, "waitAsync index");

function asyncChecks() {
  same(results.notified, "ok", "notified promise resolves ok");
  same(results.timeout, "timed-out", "timed-out promise");
  same(results.bigint, "ok", "BigInt waiter");
  same(order.join(), "a,b", "FIFO");
}

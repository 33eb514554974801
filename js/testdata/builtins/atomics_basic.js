// Atomics over SharedArrayBuffer views and over non-shared typed arrays.
var ta = new Int32Array(new SharedArrayBuffer(16));
same(Atomics.store(ta, 0, 5), 5, "store returns its value");
same(Atomics.store(ta, 1, 3.9), 3, "store returns ToIntegerOrInfinity");
same(Object.is(Atomics.store(ta, 1, -0), 0), true, "store of -0 returns +0");
same(Atomics.store(ta, 1, Infinity), Infinity, "store of Infinity returns Infinity");
same(ta[1], 0, "Infinity stores 0");
same(Atomics.load(ta, 0), 5, "load");
same(Atomics.add(ta, 0, 2), 5, "add returns the old value");
same(Atomics.sub(ta, 0, 1), 7, "sub");
same(Atomics.and(ta, 0, 3), 6, "and");
same(Atomics.or(ta, 0, 8), 2, "or");
same(Atomics.xor(ta, 0, 15), 10, "xor");
same(Atomics.exchange(ta, 0, 42), 5, "exchange");
same(Atomics.compareExchange(ta, 0, 1, 2), 42, "failed compareExchange");
same(ta[0], 42, "not stored");
same(Atomics.compareExchange(ta, 0, 42, 2), 42, "compareExchange");
same(ta[0], 2, "stored");
same(Atomics.add(ta, 2, 2 ** 32 + 1), 0, "modular add");
same(ta[2], 1, "added 1 modulo 2^32");

// every integer kind, signed and unsigned wrap-around
[[Int8Array, 127, 1, -128], [Uint8Array, 255, 1, 0], [Int16Array, 32767, 1, -32768], [Uint16Array, 65535, 1, 0],
 [Int32Array, 2147483647, 1, -2147483648], [Uint32Array, 4294967295, 1, 0]].forEach(function (c) {
  var a = new c[0](new SharedArrayBuffer(8 * c[0].BYTES_PER_ELEMENT));
  Atomics.store(a, 3, c[1]);
  same(Atomics.add(a, 3, c[2]), c[1], c[0].name + " add old");
  same(Atomics.load(a, 3), c[3], c[0].name + " wrapped");
  same(Atomics.compareExchange(a, 3, c[3] - 2 ** (8 * c[0].BYTES_PER_ELEMENT), 7), c[3], c[0].name + " cmpxchg converts expected");
  same(a[3], 7, c[0].name + " cmpxchg stored");
});

// non-shared typed arrays work too
var n = new Int16Array(4);
same(Atomics.add(n, 1, 70000), 0, "non-shared add");
same(n[1], 70000 - 65536, "non-shared add wrapped");
same(Atomics.compareExchange(n, 1, 70000 - 65536, -1), 4464, "non-shared cmpxchg");
same(Atomics.exchange(n, 1, 9), -1, "non-shared exchange");
same(Atomics.load(n, 1), 9, "non-shared load");
same(Atomics.notify(new Int32Array(4), 0, 1), 0, "notify on non-shared is 0");
throws(TypeError, function () { Atomics.wait(new Int32Array(4), 0, 0, 0); }, "wait on non-shared");

// notify with no waiters
same(Atomics.notify(ta, 0), 0, "notify without waiters");
same(Atomics.wait(ta, 0, 1, 0), "not-equal", "wait not-equal");
same(Atomics.wait(ta, 0, 2, 0), "timed-out", "wait timed-out");
same(Atomics.wait(ta, 0, 2, -Infinity), "timed-out", "negative timeout");

// isLockFree, pause, toStringTag
same(Atomics.isLockFree(4), true, "isLockFree(4)");
same(Atomics.isLockFree(3), false, "isLockFree(3)");
same(typeof Atomics.isLockFree(8), "boolean", "isLockFree(8)");
same(Atomics.pause(), undefined, "pause()");
same(Atomics.pause(10), undefined, "pause(10)");
same(Atomics.pause(-0), undefined, "pause(-0)");
throws(TypeError, function () { Atomics.pause(1.5); }, "pause(1.5)");
throws(TypeError, function () { Atomics.pause("1"); }, "pause of a string");
throws(TypeError, function () { Atomics.pause(NaN); }, "pause(NaN)");
throws(TypeError, function () { Atomics.pause(new Number(1)); }, "pause of a Number object");
same(Object.prototype.toString.call(Atomics), "[object Atomics]", "toStringTag");
same(Atomics.add.length, 3, "add.length");
same(Atomics.wait.length, 4, "wait.length");
same(Atomics.notify.length, 3, "notify.length");
same(Atomics.pause.length, 0, "pause.length");
var d = Object.getOwnPropertyDescriptor(this, "Atomics");
same(d.writable && d.configurable && !d.enumerable, true, "Atomics attributes");
d = Object.getOwnPropertyDescriptor(Atomics, "load");
same(d.writable && d.configurable && !d.enumerable, true, "load attributes");
throws(TypeError, function () { new Atomics.load(ta, 0); }, "not a constructor");

// Typed arrays over a SharedArrayBuffer: host views.
var sab = new SharedArrayBuffer(16);
var ta = new Int32Array(sab);
same(ta instanceof Int32Array, true, "instanceof");
same(Object.getPrototypeOf(ta), Int32Array.prototype, "prototype");
same(ta.constructor, Int32Array, "constructor");
same(Object.prototype.toString.call(ta), "[object Int32Array]", "toStringTag");
same(ArrayBuffer.isView(ta), true, "isView");
same(ta.length, 4, "length");
same(ta.byteLength, 16, "byteLength");
same(ta.byteOffset, 0, "byteOffset");
same(ta.buffer, sab, "buffer");
same(Int32Array.name, "Int32Array", "ctor name");
same(Int32Array.length, 3, "ctor length");
same(Int32Array.BYTES_PER_ELEMENT, 4, "BYTES_PER_ELEMENT");
same(Object.getPrototypeOf(Int32Array), Object.getPrototypeOf(Int8Array), "%TypedArray%");
same(Int32Array.prototype.constructor, Int32Array, "prototype.constructor");
throws(TypeError, function () { Int32Array(sab); }, "call without new");

// plain element access: out of range is undefined / ignored, never an exception
ta[0] = 7;
ta[3] = -1.9;
same(ta[0], 7, "read back");
same(ta[3], -1, "ToInt32 on write");
same(ta[4], undefined, "out of range read");
same(ta[-1], undefined, "negative index read");
ta[4] = 1;
ta[-1] = 1;
same(ta[4], undefined, "out of range write ignored");
same(ta.hasOwnProperty("4"), false, "no property made");
same(ta["-0"], undefined, "-0 is a numeric key");
same(ta["1.5"], undefined, "1.5 is a numeric key");
ta["1.5"] = 3;
same(ta["1.5"], undefined, "write to a non-integer numeric key ignored");
ta.foo = "bar";
same(ta.foo, "bar", "ordinary property");
same(Object.keys(ta).join(), "0,1,2,3,foo", "keys");
(function () { "use strict"; ta[10] = 1; })();
var converted = 0;
ta[10] = { valueOf: function () { converted++; return 1; } };
same(converted, 1, "the value is converted before the bounds check");
throws(TypeError, function () { ta[10] = 1n; }, "BigInt into an Int32 view");
same(1 in ta, true, "in range has");
same(4 in ta, false, "out of range has");
same(delete ta[10], true, "delete out of range");

// element conversions
var u8c = new Uint8ClampedArray(new SharedArrayBuffer(2));
u8c[0] = 300; u8c[1] = 1.5;
same(u8c[0], 255, "clamped"); same(u8c[1], 2, "round half to even");
var f32 = new Float32Array(new SharedArrayBuffer(4));
f32[0] = 0.1;
same(f32[0], Math.fround(0.1), "float32 rounding");
var u32 = new Uint32Array(sab);
same(u32[3], 4294967295, "Uint32 sees -1 as 2^32-1");

// offsets and lengths
var v = new Int16Array(sab, 4, 2);
same(v.length, 2, "view length"); same(v.byteOffset, 4, "view offset");
v[0] = 5;
same(new Int16Array(sab)[2], 5, "views share memory");
throws(RangeError, function () { new Int32Array(sab, 2); }, "misaligned offset");
throws(RangeError, function () { new Int32Array(sab, 0, 5); }, "too long");
throws(RangeError, function () { new Int32Array(sab, 20); }, "offset beyond the buffer");
throws(RangeError, function () { new Int32Array(new SharedArrayBuffer(6)); }, "buffer length not a multiple");
throws(RangeError, function () { new Int32Array(sab, -4); }, "negative offset");
same(new Int32Array(sab, 16).length, 0, "empty view at the end");

// %TypedArray%.prototype methods on host views
var a = new Int8Array(new SharedArrayBuffer(5));
a.set([5, 3, 1, 4, 2]);
same(a.join(), "5,3,1,4,2", "set/join");
same([...a].length, 5, "iterator");
same(Array.from(a.keys()).join(), "0,1,2,3,4", "keys");
same(Array.from(a.entries())[1].join(), "1,3", "entries");
same(a.at(-1), 2, "at");
same(a.indexOf(4), 3, "indexOf");
same(a.includes(1), true, "includes");
same(a.map(function (x) { return x * 2; }).join(), "10,6,2,8,4", "map");
same(a.filter(function (x) { return x > 2; }).join(), "5,3,4", "filter");
same(a.reduce(function (s, x) { return s + x; }, 0), 15, "reduce");
var sl = a.slice(1, 3);
same(sl.join(), "3,1", "slice");
same(sl.buffer instanceof ArrayBuffer, true, "slice is not shared");
var sub = a.subarray(1, 3);
same(sub.buffer, a.buffer, "subarray shares the buffer");
sub[0] = 9;
same(a[1], 9, "subarray writes through");
same(sub.byteOffset, 1, "subarray offset");
a.sort();
same(a.join(), "1,2,4,5,9", "sort");
a.reverse();
same(a.join(), "9,5,4,2,1", "reverse");
a.fill(7, 3);
same(a.join(), "9,5,4,7,7", "fill");
same(a.toString(), "9,5,4,7,7", "toString");
a.set(new Int8Array([1, 2]), 3);
same(a.join(), "9,5,4,1,2", "set from a typed array");
throws(RangeError, function () { a.set([1, 2], 4); }, "set out of bounds");
var seen = [];
a.forEach(function (x, i) { seen.push(i); });
same(seen.join(), "0,1,2,3,4", "forEach");
var n = new Int8Array([3, 1, 2]);
same(n.sort().join(), "1,2,3", "native arrays still use goja's methods");
same(n.length, 3, "native length");
throws(TypeError, function () { Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), "length").get.call({}); },
  "the length getter still brand-checks");
same(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag).get.call({}), undefined,
  "toStringTag of a non-typed array");

// length-tracking views over a growable buffer
var g = new SharedArrayBuffer(4, { maxByteLength: 16 });
var lt = new Int32Array(g);
var fixed = new Int32Array(g, 0, 1);
var off = new Int32Array(g, 4);
same(lt.length, 1, "tracking length"); same(off.length, 0, "tracking view at the end");
g.grow(12);
same(lt.length, 3, "tracking length after grow"); same(lt.byteLength, 12, "tracking byteLength");
same(off.length, 2, "offset tracking view after grow");
same(fixed.length, 1, "fixed view after grow");
lt[2] = 8;
same(off[1], 8, "tracking views share memory");
same(lt[3], undefined, "beyond the tracked length");
var ltsub = lt.subarray(1);
g.grow(16);
same(ltsub.length, 3, "subarray of a tracking view tracks");

// BigInt views
var b = new BigInt64Array(new SharedArrayBuffer(16));
b[0] = -5n;
same(b[0], -5n, "BigInt64 element");
b[1] = 2n ** 64n + 3n;
same(b[1], 3n, "ToBigInt64");
throws(TypeError, function () { b[0] = 1; }, "Number into a BigInt view");
var bu = new BigUint64Array(b.buffer);
same(bu[0], 2n ** 64n - 5n, "BigUint64 sees the same bits");
same(Atomics.add(bu, 0, 6n), 2n ** 64n - 5n, "BigUint64 add");
same(bu[0], 1n, "wrapped");
same(Atomics.sub(b, 1, 4n), 3n, "BigInt64 sub");
same(b[1], -1n, "BigInt64 below zero");
same(Atomics.compareExchange(b, 1, -1n, 10n), -1n, "BigInt64 cmpxchg");
same(Atomics.store(b, 0, 2n ** 64n), 2n ** 64n, "store returns ToBigInt's value");
same(b[0], 0n, "stored modulo 2^64");
throws(TypeError, function () { Atomics.store(b, 0, 1); }, "Number into Atomics on BigInt");
same(Atomics.wait(b, 0, 1n, 0), "not-equal", "BigInt wait");
same(Atomics.notify(b, 0), 0, "BigInt notify");
b.fill(4n);
same(b.join(), "4,4", "BigInt fill");

// the patched methods and getters are still no constructors
var TAP = Object.getPrototypeOf(Int8Array.prototype);
["at", "fill", "map", "set", "subarray", "values", "join"].forEach(function (n) {
  throws(TypeError, function () { new TAP[n](); }, n + " is not a constructor");
  same(TAP[n].name, n, n + " name");
});
same(TAP[Symbol.iterator], TAP.values, "@@iterator is values");
throws(TypeError, function () { new (Object.getOwnPropertyDescriptor(TAP, "length").get)(); }, "getter is not a constructor");
same(Object.getOwnPropertyDescriptor(TAP, "length").get.name, "get length", "getter name");
throws(TypeError, function () { new ArrayBuffer.isView(); }, "isView is not a constructor");
same(TAP.subarray.length, 2, "subarray length");

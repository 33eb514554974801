// Atomics: the spec's validation order (ValidateIntegerTypedArray,
// ValidateAtomicAccess, value conversions, revalidation).
var ta = new Int32Array(new SharedArrayBuffer(16));
var log = [];
function spy(name, v) { return { valueOf: function () { log.push(name); return v; } }; }
function poison(name) { return { valueOf: function () { log.push(name); throw new SyntaxError(name); } }; }

["add", "and", "exchange", "or", "sub", "xor", "store"].forEach(function (op) {
  log = [];
  throws(TypeError, function () { Atomics[op]({}, poison("index"), poison("value")); }, op + " not a typed array");
  throws(TypeError, function () { Atomics[op](new Float64Array(new SharedArrayBuffer(8)), poison("index"), 0); }, op + " float array");
  throws(TypeError, function () { Atomics[op](new Uint8ClampedArray(new SharedArrayBuffer(8)), poison("index"), 0); }, op + " clamped");
  throws(TypeError, function () { Atomics[op](new Float32Array(4), poison("index"), 0); }, op + " non-shared float");
  same(log.length, 0, op + ": the array is validated before the index is converted");
  throws(RangeError, function () { Atomics[op](ta, 4, poison("value")); }, op + " index out of range");
  throws(RangeError, function () { Atomics[op](ta, -1, poison("value")); }, op + " negative index");
  throws(RangeError, function () { Atomics[op](ta, 2 ** 53, poison("value")); }, op + " index above 2^53-1");
  same(log.length, 0, op + ": the index is validated before the value is converted");
  throws(TypeError, function () { Atomics[op](ta, Symbol(), 0); }, op + " symbol index");
  throws(SyntaxError, function () { Atomics[op](ta, spy("index", 0), poison("value")); }, op + " value conversion error");
  same(log.join(), "index,value", op + ": index then value");
  same(Atomics[op](ta, "1", 0), op === "store" ? 0 : Atomics.load(ta, 1), op + " string index");
  same(Atomics[op](ta, 1.9, 0) !== undefined, true, op + " fractional index truncates");
});

log = [];
throws(SyntaxError, function () { Atomics.compareExchange(ta, spy("index", 0), spy("expected", 0), poison("replacement")); });
same(log.join(), "index,expected,replacement", "compareExchange order");
throws(TypeError, function () { Atomics.load(ta, Symbol()); }, "load symbol index");
throws(RangeError, function () { Atomics.load(ta, 4); }, "load out of range");

// detaching a non-shared buffer during the value conversion
var ab = new ArrayBuffer(8);
var nt = new Int32Array(ab);
throws(TypeError, function () {
  Atomics.store(nt, 0, { valueOf: function () { detachArrayBuffer(ab); return 1; } });
}, "revalidation after conversion sees the detach");
throws(TypeError, function () { Atomics.load(nt, 0); }, "load on a detached array");
throws(TypeError, function () { Atomics.notify(nt, 0, 0); }, "notify on a detached array");
throws(TypeError, function () { detachArrayBuffer(new SharedArrayBuffer(4)); }, "a SAB cannot be detached");

// growing a SAB during the index conversion: the length is read first
var g = new SharedArrayBuffer(0, { maxByteLength: 8 });
var lt = new Int32Array(g);
throws(RangeError, function () {
  Atomics.load(lt, { valueOf: function () { g.grow(8); return 0; } });
}, "length read before the index conversion");
same(Atomics.load(lt, 1), 0, "in range after grow");

// wait and notify
log = [];
throws(TypeError, function () { Atomics.wait(new Int16Array(new SharedArrayBuffer(8)), poison("index"), 0, 0); }, "wait on Int16");
throws(TypeError, function () { Atomics.wait(new Int32Array(8), poison("index"), 0, 0); }, "wait on non-shared, before the index");
throws(TypeError, function () { Atomics.notify(new Uint32Array(new SharedArrayBuffer(8)), poison("index")); }, "notify on Uint32");
same(log.length, 0, "wait/notify validate the array first");
throws(RangeError, function () { Atomics.wait(ta, 4, poison("value"), poison("timeout")); }, "wait index");
throws(SyntaxError, function () { Atomics.wait(ta, spy("index", 0), spy("value", 0), poison("timeout")); }, "wait timeout conversion");
same(log.join(), "index,value,timeout", "wait order");
log = [];
throws(SyntaxError, function () { Atomics.notify(ta, spy("index", 0), poison("count")); }, "notify count conversion");
same(log.join(), "index,count", "notify order");
same(Atomics.notify(ta, 0, -5), 0, "negative count");
same(Atomics.notify(ta, 0, NaN), 0, "NaN count");
same(Atomics.notify(ta, 0, undefined), 0, "undefined count");
log = [];
same(Atomics.notify(new Int32Array(4), spy("index", 0), spy("count", 1)), 0, "notify on non-shared after conversions");
same(log.join(), "index,count", "notify on non-shared converts index and count");
same(Atomics.wait(ta, 0, 0, NaN === NaN ? 0 : 0), "timed-out", "zero timeout");
throws(TypeError, function () { Atomics.wait(ta, 0, 0, Symbol()); }, "symbol timeout");
throws(TypeError, function () { Atomics.wait(ta, 0, 0, 0n); }, "BigInt timeout");

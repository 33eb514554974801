// SharedArrayBuffer: constructor, prototype getters, grow, slice, species.
var sab = new SharedArrayBuffer(8);
same(sab.byteLength, 8, "byteLength");
same(sab.maxByteLength, 8, "maxByteLength of a fixed buffer");
same(sab.growable, false, "growable");
same(Object.prototype.toString.call(sab), "[object SharedArrayBuffer]", "toStringTag");
same(Object.getPrototypeOf(sab), SharedArrayBuffer.prototype, "prototype");
same(sab instanceof SharedArrayBuffer, true, "instanceof");
same(sab.constructor, SharedArrayBuffer, "constructor");
same(SharedArrayBuffer.length, 1, "length");
same(SharedArrayBuffer.name, "SharedArrayBuffer", "name");
same(SharedArrayBuffer[Symbol.species], SharedArrayBuffer, "species");
same(new SharedArrayBuffer().byteLength, 0, "length absent");
same(new SharedArrayBuffer(2.9).byteLength, 2, "ToIndex truncates");
same(new SharedArrayBuffer("3").byteLength, 3, "ToIndex converts strings");

// errors, in the spec's order
throws(TypeError, function () { SharedArrayBuffer(1); }, "call without new");
throws(RangeError, function () { new SharedArrayBuffer(-1); }, "negative length");
throws(RangeError, function () { new SharedArrayBuffer(2 ** 53); }, "length above 2^53-1");
throws(RangeError, function () { new SharedArrayBuffer(2 ** 40); }, "allocation fails");
throws(TypeError, function () { new SharedArrayBuffer(Symbol()); }, "symbol length");
var order = [];
var poisonedTarget = Object.defineProperty(function () {}.bind(null), "prototype", {
  get: function () { order.push("prototype"); throw new SyntaxError("proto"); }
});
throws(RangeError, function () {
  Reflect.construct(SharedArrayBuffer, [10, { maxByteLength: 0 }], poisonedTarget);
}, "length above maxByteLength before the prototype is read");
same(order.length, 0, "prototype not read");
throws(SyntaxError, function () { Reflect.construct(SharedArrayBuffer, [2 ** 40], poisonedTarget); },
  "prototype read before the allocation fails");
throws(RangeError, function () { new SharedArrayBuffer(0, { maxByteLength: -1 }); }, "negative maxByteLength");
throws(SyntaxError, function () {
  new SharedArrayBuffer({ valueOf: function () { throw new SyntaxError("length"); } },
    { get maxByteLength() { throw new Error("options read before length"); } });
}, "length converted before options are read");

// prototype from new.target
function F() {}
F.prototype = Object.create(SharedArrayBuffer.prototype);
var sub = Reflect.construct(SharedArrayBuffer, [4], F);
same(Object.getPrototypeOf(sub), F.prototype, "prototype from new.target");
same(sub.byteLength, 4, "subclass buffer length");
var G = function () {}.bind(null);
Object.defineProperty(G, "prototype", { value: 1 });
same(Object.getPrototypeOf(Reflect.construct(SharedArrayBuffer, [1], G)), SharedArrayBuffer.prototype,
  "non-object new.target.prototype falls back to the realm's");
class MySAB extends SharedArrayBuffer {}
var my = new MySAB(4);
same(my instanceof MySAB, true, "class subclass");

// brand checks
var fake = Object.create(SharedArrayBuffer.prototype);
throws(TypeError, function () { fake.byteLength; }, "plain object is no SAB");
throws(TypeError, function () {
  Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength").get.call(new ArrayBuffer(1));
}, "ArrayBuffer is no SAB");
throws(TypeError, function () { SharedArrayBuffer.prototype.slice.call({}); }, "slice brand");
throws(TypeError, function () { new SharedArrayBuffer(1).grow(1); }, "grow on a fixed buffer");

// property attributes
var d = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength");
same(d.get.name, "get byteLength", "getter name");
same(d.set, undefined, "no setter");
same(d.enumerable, false, "not enumerable");
same(d.configurable, true, "configurable");
d = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "slice");
same(d.writable && d.configurable && !d.enumerable, true, "slice attributes");
same(SharedArrayBuffer.prototype.slice.length, 2, "slice length");
same(SharedArrayBuffer.prototype.grow.length, 1, "grow length");
throws(TypeError, function () { new SharedArrayBuffer.prototype.slice(); }, "methods are not constructors");

// growable
var g = new SharedArrayBuffer(4, { maxByteLength: 16 });
same(g.growable, true, "growable");
same(g.maxByteLength, 16, "maxByteLength");
g.grow(8);
same(g.byteLength, 8, "grown");
g.grow(8);
same(g.byteLength, 8, "grow to the same length");
throws(RangeError, function () { g.grow(4); }, "shrink");
throws(RangeError, function () { g.grow(17); }, "beyond max");
throws(RangeError, function () { g.grow(-1); }, "negative");
same(new SharedArrayBuffer(1, { maxByteLength: undefined }).growable, false, "undefined maxByteLength");
same(new SharedArrayBuffer(1, 7).growable, false, "non-object options");

// slice copies
var s = new SharedArrayBuffer(8);
var u8 = new Uint8Array(s);
for (var i = 0; i < 8; i++) u8[i] = i + 1;
var c = s.slice(2, -2);
same(c.byteLength, 4, "slice length");
same(new Uint8Array(c).join(), "3,4,5,6", "slice contents");
same(s.slice(-3).byteLength, 3, "relative start");
same(s.slice(6, 2).byteLength, 0, "empty slice");
u8[2] = 99;
same(new Uint8Array(c)[0], 3, "a slice is a copy");

// slice's species checks
var other = new SharedArrayBuffer(8);
s.constructor = {};
s.constructor[Symbol.species] = function () { return other; };
same(s.slice(), other, "species result is returned");
same(new Uint8Array(other)[7], 8, "and filled");
s.constructor[Symbol.species] = function (n) { return new SharedArrayBuffer(n - 1); };
throws(TypeError, function () { s.slice(); }, "species buffer too small");
s.constructor[Symbol.species] = function () { return s; };
throws(TypeError, function () { s.slice(); }, "species returns the same buffer");
s.constructor[Symbol.species] = function (n) { return new ArrayBuffer(n); };
throws(TypeError, function () { s.slice(); }, "species returns an ArrayBuffer");
s.constructor[Symbol.species] = function (n) { return new SharedArrayBuffer(n + 4); };
same(s.slice(0, 2).byteLength, 6, "species result may be larger");
s.constructor = 1;
throws(TypeError, function () { s.slice(); }, "constructor not an object");

/*---
description: the main agent may not block under CanBlockIsFalse
flags: [CanBlockIsFalse]
features: [Atomics, SharedArrayBuffer]
---*/
var i32a = new Int32Array(new SharedArrayBuffer(4));
assert.throws(TypeError, function () { Atomics.wait(i32a, 0, 0, 0); });

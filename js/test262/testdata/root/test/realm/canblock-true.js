/*---
description: the main agent may block under CanBlockIsTrue
flags: [CanBlockIsTrue]
features: [Atomics, SharedArrayBuffer]
---*/
var i32a = new Int32Array(new SharedArrayBuffer(4));
assert.sameValue(Atomics.wait(i32a, 0, 0, 0), "timed-out");

/*---
description: fails only in its strict run (this is undefined there)
---*/
assert.sameValue(typeof (function () { return this; })(), "object");

/*---
description: a plain passing test, with an include
includes: [twice.js]
---*/
assert.sameValue(twice(21), 42);

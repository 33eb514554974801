/*---
description: uses with, a SyntaxError in strict code; run sloppy only
flags: [noStrict]
---*/
var o = { x: 1 };
with (o) { x = 2; }
assert.sameValue(o.x, 2);

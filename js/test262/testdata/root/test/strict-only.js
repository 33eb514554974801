/*---
description: passes only in strict mode; run in strict mode only
flags: [onlyStrict]
---*/
assert.sameValue((function () { return this; })(), undefined);

/*---
description: an async test that reports a failure
flags: [async]
---*/
Promise.resolve().then(function () { throw new Test262Error("async boom"); }).then($DONE, $DONE);

/*---
description: an async test that calls $DONE after a timer and a promise
flags: [async]
---*/
setTimeout(function () {
  Promise.resolve(5).then(function (v) { assert.sameValue(v, 5); }).then($DONE, $DONE);
}, 10);

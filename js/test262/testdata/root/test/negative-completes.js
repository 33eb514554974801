/*---
description: a negative test that completes
negative:
  phase: runtime
  type: Test262Error
---*/
var x = 1;

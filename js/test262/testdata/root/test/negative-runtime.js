/*---
description: a runtime negative test
negative:
  phase: runtime
  type: RangeError
---*/
throw new RangeError("expected");

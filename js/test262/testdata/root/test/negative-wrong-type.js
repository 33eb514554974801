/*---
description: throws a TypeError where a RangeError is expected
negative:
  phase: runtime
  type: RangeError
---*/
null.f;

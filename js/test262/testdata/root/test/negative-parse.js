/*---
description: a parse-phase negative test
negative:
  phase: parse
  type: SyntaxError
---*/
throw "not reached";
var = ;

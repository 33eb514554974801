/*---
description: throws at line 5, column 1 (sabre's own review file)
---*/
var x = 1;
throw new Test262Error("at line 5");

/*---
description: module tests are skipped
flags: [module]
---*/
export var x = 1;

/*---
description: never ends
---*/
while (true) {}

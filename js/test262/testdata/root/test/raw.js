/*---
description: raw: no harness, no strict prefix
flags: [raw]
---*/
if (typeof assert !== "undefined") throw new Error("harness present in a raw test");

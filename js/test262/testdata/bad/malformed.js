/*---
description: malformed front matter (an unclosed flow list)
flags: [onlyStrict
---*/

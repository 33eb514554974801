/*---
description: an unsupported feature is skipped
features: [cross-realm]
---*/
$262.createRealm();

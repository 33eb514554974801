/*---
description: agents receive a broadcast and report back
---*/
for (var i = 0; i < 3; i++) {
  $262.agent.start(
    "$262.agent.receiveBroadcast(function (sab, num) {" +
    "  $262.agent.report(num * 2);" +
    "  $262.agent.leaving();" +
    "});");
}
$262.agent.broadcast(null, 21);
var got = [];
for (var i = 0; i < 3; i++) {
  var r;
  while ((r = $262.agent.getReport()) === null) $262.agent.sleep(1);
  got.push(r);
}
assert.sameValue(got.join(), "42,42,42");

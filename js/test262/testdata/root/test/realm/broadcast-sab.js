/*---
description: a SharedArrayBuffer broadcast by reference; agents wait, the main agent notifies them
features: [Atomics, SharedArrayBuffer]
---*/
var N = 3;
for (var i = 0; i < N; i++) {
  $262.agent.start(
    "$262.agent.receiveBroadcast(function (sab) {" +
    "  var a = new Int32Array(sab);" +
    "  Atomics.add(a, 1, 1);" +
    "  $262.agent.report(Atomics.wait(a, 0, 0, 10000));" +
    "  $262.agent.leaving();" +
    "});");
}
var i32a = new Int32Array(new SharedArrayBuffer(8));
$262.agent.broadcast(i32a.buffer);
while (Atomics.load(i32a, 1) !== N) {}
var woken = 0;
while (woken < N) {
  woken += Atomics.notify(i32a, 0);
  $262.agent.sleep(1);
}
for (var i = 0; i < N; i++) {
  var r;
  while ((r = $262.agent.getReport()) === null) $262.agent.sleep(1);
  assert.sameValue(r, "ok");
}

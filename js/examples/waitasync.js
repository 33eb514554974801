// Atomics.waitAsync: the waiter awaits a change of a flag without blocking
// its agent; the notifier, an async agent, first sleeps on a (virtual)
// setTimeout, then publishes data, sets the flag and notifies. The waiter's
// promise is settled on its own event loop by the notifier's notify (or
// the wait does not start because the flag is already set: "not-equal").
//
//   sabre run js/examples/waitasync.js
sabre.config({ name: "waitasync", doc: "Atomics.waitAsync settled by another agent's notify, through the waiter's event loop." });

const sab = new SharedArrayBuffer(8); // sab0: the flag at byte 0, the data at byte 4
const ia = new Int32Array(sab);

sabre.agent("waiter", async () => {
  const r = Atomics.waitAsync(ia, 0, 0);
  const v = r.async ? await r.value : r.value;
  // The wake-up itself orders nothing after it: the settlement is a host
  // event outside the waiter's agent-order (see docs/js.md). Reading the
  // flag with Atomics.load does: a load that reads the notifier's store
  // synchronizes-with it, so the data is visible then.
  const flag = Atomics.load(ia, 0);
  const data = Atomics.load(ia, 1);
  sabre.observe({ ok: v === "ok", notEqual: v === "not-equal", flag, data });
});

sabre.agent("notifier", async () => {
  await new Promise(resolve => setTimeout(resolve, 10));
  Atomics.store(ia, 1, 7);
  Atomics.store(ia, 0, 1);
  Atomics.notify(ia, 0);
});

sabre.forbid(o => o.flag === 1 && o.data !== 7, "the flag seen, the data missed");
sabre.forbid(o => o.notEqual && o.flag !== 1, "the flag seen set, then not");
sabre.forbid(o => !o.ok && !o.notEqual, "timed out");
sabre.allow(o => o.ok, "woken by the notify");
sabre.allow(o => o.notEqual, "the flag was already set");

// A lock built on Atomics.compareExchange, Atomics.wait and Atomics.notify:
// two agents each increment a counter inside the lock (a plain read, then
// a plain write). Mutual exclusion: they never read the same count, and
// the data race the plain accesses would be is not one.
//
//   sabre run --strategy sc-drf js/examples/lock.js
sabre.config({
  name: "lock",
  doc: "A lock on Atomics.wait/notify: two increments under it never read the same count.",
  // Race-free, so sabre run --strategy sc-drf explores it completely (SC-DRF)
  // when the race check runs on every execution.
  checks: "race",
});

const sab = new SharedArrayBuffer(8); // sab0: the lock at byte 0, the count at byte 4
const lock = new Int32Array(sab, 0, 1);
const count = new Int32Array(sab, 4, 1);

function acquire() {
  // 0: free, 1: held. Take it if free; otherwise sleep while it is held.
  while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) {
    Atomics.wait(lock, 0, 1);
  }
}

function release() {
  Atomics.store(lock, 0, 0);
  Atomics.notify(lock, 0, 1);
}

function increment() {
  acquire();
  const c = count[0];
  count[0] = c + 1;
  release();
  sabre.observe({ read: c });
}

sabre.agent("p", increment);
sabre.agent("q", increment);

sabre.forbid(o => o.p.read === o.q.read, "both read the same count: a lost update");
sabre.allow(o => o.p.read === 0 && o.q.read === 1, "p first");
sabre.allow(o => o.q.read === 0 && o.p.read === 1, "q first");

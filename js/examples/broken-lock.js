// A broken lock: acquire checks that the lock is free (Atomics.load) and
// then takes it (Atomics.store) in two steps instead of one
// compareExchange, so both agents can see it free and both enter. sabre
// finds the interleaving and prints a command that replays it:
//
//   sabre run js/examples/broken-lock.js          # exit status 1
//   sabre run --replay '…' js/examples/broken-lock.js
sabre.config({ name: "broken-lock", doc: "A lock whose acquire is a load then a store: both agents can enter, and sabre finds the lost update." });

const sab = new SharedArrayBuffer(8); // sab0: the lock at byte 0, the count at byte 4
const lock = new Int32Array(sab, 0, 1);
const count = new Int32Array(sab, 4, 1);

function acquire() {
  while (Atomics.load(lock, 0) !== 0) {
    Atomics.wait(lock, 0, 1);
  }
  Atomics.store(lock, 0, 1); // BUG: another agent may have taken it since the load
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

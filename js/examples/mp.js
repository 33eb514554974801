// Message passing: the writer writes the data with a plain store, then sets
// a flag with Atomics.store; the reader reads the flag with Atomics.load,
// then the data with a plain load. Atomics.store synchronizes-with the
// Atomics.load that reads it, so a reader that sees the flag sees the data.
//
//   sabre run js/examples/mp.js
sabre.config({ name: "mp", doc: "Message passing over a SharedArrayBuffer: a reader that sees the flag sees the data." });

const sab = new SharedArrayBuffer(8); // sab0: data at byte 0, flag at byte 4
const data = new Int32Array(sab, 0, 1);
const flag = new Int32Array(sab, 4, 1);

sabre.agent("writer", () => {
  data[0] = 42;
  Atomics.store(flag, 0, 1);
});

sabre.agent("reader", () => {
  const f = Atomics.load(flag, 0);
  const d = data[0];
  sabre.observe({ flag: f, data: d });
});

sabre.forbid(o => o.flag === 1 && o.data !== 42, "flag seen, stale data");
sabre.allow(o => o.flag === 0, "flag not yet set");
sabre.allow(o => o.flag === 1 && o.data === 42, "message received");

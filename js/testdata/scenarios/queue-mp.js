// Two agents pass a message through a queue; the receiver observes it.
sabre.config({ name: "queue-mp", doc: "message passing through a sabre.queue" });
const q = sabre.queue(1);
sabre.agent("sender", () => {
  q.put([1, "two", 3n, null, true]);
  q.put(42);
});
sabre.agent("receiver", () => {
  const m = q.get();
  const n = q.get();
  sabre.observe({ len: m.length, first: m[0], big: m[2], n, str: m[1] === "two", nul: m[3] === null });
});
sabre.require(o => o.n === 42, "the second item is 42");
sabre.forbid(o => o.first !== 1, "the first item is not 1");
sabre.allow(o => o.big === 3, "the BigInt arrives");

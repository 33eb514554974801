// sabre's own minimal stand-in for test262's assert.js (written for the runner's tests).
function assert(value, message) {
  if (value !== true) {
    throw new Test262Error("Expected true but got " + String(value) + (message ? ": " + message : ""));
  }
}
assert.sameValue = function (actual, expected, message) {
  if (actual !== expected && !(actual !== actual && expected !== expected)) {
    throw new Test262Error("Expected " + String(expected) + " but got " + String(actual) + (message ? ": " + message : ""));
  }
};
assert.throws = function (Ctor, fn, message) {
  try {
    fn();
  } catch (e) {
    if (e === null || typeof e !== "object" || e.constructor !== Ctor) {
      throw new Test262Error("Expected a " + Ctor.name + " but got " + e + (message ? ": " + message : ""));
    }
    return;
  }
  throw new Test262Error("Expected a " + Ctor.name + " to be thrown" + (message ? ": " + message : ""));
};

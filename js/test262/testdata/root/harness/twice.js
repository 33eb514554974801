// an include of the runner's tests
function twice(x) { return 2 * x; }

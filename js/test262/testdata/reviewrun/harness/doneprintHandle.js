// sabre's own $DONE for the runner's tests: prints the async protocol lines.
function $DONE(error) {
  if (error) {
    print("Test262:AsyncTestFailure:" + (error && error.name ? error.name : "Test262Error") + ": " + (error && error.message !== undefined ? error.message : String(error)));
  } else {
    print("Test262:AsyncTestComplete");
  }
}

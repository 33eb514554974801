// Package affinity pins the calling goroutine's OS thread to one
// processor, where the OS allows it (Linux: sched_setaffinity through
// golang.org/x/sys/unix), for the stress runners of packages scenarios and
// scenarios/litmus; elsewhere Pin does nothing and Supported is false.
//
//   - [Supported]: whether pinning works here.
//   - [Pin](i): lock the goroutine to its thread and pin the thread to the
//     i-th processor of its affinity mask (modulo their number); returns the
//     function that restores the mask and unlocks.
package affinity

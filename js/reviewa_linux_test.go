//go:build linux && !race

package js

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/sabre-mm/sabre/shared"
)

// Memory: new SharedArrayBuffer(0, {maxByteLength: 2**32}) is a 0-byte
// buffer that may grow; the realm (through shared.NewGrowableBuffer and
// internal/mem.NewBlock) allocates the whole maximum, 4 GiB of Go heap, at
// once, and keeps it for the realm's life. When the memory is not there,
// ECMA-262 wants a RangeError (25.2.2.1 AllocateSharedArrayBuffer /
// CreateSharedByteDataBlock: "If it is impossible to create such a Shared
// Data Block, throw a RangeError exception"); Go cannot recover from a
// failed allocation, so the whole process dies with "fatal error: out of
// memory" — a few lines of sandboxed JavaScript, well within any time
// budget, kill the host.
//
// Not under -race: the race runtime needs more address space than the limit.
// The test re-runs itself in a child process whose address space is limited
// to 6 GiB (RLIMIT_AS), so that the third 4 GiB reservation cannot succeed,
// and expects the child to catch a RangeError and exit normally.
func TestReviewJS_GrowableSABMaxAllocatedEagerly(t *testing.T) {
	if os.Getenv("SABRE_REVIEWA_CHILD") == "1" {
		lim := &syscall.Rlimit{Cur: 6 << 30, Max: 6 << 30}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, lim); err != nil {
			t.Skip("cannot set RLIMIT_AS:", err)
		}
		a, err := NewAgent(AgentOptions{Name: "child"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := a.Eval("review.js", `
			var kept = [], caught = "none";
			try { for (var i = 0; i < 4; i++) kept.push(new SharedArrayBuffer(0, {maxByteLength: 2 ** 32})); }
			catch (e) { caught = e.name; }
			caught;`)
		if err != nil {
			t.Fatal(err)
		}
		if v.String() != "RangeError" {
			t.Fatalf("got %v, want a RangeError", v)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReviewJS_GrowableSABMaxAllocatedEagerly$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SABRE_REVIEWA_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		s := string(out)
		if i := strings.Index(s, "fatal error"); i >= 0 {
			s = s[i:min(len(s), i+200)]
		} else if len(s) > 400 {
			s = s[:400]
		}
		t.Errorf("the child process died (%v): %s", err, s)
	}
}

// Memory: Queue.put converts an array by reading its length and making a Go
// slice of that many elements up front (itemConverter.toGo:
// make([]any, n)). A sparse array with length 2**32-1 is one line of
// JavaScript and 64 GiB of Go slice: the allocation fails fatally ("fatal
// error: out of memory") and the host process dies, where the documented
// behaviour for an item that cannot be put is a TypeError naming it and
// nothing enqueued (docs/js.md, The Queue from JS). Run in a child process
// limited to 6 GiB of address space, as above.
func TestReviewJS_QueuePutHugeSparseArray(t *testing.T) {
	if os.Getenv("SABRE_REVIEWA_CHILD") == "2" {
		lim := &syscall.Rlimit{Cur: 6 << 30, Max: 6 << 30}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, lim); err != nil {
			t.Skip("cannot set RLIMIT_AS:", err)
		}
		a, err := NewAgent(AgentOptions{Name: "child", Budget: 20e9})
		if err != nil {
			t.Fatal(err)
		}
		_ = a.Runtime().Set("q", NewQueueObject(a.Realm(), shared.NewQueue(0)))
		v, err := a.Eval("review.js", `
			var arr = []; arr.length = 2 ** 32 - 1;
			var caught = "none";
			try { q.put(arr); } catch (e) { caught = e.name; }
			caught + " " + q.qsize();`)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(v.String(), " 0") || strings.HasPrefix(v.String(), "none") {
			t.Fatalf("got %v, want an error and nothing enqueued", v)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReviewJS_QueuePutHugeSparseArray$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SABRE_REVIEWA_CHILD=2")
	out, err := cmd.CombinedOutput()
	if err != nil {
		s := string(out)
		if i := strings.Index(s, "fatal error"); i >= 0 {
			s = s[i:min(len(s), i+200)]
		} else if len(s) > 400 {
			s = s[:400]
		}
		t.Errorf("the child process died (%v): %s", err, s)
	}
}

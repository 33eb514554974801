//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLitmusFIFO checks that a named pipe called *.litmus, in a directory or
// given directly, is refused at once with exit status 2, naming its path,
// instead of blocking for a writer.
func TestLitmusFIFO(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.litmus", mpSrc)
	fifo := filepath.Join(dir, "f.litmus")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	want := "read " + fifo + ": not a regular file but a named pipe (FIFO)"
	for _, args := range [][]string{{"litmus", dir}, {"litmus", fifo}} {
		type result struct {
			code     int
			out, err string
		}
		done := make(chan result, 1)
		go func() {
			code, out, errs := runCLI(t, args...)
			done <- result{code, out, errs}
		}()
		select {
		case r := <-done:
			if r.code != 2 || r.out != "" || !strings.Contains(r.err, want) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", args, r.code, r.out, r.err, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v blocks on the FIFO", args)
		}
	}
}

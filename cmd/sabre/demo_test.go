package main

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/sabre-mm/sabre/history"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "-agents", "3", "-iterations", "500"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Atomics.add:           1500", "saw 42", "write Atomics.store", "receiver reads 7",
		"TypeError", "NotShareableError"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDemoRecord: sabre demo -record writes a history that reads back,
// converts and checks.
func TestDemoRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.jsonl")
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "-agents", "4", "-iterations", "50", "-record", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "4. recorded ") {
		t.Errorf("output lacks the recording line:\n%s", out.String())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := history.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	agents := map[int]bool{}
	for _, e := range h.Events {
		agents[e.Agent] = true
	}
	// main, 4 racing agents, consumer, producer, receiver.
	if len(agents) != 8 || len(h.Events) < 4*50*3 {
		t.Errorf("%d agents, %d events", len(agents), len(h.Events))
	}
	x, err := history.ToExecution(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Check(); err != nil {
		t.Fatal(err)
	}
	// An unwritable path is bad input: exit 2, and nothing runs.
	out.Reset()
	errb.Reset()
	if code := run([]string{"demo", "-record", filepath.Join(t.TempDir(), "no", "such", "dir", "h.jsonl")}, &out, &errb); code != 2 || out.Len() != 0 {
		t.Errorf("unwritable -record: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

func TestDemoBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"demo", "-agents", "0"}, "-agents 0 is out of range [1, 256]"},
		{[]string{"demo", "-agents", "-3"}, "-agents -3 is out of range [1, 256]"},
		{[]string{"demo", "-agents", "257"}, "-agents 257 is out of range [1, 256]"},
		{[]string{"demo", "-iterations", "-1"}, "-iterations -1 is out of range [1, 10000000]"},
		{[]string{"demo", "-iterations", "0"}, "-iterations 0 is out of range [1, 10000000]"},
		{[]string{"demo", "-iterations", "10000001"}, "-iterations 10000001 is out of range [1, 10000000]"},
		{[]string{"demo", "-iterations", "99999999999999999999"}, "value out of range"},
		// The counter is an Int32: 2^31 increments would wrap it.
		{[]string{"demo", "-agents", "256", "-iterations", "8388608"},
			"-agents 256 × -iterations 8388608 = 2147483648 increments, more than the Int32 counter holds (2147483647)"},
		{[]string{"demo", "-agents", "215", "-iterations", "10000000"}, "more than the Int32 counter holds"},
		{[]string{"demo", "extra"}, `unexpected argument "extra"`},
		{[]string{"demo", "-agents", "8", "-iterations", "200000", "-record", "/dev/null"}, "-record keeps every event in memory"},
		{[]string{"demo", "-nope"}, "flag provided but not defined"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), c.msg) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", c.args, code, out.String(), errb.String(), c.msg)
		}
	}
	// The largest runs the counter holds are accepted.
	for _, c := range [][2]int{{256, 8388607}, {214, 10_000_000}, {1, 10_000_000}, {256, 1}} {
		if err := checkDemoFlags(c[0], c[1]); err != nil {
			t.Errorf("-agents %d -iterations %d: %v", c[0], c[1], err)
		}
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestLitmusJSONStreamed checks that the streamed --json output is byte for
// byte what json.Encoder (SetIndent("", "  ")) writes for the same results,
// with and without --states, so formatting states on output changed nothing.
func TestLitmusJSONStreamed(t *testing.T) {
	dir := t.TempDir()
	files := []string{writeFile(t, dir, "sb.litmus", sbSrc), writeFile(t, dir, "mp.litmus", mpSrc),
		writeFile(t, dir, "h.litmus", "JS H\n{ Int8 x[1]; }\nP0 { r0 = x[0]; }\nexists (0:r0=-1 \\/ x=0)\n")}
	for _, args := range [][]string{{"--json", "--states"}, {"--json"}, {"--json", "--states", "--model", "sc"}} {
		code, out, errs := runCLI(t, append(append([]string{"litmus"}, args...), files...)...)
		if code != 1 {
			t.Fatalf("%v: exit %d %s", args, code, errs)
		}
		var rs []litmusResult
		if err := json.Unmarshal([]byte(out), &rs); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rs); err != nil {
			t.Fatal(err)
		}
		if out != want.String() {
			t.Fatalf("%v: streamed output differs from json.Encoder's:\n%s\nwant\n%s", args, out, want.String())
		}
		if len(args) > 1 && args[1] == "--states" && (len(rs) == 0 || len(rs[0].States) == 0) {
			t.Fatalf("%v: no states in %s", args, out)
		}
	}
	var b bytes.Buffer
	if err := writeJSON(&b, nil); err != nil || b.String() != "[]\n" {
		t.Fatalf("no results: %q, %v", b.String(), err)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "0:r0=1; x[0]=-5;", `a"b\c`, "<&>", "tab\there", "é", "\x7f"} {
		want, _ := json.Marshal(s)
		got, err := appendJSONString([]byte("x"), s)
		if err != nil || string(got) != "x"+string(want) {
			t.Errorf("appendJSONString(%q) = %s, %v; want x%s", s, got, err, want)
		}
	}
}

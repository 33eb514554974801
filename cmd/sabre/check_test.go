package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lostUpdate is two concurrent Atomics.add that both read 0: not linearizable.
const lostUpdate = `{"format":"sabre-history","version":1,"buffers":1}
{"id":1,"shared":true,"length":8,"maxLength":8}
{"agent":1,"seq":1,"kind":"init","order":"init","op":"SharedArrayBuffer","buffer":1,"size":8,"call":1,"return":2}
{"agent":2,"seq":1,"kind":"rmw","order":"seq-cst","op":"Atomics.add","buffer":1,"size":4,"noTear":true,"read":"00000000","written":"01000000","modifyOp":"add","operand":"01000000","call":3,"return":6}
{"agent":3,"seq":1,"kind":"rmw","order":"seq-cst","op":"Atomics.add","buffer":1,"size":4,"noTear":true,"read":"00000000","written":"01000000","modifyOp":"add","operand":"01000000","call":4,"return":7}
`

func TestCheckCLI(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "lost-update.jsonl", lostUpdate)
	okSrc := strings.Replace(lostUpdate, `"read":"00000000","written":"01000000","modifyOp":"add","operand":"01000000","call":4`,
		`"read":"01000000","written":"02000000","modifyOp":"add","operand":"01000000","call":4`, 1)
	good := writeFile(t, dir, "ok.jsonl", okSrc)

	code, out, errs := runCLI(t, "check", "--checks", "lin", good)
	if code != 0 || !strings.Contains(out, "ok.jsonl: lin: ok") {
		t.Errorf("ok history: %d %q %q", code, out, errs)
	}
	code, out, _ = runCLI(t, "check", "--checks", "lin", bad)
	if code != 1 || !strings.Contains(out, "lin: illegal") || !strings.Contains(out, "a3#1 Atomics.add") {
		t.Errorf("bad history: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "check", "--checks", "lin", "--json", good, bad)
	var res []checkJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 || len(res) != 2 ||
		res[0].Results[0].Verdict.String() != "ok" || res[1].Results[0].Verdict.String() != "illegal" {
		t.Errorf("--json: %d %v %q", code, err, out)
	}
	if !strings.Contains(out, `"verdict": "illegal"`) {
		t.Errorf("--json spells verdicts as names: %q", out)
	}
	html := filepath.Join(dir, "lin.html")
	if code, _, errs := runCLI(t, "check", "--checks", "lin", "--html", html, bad); code != 1 {
		t.Errorf("--html: %d %q", code, errs)
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "<html") {
		t.Errorf("--html wrote %d bytes: %v", len(b), err)
	}
	stdin = strings.NewReader(okSrc)
	defer func() { stdin = os.Stdin }()
	if code, out, _ := runCLI(t, "check", "--checks", "lin", "-"); code != 0 || !strings.Contains(out, "-: lin: ok") {
		t.Errorf("stdin: %d %q", code, out)
	}
}

func TestCheckCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "ok.jsonl", lostUpdate)
	malformed := writeFile(t, dir, "bad.jsonl", strings.Replace(lostUpdate, `"kind":"rmw"`, `"kind":"rwm"`, 1))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "no HISTORY given"},
		{[]string{"--model", "x86", good}, `unknown model "x86"`},
		{[]string{"--checks", "lin,speed", good}, `unknown check "speed"`},
		{[]string{"--checks", "lin,lin", good}, "named twice"},
		{[]string{"--checks", "", good}, "empty check name"},
		{[]string{"--budget", "-1s", good}, "negative"},
		{[]string{"--html", filepath.Join(dir, "x.html"), good, good}, "one HISTORY"},
		{[]string{"--html", filepath.Join(dir, "x.html"), "--checks", "race", good}, "leaves out"},
		{[]string{malformed}, `line 4: field "kind"`},
		{[]string{filepath.Join(dir, "missing.jsonl")}, "no such file"},
		{[]string{dir}, "not a regular file"},
		{[]string{"--budget", "soon", good}, "invalid value"},
	} {
		code, _, errs := runCLI(t, append([]string{"check"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
	if code, _, _ := runCLI(t, "check", "-h"); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}

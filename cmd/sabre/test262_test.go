package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const test262Root = "../../js/test262/testdata/root"

func TestTest262CommandPassing(t *testing.T) {
	var out, errb bytes.Buffer
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code := run([]string{"test262", "--root", test262Root, "test/pass.js", "--junit", junit, "test/strict-only.js", "test/module.js"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stdout %s stderr %s", code, out.String(), errb.String())
	}
	want := "PASS test/module.js" // never: module tests are skipped
	if strings.Contains(out.String(), want) {
		t.Fatalf("module test run: %s", out.String())
	}
	for _, s := range []string{"PASS test/pass.js\n", "PASS test/strict-only.js\n", "SKIP test/module.js: module test", "skipped:\n  1 × module test", "\n2 passed, 0 failed, 1 skipped\n"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Suites []struct {
			Tests int `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &v); err != nil || len(v.Suites) != 1 || v.Suites[0].Tests != 3 {
		t.Fatalf("junit %s: %v %+v", b, err, v)
	}
}

func TestTest262CommandFailing(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"test262", "--root", test262Root, "--timeout", "200ms", "test/fail.js", "test/pass.js"}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout %s stderr %s", code, out.String(), errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "FAIL test/fail.js: sloppy: Test262Error") || lines[1] != "PASS test/pass.js" || lines[2] != "1 passed, 1 failed, 0 skipped" {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestTest262CommandBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"test262"},
		{"test262", "--root", "/no/such/dir"},
		{"test262", "--root", "."},
		{"test262", "--root", test262Root, "test/no-such.js"},
		{"test262", "--root", test262Root, "--jobs", "0"},
		{"test262", "--root", test262Root, "--timeout", "0s"},
		{"test262", "--bogus"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %s)", args, code, errb.String())
		}
		if len(args) > 1 && args[1] != "--bogus" && !strings.Contains(errb.String(), "sabre test262: ") {
			t.Errorf("%v: stderr %q names no cause", args, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"help", "test262"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "N passed, N failed, N skipped") {
		t.Errorf("help: %d %s", code, errb.String())
	}
}

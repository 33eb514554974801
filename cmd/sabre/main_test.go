package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/scenarios/litmus"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const mpSrc = `JS MP+test
"plain data, seq-cst flag"
{ Int32 x[1]; Int32 y[1]; }
P0 { x[0] = 1; Atomics.store(y, 0, 1); }
P1 { r0 = Atomics.load(y, 0); r1 = x[0]; }
exists (1:r0=1 /\ 1:r1=0)
expect es2024: Never
expect es2017: Never
expect sc: Never
`

const sbSrc = `JS SB+test
{ Int32 x[1]; Int32 y[1]; }
P0 { x[0] = 1; r0 = y[0]; }
P1 { y[0] = 1; r0 = x[0]; }
exists (0:r0=0 /\ 1:r0=0)
expect es2024: Sometimes
expect sc: Sometimes // wrong: sc forbids it
`

func TestDispatch(t *testing.T) {
	if code, _, errs := runCLI(t); code != 2 || !strings.Contains(errs, "usage: sabre <command>") {
		t.Errorf("no args: %d %q", code, errs)
	}
	if code, out, _ := runCLI(t, "help"); code != 0 || !strings.Contains(out, "litmus") {
		t.Errorf("help: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "help", "litmus"); code != 0 || !strings.Contains(errs, "usage: sabre litmus") {
		t.Errorf("help litmus: %d %q", code, errs)
	}
	if code, out, errs := runCLI(t, "help", "frobnicate"); code != 2 || out != "" || !strings.Contains(errs, `no help for unknown command "frobnicate"`) {
		t.Errorf("help for an unknown command: %d %q %q", code, out, errs)
	}
}

func TestLitmusCatalogueAllModels(t *testing.T) {
	code, out, errs := runCLI(t, "litmus")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	tests, err := litmus.CatalogueTests()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3*len(tests) {
		t.Fatalf("%d lines for %d tests", len(lines), len(tests))
	}
	for i, l := range lines {
		m := []string{"es2024", "es2017", "sc"}[i%3]
		f := strings.Fields(l)
		if len(f) != 6 || f[0] != m || f[1] != "Observation" || f[2] != tests[i/3].Name {
			t.Errorf("line %d: %q", i, l)
		}
	}
	if !strings.Contains(out, "es2017  Observation SC-DRF+ecma262-1354 Sometimes") ||
		!strings.Contains(out, "es2024  Observation SC-DRF+ecma262-1354 Never 0 ") {
		t.Error("the SC-DRF counterexample does not separate es2024 from es2017")
	}
}

func TestLitmusSingleModelIsHerdLine(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "mp.litmus", mpSrc)
	code, out, errs := runCLI(t, "litmus", "--model", "es2024", p)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if out != "Observation MP+test Never 0 3\n" {
		t.Errorf("output %q", out)
	}
}

func TestLitmusFailedExpectationExits1(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "sb.litmus", sbSrc)
	code, out, errs := runCLI(t, "litmus", p)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, errs)
	}
	want := p + ":7:1: SB+test: expect sc: Sometimes, got Never (0 positive, 3 negative)"
	if !strings.Contains(errs, want) || !strings.Contains(errs, "1 expectation(s) failed") {
		t.Errorf("stderr %q, want %q", errs, want)
	}
	if strings.Contains(errs, "es2024") {
		t.Errorf("a holding expectation is reported: %q", errs)
	}
	if !strings.Contains(out, "sc      Observation SB+test Never 0 3") {
		t.Errorf("stdout %q", out)
	}
	// Only the holding model: exit 0.
	if code, _, errs := runCLI(t, "litmus", "--model", "es2024", p); code != 0 {
		t.Errorf("es2024 only: exit %d %q", code, errs)
	}
}

func TestLitmusBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.litmus", "JS Bad\n{ Int32 x[1]; }\nP0 { x[3] = 1; }\nexists (x=1)\n")
	good := writeFile(t, dir, "good.litmus", mpSrc)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"litmus", good, bad}, bad + ":3:8: index 3 out of range for Int32 x[1]"},
		{[]string{"litmus", filepath.Join(dir, "missing.litmus")}, "missing.litmus: no such file"},
		{[]string{"litmus", "--model", "x86", good}, `unknown model "x86"`},
		{[]string{"litmus", "--frob"}, "flag provided but not defined"},
		{[]string{"litmus", t.TempDir()}, "directory holds no *.litmus files"},
	} {
		code, out, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, errs, c.msg)
		}
		if out != "" {
			t.Errorf("%v: output on bad input: %q", c.args, out)
		}
	}
}

// TestLitmusModelLimitsBeforeAnyResult checks that a test the model would
// refuse (here a 2,400-byte block, beyond model.MaxBlockSize) is reported
// with its position when the files are parsed, before any test runs: no
// output, exit 2.
func TestLitmusModelLimitsBeforeAnyResult(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.litmus", mpSrc)
	big := writeFile(t, dir, "b.litmus", "JS Big\n{ Uint8 x[2400]; }\nP0 { x[0] = 1; }\nexists (x[0]=1)\n")
	for _, args := range [][]string{{"litmus", dir}, {"litmus", "--json", dir}, {"litmus", filepath.Join(dir, "a.litmus"), big}} {
		code, out, errs := runCLI(t, args...)
		want := big + ":2:11: view length 2400 out of range (0..1024)"
		if code != 2 || out != "" || !strings.HasPrefix(errs, want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", args, code, out, errs, want)
		}
	}
}

func TestLitmusDirectorySorted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.litmus", mpSrc)
	writeFile(t, dir, "a.litmus", strings.Replace(sbSrc, "expect sc: Sometimes", "expect sc: Never", 1))
	writeFile(t, dir, "notes.txt", "not a test")
	code, out, errs := runCLI(t, "litmus", "--model", "sc", dir)
	if code != 0 {
		t.Fatalf("exit %d %q", code, errs)
	}
	if out != "Observation SB+test Never 0 3\nObservation MP+test Never 0 3\n" {
		t.Errorf("output %q", out)
	}
}

func TestLitmusStates(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "sb.litmus", strings.Replace(sbSrc, "exists", "~exists", 1))
	code, out, _ := runCLI(t, "litmus", "--model", "es2024", "--states", p)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := `Test SB+test Forbidden
States 4
0:r0=0; 1:r0=0; x[0]=1; y[0]=1;
0:r0=0; 1:r0=1; x[0]=1; y[0]=1;
0:r0=1; 1:r0=0; x[0]=1; y[0]=1;
0:r0=1; 1:r0=1; x[0]=1; y[0]=1;
No
Witnesses
Positive: 3 Negative: 1
Condition ~exists (0:r0=0 /\ 1:r0=0)
Observation SB+test Sometimes 1 3

`
	if out != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
	code, out, _ = runCLI(t, "litmus", "--states", p)
	if code != 1 { // expect sc: Sometimes is wrong
		t.Errorf("exit %d", code)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, "es2024  ") && !strings.HasPrefix(l, "es2017  ") && !strings.HasPrefix(l, "sc      ") {
			t.Errorf("unprefixed line in all-models mode: %q", l)
		}
	}
}

func TestLitmusJSON(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "sb.litmus", sbSrc)
	code, out, _ := runCLI(t, "litmus", "--json", "--states", p)
	if code != 1 {
		t.Errorf("exit %d, want 1 (the sc expectation fails)", code)
	}
	var rs []litmusResult
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rs) != 3 {
		t.Fatalf("%d results", len(rs))
	}
	r := rs[0]
	if r.Test != "SB+test" || r.Model != "es2024" || r.Result != "Sometimes" || r.Positive != 1 || r.Negative != 3 ||
		!r.Ok || r.Expected != "Sometimes" || r.Pass == nil || !*r.Pass || len(r.States) != 4 || r.File != p {
		t.Errorf("es2024 result %+v", r)
	}
	if rs[1].Model != "es2017" || rs[1].Expected != "" || rs[1].Pass != nil {
		t.Errorf("es2017 result %+v", rs[1])
	}
	if rs[2].Model != "sc" || rs[2].Pass == nil || *rs[2].Pass || rs[2].Result != "Never" {
		t.Errorf("sc result %+v", rs[2])
	}
	code, out, _ = runCLI(t, "litmus", "--json", "--model", "sc", filepath.Join(dir, "none.litmus"))
	if code != 2 || out != "" {
		t.Errorf("bad input with --json: %d %q", code, out)
	}
}

func TestMainRegistry(t *testing.T) {
	if _, ok := commands["litmus"]; !ok {
		t.Fatal("litmus is not registered")
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a command twice does not panic")
		}
	}()
	register(command{name: "litmus", run: func([]string, io.Writer, io.Writer) int { return 0 }})
}

func TestLitmusTimeoutExits2(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "mp.litmus", mpSrc)
	code, out, errs := runCLI(t, "litmus", "--timeout", "1ns", p)
	if code != 2 || out != "" || !strings.Contains(errs, p+": MP+test under es2024: gave up after --timeout 1ns") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, "litmus", "--timeout", "1m", p); code != 0 {
		t.Errorf("generous timeout: exit %d %q", code, errs)
	}
}

// TestLitmusBadFlagValues checks that every flag value that cannot mean
// what it says is refused before anything runs, with exit status 2.
func TestLitmusBadFlagValues(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "mp.litmus", mpSrc)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--timeout", "-1s"}, "sabre litmus: --timeout -1s is negative (0 means no limit)"},
		{[]string{"--timeout", "-1ns"}, "sabre litmus: --timeout -1ns is negative (0 means no limit)"},
		{[]string{"--timeout", "9999999999h"}, "invalid value"},
		{[]string{"--max-states", "-1"}, "sabre litmus: --max-states -1 is negative (0 means no limit)"},
		{[]string{"--max-states", "99999999999999999999"}, "value out of range"},
		{[]string{"--model", ""}, `sabre litmus: unknown model ""`},
		{[]string{"--states=maybe"}, "invalid boolean value"},
	} {
		code, out, errs := runCLI(t, append(append([]string{"litmus"}, c.args...), p)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", c.args, code, out, errs, c.msg)
		}
	}
}

// TestLitmusInputLimits checks that a file beyond litmus.MaxFileSize is
// refused without being read (the 3 GiB file is sparse), naming its path,
// and that an unreadable directory is reported as such.
func TestLitmusInputLimits(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.litmus", mpSrc)
	big := writeFile(t, dir, "big.litmus", mpSrc)
	if err := os.Truncate(big, 3<<30); err != nil {
		t.Skipf("no sparse 3 GiB file here: %v", err)
	}
	want := "read " + big + ": 3221225472 bytes, beyond the 1048576-byte limit on a litmus file (litmus.MaxFileSize)"
	for _, args := range [][]string{{"litmus", big}, {"litmus", dir}} {
		code, out, errs := runCLI(t, args...)
		if code != 2 || out != "" || !strings.Contains(errs, want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", args, code, out, errs, want)
		}
	}
	if os.Geteuid() == 0 {
		t.Skip("permissions do not bind root")
	}
	locked := t.TempDir()
	writeFile(t, locked, "a.litmus", mpSrc)
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(locked, 0o755)
	code, out, errs := runCLI(t, "litmus", locked)
	if want := "open " + locked + ": permission denied"; code != 2 || out != "" || !strings.Contains(errs, want) || strings.Contains(errs, "holds no") {
		t.Errorf("unreadable directory: exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, out, errs, want)
	}
}

func TestLitmusMaxStatesExits2(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "mp.litmus", mpSrc)
	code, out, errs := runCLI(t, "litmus", "--max-states", "1", p)
	if code != 2 || out != "" || !strings.Contains(errs, p+": MP+test under es2024: gave up after --max-states 1") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, "litmus", "--max-states", "-1", p); code != 2 || !strings.Contains(errs, "--max-states -1 is negative") {
		t.Errorf("negative limit: exit %d %q", code, errs)
	}
	for _, n := range []string{"0", "1000"} {
		if code, _, errs := runCLI(t, "litmus", "--max-states", n, p); code != 0 {
			t.Errorf("--max-states %s: exit %d %q", n, code, errs)
		}
	}
}

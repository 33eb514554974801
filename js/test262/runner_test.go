package test262

import (
	"bytes"
	"context"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/js"
	"go.uber.org/goleak"
)

const root = "testdata/root"

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// realmInstalled reports whether package js's realm provides
// SharedArrayBuffer and Atomics (the tests under testdata/root/test/realm
// need them).
func realmInstalled(t *testing.T) bool {
	a, err := js.NewAgent(js.AgentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	v, err := a.Eval("probe.js", `typeof SharedArrayBuffer === "function" && typeof Atomics === "object"`)
	return err == nil && v.ToBoolean()
}

func newRunner(t *testing.T, cfg Config) *Runner {
	t.Helper()
	if cfg.Root == "" {
		cfg.Root = root
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunnerVerdicts(t *testing.T) {
	r := newRunner(t, Config{Timeout: 20 * time.Second, Jobs: 4})
	want := map[string]struct {
		status Status
		reason []string // substrings of the reason
		modes  string
	}{
		"test/pass.js":                 {Pass, nil, "sloppy,strict"},
		"test/fail.js":                 {Fail, []string{"sloppy: Test262Error: Expected 2 but got 1: one is not two", "strict: "}, "sloppy,strict"},
		"test/strict-only.js":          {Pass, nil, "strict"},
		"test/sloppy-only.js":          {Pass, nil, "sloppy"},
		"test/both-modes.js":           {Fail, []string{"strict: Test262Error"}, "sloppy,strict"},
		"test/raw.js":                  {Pass, nil, "raw"},
		"test/negative-parse.js":       {Pass, nil, "sloppy,strict"},
		"test/negative-runtime.js":     {Pass, nil, "sloppy,strict"},
		"test/negative-wrong-type.js":  {Fail, []string{"expected a RangeError at runtime", "TypeError"}, "sloppy,strict"},
		"test/negative-completes.js":   {Fail, []string{"expected a Test262Error at runtime, but it completed"}, "sloppy,strict"},
		"test/async-pass.js":           {Pass, nil, "sloppy,strict"},
		"test/async-fail.js":           {Fail, []string{"Test262Error: async boom"}, "sloppy,strict"},
		"test/async-nodone.js":         {Fail, []string{"did not call $DONE"}, "sloppy,strict"},
		"test/module.js":               {Skip, []string{"module"}, ""},
		"test/cross-realm.js":          {Skip, []string{"feature cross-realm"}, ""},
		"test/multi-agent.js":          {Pass, nil, "sloppy,strict"},
		"test/realm/canblock-true.js":  {Pass, nil, "sloppy,strict"},
		"test/realm/canblock-false.js": {Pass, nil, "sloppy,strict"},
		"test/realm/broadcast-sab.js":  {Pass, nil, "sloppy,strict"},
	}
	realm := realmInstalled(t)
	all, err := r.Collect(nil)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range all {
		if !strings.Contains(filepath.ToSlash(f), "/sub/") { // TestRunnerTimeout's
			files = append(files, f)
		}
	}
	if len(files) != len(want) {
		t.Fatalf("collected %d files, want %d: %v", len(files), len(want), files)
	}
	var got []Result
	var sum Summary
	r.Run(context.Background(), files, func(res Result) {
		got = append(got, res)
		sum.Add(res)
	})
	if len(got) != len(files) {
		t.Fatalf("%d results for %d files", len(got), len(files))
	}
	for i, res := range got {
		if res.Path != r.rel(files[i]) {
			t.Errorf("result %d is %s, want %s (results in file order)", i, res.Path, r.rel(files[i]))
		}
		w, ok := want[res.Path]
		if !ok {
			t.Errorf("unexpected file %s", res.Path)
			continue
		}
		if strings.HasPrefix(res.Path, "test/realm/") && !realm {
			t.Logf("%s: %v %s (the realm is not installed: not checked)", res.Path, res.Status, res.Reason)
			continue
		}
		if res.Status != w.status {
			t.Errorf("%s: %v (%s), want %v", res.Path, res.Status, res.Reason, w.status)
		}
		for _, s := range w.reason {
			if !strings.Contains(res.Reason, s) {
				t.Errorf("%s: reason %q lacks %q", res.Path, res.Reason, s)
			}
		}
		if m := strings.Join(res.Modes, ","); m != w.modes {
			t.Errorf("%s: modes %s, want %s", res.Path, m, w.modes)
		}
	}
	if sum.Skipped != 2 || sum.Passed+sum.Failed != len(files)-2 {
		t.Errorf("summary %v", sum)
	}
	if !strings.HasSuffix(sum.String(), "failed, 2 skipped") {
		t.Errorf("summary line %q", sum.String())
	}
	var skips bytes.Buffer
	if err := sum.WriteSkips(&skips); err != nil || !strings.Contains(skips.String(), "1 × feature cross-realm: needs $262.createRealm") {
		t.Errorf("skips %q (%v)", skips.String(), err)
	}
	// JUnit
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, got, time.Second); err != nil {
		t.Fatal(err)
	}
	var parsed junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &parsed); err != nil {
		t.Fatalf("JUnit output does not parse: %v", err)
	}
	s := parsed.Suites[0]
	if s.Tests != len(got) || s.Failures != sum.Failed || s.Skipped != sum.Skipped || len(s.Cases) != len(got) {
		t.Errorf("JUnit suite %+v", s)
	}
}

func TestRunnerTimeout(t *testing.T) {
	r := newRunner(t, Config{Timeout: 300 * time.Millisecond})
	files, err := r.Collect([]string{"test/sub"})
	if err != nil || len(files) != 1 {
		t.Fatalf("%v %v", files, err)
	}
	start := time.Now()
	res := r.RunFile(files[0])
	if res.Status != Fail || res.Reason != "sloppy: timeout: no result within 300ms; strict: timeout: no result within 300ms" {
		t.Fatalf("%v %q", res.Status, res.Reason)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a 300ms timeout took %v", d)
	}
}

func TestRunnerBadInput(t *testing.T) {
	r := newRunner(t, Config{})
	for file, want := range map[string]string{
		"testdata/bad/malformed.js":       "malformed.js: front matter line 3: flags",
		"testdata/bad/nofrontmatter.js":   "nofrontmatter.js: no front matter",
		"testdata/bad/missing-include.js": "include no-such-file.js",
		"testdata/bad/no-such-file.js":    "no-such-file.js",
	} {
		abs, _ := filepath.Abs(file)
		res := r.RunFile(abs)
		if res.Status != Fail || !strings.Contains(res.Reason, want) {
			t.Errorf("%s: %v %q, want a Fail naming %q", file, res.Status, res.Reason, want)
		}
	}
	if _, err := r.Collect([]string{"test/nope"}); err == nil || !strings.Contains(err.Error(), "test/nope") {
		t.Errorf("Collect of a missing path: %v", err)
	}
	for _, cfg := range []Config{{}, {Root: "testdata/bad"}, {Root: "testdata/nowhere"}, {Root: root, Jobs: -1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	if _, err := r.program("../sta.js"); err == nil {
		t.Error("an include outside harness/ accepted")
	}
}

func TestRunnerSharesHarnessPrograms(t *testing.T) {
	r := newRunner(t, Config{})
	p1, err := r.program("assert.js")
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := r.program("assert.js")
	if p1 != p2 {
		t.Fatal("assert.js compiled twice")
	}
}

func TestRunnerCancel(t *testing.T) {
	r := newRunner(t, Config{Jobs: 1, Timeout: 200 * time.Millisecond})
	files, err := r.Collect([]string{"test/sub", "test/pass.js"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	r.Run(ctx, files, func(Result) { n++ })
	if n > 1 {
		t.Fatalf("%d results after cancel", n)
	}
}

package test262

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseFrontMatter(t *testing.T) {
	src := `// Copyright
/*---
esid: sec-atomics.notify
description: >
  A long description: with a colon
  includes: [not, a, key]
info: |
  flags: [nope]
includes: [atomicsHelper.js, 'twice.js']
flags: [CanBlockIsFalse, async]
features:
  - Atomics
  - SharedArrayBuffer
negative:
  phase: runtime
  type: Test262Error
---*/
code();
`
	m, err := ParseFrontMatter([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Meta{
		Includes: []string{"atomicsHelper.js", "twice.js"},
		Flags:    []string{"CanBlockIsFalse", "async"},
		Features: []string{"Atomics", "SharedArrayBuffer"},
		Negative: &Negative{Phase: "runtime", Type: "Test262Error"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got %+v %+v, want %+v %+v", m, m.Negative, want, want.Negative)
	}
	if !m.Has("async") || m.Has("raw") {
		t.Fatal("Has")
	}
}

func TestParseFrontMatterErrors(t *testing.T) {
	for src, want := range map[string]string{
		"var x;":                                  "no front matter",
		"/*---\nflags: []\n":                      "not closed",
		"/*---\nflags: [a\n---*/":                 "line 2: flags",
		"/*---\nflags: [a,,b]\n---*/":             "empty item",
		"/*---\nflags: a\n---*/":                  "want a list",
		"/*---\nflags: []\nflags: []\n---*/":      "given twice",
		"/*---\nnegative:\n  phase: later\n---*/": "negative phase",
		"/*---\nnegative:\n  phase: parse\n---*/": "without a type",
		"/*---\njust words\n---*/":                "not a key: value",
		"/*---\nincludes:\n  -\n---*/":            "empty includes item",
		"/*---\nfeatures: [[a]]\n---*/":           "nested list",
		"/*---\nnegative:\n  oops\n---*/":         "not a key: value",
	} {
		_, err := ParseFrontMatter([]byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error containing %q", src, err, want)
		}
	}
}

func FuzzFrontMatter(f *testing.F) {
	files, _ := filepath.Glob("testdata/root/test/*.js")
	bad, _ := filepath.Glob("testdata/bad/*.js")
	for _, p := range append(files, bad...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("/*---\nnegative:\n\n  type: X\n  phase: parse\nincludes:\n-a\n---*/"))
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := ParseFrontMatter(src)
		if err == nil && m == nil {
			t.Fatal("nil Meta without an error")
		}
		if err != nil && m != nil {
			t.Fatal("Meta with an error")
		}
		if err == nil && m.Negative != nil && m.Negative.Type == "" {
			t.Fatal("negative without a type accepted")
		}
	})
}

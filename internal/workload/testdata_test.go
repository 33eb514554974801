package workload

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sabre-mm/sabre/history"
)

// testdataDir holds the ok/bad pairs that gentestdata writes.
var testdataDir = filepath.Join("..", "..", "checker", "testdata")

// TestTestdataPairs checks the committed pairs in checker/testdata: each
// case's -ok history (the real core) reads back, converts and shows no
// case's symptom; its -bad history (under the case's mutant) reads back
// and shows its mutant's symptom. Regenerate them with
//
//	go run -tags sabre_mutants ./internal/workload/gentestdata
func TestTestdataPairs(t *testing.T) {
	read := func(name string) *history.History {
		t.Helper()
		f, err := os.Open(filepath.Join(testdataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h, err := history.Read(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return h
	}
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			checkClean(t, c.Name+"-ok.jsonl", read(c.Name+"-ok.jsonl"))
			msg, bad := c.Symptom(read(c.Name + "-bad.jsonl"))
			if !bad {
				t.Fatalf("%s-bad.jsonl does not show %s's symptom", c.Name, c.Mutant)
			}
			t.Logf("%s-bad.jsonl: %s", c.Name, msg)
		})
	}
}

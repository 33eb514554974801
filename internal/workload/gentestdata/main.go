// Command gentestdata writes the ok/bad history pairs of sabre's checker
// tests: for each workload.Case, <case>-ok.jsonl, a run of the real core,
// and <case>-bad.jsonl, a run under the case's mutant whose history shows
// the mutant's symptom (issue 7: "ok/bad history pairs for each check
// under checker/testdata/ … made by the project's own recorder (a bad one
// from a mutant)"). It needs the mutants compiled in:
//
//	go run -tags sabre_mutants ./internal/workload/gentestdata [-dir checker/testdata] [-runs 200]
//
// The runs are small (a quarter of each case's default iterations, at
// least 2), so that the files stay small. Every -ok history is checked to
// be valid, to convert, and to show no case's symptom; every -bad one to
// show its own. Exit status: 0 when every pair was written, 1 when a case
// failed, 2 on bad flags or a build without the tag.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/workload"
)

func main() {
	dir := flag.String("dir", filepath.Join("checker", "testdata"), "the directory to write the pairs to")
	runs := flag.Int("runs", 200, "the most runs of a workload under its mutant before giving up")
	flag.Parse()
	if flag.NArg() > 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: gentestdata [-dir DIR] [-runs N]")
		os.Exit(2)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	status := 0
	for _, c := range workload.Cases() {
		if err := pair(*dir, c, *runs); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", c.Name, err)
			if errors.Is(err, workload.ErrNoMutants) {
				fmt.Fprintln(os.Stderr, "build with: go run -tags sabre_mutants ./internal/workload/gentestdata")
				os.Exit(2)
			}
			status = 1
		}
	}
	os.Exit(status)
}

// small is the Config of c's testdata runs.
func small(c workload.Case) workload.Config {
	return workload.Config{Iterations: max(2, c.Default.Iterations/4)}
}

// pair writes c's -ok and -bad files.
func pair(dir string, c workload.Case, runs int) error {
	bad, n, msg, err := c.Expose(small(c), runs)
	if err != nil {
		return err
	}
	ok, err := c.Run(small(c))
	if err != nil {
		return err
	}
	if err := clean(ok); err != nil {
		return fmt.Errorf("the real core's history: %w", err)
	}
	if err := write(filepath.Join(dir, c.Name+"-ok.jsonl"), ok); err != nil {
		return err
	}
	if err := write(filepath.Join(dir, c.Name+"-bad.jsonl"), bad); err != nil {
		return err
	}
	fmt.Printf("%-24s ok: %4d events; bad (%s, run %d): %4d events: %s\n", c.Name, len(ok.Events), c.Mutant, n, len(bad.Events), msg)
	return nil
}

// clean checks what every history of the real core satisfies.
func clean(h *history.History) error {
	if _, err := history.Convert(h); err != nil {
		return err
	}
	for _, c := range workload.Cases() {
		if msg, bad := c.Symptom(h); bad {
			return fmt.Errorf("shows %s's symptom: %s", c.Mutant, msg)
		}
	}
	return nil
}

func write(path string, h *history.History) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := history.Write(w, h); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

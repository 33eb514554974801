package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

func init() {
	register(command{
		name:    "check",
		summary: "check recorded histories: linearizability, model conformance, data races",
		run:     runCheck,
	})
}

const checkUsage = `usage: sabre check [--model NAME] [--checks lin,conf,race] [--budget D] [--json] [--html FILE] HISTORY...

Reads each HISTORY (a history file, docs/history.md; "-" is standard input)
and prints one verdict per check:
    FILE: CHECK: ok|illegal|unknown — reason
followed, for an illegal verdict, by its findings (indented). The checks
(docs/checker.md):
    lin   the seq-cst Atomics, Wait/Notify and Queue operations are linearizable (porcupine)
    conf  a candidate execution valid under --model explains every value read
    race  no data race, by the memory model's definitions

Exit status: 0 when every check holds on every history; 1 when one fails
(illegal); 2 on bad input (an unreadable file, a malformed history — its
line and field are printed —, a bad flag) or when a check exhausts its
--budget undecided (unknown), with the reason.

Flags:
`

// checkJSON is one history's results in --json output.
type checkJSON struct {
	File    string           `json:"file"`
	Results []checker.Result `json:"results"`
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelName := fs.String("model", model.ES2024.Name(), "the memory model conformance checks against: "+strings.Join(model.VariantNames(), ", "))
	checks := fs.String("checks", "lin,conf,race", "the checks to run, comma-separated")
	budget := fs.Duration("budget", time.Minute, "the time each check may take on one history before it answers unknown (0: no limit)")
	asJSON := fs.Bool("json", false, "print the results as JSON (an array of {file, results}) instead of text")
	html := fs.String("html", "", "write porcupine's visualisation of the linearizability check to `FILE` (one HISTORY only)")
	fs.Usage = func() {
		fmt.Fprint(stderr, checkUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sabre check: "+format+"\n", a...)
		return 2
	}
	v, err := model.VariantByName(*modelName)
	if err != nil {
		return fail("--model: unknown model %q (want one of %s)", *modelName, strings.Join(model.VariantNames(), ", "))
	}
	cs, err := checker.ParseChecks(*checks)
	if err != nil {
		return fail("--checks: %v", strings.TrimPrefix(err.Error(), "checker: "))
	}
	if *budget < 0 {
		return fail("--budget %v is negative (0 means no limit)", *budget)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fail("no HISTORY given")
	}
	if *html != "" && fs.NArg() != 1 {
		return fail("--html takes one HISTORY, not %d", fs.NArg())
	}
	if *html != "" && !slices.Contains(cs, checker.Lin) {
		return fail("--html visualises the lin check, which --checks leaves out")
	}
	// Read every history first: bad input is reported before any check runs.
	hs := make([]*history.History, fs.NArg())
	for i, p := range fs.Args() {
		h, err := readHistory(p, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "sabre check: %s: %v\n", p, err)
			return 2
		}
		hs[i] = h
	}
	opt := checker.Options{Model: v, Budget: *budget}
	var all []checkJSON
	illegal, unknown := false, false
	for i, h := range hs {
		file := fs.Arg(i)
		results, err := runChecks(h, cs, opt, *html)
		if err != nil {
			fmt.Fprintf(stderr, "sabre check: %s: %v\n", file, err)
			return 2
		}
		for _, r := range results {
			illegal = illegal || r.Verdict == checker.Illegal
			unknown = unknown || r.Verdict == checker.Unknown
			if !*asJSON {
				printResult(stdout, file, r)
			}
			if r.Verdict == checker.Unknown {
				fmt.Fprintf(stderr, "sabre check: %s: %s: undecided within --budget %v: %s\n", file, r.Check, *budget, r.Reason)
			}
		}
		all = append(all, checkJSON{File: file, Results: results})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			return fail("%v", err)
		}
	}
	switch {
	case illegal:
		return 1
	case unknown:
		return 2
	}
	return 0
}

// stdin is where "-" reads from; tests replace it.
var stdin io.Reader = os.Stdin

// readHistory reads a history file (only a regular file, or "-"), with
// the file's line and field in its errors.
func readHistory(path string, in io.Reader) (*history.History, error) {
	if path == "-" {
		return history.Read(in)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%v)", st.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return history.Read(f)
}

func printResult(w io.Writer, file string, r checker.Result) {
	fmt.Fprintf(w, "%s: %s: %s — %s (%v)\n", file, r.Check, r.Verdict, r.Reason, r.Elapsed.Round(time.Microsecond))
	if r.Verdict != checker.Illegal {
		return
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "    %s\n", f.Message)
		for _, e := range f.Events {
			fmt.Fprintf(w, "        %v (event %d)\n", e, e.Index)
		}
	}
}

// runChecks runs the checks cs on h; with html set it runs the lin check
// on its own, to write its visualisation to the file html from the same
// report (WriteHTML re-runs porcupine once to keep what it draws).
func runChecks(h *history.History, cs []checker.Check, opt checker.Options, html string) ([]checker.Result, error) {
	ctx := context.Background()
	if html == "" {
		return checker.Run(ctx, h, cs, opt)
	}
	var out []checker.Result
	for _, c := range cs {
		if c != checker.Lin {
			rs, err := checker.Run(ctx, h, []checker.Check{c}, opt)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
			continue
		}
		r, err := checker.Linearizability(ctx, h, opt)
		if err != nil {
			return nil, err
		}
		if err := writeHTML(html, r, opt.Budget); err != nil {
			return nil, fmt.Errorf("--html: %w", err)
		}
		out = append(out, r.Result)
	}
	return out, nil
}

func writeHTML(path string, r *checker.LinReport, budget time.Duration) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteHTML(f, budget); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

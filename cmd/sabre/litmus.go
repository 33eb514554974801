package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios/litmus"
)

func init() {
	register(command{
		name:    "litmus",
		summary: "run litmus tests under the ECMAScript memory model (herd7-style results)",
		run:     runLitmus,
	})
}

const litmusUsage = `usage: sabre litmus [--model NAME] [--states] [--json] [--timeout D] [--max-states N] [FILE|DIR ...]

Runs each litmus test and prints herd7's result line
    Observation <name> Always|Sometimes|Never <positive> <negative>
where positive/negative count the allowed final states that satisfy / do not
satisfy the condition's proposition. With --model only that model runs and
the lines are exactly herd7's; without it every model runs (%s) and each
line is prefixed with the model's name, padded to a common width.

With no FILE or DIR the built-in catalogue runs. A DIR runs every *.litmus
file in it, sorted by name. Only regular files of at most %d bytes are
read (litmus.MaxFileSize); every file is parsed before any test runs.

Exit status: 0 when every expectation ("expect <model>: ...") holds, 1 when
one does not (each failure is reported on stderr with expected and got), 2 on
bad input (a positioned parse error, including a test beyond the model's
limits; an unknown model; a bad flag value; an unreadable, irregular or
oversized file) or a test that exceeds --timeout or --max-states.

Each allowed final state costs memory (a few hundred bytes with its witness),
so a test with more than --max-states states under a model is given up
rather than allowed to exhaust memory; raise the limit (0: none) for such a
test, and bound its time with --timeout.

Flags:
`

// defaultMaxStates is --max-states's default: well above every catalogue
// test, and a few hundred megabytes at most.
const defaultMaxStates = 200000

// litmusResult is one test under one model in --json output.
type litmusResult struct {
	File      string        `json:"file"`
	Test      string        `json:"test"`
	Model     string        `json:"model"`
	Condition string        `json:"condition"`
	Result    string        `json:"result"`
	Positive  int           `json:"positive"`
	Negative  int           `json:"negative"`
	Ok        bool          `json:"ok"`
	Expected  string        `json:"expected,omitempty"`
	Pass      *bool         `json:"pass,omitempty"`
	States    []stateResult `json:"states,omitempty"`
}

type stateResult struct {
	State     string `json:"state"`
	Satisfies bool   `json:"satisfies"`
}

func runLitmus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("litmus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelName := fs.String("model", "", "run only this model: "+strings.Join(model.VariantNames(), ", "))
	states := fs.Bool("states", false, "list the allowed final states of each test (herd7's States block)")
	asJSON := fs.Bool("json", false, "print results as a JSON array instead of text")
	timeout := fs.Duration("timeout", 0, "give up on a test that takes longer than this under one model (0: no limit); exit status 2")
	maxStates := fs.Int("max-states", defaultMaxStates, "give up on a test with more allowed final states than this under one model (0: no limit); exit status 2")
	fs.Usage = func() {
		fmt.Fprintf(stderr, litmusUsage, strings.Join(model.VariantNames(), ", "), litmus.MaxFileSize)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *maxStates < 0 {
		fmt.Fprintf(stderr, "sabre litmus: --max-states %d is negative (0 means no limit)\n", *maxStates)
		return 2
	}
	if *timeout < 0 {
		fmt.Fprintf(stderr, "sabre litmus: --timeout %v is negative (0 means no limit)\n", *timeout)
		return 2
	}
	models := model.VariantNames()
	prefixed := true
	if flagSet(fs, "model") {
		if _, err := model.VariantByName(*modelName); err != nil {
			fmt.Fprintf(stderr, "sabre litmus: unknown model %q (want one of %s)\n", *modelName, strings.Join(models, ", "))
			return 2
		}
		models, prefixed = []string{*modelName}, false
	}

	var tests []*litmus.Test
	if fs.NArg() == 0 {
		t, err := litmus.CatalogueTests()
		if err != nil {
			fmt.Fprintf(stderr, "sabre litmus: built-in catalogue: %v\n", err)
			return 2
		}
		tests = t
	}
	bad := false
	for _, p := range fs.Args() {
		t, err := litmus.ParsePath(p)
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad = true
			continue
		}
		tests = append(tests, t...)
	}
	if bad {
		return 2
	}

	var failures []string
	var results []jsonResult
	for _, t := range tests {
		for _, m := range models {
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if *timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, *timeout)
			}
			o, err := litmus.RunLimit(ctx, t, m, *maxStates)
			cancel()
			if err != nil {
				var many *model.TooManyStatesError
				switch {
				case errors.Is(err, context.DeadlineExceeded):
					fmt.Fprintf(stderr, "sabre litmus: %s: %s under %s: gave up after --timeout %v\n", t.File, t.Name, m, *timeout)
				case errors.As(err, &many):
					fmt.Fprintf(stderr, "sabre litmus: %s: %s under %s: gave up after --max-states %d: the test has more allowed final states (raise --max-states, or 0 for no limit)\n", t.File, t.Name, m, many.Limit)
				default:
					fmt.Fprintf(stderr, "sabre litmus: %v\n", err)
				}
				return 2
			}
			exp, hasExp := o.Expectation()
			if o.Failed() {
				failures = append(failures, fmt.Sprintf("%s: %s: expect %s: %s, got %s (%d positive, %d negative)",
					exp.Pos, t.Name, m, exp.Result, o.Result, o.Positive, o.Negative))
			}
			if *asJSON {
				r := litmusResult{File: t.File, Test: t.Name, Model: m, Condition: t.Cond.String(),
					Result: o.Result.String(), Positive: o.Positive, Negative: o.Negative, Ok: o.Ok()}
				if hasExp {
					pass := !o.Failed()
					r.Expected, r.Pass = exp.Result.String(), &pass
				}
				jr := jsonResult{litmusResult: r}
				if *states {
					jr.states = o // formatted when written
				}
				results = append(results, jr)
				continue
			}
			printObservation(stdout, o, prefixed, *states)
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, results); err != nil {
			fmt.Fprintf(stderr, "sabre litmus: %v\n", err)
			return 2
		}
	}
	if len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintln(stderr, f)
		}
		fmt.Fprintf(stderr, "sabre litmus: %d expectation(s) failed\n", len(failures))
		return 1
	}
	return 0
}

// flagSet reports whether the flag name was given on the command line (so
// that an explicitly empty value is not taken for the default).
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// prefixWidth is the width of the model-name column in all-models mode: the
// longest model name and two spaces, so the herd7 lines line up.
var prefixWidth = func() int {
	w := 0
	for _, n := range model.VariantNames() {
		w = max(w, len(n))
	}
	return w + 2
}()

// printObservation prints the herd7 result line, preceded with --states by
// herd7's block (Test, States, the states, Ok/No, Witnesses, Condition).
func printObservation(w io.Writer, o *litmus.Observation, prefixed, states bool) {
	pre := ""
	if prefixed {
		pre = fmt.Sprintf("%-*s", prefixWidth, o.Model)
	}
	if states {
		bw := bufio.NewWriter(w)
		defer bw.Flush()
		w = bw
		writeStatesBlock(w, pre, o, nil)
	}
	fmt.Fprintf(w, "%s%s\n", pre, o.Line())
	if states && !prefixed {
		fmt.Fprintln(w) // herd7 ends each test's block with a blank line
	}
}

// writeStatesBlock writes herd7's block before the result line: Test,
// States and the states (each followed by after(i)'s lines, if after is
// not nil), Ok/No, Witnesses, Condition; each line prefixed with pre.
func writeStatesBlock(w io.Writer, pre string, o *litmus.Observation, after func(i int) []string) {
	t := o.Test
	fmt.Fprintf(w, "%sTest %s %s\n", pre, t.Name, kindWord(o))
	fmt.Fprintf(w, "%sStates %d\n", pre, len(o.States))
	for i := range o.States {
		fmt.Fprintf(w, "%s%s\n", pre, o.States[i].Text()) // formatted here, one at a time
		if after != nil {
			for _, l := range after(i) {
				fmt.Fprintf(w, "%s%s\n", pre, l)
			}
		}
	}
	ok := "No"
	if o.Ok() {
		ok = "Ok"
	}
	pos, neg := o.Positive, o.Negative
	if t.Cond.Quantifier == litmus.NotExists { // herd7 swaps them on this line only
		pos, neg = neg, pos
	}
	fmt.Fprintf(w, "%s%s\n%sWitnesses\n%sPositive: %d Negative: %d\n", pre, ok, pre, pre, pos, neg)
	fmt.Fprintf(w, "%sCondition %s\n", pre, t.Cond)
}

// kindWord is herd7's word for the test's kind: Allowed for exists,
// Forbidden for ~exists, Required for forall.
func kindWord(o *litmus.Observation) string {
	switch o.Test.Cond.Quantifier {
	case litmus.Exists:
		return "Allowed"
	case litmus.NotExists:
		return "Forbidden"
	}
	return "Required"
}

// Command sabre is the command-line front end of the sabre toolkit.
//
// Usage:
//
//	sabre <command> [flags] [arguments]
//
// Each command lives in its own file and registers itself in an init
// function with one call to register; "sabre help" lists them, and
// "sabre help <command>" prints a command's usage and flags.
//
// # sabre explore
//
//	sabre explore [--model es2024|es2017|sc] [--strategy exhaustive|sc-drf|random|pct|replay]
//	              [--budget N|D] [--seed S] [--depth D] [--replay STR|FILE] [--states]
//	              [--max-failures N] [--list] [FILE|DIR|NAME ...]
//
// explore runs litmus files (a FILE, or every *.litmus file of a DIR) and
// built-in tests (the NAME of a litmus catalogue test or of a Go scenario
// of package scenarios/examples; --list lists them) under the controlled
// explorer of package scenarios; with no argument, the whole litmus
// catalogue and then every Go scenario. Without --model every model runs
// and each line is prefixed with the model's name, as in sabre litmus.
//
// The flags:
//
//   - --strategy: exhaustive (the default: every execution the model
//     allows), sc-drf (scenarios.SCDRF: the sequentially consistent
//     interleavings, complete for race-free scenarios that check races),
//     random (seeded by --seed, default 1), pct (of depth --depth,
//     default 3, seeded by --seed), or replay (implied by --replay).
//   - --budget N or D: bound each test under each model to N executions
//     or to the duration D (as 2s). Defaults: exhaustive one minute
//     (reported incomplete past it; --budget 0 lifts it), random and pct
//     1000 executions.
//   - --replay STR or FILE: replay the one execution the replay string STR
//     (scenarios.ParseSchedule) or the failfile FILE that
//     scenarios.Explore wrote describes, of one test or scenario.
//   - --states: print a litmus test's herd7 States block, each state
//     followed by a replay command (the first execution that reached it).
//   - --max-failures N: stop exploring a test under a model after N failed
//     executions (default 1).
//
// A litmus test prints herd7's "Observation <name> Always|Sometimes|Never
// <positive> <negative>" computed from the final states reached: exactly
// sabre litmus's line when the exploration is exhaustive and complete,
// otherwise followed by a note in parentheses — "(not seen in N executions
// of random seed S)" for a sampled Never, which means not seen rather than
// forbidden; "(K states seen in N executions of ...)" for another sampled
// result; "(incomplete after N executions: REASON; Never means not
// reached)" for an exhaustive exploration cut short. A Go scenario prints
// a header line, then each outcome (in the order reached) with its replay
// command. Each failed
// execution (deadlock, livelock, an agent's error, a failed check) is
// printed with a one-line command that replays it:
//
//	sabre explore --model es2024 --replay '0*4.1=01000000' FILE
//
// Exit status as sabre litmus's: 0 when nothing failed; 1 when an
// execution failed or an expectation is refuted (by a sampled or
// incomplete exploration, only by a state seen); 2 on bad input (flags,
// names, files, replay strings), with a message naming what is wrong.
//
// # sabre stress
//
//	sabre stress [--model es2024|es2017|sc] [--iterations N] [--duration D] [--json]
//	             [--explore-budget D] [--sample N] [--checks LIST] [--jitter N]
//	             [--sync-every N] [--affinity=false] [--max-rows N] [FILE|DIR|NAME ...]
//
// stress runs litmus files and built-in tests (the same arguments as
// explore; none: the litmus catalogue, then every Go scenario) on real
// goroutines with no controller, many times, in the manner of jcstress
// and litmus7, and prints per test a histogram of the outcomes seen, each
// graded against --model (default es2024): ACCEPTABLE (allowed, and
// sequentially consistent), INTERESTING (allowed, not sequentially
// consistent: a weak behaviour), FORBIDDEN (not allowed, or rejected by
// the scenario's Check: printed with the iteration that first produced
// it) or UNKNOWN (a Go scenario's outcome its incomplete exploration did
// not reach). Litmus tests run on the fast path (litmus.Stress: batches of
// instances over one buffer, graded by the enumerator), Go scenarios one
// World per iteration (scenarios.Stress, graded by exhaustive
// explorations within --explore-budget and by the scenario's Check;
// --sample N checks every N-th iteration's recorded history: conformance
// and the --checks listed).
// --iterations bounds each test (default 100,000 for a litmus test,
// 10,000 for a Go scenario), --duration its time; --json prints a JSON
// array. On a terminal a run longer than a second shows a progress bar on
// stderr. Exit status: 0 when nothing is FORBIDDEN and no iteration failed
// (but a buggy scenario's expected failure); 1 otherwise, each reported on
// stderr; 2 on bad input.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// command is a subcommand of sabre.
type command struct {
	name    string
	summary string // one line for "sabre help"
	// run executes the command with the arguments after its name and returns
	// the process exit code.
	run func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// register adds a subcommand; each command file calls it from init.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("sabre: command " + c.name + " registered twice")
	}
	commands[c.name] = c
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run dispatches to the named subcommand. Exit code 2 means a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				fmt.Fprintf(stderr, "sabre: no help for unknown command %q\n", args[1])
				usage(stderr)
				return 2
			}
			return c.run([]string{"-h"}, stdout, stderr)
		}
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sabre: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sabre <command> [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"sabre help <command>\" for a command's flags.")
}

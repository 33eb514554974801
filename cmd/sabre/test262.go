package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/sabre-mm/sabre/js/test262"
)

func init() {
	register(command{
		name:    "test262",
		summary: "run tc39/test262 tests (a checkout given by --root) on sabre's JavaScript agents",
		run:     runTest262,
	})
}

const test262Usage = `usage: sabre test262 --root DIR [--jobs N] [--agent-jobs N] [--timeout D] [--junit FILE] [PATH...]

Runs the test262 tests under each PATH (files or directories, relative to
DIR unless absolute; none: DIR/test) on sabre's JavaScript agents (package
js: goja with SharedArrayBuffer, Atomics and test262's $262.agent), in the
modes each test's front matter requires (sloppy and strict, or one of
them, or raw), and prints one line per file:
    PASS path
    FAIL path: mode: reason
    SKIP path: reason
then the skipped reasons with their counts and the line
    N passed, N failed, N skipped
Module tests and the unsupported features (js/test262.Unsupported:
cross-realm, host-gc-required, IsHTMLDDA, ShadowRealm) are skipped.

Exit status: 0 when no test failed; 1 when one failed; 2 on bad usage
(flags, a missing or non-test262 root, a missing PATH).

Flags:
`

func runTest262(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test262", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "the test262 checkout `DIR` (it has harness/ and test/)")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "parallel workers")
	agentJobs := fs.Int("agent-jobs", 1, "how many multi-agent tests ($262.agent.start) may run at once")
	timeout := fs.Duration("timeout", 10*time.Second, "the time limit of each test in each mode")
	junit := fs.String("junit", "", "also write a JUnit XML report to `FILE`")
	fs.Usage = func() {
		fmt.Fprint(stderr, test262Usage)
		fs.PrintDefaults()
	}
	// flags may follow paths: parse, take the positional, parse the rest
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sabre test262: "+format+"\n", a...)
		return 2
	}
	if *root == "" {
		return fail("--root DIR is required (a test262 checkout)")
	}
	if *jobs < 1 || *agentJobs < 1 {
		return fail("--jobs and --agent-jobs must be at least 1 (got %d and %d)", *jobs, *agentJobs)
	}
	if *timeout <= 0 {
		return fail("--timeout must be positive (got %v)", *timeout)
	}
	r, err := test262.New(test262.Config{Root: *root, Jobs: *jobs, AgentJobs: *agentJobs, Timeout: *timeout})
	if err != nil {
		return fail("%v", err)
	}
	files, err := r.Collect(paths)
	if err != nil {
		return fail("%v", err)
	}
	// The JUnit file is made before the run, so that a path that cannot be
	// written is bad usage found at once, not after every test has run.
	var junitFile *os.File
	if *junit != "" {
		f, err := os.Create(*junit)
		if err != nil {
			return fail("--junit: %v", err)
		}
		defer f.Close()
		junitFile = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	var sum test262.Summary
	var results []test262.Result
	r.Run(ctx, files, func(res test262.Result) {
		sum.Add(res)
		results = append(results, res)
		if res.Status == test262.Pass {
			fmt.Fprintf(stdout, "PASS %s\n", res.Path)
		} else {
			fmt.Fprintf(stdout, "%s %s: %s\n", res.Status, res.Path, res.Reason)
		}
	})
	if err := sum.WriteSkips(stdout); err != nil {
		return fail("writing the report: %v", err)
	}
	if _, err := fmt.Fprintln(stdout, sum.String()); err != nil {
		return fail("writing the report: %v", err)
	}
	if junitFile != nil {
		err := test262.WriteJUnit(junitFile, results, time.Since(start))
		if cerr := junitFile.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail("--junit %s: %v", *junit, err)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "sabre test262: interrupted after %d of %d files\n", len(results), len(files))
		return 130
	}
	if sum.Failed > 0 {
		return 1
	}
	return 0
}

// Package test262 runs tc39/test262 tests (a checkout given by path; no
// test262 file is part of sabre) on sabre's JavaScript agents (package
// js): each test in a fresh js.Agent with test262's $262 (js.Host262),
// in the modes its front matter requires, on parallel workers.
//
// The host follows test262's INTERPRETING.md: the harness files assert.js
// and sta.js (and doneprintHandle.js for async tests) and the test's
// includes run first, each compiled once per Runner and shared by every
// test; a strict run prefixes the source with "use strict";; an async test
// passes when it prints Test262:AsyncTestComplete and fails on
// Test262:AsyncTestFailure:...; a negative test passes when it throws the
// expected error constructor in the expected phase. The main agent's
// [[CanBlock]] is true but for CanBlockIsFalse tests. Module tests are
// skipped (no module loader: the sandbox has none), as are the features
// of Unsupported.
package test262

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/js"
)

// Unsupported maps the test262 features the runner skips to the reason.
var Unsupported = map[string]string{
	"cross-realm":      "needs $262.createRealm: a goja object cannot cross runtimes, so there is no second realm",
	"host-gc-required": "needs $262.gc: goja has no hook into Go's garbage collector",
	"IsHTMLDDA":        "needs $262.IsHTMLDDA: goja has no [[IsHTMLDDA]] object",
	"ShadowRealm":      "goja has no ShadowRealm",
}

// Config configures a Runner.
type Config struct {
	// Root is the test262 checkout (it has harness/assert.js).
	Root string
	// Jobs is the number of parallel workers; 0 means GOMAXPROCS.
	Jobs int
	// AgentJobs bounds how many multi-agent tests (those calling
	// $262.agent.start) run at once; 0 means 1. Many of them assert exact
	// notify counts after a 100 ms yield, which a loaded machine breaks.
	AgentJobs int
	// Timeout bounds each mode of each test (wall time); 0 means 10s.
	Timeout time.Duration
}

// Status is a test file's result.
type Status int

// The statuses.
const (
	Pass Status = iota
	Fail
	Skip
)

func (s Status) String() string {
	switch s {
	case Pass:
		return "PASS"
	case Fail:
		return "FAIL"
	case Skip:
		return "SKIP"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is one test file's result.
type Result struct {
	// Path is the file's path relative to Root (slash-separated).
	Path   string
	Status Status
	// Reason says why it failed ("strict: ..."; the failed modes joined
	// by "; ") or was skipped.
	Reason string
	// Feature is the unsupported feature a Skip is for ("" for a module
	// test or a flag).
	Feature string
	// Modes are the modes run: "sloppy", "strict" or "raw".
	Modes []string
	// Duration is the wall time of all its modes.
	Duration time.Duration
}

// Runner runs test files. It is safe for concurrent use.
type Runner struct {
	cfg Config

	mu      sync.Mutex
	harness map[string]*harnessFile
	agents  chan struct{}
}

type harnessFile struct {
	once sync.Once
	prog *goja.Program
	err  error
}

// New checks cfg (Root must hold harness/assert.js and harness/sta.js) and
// returns a Runner.
func New(cfg Config) (*Runner, error) {
	if cfg.Root == "" {
		return nil, errors.New("test262: no root given")
	}
	if cfg.Jobs < 0 || cfg.AgentJobs < 0 || cfg.Timeout < 0 {
		return nil, fmt.Errorf("test262: negative jobs (%d), agent jobs (%d) or timeout (%v)", cfg.Jobs, cfg.AgentJobs, cfg.Timeout)
	}
	for _, f := range []string{"assert.js", "sta.js"} {
		p := filepath.Join(cfg.Root, "harness", f)
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return nil, fmt.Errorf("test262: root %s is not a test262 checkout: no file %s", cfg.Root, p)
		}
	}
	if cfg.Jobs == 0 {
		cfg.Jobs = runtime.GOMAXPROCS(0)
	}
	if cfg.AgentJobs == 0 {
		cfg.AgentJobs = 1
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Runner{cfg: cfg, harness: map[string]*harnessFile{}, agents: make(chan struct{}, cfg.AgentJobs)}, nil
}

// Config is the runner's configuration with defaults applied.
func (r *Runner) Config() Config { return r.cfg }

// Collect expands paths (files or directories, relative to Root unless
// absolute; none means Root/test) to the sorted test files under them:
// every *.js file but the _FIXTURE.js ones. A missing path is an error
// naming it.
func (r *Runner) Collect(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"test"}
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		full := p
		if !filepath.IsAbs(p) {
			full = filepath.Join(r.cfg.Root, p)
		}
		st, err := os.Stat(full)
		if err != nil {
			return nil, fmt.Errorf("test262: %v", err)
		}
		add := func(f string) {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
		if !st.IsDir() {
			add(full)
			continue
		}
		err = filepath.WalkDir(full, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(f, ".js") && !strings.Contains(filepath.Base(f), "_FIXTURE") {
				add(f)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("test262: %v", err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// rel is f relative to the root when it is under it.
func (r *Runner) rel(f string) string {
	if rel, err := filepath.Rel(r.cfg.Root, f); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(f)
}

// Run runs files on Config.Jobs workers and calls report (from one
// goroutine at a time) with each result in the order of files. It stops
// starting tests when ctx ends.
func (r *Runner) Run(ctx context.Context, files []string, report func(Result)) {
	results := make([]*Result, len(files))
	ready := make([]chan struct{}, len(files))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < r.cfg.Jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res := r.RunFile(files[i])
				results[i] = &res
				close(ready[i])
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range files {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range files {
		select {
		case <-ready[i]:
			report(*results[i])
		case <-ctx.Done():
			wg.Wait()
			return
		}
	}
	wg.Wait()
}

// RunFile runs one test file in every mode it requires. Bad input (an
// unreadable file, malformed front matter, a missing include) is a Fail
// naming the file and the problem.
func (r *Runner) RunFile(file string) (res Result) {
	start := time.Now()
	res.Path = r.rel(file)
	defer func() {
		res.Duration = time.Since(start)
		if p := recover(); p != nil {
			res.Status, res.Reason = Fail, fmt.Sprintf("runner panicked: %v", p)
		}
	}()
	src, err := os.ReadFile(file)
	if err != nil {
		res.Status, res.Reason = Fail, err.Error()
		return res
	}
	meta, err := ParseFrontMatter(src)
	if err != nil {
		res.Status, res.Reason = Fail, fmt.Sprintf("%s: %v", res.Path, err)
		return res
	}
	if meta.Has("module") {
		res.Status, res.Reason = Skip, "module test (flag module): the sandbox has no module loader"
		return res
	}
	if meta.Negative != nil && meta.Negative.Phase == "resolution" {
		res.Status, res.Reason = Skip, "negative phase resolution: module resolution is not supported"
		return res
	}
	for _, f := range meta.Features {
		if why, ok := Unsupported[f]; ok {
			res.Status, res.Reason, res.Feature = Skip, "feature "+f+": "+why, f
			return res
		}
	}
	var modes []string
	switch {
	case meta.Has("raw"):
		modes = []string{"raw"}
	case meta.Has("onlyStrict"):
		modes = []string{"strict"}
	case meta.Has("noStrict"):
		modes = []string{"sloppy"}
	default:
		modes = []string{"sloppy", "strict"}
	}
	res.Modes = modes
	if strings.Contains(string(src), "$262.agent.start") {
		r.agents <- struct{}{}
		defer func() { <-r.agents }()
	}
	var fails []string
	for _, mode := range modes {
		if err := r.runMode(res.Path, string(src), meta, mode); err != nil {
			fails = append(fails, mode+": "+err.Error())
		}
	}
	if len(fails) > 0 {
		res.Status, res.Reason = Fail, strings.Join(fails, "; ")
	}
	return res
}

// includes is the harness files a test runs first.
func includes(meta *Meta) []string {
	if meta.Has("raw") {
		return nil
	}
	inc := []string{"assert.js", "sta.js"}
	if meta.Has("async") {
		inc = append(inc, "doneprintHandle.js")
	}
	return append(inc, meta.Includes...)
}

// program compiles a harness file once per Runner.
func (r *Runner) program(name string) (*goja.Program, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return nil, fmt.Errorf("bad include name %q", name)
	}
	r.mu.Lock()
	h, ok := r.harness[name]
	if !ok {
		h = &harnessFile{}
		r.harness[name] = h
	}
	r.mu.Unlock()
	h.once.Do(func() {
		p := filepath.Join(r.cfg.Root, "harness", name)
		src, err := os.ReadFile(p)
		if err != nil {
			h.err = fmt.Errorf("include %s: %v", name, err)
			return
		}
		h.prog, h.err = goja.Compile("harness/"+name, string(src), false)
		if h.err != nil {
			h.err = fmt.Errorf("include %s: %v", name, h.err)
		}
	})
	return h.prog, h.err
}

// syncBuffer is the output of one test's agents.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runMode runs the test once in mode; nil means it passed.
func (r *Runner) runMode(path, src string, meta *Meta, mode string) error {
	if mode == "strict" {
		src = "\"use strict\"; " + src // on line 1: positions keep their line
	}
	prog, compileErr := goja.Compile(path, src, false)
	if neg := meta.Negative; neg != nil && neg.Phase == "parse" {
		if compileErr == nil {
			return fmt.Errorf("expected a %s at parse time, but it parsed", neg.Type)
		}
		got := compileErrorType(compileErr)
		if got != neg.Type {
			return fmt.Errorf("expected a %s at parse time, got %s: %v", neg.Type, got, compileErr)
		}
		return nil
	}
	if compileErr != nil {
		return compileErr
	}
	progs := []*goja.Program{}
	for _, inc := range includes(meta) {
		p, err := r.program(inc)
		if err != nil {
			return err
		}
		progs = append(progs, p)
	}
	var out syncBuffer
	ag, err := js.NewAgent(js.AgentOptions{
		Name:     path,
		CanBlock: !meta.Has("CanBlockIsFalse"),
		Budget:   r.cfg.Timeout,
		Stdout:   &out,
	})
	if err != nil {
		return err
	}
	host, err := js.NewHost262(ag)
	if err != nil {
		ag.Close()
		return err
	}
	var runErr error
	for _, p := range progs {
		if runErr = ag.RunProgram(p); runErr != nil {
			break
		}
	}
	if runErr == nil {
		runErr = ag.RunProgram(prog)
	}
	// The error's constructor name and its text, read on this (the
	// agent's) goroutine before Close: an exception's text may call the
	// thrown object's toString, JS code that the interrupt Close makes
	// would stop with a panic.
	errType := exceptionType(runErr)
	overBudget := errors.Is(runErr, js.ErrBudget)
	if runErr != nil {
		runErr = errors.New(errorText(runErr))
	}
	closeErr := host.Close()
	if overBudget {
		return fmt.Errorf("timeout: no result within %v", r.cfg.Timeout)
	}
	if neg := meta.Negative; neg != nil {
		if runErr == nil {
			return fmt.Errorf("expected a %s at runtime, but it completed", neg.Type)
		}
		if errType != neg.Type {
			return fmt.Errorf("expected a %s at runtime, got %v", neg.Type, runErr)
		}
		return nil
	}
	if runErr != nil {
		return runErr
	}
	if closeErr != nil {
		return closeErr
	}
	if meta.Has("async") {
		o := out.String()
		for _, line := range strings.Split(o, "\n") {
			if strings.HasPrefix(line, "Test262:AsyncTestFailure:") {
				return errors.New(strings.TrimPrefix(line, "Test262:AsyncTestFailure:"))
			}
		}
		if !strings.Contains(o, "Test262:AsyncTestComplete") {
			return errors.New("async test did not call $DONE")
		}
	}
	return nil
}

// errorText is err's text; a panic while making it (an exception whose
// toString throws or is interrupted) gives a text saying so.
func errorText(err error) (text string) {
	defer func() {
		if p := recover(); p != nil {
			text = fmt.Sprintf("an exception whose text could not be made: %v", p)
		}
	}()
	return err.Error()
}

// compileErrorType is the constructor name of a compile error.
func compileErrorType(err error) string {
	var se *goja.CompilerSyntaxError
	var re *goja.CompilerReferenceError
	switch {
	case errors.As(err, &se):
		return "SyntaxError"
	case errors.As(err, &re):
		return "ReferenceError"
	}
	return exceptionType(err)
}

// exceptionType is the name of a thrown value's constructor ("" if err
// is not a JS exception).
func exceptionType(err error) (name string) {
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		return ""
	}
	defer func() {
		if recover() != nil {
			name = ""
		}
	}()
	obj, ok := ex.Value().(*goja.Object)
	if !ok {
		return ""
	}
	ctor, ok := obj.Get("constructor").(*goja.Object)
	if !ok {
		return ""
	}
	if n := ctor.Get("name"); n != nil {
		return n.String()
	}
	return ""
}

package checker

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sabre-mm/sabre/history"
)

// ParseChecks parses a comma-separated list of check names ("lin,conf,race"),
// in any order and without repeats, into the order Checks gives. An empty
// list, an unknown or a repeated name is an error naming it.
func ParseChecks(s string) ([]Check, error) {
	want := map[Check]bool{}
	for _, name := range strings.Split(s, ",") {
		c := Check(strings.TrimSpace(name))
		switch {
		case c == "":
			return nil, fmt.Errorf("checker: empty check name in %q (want a comma-separated list of %s)", s, checkNames())
		case !c.Valid():
			return nil, fmt.Errorf("checker: unknown check %q (want %s)", c, checkNames())
		case want[c]:
			return nil, fmt.Errorf("checker: check %q named twice in %q", c, s)
		}
		want[c] = true
	}
	var out []Check
	for _, c := range Checks {
		if want[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

// Valid reports whether c is one of Checks.
func (c Check) Valid() bool {
	return slices.Contains(Checks, c)
}

func checkNames() string {
	names := make([]string, len(Checks))
	for i, c := range Checks {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// Run runs the named checks (all of Checks if none are named) on h, in the
// order of Checks, and returns their Results in that order. The error is
// non-nil for bad input only (a nil history, one that fails Validate, an
// unknown check, a history too large for a check), and then no Results are
// returned. The zero Options.Model is model.ES2024 (Options).
func Run(ctx context.Context, h *history.History, checks []Check, opt Options) ([]Result, error) {
	if len(checks) == 0 {
		checks = Checks
	}
	for _, c := range checks {
		if !c.Valid() {
			return nil, fmt.Errorf("checker: unknown check %q (want %s)", c, checkNames())
		}
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	opt.validated = true // each check would validate h again
	var out []Result
	for _, c := range Checks {
		if !slices.Contains(checks, c) {
			continue
		}
		var r Result
		switch c {
		case Lin:
			rep, err := Linearizability(ctx, h, opt)
			if err != nil {
				return nil, err
			}
			r = rep.Result
		case Conf:
			rep, err := Conformance(ctx, h, opt)
			if err != nil {
				return nil, err
			}
			r = rep.Result
		case Race:
			rep, err := Races(ctx, h, opt)
			if err != nil {
				return nil, err
			}
			r = rep.Result
		default:
			return nil, fmt.Errorf("checker: unknown check %q", c)
		}
		out = append(out, r)
	}
	return out, nil
}

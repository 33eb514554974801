package test262

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"time"
)

// Summary counts results.
type Summary struct {
	Passed, Failed, Skipped int
	// Skips counts the skipped files by reason.
	Skips map[string]int
}

// Add counts one result.
func (s *Summary) Add(r Result) {
	switch r.Status {
	case Pass:
		s.Passed++
	case Fail:
		s.Failed++
	case Skip:
		s.Skipped++
		if s.Skips == nil {
			s.Skips = map[string]int{}
		}
		s.Skips[r.Reason]++
	}
}

// WriteSkips writes the skipped reasons (features, module tests), one
// line each with its count, sorted.
func (s *Summary) WriteSkips(w io.Writer) error {
	if len(s.Skips) == 0 {
		return nil
	}
	reasons := make([]string, 0, len(s.Skips))
	for r := range s.Skips {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	if _, err := fmt.Fprintln(w, "skipped:"); err != nil {
		return err
	}
	for _, r := range reasons {
		if _, err := fmt.Fprintf(w, "  %d × %s\n", s.Skips[r], r); err != nil {
			return err
		}
	}
	return nil
}

// String is the final line: "N passed, N failed, N skipped".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}

// JUnit XML (the de-facto schema of Ant's JUnit report).
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes results as one JUnit XML test suite named "test262".
func WriteJUnit(w io.Writer, results []Result, total time.Duration) error {
	s := junitSuite{Name: "test262", Tests: len(results), Time: seconds(total)}
	for _, r := range results {
		c := junitCase{Name: r.Path, Classname: "test262", Time: seconds(r.Duration)}
		switch r.Status {
		case Fail:
			s.Failures++
			c.Failure = &junitMessage{Message: firstLine(r.Reason), Text: r.Reason}
		case Skip:
			s.Skipped++
			c.Skipped = &junitMessage{Message: r.Reason}
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

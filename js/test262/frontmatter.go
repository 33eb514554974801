package test262

import (
	"bytes"
	"fmt"
	"strings"
)

// Meta is a test's front matter: the YAML between "/*---" and "---*/"
// (test262's CONTRIBUTING.md, "Test Case Front Matter"). Only the keys a
// runner needs are read; the others (esid, description, info, author, ...)
// are skipped.
type Meta struct {
	// Includes are the harness files to run before the test (from
	// ROOT/harness), in order.
	Includes []string
	// Flags are the test's flags: onlyStrict, noStrict, raw, async,
	// module, CanBlockIsTrue, CanBlockIsFalse, generated, non-deterministic.
	Flags []string
	// Features are the test's features (test262's features.txt names).
	Features []string
	// Negative, if not nil, says the test must fail.
	Negative *Negative
}

// Negative is a negative test's expectation.
type Negative struct {
	// Phase is "parse", "resolution" or "runtime".
	Phase string
	// Type is the constructor name of the expected error (SyntaxError,
	// Test262Error, ...).
	Type string
}

// Has reports whether the front matter has flag f.
func (m *Meta) Has(f string) bool {
	for _, x := range m.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// ParseFrontMatter reads the front matter of a test's source. Errors say
// which line is wrong; it never panics.
func ParseFrontMatter(src []byte) (*Meta, error) {
	start := bytes.Index(src, []byte("/*---"))
	if start < 0 {
		return nil, fmt.Errorf("no front matter (no /*--- line)")
	}
	body := src[start+len("/*---"):]
	end := bytes.Index(body, []byte("---*/"))
	if end < 0 {
		return nil, fmt.Errorf("front matter not closed (no ---*/ after /*---)")
	}
	firstLine := 1 + bytes.Count(src[:start], []byte("\n"))
	lines := strings.Split(strings.ReplaceAll(string(body[:end]), "\r\n", "\n"), "\n")
	m := &Meta{}
	seen := map[string]bool{}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		lineNo := firstLine + i
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // continuation of a key we skip
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("front matter line %d: %q is not a key: value", lineNo, line)
		}
		key = strings.TrimSpace(key)
		value = strings.TrimSpace(value)
		switch key {
		case "includes", "flags", "features":
			if seen[key] {
				return nil, fmt.Errorf("front matter line %d: %s given twice", lineNo, key)
			}
			seen[key] = true
			var list []string
			if value == "" {
				// a block list: "  - item" lines
				for i+1 < len(lines) {
					next := strings.TrimSpace(lines[i+1])
					if next == "" {
						i++
						continue
					}
					if !strings.HasPrefix(next, "-") || !(lines[i+1][0] == ' ' || lines[i+1][0] == '\t' || lines[i+1][0] == '-') {
						break
					}
					i++
					item := strings.TrimSpace(strings.TrimPrefix(next, "-"))
					if item == "" {
						return nil, fmt.Errorf("front matter line %d: empty %s item", firstLine+i, key)
					}
					list = append(list, unquote(item))
				}
			} else {
				l, err := flowList(value)
				if err != nil {
					return nil, fmt.Errorf("front matter line %d: %s: %v", lineNo, key, err)
				}
				list = l
			}
			switch key {
			case "includes":
				m.Includes = list
			case "flags":
				m.Flags = list
			case "features":
				m.Features = list
			}
		case "negative":
			if m.Negative != nil {
				return nil, fmt.Errorf("front matter line %d: negative given twice", lineNo)
			}
			n := &Negative{}
			for i+1 < len(lines) {
				next := lines[i+1]
				if strings.TrimSpace(next) == "" {
					i++
					continue
				}
				if next[0] != ' ' && next[0] != '\t' {
					break
				}
				i++
				k, v, ok := strings.Cut(strings.TrimSpace(next), ":")
				if !ok {
					return nil, fmt.Errorf("front matter line %d: %q is not a key: value", firstLine+i, strings.TrimSpace(next))
				}
				switch strings.TrimSpace(k) {
				case "phase":
					n.Phase = unquote(strings.TrimSpace(v))
				case "type":
					n.Type = unquote(strings.TrimSpace(v))
				}
			}
			switch n.Phase {
			case "parse", "resolution", "runtime":
			default:
				return nil, fmt.Errorf("front matter line %d: negative phase %q (want parse, resolution or runtime)", lineNo, n.Phase)
			}
			if n.Type == "" {
				return nil, fmt.Errorf("front matter line %d: negative without a type", lineNo)
			}
			m.Negative = n
		}
	}
	return m, nil
}

// flowList parses a YAML flow sequence "[a, b, c]".
func flowList(v string) ([]string, error) {
	if !strings.HasPrefix(v, "[") {
		return nil, fmt.Errorf("want a list [a, b], got %q", v)
	}
	if i := strings.Index(v, "#"); i > 0 && strings.LastIndex(v[:i], "]") > 0 {
		v = strings.TrimSpace(v[:i])
	}
	if !strings.HasSuffix(v, "]") {
		return nil, fmt.Errorf("list %q not closed by ]", v)
	}
	inner := strings.TrimSpace(v[1 : len(v)-1])
	if inner == "" {
		return nil, nil
	}
	var out []string
	for _, item := range strings.Split(inner, ",") {
		item = unquote(strings.TrimSpace(item))
		if item == "" {
			return nil, fmt.Errorf("empty item in list %q", v)
		}
		if strings.ContainsAny(item, "[]") {
			return nil, fmt.Errorf("nested list in %q", v)
		}
		out = append(out, item)
	}
	return out, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

package litmus

import (
	"fmt"
	"strings"
)

// Format returns the test as litmus source text in a canonical layout: every
// view with an explicit byte offset, one statement per line, the condition
// fully parenthesised. Parsing the text gives back an equal test (same
// views, statements, condition and expectations).
func (t *Test) Format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "JS %s\n", t.Name)
	if t.Doc != "" {
		fmt.Fprintf(&b, "\"%s\"\n", strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t.Doc))
	}
	b.WriteString("{\n")
	for _, v := range t.Views {
		fmt.Fprintf(&b, "  %s %s[%d] @ %d", v.Kind, v.Name, v.Length, v.ByteOffset)
		for i, n := range v.Init {
			if i == 0 {
				b.WriteString(" = ")
			} else {
				b.WriteString(", ")
			}
			b.WriteString(n.String())
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	for _, a := range t.Agents {
		fmt.Fprintf(&b, "%s {\n", a.Name)
		for _, s := range a.Stmts {
			fmt.Fprintf(&b, "  %s\n", s)
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "%s\n", t.Cond)
	for _, e := range t.Expects {
		fmt.Fprintf(&b, "expect %s: %s\n", e.Model, e.Result)
	}
	return b.String()
}

package litmus

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/model"
)

// FuzzParse checks that any input either parses into a consistent test
// whose canonical text parses back to the same test, or is rejected with a
// positioned *Error — never a panic.
func FuzzParse(f *testing.F) {
	names, err := fs.Glob(Catalogue(), "*.litmus")
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range names {
		src, err := fs.ReadFile(Catalogue(), n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, c := range malformed {
		f.Add([]byte(c.src))
	}
	f.Add([]byte(fullExample))
	f.Add([]byte(atLimits))
	for _, c := range beyondLimits {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tt, err := Parse("fuzz.litmus", src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error without a position: %v", err)
			}
			if pe.Pos.File != "fuzz.litmus" || pe.Pos.Line < 1 || pe.Pos.Col < 1 || pe.Msg == "" {
				t.Fatalf("bad position or message: %v", err)
			}
			if lines := strings.Count(string(src), "\n") + 1; pe.Pos.Line > lines {
				t.Fatalf("error line %d beyond the input's %d lines: %v", pe.Pos.Line, lines, err)
			}
			return
		}
		p := tt.Program
		if p.Size != len(p.Init) || p.Size > MaxBlockSize || len(p.Agents) != len(tt.Agents) {
			t.Fatalf("inconsistent program: size %d init %d", p.Size, len(p.Init))
		}
		cas := 0
		for _, a := range p.Agents {
			for _, op := range a.Ops {
				if op.ByteIndex < 0 || op.ByteIndex+op.ElementSize > p.Size || op.ByteIndex%op.ElementSize != 0 {
					t.Fatalf("op out of the block or misaligned: %+v", op)
				}
				if op.Kind == model.AccessRMW && op.Modify == model.CompareExchange {
					cas++
				}
			}
		}
		// What parses, the model runs.
		if err := p.Validate(); err != nil {
			t.Fatalf("the model refuses a parsed test: %v", err)
		}
		if cas > model.MaxCompareExchanges {
			t.Fatalf("%d compareExchanges parsed; the model takes %d", cas, model.MaxCompareExchanges)
		}
		again, err := Parse("again.litmus", []byte(tt.Format()))
		if err != nil {
			t.Fatalf("canonical text does not parse: %v\n%s", err, tt.Format())
		}
		if d := sameTest(tt, again); d != "" {
			t.Fatalf("round trip differs: %s\n%s", d, tt.Format())
		}
	})
}

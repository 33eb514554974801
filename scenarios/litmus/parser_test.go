package litmus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/model"
)

const fullExample = `// leading comment
JS MP+na-data+sc-flag.v2 // a comment after the name
"Message passing: plain data, \"seq-cst\" flag; a \\ backslash.
Second line."
{
  Int32 x[1];            // offset 0
  Uint8 pad[1];          // offset 4
  Int16 h[2] = -1, 0x7fff; // aligned to 6
  BigUint64 big[1] = 0xffffffffffffffff; // aligned to 16
  Uint8 b[4] @ 0 = 1, 2;  // overlaps x
  Int8 s[2] @ 4;
}
P0 {
  x[0] = 1;
  Atomics.store(pad, 0, 255);
  r9 = Atomics.store(h, 1, -5);
  big[0] = 18446744073709551615;
}
P1 {
  r0 = Atomics.load(h, 0);
  r1 = x[0];
  r2 = Atomics.add(x, 0, 2);
  r3 = Atomics.sub(x, 0, 1);
  Atomics.and(b, 1, 0xf0);
  r4 = Atomics.or(b, 2, 3);
  r5 = Atomics.xor(b, 3, 0xff);
  r6 = Atomics.exchange(big, 0, 7);
  r7 = Atomics.compareExchange(s, 1, -1, 3);
  r8 = b[0];
}
forall (1:r0=-1 \/ ~(1:r1=0 /\ x[0]=3) \/ (b[1]=2 /\ true) \/ false \/ pad=0 \/ 0:r9=-5 \/ 1:r6=18446744073709551615)
expect es2024: Sometimes
expect sc: Never // trailing
`

func TestParseEveryConstruct(t *testing.T) {
	tt, err := Parse("full.litmus", []byte(fullExample))
	if err != nil {
		t.Fatal(err)
	}
	if tt.Name != "MP+na-data+sc-flag.v2" {
		t.Errorf("name = %q", tt.Name)
	}
	if want := "Message passing: plain data, \"seq-cst\" flag; a \\ backslash.\nSecond line."; tt.Doc != want {
		t.Errorf("doc = %q, want %q", tt.Doc, want)
	}
	type layout struct {
		name        string
		kind        Kind
		length, off int
	}
	wantViews := []layout{{"x", Int32, 1, 0}, {"pad", Uint8, 1, 4}, {"h", Int16, 2, 6}, {"big", BigUint64, 1, 16}, {"b", Uint8, 4, 0}, {"s", Int8, 2, 4}}
	if len(tt.Views) != len(wantViews) {
		t.Fatalf("%d views", len(tt.Views))
	}
	for i, w := range wantViews {
		v := tt.Views[i]
		if v.Name != w.name || v.Kind != w.kind || v.Length != w.length || v.ByteOffset != w.off {
			t.Errorf("view %d = %s %s[%d] @ %d, want %+v", i, v.Kind, v.Name, v.Length, v.ByteOffset, w)
		}
	}
	p := tt.Program
	if p.Size != 24 || len(p.Init) != 24 {
		t.Fatalf("size %d, init %d", p.Size, len(p.Init))
	}
	wantInit := make([]byte, 24)
	wantInit[0], wantInit[1] = 1, 2       // b = 1, 2
	wantInit[6], wantInit[7] = 0xff, 0xff // h[0] = -1
	wantInit[8], wantInit[9] = 0xff, 0x7f // h[1] = 0x7fff
	for i := 16; i < 24; i++ {            // big[0] = 2^64-1
		wantInit[i] = 0xff
	}
	if string(p.Init) != string(wantInit) {
		t.Errorf("init = % x\nwant   % x", p.Init, wantInit)
	}
	if len(p.Agents) != 2 || p.Agents[0].Name != "P0" || p.Agents[1].Name != "P1" {
		t.Fatalf("agents %+v", p.Agents)
	}
	ops0 := p.Agents[0].Ops
	want0 := []model.Op{
		{Kind: model.AccessStore, Order: model.Unordered, NoTear: true, ByteIndex: 0, ElementSize: 4, Signed: true, Value: 1, Line: 14},
		{Kind: model.AccessStore, Order: model.SeqCst, NoTear: true, ByteIndex: 4, ElementSize: 1, Value: 255, Line: 15},
		{Kind: model.AccessStore, Order: model.SeqCst, NoTear: true, ByteIndex: 8, ElementSize: 2, Signed: true, Value: 0xfffb, Line: 16},
		{Kind: model.AccessStore, Order: model.Unordered, NoTear: false, ByteIndex: 16, ElementSize: 8, Value: 1<<64 - 1, Line: 17},
	}
	for i, w := range want0 {
		if ops0[i] != w {
			t.Errorf("P0 op %d = %+v\nwant %+v", i, ops0[i], w)
		}
	}
	ops1 := p.Agents[1].Ops
	want1 := []model.Op{
		{Kind: model.AccessLoad, Order: model.SeqCst, NoTear: true, ByteIndex: 6, ElementSize: 2, Signed: true, Reg: "r0", Line: 20},
		{Kind: model.AccessLoad, Order: model.Unordered, NoTear: true, ByteIndex: 0, ElementSize: 4, Signed: true, Reg: "r1", Line: 21},
		{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ByteIndex: 0, ElementSize: 4, Signed: true, Value: 2, Modify: model.Add, Reg: "r2", Line: 22},
		{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ByteIndex: 0, ElementSize: 4, Signed: true, Value: 1, Modify: model.Sub, Reg: "r3", Line: 23},
		{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ByteIndex: 1, ElementSize: 1, Value: 0xf0, Modify: model.And, Line: 24},
		{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ByteIndex: 2, ElementSize: 1, Value: 3, Modify: model.Or, Reg: "r4", Line: 25},
		{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ByteIndex: 3, ElementSize: 1, Value: 0xff, Modify: model.Xor, Reg: "r5", Line: 26},
		{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ByteIndex: 16, ElementSize: 8, Value: 7, Modify: model.Exchange, Reg: "r6", Line: 27},
		{Kind: model.AccessRMW, Order: model.SeqCst, NoTear: true, ByteIndex: 5, ElementSize: 1, Signed: true, Expected: 0xff, Value: 3, Modify: model.CompareExchange, Reg: "r7", Line: 28},
		{Kind: model.AccessLoad, Order: model.Unordered, NoTear: true, ByteIndex: 0, ElementSize: 1, Reg: "r8", Line: 29},
	}
	if len(ops1) != len(want1) {
		t.Fatalf("P1 has %d ops", len(ops1))
	}
	for i, w := range want1 {
		if ops1[i] != w {
			t.Errorf("P1 op %d = %+v\nwant %+v", i, ops1[i], w)
		}
	}
	if tt.Cond.Quantifier != Forall {
		t.Errorf("quantifier %v", tt.Cond.Quantifier)
	}
	if got, want := tt.Cond.String(), `forall ((((((1:r0=-1 \/ ~(1:r1=0 /\ x[0]=3)) \/ (b[1]=2 /\ true)) \/ false) \/ pad[0]=0) \/ 0:r9=-5) \/ 1:r6=18446744073709551615)`; got != want {
		t.Errorf("condition\n got %s\nwant %s", got, want)
	}
	if len(tt.Expects) != 2 || tt.Expects[0] != (Expectation{"es2024", Sometimes, Pos{"full.litmus", 32, 1}}) ||
		tt.Expects[1] != (Expectation{"sc", Never, Pos{"full.litmus", 33, 1}}) {
		t.Errorf("expects %+v", tt.Expects)
	}
	if e, ok := tt.Expected("es2017"); ok {
		t.Errorf("unexpected es2017 expectation %+v", e)
	}
	if got := tt.Agents[1].Stmts[8].String(); got != "r7 = Atomics.compareExchange(s, 1, -1, 3);" {
		t.Errorf("stmt string %q", got)
	}
	if got := tt.Agents[0].Stmts[0].String(); got != "x[0] = 1;" {
		t.Errorf("stmt string %q", got)
	}
	if got := strings.Join(tt.Agents[1].Registers(), ","); got != "r0,r1,r2,r3,r4,r5,r6,r7,r8" {
		t.Errorf("registers %s", got)
	}
}

func TestParseExistsAndNotExists(t *testing.T) {
	for _, c := range []struct {
		src string
		q   Quantifier
	}{
		{"exists (0:r=1)", Exists},
		{"~exists (0:r=1)", NotExists},
		{"~ exists 0:r=1", NotExists},
		{"forall 0:r=1 \\/ 0:r=0", Forall},
	} {
		src := "JS T { Int32 x[1]; } P0 { r = x[0]; } " + c.src
		tt, err := Parse("q.litmus", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if tt.Cond.Quantifier != c.q {
			t.Errorf("%s: quantifier %v, want %v", c.src, tt.Cond.Quantifier, c.q)
		}
	}
}

// malformed lists inputs that must be rejected, with the exact position and
// a fragment of the message.
var malformed = []struct {
	name, src string
	pos       string // line:col
	msg       string
}{
	{"empty", "", "1:1", `want the header "JS <name>", found end of file`},
	{"no name", "JS {", "1:4", "want the test name after JS"},
	{"wrong header", "C MP", "1:1", `want the header "JS <name>"`},
	{"unterminated doc", "JS T\n\"abc", "2:1", "unterminated string"},
	{"bad escape", "JS T \"a\\nb\"", "1:8", `unknown escape \n`},
	{"no decls", "JS T P0 {}", "1:6", `want "{" to open the declarations, found "P0"`},
	{"unknown kind", "JS T { Float32 x[1]; }", "1:8", `unknown view kind "Float32"`},
	{"reserved view", "JS T { Int32 exists[1]; }", "1:14", `"exists" is reserved`},
	{"duplicate view", "JS T { Int32 x[1];\n Int8 x[1]; }", "2:7", "view x is already declared at 1:14"},
	{"zero length", "JS T { Int32 x[0]; }", "1:16", "view x has length 0"},
	{"huge length", "JS T { Int32 x[99999999]; }", "1:16", "view length 99999999 out of range"},
	{"negative length", "JS T { Int32 x[-1]; }", "1:16", "view length -1 out of range"},
	{"misaligned offset", "JS T { Int32 x[1] @ 2; }", "1:21", "byte offset 2 of Int32 x is not a multiple of its element size 4"},
	{"too many inits", "JS T { Int16 x[2] = 1, 2, 3; }", "1:27", "view x has 2 element(s) but more initial values are given"},
	{"init too big", "JS T { Uint8 x[1] = 256; }", "1:21", "initial value 256 does not fit Uint8"},
	{"init too small", "JS T { Int8 x[1] = -129; }", "1:20", "initial value -129 does not fit Int8"},
	{"overlapping inits", "JS T { Int32 w[1] = 5; Uint8 b[4] @ 0 = 1; }", "1:30", "initial values of b overlap those of w"},
	{"missing semicolon", "JS T { Int32 x[1] }", "1:19", `want ";" after the view declaration, found "}"`},
	{"bad number", "JS T { Int32 x[1x]; }", "1:16", `malformed number "1x"`},
	{"number overflow", "JS T { Int32 x[1]; } P0 { x[0] = 18446744073709551616; }", "1:34", "malformed number"},
	{"bad char", "JS T { Int32 x[1]; } P0 { x[0] = 1 $ }", "1:36", `unexpected character '$'`},
	{"no agents", "JS T { Int32 x[1]; } exists (x=0)", "1:22", `want an agent "P0 { … }", found "exists"`},
	{"agent out of order", "JS T { Int32 x[1]; } P1 { }", "1:22", "want agent P0 (agents are P0, P1, … in order)"},
	{"agent not closed", "JS T { Int32 x[1]; }\nP0 { x[0] = 1;\n", "3:1", "agent P0 opened at 2:1 is not closed"},
	{"unknown view in store", "JS T { Int32 x[1]; } P0 { y[0] = 1; }", "1:27", `unknown view "y"`},
	{"index out of range", "JS T { Int32 x[2]; } P0 { x[2] = 1; }", "1:29", "index 2 out of range for Int32 x[2]"},
	{"store value too big", "JS T { Int16 x[1]; } P0 { x[0] = 65536; }", "1:34", "value 65536 does not fit Int16"},
	{"register named like view", "JS T { Int32 x[1]; } P0 { x = x[0]; }", "1:27", "x is a view"},
	{"reserved register", "JS T { Int32 x[1]; } P0 { forall = x[0]; }", "1:27", `"forall" is reserved`},
	{"missing equals", "JS T { Int32 x[1]; } P0 { r x[0]; }", "1:29", `want "=" after register r`},
	{"unknown method", "JS T { Int32 x[1]; } P0 { Atomics.wait(x, 0, 0); }", "1:35", `unknown Atomics method "wait"`},
	{"too few args", "JS T { Int32 x[1]; } P0 { Atomics.store(x, 0); }", "1:45", "Atomics.store takes 3 arguments (view, index, value)"},
	{"too many args", "JS T { Int32 x[1]; } P0 { r = Atomics.load(x, 0, 1); }", "1:48", "Atomics.load takes 2 arguments (view, index)"},
	{"cas args", "JS T { Int32 x[1]; } P0 { Atomics.compareExchange(x, 0, 1); }", "1:58", "takes 4 arguments (view, index, expected, replacement)"},
	{"atomics index range", "JS T { Int32 x[1]; } P0 { Atomics.add(x, 3, 1); }", "1:42", "index 3 out of range for Int32 x[1]"},
	{"atomics operand range", "JS T { Uint8 x[1]; } P0 { Atomics.add(x, 0, 300); }", "1:45", "operand 300 does not fit Uint8"},
	{"atomics unknown view", "JS T { Uint8 x[1]; } P0 { Atomics.add(q, 0, 1); }", "1:39", `unknown view "q"`},
	{"missing statement semicolon", "JS T { Int32 x[1]; } P0 { x[0] = 1 }", "1:36", `want ";" after the statement`},
	{"no condition", "JS T { Int32 x[1]; } P0 { x[0] = 1; }", "1:38", "want an agent P1 or the final condition"},
	{"expect without condition", "JS T { Int32 x[1]; } P0 { r0 = x[0]; }\nexpect sc: Never", "2:1", "want an agent P1 or the final condition (exists, ~exists or forall), found \"expect\""},
	{"wrong agent name", "JS T { Int32 x[1]; } Q0 { }", "1:22", `want an agent "P0 { … }", found "Q0"`},
	{"tilde without exists", "JS T { Int32 x[1]; } P0 { x[0] = 1; } ~forall (x=1)", "1:40", `want "exists" after "~"`},
	{"unassigned register", "JS T { Int32 x[1]; } P0 { x[0] = 1; } exists (0:r0=1)", "1:49", "register r0 of P0 is never assigned"},
	{"register of other agent", "JS T { Int32 x[1]; } P0 { r0 = x[0]; } P1 { r1 = x[0]; } exists (1:r0=1)", "1:68", "register r0 of P1 is never assigned"},
	{"unknown agent in condition", "JS T { Int32 x[1]; } P0 { r0 = x[0]; } exists (2:r0=1)", "1:48", "no agent P2 in this test (it has P0..P0)"},
	{"register value range", "JS T { Uint8 x[1]; } P0 { r0 = x[0]; } exists (0:r0=-1)", "1:53", "0:r0 holds a Uint8 value: -1 is never its value (range 0..255)"},
	{"memory value range", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x[0]=128)", "1:51", "x[0] is Int8: 128 is never its value (range -128..127)"},
	{"memory index range", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x[1]=1)", "1:48", "index 1 out of range for Int8 x[1]"},
	{"bare multi-element view", "JS T { Int8 x[2]; } P0 { x[0] = 1; } exists (x=1)", "1:46", "view x has 2 elements: write x[i]"},
	{"unknown name in condition", "JS T { Int8 x[1]; } P0 { r = x[0]; } exists (r=1)", "1:46", `unknown view "r" in the condition (registers are written P:r, e.g. 0:r)`},
	{"unclosed paren", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists ((x=1)", "1:51", `want ")" to close the "(" at 1:45, found end of file`},
	{"dangling and", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x=1 /\\)", "1:52", `want a term (P:r=n or v[i]=n)`},
	{"missing value", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x=)", "1:48", "want a value (an integer)"},
	{"unknown model", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x=1)\nexpect arm: Never", "2:8", `unknown model "arm"`},
	{"bad result", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x=1)\nexpect sc: Maybe", "2:12", `want Always, Sometimes or Never, found "Maybe"`},
	{"duplicate expect", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x=1)\nexpect sc: Never\nexpect sc: Always", "3:8", "second expectation for model sc (the first is at 2:1)"},
	{"expect without colon", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x=1)\nexpect sc Never", "2:11", `want ":" after the model name`},
	{"trailing junk", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists (x=1) P1", "1:51", "want \"expect <model>: Always|Sometimes|Never\" or end of file"},
	{"deep nesting", "JS T { Int8 x[1]; } P0 { x[0] = 1; } exists " + strings.Repeat("(", 300) + "x=1" + strings.Repeat(")", 300), "1:245", "condition nested too deeply"},
	{"invalid utf8", "JS T { Int8 x[1]; } P0 { x[0] = 1; } \xff", "1:38", "invalid UTF-8 byte 0xff"},
	{"columns count characters", "JS T \"é\" { Int8 x[1]; } P0 { x[0] = 1; } $", "1:42", "unexpected character '$'"},
}

func TestParseErrors(t *testing.T) {
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.litmus", []byte(c.src))
			if err == nil {
				t.Fatalf("no error for %q", c.src)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *litmus.Error", err)
			}
			if got := err.Error(); !strings.HasPrefix(got, "bad.litmus:"+c.pos+": ") || !strings.Contains(got, c.msg) {
				t.Errorf("error\n got %s\nwant bad.litmus:%s: …%s…", got, c.pos, c.msg)
			}
		})
	}
}

func TestRegisterDecoding(t *testing.T) {
	src := `JS Dec
{ Int8 s[1]; Uint8 u[1] @ 0; BigUint64 big[1]; BigInt64 sbig[1] @ 8; }
P0 {
  r0 = s[0];
  r1 = u[0];
  r2 = big[0];
  r3 = sbig[0];
  r4 = Atomics.store(u, 0, -1);
  r5 = s[0];
  r5 = Atomics.store(s, 0, 300); // this cannot parse: 300 does not fit Int8
}
exists (0:r0=-1)`
	if _, err := Parse("dec.litmus", []byte(src)); err == nil || !strings.Contains(err.Error(), "dec.litmus:10:28: operand 300 does not fit Int8") {
		t.Fatalf("err = %v", err)
	}
	src = strings.Replace(src, "300", "-128", 1)
	tt, err := Parse("dec.litmus", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fs := model.NewFinalState([]map[string]int64{{"r0": -1, "r1": 255, "r2": -1, "r3": -1, "r5": 77}},
		[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	st := &fs
	for _, c := range []struct {
		reg  string
		want string
	}{
		{"r0", "-1"}, {"r1", "255"}, {"r2", "18446744073709551615"}, {"r3", "-1"},
		{"r4", "-1"},   // Atomics.store returns its argument, unconverted
		{"r5", "-128"}, // the last assignment wins: Atomics.store's argument, not the load
	} {
		v, ok := tt.RegisterValue(st, 0, c.reg)
		if !ok || v.String() != c.want {
			t.Errorf("%s = %v (%v), want %s", c.reg, v, ok, c.want)
		}
	}
	if _, ok := tt.RegisterValue(st, 0, "nope"); ok {
		t.Error("unknown register has a value")
	}
	if _, ok := tt.RegisterValue(st, 3, "r0"); ok {
		t.Error("unknown agent has a value")
	}
	for _, c := range []struct {
		view string
		want string
	}{{"s", "-1"}, {"u", "255"}, {"big", "18446744073709551615"}, {"sbig", "-1"}} {
		var v *View
		for _, w := range tt.Views {
			if w.Name == c.view {
				v = w
			}
		}
		n, ok := tt.MemoryValue(st, v, 0)
		if !ok || n.String() != c.want {
			t.Errorf("%s[0] = %v (%v), want %s", c.view, n, ok, c.want)
		}
	}
	if got := tt.FormatState(st); got != "0:r0=-1; 0:r1=255; 0:r2=18446744073709551615; 0:r3=-1; 0:r4=-1; 0:r5=-128; s[0]=-1; u[0]=255; big[0]=18446744073709551615; sbig[0]=-1;" {
		t.Errorf("state %s", got)
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		n    Number
		k    Kind
		fits bool
		bits uint64
	}{
		{Number{Mag: 255}, Uint8, true, 0xff},
		{Number{Neg: true, Mag: 1}, Uint8, false, 0xff},
		{Number{Neg: true, Mag: 128}, Int8, true, 0x80},
		{Number{Mag: 128}, Int8, false, 0x80},
		{Number{Mag: 1<<63 - 1}, BigInt64, true, 1<<63 - 1},
		{Number{Mag: 1 << 63}, BigInt64, false, 1 << 63},
		{Number{Neg: true, Mag: 1 << 63}, BigInt64, true, 1 << 63},
		{Number{Mag: 1<<64 - 1}, BigUint64, true, 1<<64 - 1},
		{Number{Mag: 0x10000}, Uint16, false, 0},
	} {
		if got := fitsKind(c.n, c.k); got != c.fits {
			t.Errorf("fitsKind(%s, %s) = %v", c.n, c.k, got)
		}
		if got := bitsOf(c.n, c.k.Size()); got != c.bits {
			t.Errorf("bitsOf(%s, %d) = %#x, want %#x", c.n, c.k.Size(), got, c.bits)
		}
	}
	if (Number{Neg: true, Mag: 5}).Cmp(Number{Neg: true, Mag: 3}) != -1 || (Number{Mag: 3}).Cmp(Number{Neg: true, Mag: 3}) != 1 ||
		(Number{Neg: true, Mag: 0}).Cmp(Number{}) != 0 || (Number{Mag: 2}).Cmp(Number{Mag: 9}) != -1 {
		t.Error("Cmp is wrong")
	}
	if decode([]byte{0x00, 0x80}, Int16).String() != "-32768" || decode([]byte{0x00, 0x80}, Uint16).String() != "32768" {
		t.Error("decode is wrong")
	}
	if Int8.NoTear(false) != true || BigInt64.NoTear(false) != false || BigUint64.NoTear(true) != true {
		t.Error("NoTear does not follow IsNoTearConfiguration")
	}
}

// TestParseModelLimits checks that the parser accepts exactly what the model
// runs: a test at each of the model's limits parses and runs, and one beyond
// it is refused with the position of the declaration or statement that
// exceeds it.
// atLimits is a test at each of the model's limits: a block of
// model.MaxBlockSize bytes, model.MaxOps statements of which
// model.MaxCompareExchanges are compareExchanges.
var atLimits = "JS AtLimits\n{ Uint8 pad[1020]; Int32 x[1]; }\n" +
	"P0 {\n" + strings.Repeat("r0 = Atomics.compareExchange(x, 0, 0, 1);\n", model.MaxCompareExchanges) + "}\n" +
	"P1 {\n" + strings.Repeat("x[0] = 2;\n", model.MaxOps-model.MaxCompareExchanges) + "}\n" +
	"exists (0:r0=0)\n"

// beyondLimits lists tests one step beyond a model limit, with the position
// and message of the error.
var beyondLimits = []struct {
	name, src, pos, msg string
}{
	{"2400-byte view", "JS T\n{ Uint8 x[2400]; }", "2:11",
		"view length 2400 out of range (0..1024): 1-byte Uint8 elements within the model's limit of 1024 bytes per block (model.MaxBlockSize)"},
	{"block beyond the limit", "JS T\n{ Int32 x[200];\n  Int32 y[100]; }", "3:9",
		"view y ends at byte 1200, beyond the model's limit of 1024 bytes per block (model.MaxBlockSize)"},
	{"offset beyond the limit", "JS T\n{ Uint8 x[1] @ 1025; }", "2:16",
		"byte offset 1025 out of range (0..1024): the model's limit of 1024 bytes per block"},
	{"offset and length beyond the limit", "JS T\n{ Uint16 x[2] @ 1022; }", "2:10",
		"view x ends at byte 1026, beyond the model's limit of 1024 bytes per block"},
	{"too many statements", strings.Replace(atLimits, "x[0] = 2;\n}", "x[0] = 2;\n  x[0] = 3;\n}", 1),
		fmt.Sprintf("%d:3", 5+model.MaxOps+1),
		"too many statements: P1's statement 53 is the test's statement 65, beyond the model's limit of 64 operations over all agents (model.MaxOps)"},
	{"too many compareExchanges", strings.Replace(atLimits, "P1 {\n", "P1 {\n  r1 = Atomics.compareExchange(x, 0, 1, 2);\n", 1),
		fmt.Sprintf("%d:3", 5+model.MaxCompareExchanges+1),
		"too many compareExchange calls: this is the test's compareExchange 13, beyond the model's limit of 12 (model.MaxCompareExchanges)"},
}

// TestParseModelLimits checks that the parser accepts exactly what the model
// runs: a test at each of the model's limits parses and runs, and one beyond
// it is refused with the position of the declaration or statement that
// exceeds it.
func TestParseModelLimits(t *testing.T) {
	tt, err := Parse("limits.litmus", []byte(atLimits))
	if err != nil {
		t.Fatal(err)
	}
	if tt.Program.Size != model.MaxBlockSize {
		t.Fatalf("block of %d bytes, want %d", tt.Program.Size, model.MaxBlockSize)
	}
	// The model takes it: only the deadline stops it, no ProgramError.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := model.EnumerateContext(ctx, tt.Program, model.SC); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the model refuses a test the parser accepts: %v", err)
	}
	for _, c := range beyondLimits {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.litmus", []byte(c.src))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *litmus.Error", err)
			}
			if got := err.Error(); !strings.HasPrefix(got, "bad.litmus:"+c.pos+": ") || !strings.Contains(got, c.msg) {
				t.Errorf("error\n got %s\nwant bad.litmus:%s: …%s…", got, c.pos, c.msg)
			}
		})
	}
}

// TestParseRefusedByModel checks that a refusal by Program.Validate that the
// parser's own checks missed still comes back as an *Error at the statement
// the model names.
func TestParseRefusedByModel(t *testing.T) {
	tt, err := Parse("ok.litmus", []byte("JS T\n{ Int32 x[1]; }\nP0 { x[0] = 1;\n  r0 = x[0]; }\nexists (0:r0=1)"))
	if err != nil {
		t.Fatal(err)
	}
	p := &parser{test: tt, header: Pos{"ok.litmus", 1, 1}}
	err = p.refused(&model.ProgramError{Program: "T", Agent: "P0", Op: 1, Line: 4, Msg: "no"})
	if got, want := err.Error(), "ok.litmus:4:3: the model refuses this test: program T: agent P0 op 1 (line 4): no"; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	err = p.refused(&model.ProgramError{Program: "T", Op: -1, Msg: "no"})
	if got, want := err.Error(), "ok.litmus:1:1: the model refuses this test: program T: no"; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

package gen

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// Op is the operation of a statement.
type Op uint8

// The operations: plain (Unordered) accesses, the Atomics methods, Wait and
// Notify, and the Queue's put and get.
const (
	PlainLoad       Op = iota + 1 // r = v[i] (a TypedArray or DataView read; Unordered)
	PlainStore                    // v[i] = Value (Unordered)
	Load                          // r = Atomics.load(v, i)
	Store                         // Atomics.store(v, i, Value)
	Add                           // r = Atomics.add(v, i, Value)
	Sub                           // r = Atomics.sub(v, i, Value)
	And                           // r = Atomics.and(v, i, Value)
	Or                            // r = Atomics.or(v, i, Value)
	Xor                           // r = Atomics.xor(v, i, Value)
	Exchange                      // r = Atomics.exchange(v, i, Value)
	CompareExchange               // r = Atomics.compareExchange(v, i, Expected, Value)
	Wait                          // r = Atomics.wait(v, i, Expected, WaitTimeout): 0 "ok", 1 "not-equal", 2 "timed-out"
	Notify                        // r = Atomics.notify(v, i, Count): the number woken
	Put                           // r = queue.put(Value, QueueTimeout) (Transfer: an ArrayBuffer holding Value, transferred): 0 ok, 1 full
	Get                           // r = queue.get(QueueTimeout): the value (a transferred ArrayBuffer's Int32), or -1 when empty
	opEnd
)

var opNames = [...]string{
	PlainLoad: "PlainLoad", PlainStore: "PlainStore", Load: "Load", Store: "Store", Add: "Add", Sub: "Sub",
	And: "And", Or: "Or", Xor: "Xor", Exchange: "Exchange", CompareExchange: "CompareExchange",
	Wait: "Wait", Notify: "Notify", Put: "Put", Get: "Get",
}

// String returns the operation's Go name ("CompareExchange").
func (o Op) String() string {
	if o.Valid() {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Valid reports whether o is one of the operations.
func (o Op) Valid() bool { return o >= PlainLoad && o < opEnd }

// IsRMW reports whether o is an Atomics read-modify-write (Add …
// CompareExchange).
func (o Op) IsRMW() bool { return o >= Add && o <= CompareExchange }

// IsAtomic reports whether o is a seq-cst memory access (Load, Store or a
// read-modify-write).
func (o Op) IsAtomic() bool { return o >= Load && o <= CompareExchange }

// onView reports whether o accesses a view (every op but Put and Get).
func (o Op) onView() bool { return o >= PlainLoad && o <= Notify }

// yields reports whether a statement of o assigns a register.
func (o Op) yields() bool { return o != PlainStore && o != Store }

// WaitTimeout is the timeout of every Wait, and QueueTimeout that of every
// Put and Get: finite, so that no generated program deadlocks. Under the
// explorer time is simulated: whether a blocked operation times out is a
// scheduling choice, not a matter of these durations.
const (
	WaitTimeout  = time.Millisecond
	QueueTimeout = time.Millisecond
)

// NotifyAll is the Count of a Notify that wakes every waiter (atomics.All).
const NotifyAll = -1

// View is a view over the program's one shared buffer: a TypedArray of
// Kind with Length elements from ByteOffset, or, if DataView, a DataView
// over the same bytes whose statement i reads or writes a Kind element at
// byte i×Kind.Size() (little-endian). Views may overlap.
type View struct {
	Name       string
	Kind       shared.Kind
	ByteOffset int // bytes; a multiple of Kind.Size() for a TypedArray
	Length     int // elements
	DataView   bool
}

// End returns the byte offset just past the view.
func (v View) End() int { return v.ByteOffset + v.Length*v.Kind.Size() }

// Stmt is one statement of an agent. View and Index name the element
// (for operations on a view); Value is the value stored, the operand of a
// read-modify-write, compareExchange's replacement, or the item put;
// Expected is compareExchange's and Wait's expected value; Count is
// Notify's (NotifyAll: every waiter); Transfer makes a Put send an
// ArrayBuffer holding Value (as an Int32) in its transfer list.
type Stmt struct {
	Op       Op
	View     int
	Index    int
	Value    int64
	Expected int64
	Count    int
	Transfer bool
}

// Agent is one agent's statements, in agent-order.
type Agent struct {
	Stmts []Stmt
}

// Program is a generated multi-agent program over one shared buffer (named
// Buffer in outcomes, of Size() bytes, zero at first) and, if it has Put or
// Get statements, one queue of at most QueueSize items (0: unbounded).
// Agents are named P0, P1, …; each statement that yields a value reports
// it under the register "r<k>" (k counts the agent's value-yielding
// statements from 0), so an outcome's Values are keyed "P1:r0", as a
// litmus test's scenario keys them.
type Program struct {
	Name      string
	Views     []View
	Agents    []Agent
	QueueSize int
}

// Buffer is the name of the program's shared buffer in outcomes (the
// litmus package's Block).
const Buffer = "block"

// Limits on what Validate accepts.
const (
	MaxAgents = 8   // agents
	MaxStmts  = 64  // statements over all agents (model.MaxOps)
	MaxSize   = 256 // bytes of the shared buffer
)

// Size returns the shared buffer's length in bytes: the end of the highest
// view (0 for a program without views).
func (p *Program) Size() int {
	if p == nil {
		return 0
	}
	n := 0
	for _, v := range p.Views {
		n = max(n, v.End())
	}
	return n
}

// Register returns the register name of statement s of agent a ("r0"), or
// "" when the statement yields no value or does not exist.
func (p *Program) Register(a, s int) string {
	if p == nil || a < 0 || a >= len(p.Agents) || s < 0 || s >= len(p.Agents[a].Stmts) {
		return ""
	}
	k := 0
	for i, st := range p.Agents[a].Stmts[:s+1] {
		if !st.Op.yields() {
			continue
		}
		if i == s {
			return fmt.Sprintf("r%d", k)
		}
		k++
	}
	return ""
}

// Validate reports the first thing wrong with p, naming the view or the
// agent and statement: a nil program, no agents or more than MaxAgents,
// more than MaxStmts statements, a view of an invalid kind, out of the
// buffer (MaxSize bytes) or misaligned, a statement of an invalid
// operation, on a view that does not exist or out of its range, or an
// operation its view does not support (Atomics on a DataView, a float or a
// Uint8Clamped view; Wait and Notify other than on Int32 and BigInt64).
func (p *Program) Validate() error {
	if p == nil {
		return errors.New("gen: nil program")
	}
	if len(p.Agents) == 0 || len(p.Agents) > MaxAgents {
		return fmt.Errorf("gen: program %q has %d agents, want 1 to %d", p.Name, len(p.Agents), MaxAgents)
	}
	if p.QueueSize < 0 {
		return fmt.Errorf("gen: program %q: negative QueueSize %d", p.Name, p.QueueSize)
	}
	if strings.IndexFunc(p.Name, func(r rune) bool {
		return !(r == '_' || r == '+' || r == '-' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) >= 0 {
		return fmt.Errorf("gen: program name %q: want letters, digits and _ + - . only (a litmus test's name)", p.Name)
	}
	names := map[string]bool{}
	for i, v := range p.Views {
		switch {
		case !v.Kind.Valid():
			return fmt.Errorf("gen: view %d (%q): invalid kind %v", i, v.Name, v.Kind)
		case !isIdent(v.Name) || names[v.Name]:
			return fmt.Errorf("gen: view %d: name %q is not a fresh identifier (letters, digits, _; not a litmus keyword)", i, v.Name)
		case v.Length < 1 || v.ByteOffset < 0 || v.Length > MaxSize || v.ByteOffset > MaxSize || v.End() > MaxSize:
			return fmt.Errorf("gen: view %d (%q): %d elements at byte %d are not within a buffer of at most %d bytes", i, v.Name, v.Length, v.ByteOffset, MaxSize)
		case !v.DataView && v.ByteOffset%v.Kind.Size() != 0:
			return fmt.Errorf("gen: view %d (%q): byte offset %d is not a multiple of the %v element size", i, v.Name, v.ByteOffset, v.Kind)
		}
		names[v.Name] = true
	}
	n := 0
	for a, ag := range p.Agents {
		for s, st := range ag.Stmts {
			n++
			if err := p.checkStmt(st); err != nil {
				return fmt.Errorf("gen: P%d statement %d (%v): %w", a, s, st.Op, err)
			}
		}
	}
	if n > MaxStmts {
		return fmt.Errorf("gen: program %q has %d statements, want at most %d", p.Name, n, MaxStmts)
	}
	return nil
}

func (p *Program) checkStmt(st Stmt) error {
	if !st.Op.Valid() {
		return errors.New("invalid operation")
	}
	if !st.Op.onView() {
		return nil
	}
	if st.View < 0 || st.View >= len(p.Views) {
		return fmt.Errorf("view %d does not exist (%d views)", st.View, len(p.Views))
	}
	v := p.Views[st.View]
	if st.Index < 0 || st.Index >= v.Length {
		return fmt.Errorf("index %d is out of view %s's %d elements", st.Index, v.Name, v.Length)
	}
	if lo, hi := kindRange(v.Kind); !v.DataView && (st.Value < lo || st.Value > hi || st.Op == CompareExchange && (st.Expected < lo || st.Expected > hi)) {
		return fmt.Errorf("a value (%d, expected %d) out of view %s's %v range [%d, %d]", st.Value, st.Expected, v.Name, v.Kind, lo, hi)
	}
	if st.Op == PlainLoad || st.Op == PlainStore {
		return nil
	}
	if v.DataView || !v.Kind.IsInteger() || v.Kind == shared.Uint8Clamped {
		return fmt.Errorf("view %s (%v, DataView %v) supports no Atomics operation", v.Name, v.Kind, v.DataView)
	}
	if (st.Op == Wait || st.Op == Notify) && v.Kind != shared.Int32 && v.Kind != shared.BigInt64 {
		return fmt.Errorf("view %s is %v: Wait and Notify need Int32 or BigInt64", v.Name, v.Kind)
	}
	return nil
}

// kindRange is the range of the values of a view's element kind.
func kindRange(k shared.Kind) (lo, hi int64) {
	switch {
	case k == shared.BigInt64:
		return math.MinInt64, math.MaxInt64
	case k == shared.BigUint64:
		return 0, math.MaxInt64
	case !k.IsInteger():
		return math.MinInt64, math.MaxInt64 // floats: any integer value converts
	case k.IsSigned():
		return -1 << (8*k.Size() - 1), 1<<(8*k.Size()-1) - 1
	}
	return 0, 1<<(8*k.Size()) - 1
}

func isIdent(s string) bool {
	if s == "" || keywords[s] {
		return false
	}
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// keywords are the litmus format's reserved words, and names that look like
// its agents or registers.
var keywords = map[string]bool{"Atomics": true, "exists": true, "forall": true, "expect": true, "true": true, "false": true, "JS": true}

// Scenario returns the program as a scenario the explorer runs: one shared
// buffer named Buffer of Size() bytes, a queue of QueueSize items if any
// statement uses it, and one agent per Agent performing its statements
// through the real shared and atomics API (plain accesses as TypedArray or
// DataView accesses, the rest as package atomics' and shared.Queue's),
// each reporting its register. An invalid program (Validate) fails in Setup
// with Validate's error (FailSetup). Scenario.Name is the program's Name.
func (p *Program) Scenario() *scenarios.Scenario {
	name := "gen"
	if p != nil && p.Name != "" {
		name = p.Name
	}
	return &scenarios.Scenario{Name: name, Setup: p.setup}
}

func (p *Program) setup(w *scenarios.World) error {
	if err := p.Validate(); err != nil {
		return err
	}
	buf := w.Buffer(Buffer, max(p.Size(), 1))
	if buf == nil {
		return fmt.Errorf("gen: no buffer of %d bytes", p.Size())
	}
	var q *shared.Queue
	for _, ag := range p.Agents {
		for _, st := range ag.Stmts {
			if st.Op == Put || st.Op == Get {
				q = w.Queue(p.QueueSize)
				break
			}
		}
		if q != nil {
			break
		}
	}
	for ai, ag := range p.Agents {
		stmts := ag.Stmts
		w.Agent(fmt.Sprintf("P%d", ai), func(a *shared.Agent) error {
			k := 0
			for si, st := range stmts {
				v, err := p.perform(buf.For(a), q, a, st)
				if err != nil {
					return fmt.Errorf("P%d statement %d (%v): %w", ai, si, st.Op, err)
				}
				if st.Op.yields() {
					w.Report(a, fmt.Sprintf("r%d", k), v)
					k++
				}
			}
			return nil
		})
	}
	return nil
}

// perform runs one statement and returns the value it yields.
func (p *Program) perform(buf *shared.Buffer, q *shared.Queue, a *shared.Agent, st Stmt) (int64, error) {
	switch st.Op {
	case Put:
		return put(q.For(a), a, st)
	case Get:
		return get(q.For(a))
	}
	v := p.Views[st.View]
	if v.DataView {
		dv, err := shared.NewDataView(buf, v.ByteOffset, v.Length*v.Kind.Size())
		if err != nil {
			return 0, err
		}
		at := st.Index * v.Kind.Size()
		if st.Op == PlainStore {
			return 0, dv.SetBits(v.Kind, at, v.Kind.FromInt64(st.Value), true)
		}
		bits, err := dv.GetBits(v.Kind, at, true)
		return v.Kind.Int64(bits), err
	}
	ta, err := shared.NewTypedArray(buf, v.Kind, v.ByteOffset, v.Length)
	if err != nil {
		return 0, err
	}
	i, x := st.Index, st.Value
	switch st.Op {
	case PlainLoad:
		bits, err := ta.GetBits(i)
		return v.Kind.Int64(bits), err
	case PlainStore:
		return 0, ta.SetBits(i, v.Kind.FromInt64(x))
	case Load:
		return atomics.Load(ta, i)
	case Store:
		_, err := atomics.Store(ta, i, x)
		return 0, err
	case Add:
		return atomics.Add(ta, i, x)
	case Sub:
		return atomics.Sub(ta, i, x)
	case And:
		return atomics.And(ta, i, x)
	case Or:
		return atomics.Or(ta, i, x)
	case Xor:
		return atomics.Xor(ta, i, x)
	case Exchange:
		return atomics.Exchange(ta, i, x)
	case CompareExchange:
		return atomics.CompareExchange(ta, i, st.Expected, x)
	case Wait:
		r, err := atomics.Wait(ta, i, st.Expected, WaitTimeout)
		switch r {
		case "ok":
			return 0, err
		case "not-equal":
			return 1, err
		case "timed-out":
			return 2, err
		}
		return 3, fmt.Errorf("wait returned %q: %v", r, err)
	case Notify:
		n, err := atomics.Notify(ta, i, st.Count)
		return int64(n), err
	}
	return 0, fmt.Errorf("operation %v", st.Op)
}

func put(q *shared.Queue, a *shared.Agent, st Stmt) (int64, error) {
	var err error
	if st.Transfer {
		ab, e := shared.NewArrayBuffer(4, shared.CreatedBy(a))
		if e != nil {
			return 0, e
		}
		v, e := shared.View(ab, shared.Int32)
		if e != nil {
			return 0, e
		}
		if e := v.SetInt(0, st.Value); e != nil {
			return 0, e
		}
		err = q.PutTimeout(ab, QueueTimeout, ab)
		if err == nil && !ab.Detached() {
			return 0, errors.New("the transferred ArrayBuffer is not detached after the put")
		}
	} else {
		err = q.PutTimeout(st.Value, QueueTimeout)
	}
	if errors.Is(err, shared.QueueFull) {
		return 1, nil
	}
	return 0, err
}

func get(q *shared.Queue) (int64, error) {
	x, err := q.GetTimeout(QueueTimeout)
	if errors.Is(err, shared.QueueEmpty) {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	switch x := x.(type) {
	case int64:
		return x, nil
	case *shared.ArrayBuffer:
		v, err := shared.NewTypedArray(x, shared.Int32, 0, 1)
		if err != nil {
			return 0, err
		}
		return v.GetInt(0)
	}
	return 0, fmt.Errorf("received a %T", x)
}

package litmus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/internal/affinity"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// This file is the litmus fast path of the stress runner, in jcstress's
// manner: many independent instances of a test over one large shared
// buffer, each agent a goroutine running its operations over a whole
// batch of instances, with barriers per batch rather than per iteration.

// StressOptions configure Stress.
type StressOptions struct {
	// Iterations bounds the run to that many instances (iterations);
	// Duration to that running time (the batch under way finishes). With
	// neither, DefaultStressIterations.
	Iterations int
	Duration   time.Duration
	// Batch is the number of instances per batch (0: DefaultBatch).
	Batch int
	// Stride is the distance in bytes between two instances in the
	// buffer (0: the test's block size rounded up to 8 bytes; otherwise a
	// multiple of 8 at least that size). A stride of 64 or more puts each
	// instance on cache lines of its own.
	Stride int
	// SyncEvery makes the agents meet every SyncEvery instances within a
	// batch: before instance i, i a multiple of SyncEvery, each agent
	// publishes its position and waits until every other agent has
	// reached instance i too (litmus7's user barrier, every SyncEvery
	// instances), so that they race on the same instances rather than
	// drifting apart. 0: DefaultSyncEvery when every agent can have a
	// processor of its own (agents ≤ GOMAXPROCS), else only between
	// batches (jcstress's manner: with more agents than processors each
	// meeting would cost context switches). A SyncEvery of Batch or more
	// meets only between batches.
	SyncEvery int
	// Affinity pins each agent's goroutine to its own processor (agent i
	// to the i-th processor of the process's mask, modulo their number)
	// where the OS allows it (Linux); silently not elsewhere.
	Affinity bool
	// Grading, if not nil, grades the outcomes (keys: herd7 state texts,
	// Test.FormatState); otherwise StressGrading's, within GradeBudget
	// per model (0: scenarios.DefaultExploreBudget).
	Grading     *scenarios.Grading
	GradeBudget time.Duration
	// Progress, if not nil, is called after each batch with the number of
	// iterations done, from one of the agents' goroutines.
	Progress func(done int)
}

// Defaults of StressOptions.
const (
	DefaultStressIterations = 1_000_000
	DefaultBatch            = 1024
	DefaultSyncEvery        = 64
	// MaxStressBuffer bounds Batch × Stride: the shared buffer of one run.
	MaxStressBuffer = 64 << 20
)

// StressGrading is the grading of a test's outcomes under the named
// model: the enumerator's allowed final states under it and under sc, by
// their herd7 text (Test.FormatState), each enumerated within budget (0:
// scenarios.DefaultExploreBudget) and 65,536 states; a set cut short by
// either is incomplete (its outcomes not in it are graded UNKNOWN, never
// FORBIDDEN), and Note says why. Errors: a nil test, a negative budget,
// an unknown model, ctx's end.
func StressGrading(ctx context.Context, t *Test, modelName string, budget time.Duration) (*scenarios.Grading, error) {
	if t == nil || t.Program == nil {
		return nil, errors.New("litmus: StressGrading: a nil test")
	}
	if budget < 0 {
		return nil, fmt.Errorf("litmus: StressGrading: a negative budget %v", budget)
	}
	if budget == 0 {
		budget = scenarios.DefaultExploreBudget
	}
	g := &scenarios.Grading{Model: modelName}
	var notes []string
	for _, m := range []string{modelName, "sc"} {
		set, err := enumerated(ctx, t, m, budget)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.As(err, new(*model.TooManyStatesError)):
			return nil, err
		case err != nil:
			notes = append(notes, fmt.Sprintf("%s: incomplete (%v)", m, err))
		default:
			notes = append(notes, fmt.Sprintf("%d under %s", len(set), m))
		}
		if m == modelName {
			g.Allowed, g.AllowedComplete = set, err == nil
		} else {
			g.SC, g.SCComplete = set, err == nil
		}
	}
	g.Note = "the enumerator: " + strings.Replace(strings.Join(notes, ", "), " under ", " states allowed under ", 1)
	return g, nil
}

// maxGradeStates bounds the states one grading enumerates (their memory).
const maxGradeStates = 1 << 16

// enumerated is the set of the test's final states (herd7 texts) under
// model m, enumerated within budget and maxGradeStates; on running out it
// returns what it has with the error.
func enumerated(ctx context.Context, t *Test, m string, budget time.Duration) (map[string]bool, error) {
	c, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	o, err := RunLimit(c, t, m, maxGradeStates)
	set := map[string]bool{}
	if o != nil {
		for i := range o.States {
			set[o.States[i].Text()] = true
		}
	}
	return set, err
}

// Stress runs the test on real goroutines, with no controller, many
// times, and grades each final state seen against the enumerator's
// allowed states under the named model and under sc (scenarios.Grading:
// a state outside the model's is FORBIDDEN and fails the run; one the
// model allows but sc does not is INTERESTING; the others ACCEPTABLE).
//
// The iterations are instances of the test in one shared buffer,
// instance i at byte offset i × Stride, run in batches: each agent is a
// goroutine (pinned to a processor with Affinity) that, after a barrier,
// performs its operations — through the real shared and atomics API, as
// Test.Scenario does: plain accesses as TypedArray element accesses,
// Atomics as package atomics' — on every instance of the batch in turn,
// keeping its registers in an array of its own; after a second barrier
// one agent counts each instance's final state (its registers and the
// bytes of its block, read with plain reads) in a histogram keyed by
// those values, and writes the initial contents back. Agents thus race
// on the same instance when they run at the same pace, as in jcstress.
//
// The report's rows are keyed by herd7 state texts; Satisfies says
// whether the test's condition holds in each. Errors are for bad
// arguments (a nil test, an unknown model, a negative option, a stride
// that does not fit) and for an operation's error (a bug: the test parsed,
// so every access is in range).
func Stress(ctx context.Context, t *Test, modelName string, opt StressOptions) (*scenarios.StressReport, error) {
	if t == nil || t.Program == nil {
		return nil, errors.New("litmus: Stress: a nil test")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if _, err := model.VariantByName(modelName); err != nil {
		return nil, fmt.Errorf("litmus: Stress: %w", err)
	}
	p := t.Program
	minStride := (p.Size + 7) &^ 7
	if minStride == 0 {
		minStride = 8
	}
	switch {
	case opt.Iterations < 0:
		return nil, fmt.Errorf("litmus: StressOptions.Iterations %d is negative", opt.Iterations)
	case opt.Duration < 0:
		return nil, fmt.Errorf("litmus: StressOptions.Duration %v is negative", opt.Duration)
	case opt.Batch < 0:
		return nil, fmt.Errorf("litmus: StressOptions.Batch %d is negative", opt.Batch)
	case opt.Stride < 0:
		return nil, fmt.Errorf("litmus: StressOptions.Stride %d is negative", opt.Stride)
	case opt.Stride > 0 && (opt.Stride%8 != 0 || opt.Stride < minStride):
		return nil, fmt.Errorf("litmus: StressOptions.Stride %d is not a multiple of 8 of at least %d (the test's block, %d bytes)", opt.Stride, minStride, p.Size)
	case opt.SyncEvery < 0:
		return nil, fmt.Errorf("litmus: StressOptions.SyncEvery %d is negative", opt.SyncEvery)
	case len(p.Agents) == 0:
		return nil, fmt.Errorf("litmus: Stress: %s has no agents", t.Name)
	}
	if opt.Iterations == 0 && opt.Duration == 0 {
		opt.Iterations = DefaultStressIterations
	}
	if opt.Batch == 0 {
		opt.Batch = DefaultBatch
	}
	if opt.Stride == 0 {
		opt.Stride = minStride
	}
	if opt.SyncEvery == 0 {
		opt.SyncEvery = opt.Batch
		if len(p.Agents) <= runtime.GOMAXPROCS(0) {
			opt.SyncEvery = DefaultSyncEvery
		}
	}
	if opt.Iterations > 0 && opt.Batch > opt.Iterations {
		opt.Batch = opt.Iterations
	}
	if opt.Stride > MaxStressBuffer || opt.Batch > MaxStressBuffer/opt.Stride {
		return nil, fmt.Errorf("litmus: StressOptions: a batch of %d instances of %d bytes is more than %d bytes", opt.Batch, opt.Stride, MaxStressBuffer)
	}
	g := opt.Grading
	if g == nil {
		var err error
		if g, err = StressGrading(ctx, t, modelName, opt.GradeBudget); err != nil {
			return nil, err
		}
	}
	r, err := newStressRun(t, &opt)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	r.start, r.ctx = start, ctx
	if err := r.run(); err != nil {
		return nil, err
	}
	rep := &scenarios.StressReport{Scenario: t.Name, Model: modelName, Iterations: r.done, Elapsed: time.Since(start), Grading: g,
		Affinity: opt.Affinity && affinity.Supported()}
	rep.Rows, err = r.rows(g)
	return rep, err
}

// stressRun is one run of the fast path.
type stressRun struct {
	t      *Test
	opt    *StressOptions
	ctx    context.Context
	start  time.Time
	buf    *shared.Buffer
	main   *shared.Agent
	words  *shared.TypedArray // main's BigUint64 view of the buffer
	init   []uint64           // the block's initial contents, as words
	agents []*stressAgent
	prog   []paddedCounter // each agent's position (BarrierInstance)
	nregs  int             // registers of all agents
	bar    batchBarrier
	batch  int         // instances in the current batch (set by agent 0)
	stop   atomic.Bool // set by agent 0: no more batches
	done   int
	hist   map[string]*histEntry
	key    []byte
	err    error
	errMu  sync.Mutex
}

// stressAgent is one agent of the run: its compiled operations and its
// registers (regs[i*nregs+k]: register k of instance i).
type stressAgent struct {
	a     *shared.Agent
	ops   []fastOp
	nregs int
	regs  []int64
	names []string // register names, by slot
}

// fastOp is one operation compiled for the batch: a view of the whole
// buffer of the operation's kind, bound to its agent, and the element index
// in instance 0 (instance i's is elem + i·step).
type fastOp struct {
	v        *shared.TypedArray
	kind     shared.Kind
	op       *model.Op
	elem     int
	step     int
	reg      int // register slot, or -1
	val, exp int64
	line     int
}

type histEntry struct {
	count, first int
}

func newStressRun(t *Test, opt *StressOptions) (*stressRun, error) {
	p := t.Program
	main := shared.NewAgent("main")
	buf, err := shared.NewBuffer(opt.Batch*opt.Stride, shared.CreatedBy(main))
	if err != nil {
		return nil, fmt.Errorf("litmus: Stress: %w", err)
	}
	r := &stressRun{t: t, opt: opt, buf: buf, main: main, hist: map[string]*histEntry{}}
	if r.words, err = shared.View(buf.For(main), shared.BigUint64); err != nil {
		return nil, err
	}
	init := make([]byte, opt.Stride)
	copy(init, p.Init)
	for i := 0; i < len(init); i += 8 {
		r.init = append(r.init, binary.LittleEndian.Uint64(init[i:]))
	}
	for _, pa := range p.Agents {
		sa := &stressAgent{a: shared.NewAgent(pa.Name)}
		slots := map[string]int{}
		for i := range pa.Ops {
			op := &pa.Ops[i]
			k := kindOf(op)
			v, err := shared.View(buf.For(sa.a), k)
			if err != nil {
				return nil, err
			}
			f := fastOp{v: v, kind: k, op: op, elem: op.ByteIndex / k.Size(), step: opt.Stride / k.Size(), reg: -1,
				val: k.Int64(op.Value), exp: k.Int64(op.Expected), line: op.Line}
			if op.Reg != "" {
				s, ok := slots[op.Reg]
				if !ok {
					s = len(sa.names)
					slots[op.Reg] = s
					sa.names = append(sa.names, op.Reg)
				}
				f.reg = s
			}
			sa.ops = append(sa.ops, f)
		}
		sa.nregs = len(sa.names)
		sa.regs = make([]int64, opt.Batch*sa.nregs)
		r.nregs += sa.nregs
		r.agents = append(r.agents, sa)
	}
	r.key = make([]byte, 8*r.nregs+opt.Stride)
	r.prog = make([]paddedCounter, len(r.agents))
	r.bar.n = int32(len(r.agents))
	r.reset(opt.Batch)
	return r, nil
}

// run starts one goroutine per agent and waits for them.
func (r *stressRun) run() error {
	var wg sync.WaitGroup
	for i, sa := range r.agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r.opt.Affinity {
				defer affinity.Pin(i)()
			}
			r.agent(i, sa)
		}()
	}
	wg.Wait()
	return r.err
}

// agent is agent i's loop: barrier, its operations on the batch, barrier;
// agent 0 then counts the batch and decides whether another follows.
func (r *stressRun) agent(i int, sa *stressAgent) {
	if i == 0 {
		r.next()
	}
	for {
		r.bar.wait()
		if r.stop.Load() {
			return
		}
		var err error
		if r.opt.SyncEvery < r.batch {
			err = sa.runSynced(r.batch, r.opt.SyncEvery, uint64(r.done), r.prog, i)
		} else {
			err = sa.runBatch(r.batch)
		}
		if err != nil {
			r.fail(err)
		}
		r.bar.wait()
		if i == 0 {
			r.count()
			r.reset(r.batch)
			r.done += r.batch
			if r.opt.Progress != nil {
				r.opt.Progress(r.done)
			}
			r.next()
		}
	}
}

// next sets the size of the next batch, or stop.
func (r *stressRun) next() {
	o := r.opt
	switch {
	case r.failed(), r.ctx.Err() != nil,
		o.Iterations > 0 && r.done >= o.Iterations,
		o.Duration > 0 && time.Since(r.start) >= o.Duration:
		r.stop.Store(true)
		return
	}
	r.batch = o.Batch
	if o.Iterations > 0 {
		r.batch = min(o.Batch, o.Iterations-r.done)
	}
}

func (r *stressRun) fail(err error) {
	r.errMu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.errMu.Unlock()
}

func (r *stressRun) failed() bool {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.err != nil
}

// runBatch performs the agent's operations on instances 0 … n-1.
func (sa *stressAgent) runBatch(n int) error {
	nregs := sa.nregs
	for i := 0; i < n; i++ {
		regs := sa.regs[i*nregs : i*nregs+nregs]
		for k := range sa.ops {
			f := &sa.ops[k]
			x, err := f.perform(f.elem + i*f.step)
			if err != nil {
				return fmt.Errorf("line %d, instance %d: %w", f.line, i, err)
			}
			if f.reg >= 0 {
				regs[f.reg] = x
			}
		}
	}
	return nil
}

// runSynced is runBatch with a barrier before every instance i that is
// a multiple of every: the agent publishes that it reached instance
// base+i (prog[self]) and waits until every agent has.
func (sa *stressAgent) runSynced(n, every int, base uint64, prog []paddedCounter, self int) error {
	nregs := sa.nregs
	for i := 0; i < n; i++ {
		if i%every == 0 {
			at := base + uint64(i) + 1
			prog[self].v.Store(at)
			for j := range prog {
				for spins := 0; prog[j].v.Load() < at; spins++ {
					if spins > 1<<10 {
						runtime.Gosched()
					}
				}
			}
		}
		regs := sa.regs[i*nregs : i*nregs+nregs]
		for k := range sa.ops {
			f := &sa.ops[k]
			x, err := f.perform(f.elem + i*f.step)
			if err != nil {
				return fmt.Errorf("line %d, instance %d: %w", f.line, i, err)
			}
			if f.reg >= 0 {
				regs[f.reg] = x
			}
		}
	}
	return nil
}

// paddedCounter is an agent's position, alone on its cache line.
type paddedCounter struct {
	_ [56]byte
	v atomic.Uint64
}

// perform runs the operation on element idx and returns the register
// value it gives, as perform (scenario.go) does.
func (f *fastOp) perform(idx int) (int64, error) {
	op, v := f.op, f.v
	switch op.Kind {
	case model.AccessLoad:
		if op.Order == model.Unordered {
			bits, err := v.GetBits(idx)
			return f.kind.Int64(bits), err
		}
		return atomics.Load(v, idx)
	case model.AccessStore:
		if op.Order == model.Unordered {
			return 0, v.SetBits(idx, op.Value)
		}
		_, err := atomics.Store(v, idx, f.val)
		return 0, err
	}
	switch op.Modify {
	case model.Add:
		return atomics.Add(v, idx, f.val)
	case model.Sub:
		return atomics.Sub(v, idx, f.val)
	case model.And:
		return atomics.And(v, idx, f.val)
	case model.Or:
		return atomics.Or(v, idx, f.val)
	case model.Xor:
		return atomics.Xor(v, idx, f.val)
	case model.Exchange:
		return atomics.Exchange(v, idx, f.val)
	case model.CompareExchange:
		return atomics.CompareExchange(v, idx, f.exp, f.val)
	}
	return 0, fmt.Errorf("operation of no kind")
}

// count adds the batch's final states to the histogram: the key of
// instance i is its registers (8 bytes each, agent by agent) and its
// stride's bytes, read by main with plain 8-byte reads.
func (r *stressRun) count() {
	key := r.key
	words := len(r.init)
	for i := 0; i < r.batch; i++ {
		at := 0
		for _, sa := range r.agents {
			for _, x := range sa.regs[i*sa.nregs : (i+1)*sa.nregs] {
				binary.LittleEndian.PutUint64(key[at:], uint64(x))
				at += 8
			}
		}
		for w := range words {
			bits, err := r.words.GetBits(i*words + w)
			if err != nil {
				r.fail(err)
				return
			}
			binary.LittleEndian.PutUint64(key[at:], bits)
			at += 8
		}
		if e, ok := r.hist[string(key)]; ok {
			e.count++
			continue
		}
		r.hist[string(key)] = &histEntry{count: 1, first: r.done + i}
	}
}

// reset writes the initial contents back into instances 0 … n-1 (main's
// plain stores, ordered before the next batch by the barrier).
func (r *stressRun) reset(n int) {
	words := len(r.init)
	for i := 0; i < n; i++ {
		for w, x := range r.init {
			if err := r.words.SetBits(i*words+w, x); err != nil {
				r.fail(err)
				return
			}
		}
	}
}

// rows turns the histogram into graded rows keyed by herd7 state texts
// (distinct raw keys with the same text — bytes outside every view — are
// merged).
func (r *stressRun) rows(g *scenarios.Grading) ([]scenarios.StressRow, error) {
	p := r.t.Program
	byText := map[string]*scenarios.StressRow{}
	for k, e := range r.hist {
		b := []byte(k)
		regs := make([]map[string]int64, len(r.agents))
		at := 0
		for a, sa := range r.agents {
			for _, name := range sa.names {
				if regs[a] == nil {
					regs[a] = map[string]int64{}
				}
				regs[a][name] = int64(binary.LittleEndian.Uint64(b[at:]))
				at += 8
			}
		}
		fs := model.NewFinalState(regs, b[at:at+p.Size])
		text := r.t.FormatState(&fs)
		row := byText[text]
		if row == nil {
			row = &scenarios.StressRow{Key: text, First: e.first, Grade: g.Grade(text), Satisfies: r.t.Cond.Prop.Eval(r.t, &fs)}
			if row.Grade == scenarios.Forbidden {
				row.Note = "not among the model's allowed states (" + g.Note + ")"
			}
			byText[text] = row
		}
		row.Count += e.count
		row.First = min(row.First, e.first)
	}
	rows := make([]scenarios.StressRow, 0, len(byText))
	for _, row := range byText {
		rows = append(rows, *row)
	}
	scenarios.SortRows(rows)
	return rows, nil
}

// batchBarrier is a reusable barrier for the agents of a run: the last to
// arrive opens the next generation; the others spin on it, yielding their
// processor now and then (GOMAXPROCS may be smaller than the number of
// agents).
type batchBarrier struct {
	n     int32
	count atomic.Int32
	gen   atomic.Uint32
}

func (b *batchBarrier) wait() {
	g := b.gen.Load()
	if b.count.Add(1) == b.n {
		b.count.Store(0)
		b.gen.Add(1)
		return
	}
	for spins := 0; b.gen.Load() == g; spins++ {
		if spins > 256 {
			runtime.Gosched()
		}
	}
}

package scenarios

// Metered wraps a strategy and counts what it does: executions started,
// steps (scheduling points), branches (scheduling points where no option
// was Local, so a reducing strategy had to choose), reads, weak reads
// (that the strategy made return something other than the default), and
// speculations (reads that returned a value no write had made yet in that
// execution: the explorer's counterpart of GenMC's backward revisits). Its
// counters are read after the exploration.
type Metered struct {
	Strategy
	Executions, Steps, Branches, Reads, WeakReads, Speculations int
}

// Meter wraps s.
func Meter(s Strategy) *Metered { return &Metered{Strategy: s} }

func (m *Metered) Start(n int) bool {
	ok := m.Strategy.Start(n)
	if ok {
		m.Executions++
	}
	return ok
}

func (m *Metered) Schedule(c *SchedChoice) int {
	m.Steps++
	if c.Canonical < 0 && len(c.Options) > 1 {
		m.Branches++
	}
	return m.Strategy.Schedule(c)
}

func (m *Metered) Read(c *ReadChoice) []byte {
	m.Reads++
	v := m.Strategy.Read(c)
	if v != nil && string(v) != string(c.Default) {
		m.WeakReads++
	}
	return v
}

func (m *Metered) Finish(x *Execution) {
	m.Speculations += x.Speculations
	m.Strategy.Finish(x)
}

func (m *Metered) counts() (int, int) {
	if r, ok := m.Strategy.(interface{ counts() (int, int) }); ok {
		return r.counts()
	}
	return 0, 0
}

func (m *Metered) searches() searchKind { return search(m.Strategy) }

func (m *Metered) incomplete() bool {
	i, ok := m.Strategy.(interface{ incomplete() bool })
	return ok && i.incomplete()
}

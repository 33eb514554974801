package scenarios

import "fmt"

// Replay returns the strategy that runs one execution, the one schedule s
// describes (a Schedule, or its text: ParseSchedule): every step takes the
// option s names and every read returns what s says (the default unless s
// gives bytes). A schedule that does not fit the scenario — an agent that
// cannot go on at that step, a schedule too short or too long — fails the
// execution with FailReplay.
func Replay(s Schedule) Strategy { return &replay{s: s} }

type replay struct {
	s    Schedule
	i    int
	done bool
}

func (r *replay) Name() string { return "replay" }

func (r *replay) Start(n int) bool {
	r.i = 0
	return n == 0
}

func (r *replay) Schedule(c *SchedChoice) int {
	if r.i >= len(r.s) {
		c.Abort(FailReplay, fmt.Sprintf("the schedule ends after %d steps, before the execution does", len(r.s)))
		return 0
	}
	st := r.s[r.i]
	r.i++
	for k, o := range c.Options {
		if o.Agent == st.Agent && o.Timeout == st.Timeout {
			return k
		}
	}
	c.Abort(FailReplay, fmt.Sprintf("step %d names agent %d%s, which cannot go on there (the options are %s)", r.i, st.Agent, map[bool]string{true: " timing out"}[st.Timeout], optionsText(c.Options)))
	return 0
}

func (r *replay) Read(c *ReadChoice) []byte {
	if r.i == 0 || r.i > len(r.s) {
		return nil
	}
	v := r.s[r.i-1].Value
	if v != nil && len(v) != c.Loc.Size {
		c.Abort(FailReplay, fmt.Sprintf("step %d gives %d bytes to a read of %d", r.i, len(v), c.Loc.Size))
		return nil
	}
	return v
}

func (r *replay) Finish(x *Execution) {
	if x.Status != Failed && r.i < len(r.s) && x.Failure == nil {
		// Reported by the explorer's caller: a schedule longer than its
		// execution is a replay of something else.
		r.done = true
	}
}

package scenarios

import "fmt"

// Replay returns the strategy that runs one execution, the one schedule s
// describes (a Schedule, or its text: ParseSchedule): every step takes the
// option s names and every read returns what s says (the default unless s
// gives bytes). A schedule that does not fit the scenario — an agent that
// cannot go on at that step, bytes for a step that is not a read, a
// schedule too short or too long — fails the execution with FailReplay.
func Replay(s Schedule) Strategy { return &replay{s: s} }

type replay struct {
	s    Schedule
	i    int
	read bool // the current step's read took its value
}

func (r *replay) Name() string { return "replay" }

func (r *replay) Start(n int) bool {
	r.i, r.read = 0, false
	return n == 0
}

func (r *replay) Schedule(c *SchedChoice) int {
	if r.i > 0 && r.s[r.i-1].Value != nil && !r.read {
		c.Abort(FailReplay, fmt.Sprintf("step %d gives bytes to an operation that is not a read", r.i))
		return 0
	}
	r.read = false
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
	r.read = true
	if v != nil && len(v) != c.Loc.Size {
		c.Abort(FailReplay, fmt.Sprintf("step %d gives %d bytes to a read of %d", r.i, len(v), c.Loc.Size))
		return nil
	}
	return v
}

func (r *replay) Finish(*Execution) {}

// leftover says what of the schedule the execution did not use ("" if
// it used it all): a schedule longer than its execution replays something
// else.
func (r *replay) leftover() string {
	if r.i < len(r.s) {
		return fmt.Sprintf("the execution ended after %d of the schedule's %d steps", r.i, len(r.s))
	}
	return ""
}

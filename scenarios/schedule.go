package scenarios

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Step is one scheduling step of an execution: which agent (by slot: 0 is
// main, then agents in the order they were started) performed its pending
// operation, or whose blocked operation timed out; and, for a read that
// did not return the sequentially consistent default (the latest write in
// the schedule), the bytes it returned.
type Step struct {
	Agent   int
	Timeout bool
	Value   []byte // nil: the default
}

// Schedule is the steps of one execution, in order: with the scenario, it
// determines the execution (agents are deterministic given what they
// read), whatever strategy produced it. Its text form (String, and
// ParseSchedule) is the replay string: steps separated by ".", each an
// agent slot in decimal, followed by "!" for a timeout, or by "=" and the
// bytes a read returned in hex (byte by byte, in address order); a "*K"
// suffix repeats a step K times ("N*K": K plain steps of agent N;
// "N=00*K": K steps whose reads return 00). For example
// "0*6.1=01000000.2*3".
type Schedule []Step

// String returns the replay string.
func (s Schedule) String() string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if i > 0 {
			b.WriteByte('.')
		}
		st := s[i]
		b.WriteString(strconv.Itoa(st.Agent))
		switch {
		case st.Timeout:
			b.WriteByte('!')
		case st.Value != nil:
			b.WriteByte('=')
			b.WriteString(hex.EncodeToString(st.Value))
		}
		j := i + 1
		for j < len(s) && s[j].Agent == st.Agent && s[j].Timeout == st.Timeout && bytes.Equal(s[j].Value, st.Value) && (s[j].Value == nil) == (st.Value == nil) {
			j++
		}
		if j-i > 1 {
			fmt.Fprintf(&b, "*%d", j-i)
		}
		i = j
	}
	return b.String()
}

// MaxScheduleSteps bounds the steps ParseSchedule accepts (a "*K" repeat
// included), so that a hostile string cannot make it allocate without
// bound.
const MaxScheduleSteps = 1 << 20

// ParseSchedule reads a replay string (see Schedule). Errors name the
// step and what is wrong with it.
func ParseSchedule(text string) (Schedule, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Schedule{}, nil
	}
	var s Schedule
	for i, tok := range strings.Split(text, ".") {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("schedule step %d (%q): %s", i+1, tok, fmt.Sprintf(format, args...))
		}
		num, rest := tok, ""
		if k := strings.IndexAny(tok, "!=*"); k >= 0 {
			num, rest = tok[:k], tok[k:]
		}
		agent, err := strconv.Atoi(num)
		if err != nil || agent < 0 || num == "" || (len(num) > 1 && num[0] == '0') {
			return nil, bad("want an agent slot (a decimal number)")
		}
		st := Step{Agent: agent}
		repeat := ""
		if k := strings.IndexByte(rest, '*'); k >= 0 {
			rest, repeat = rest[:k], rest[k+1:]
		}
		switch {
		case rest == "":
		case rest == "!":
			st.Timeout = true
		case rest[0] == '=':
			v, err := hex.DecodeString(rest[1:])
			if err != nil || len(v) == 0 || len(v) > 8 {
				return nil, bad("want 1 to 8 bytes in hex after '='")
			}
			st.Value = v
		default:
			return nil, bad("unexpected %q", rest)
		}
		n := 1
		if k := strings.IndexByte(tok, '*'); k >= 0 {
			r, err := strconv.Atoi(repeat)
			if err != nil || r < 2 || strings.HasPrefix(repeat, "+") {
				return nil, bad("want a repeat count of at least 2 after '*'")
			}
			n = r
		}
		if len(s)+n > MaxScheduleSteps {
			return nil, bad("more than %d steps", MaxScheduleSteps)
		}
		for range n {
			s = append(s, st)
		}
	}
	return s, nil
}

package history

import (
	"errors"
	"testing"
)

// Validate finds a duplicate Seq wherever it is: after increasing Seqs,
// among Seqs that went back (once an agent's Seqs are out of order), and
// with agents interleaved; Seqs out of order but unique are fine.
func TestValidateSeqs(t *testing.T) {
	type ref struct {
		agent int
		seq   uint64
	}
	cases := []struct {
		name string
		refs []ref
		dup  int // index of the event Validate names; -1 for none
	}{
		{"increasing", []ref{{1, 1}, {2, 1}, {1, 2}, {2, 5}, {1, 9}}, -1},
		{"out of order, unique", []ref{{1, 3}, {1, 1}, {2, 2}, {1, 2}, {1, 7}, {1, 4}}, -1},
		{"repeat of the last", []ref{{1, 1}, {1, 2}, {1, 2}}, 2},
		{"repeat of an earlier one", []ref{{1, 1}, {2, 1}, {1, 5}, {2, 2}, {1, 1}}, 4},
		{"repeat after going back", []ref{{1, 5}, {1, 2}, {1, 9}, {1, 2}}, 3},
		{"repeat of a later one after going back", []ref{{1, 5}, {1, 2}, {1, 9}, {1, 5}}, 3},
		{"agent 0", []ref{{0, 10}, {1, 10}, {0, 4}, {0, 10}}, 3},
		{"same seq, other agents", []ref{{1, 1}, {2, 1}, {3, 1}, {0, 1}}, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &History{}
			for i, r := range c.refs {
				h.Events = append(h.Events, Event{Agent: r.agent, Seq: r.seq, Kind: EvNotify, Call: int64(i), Return: int64(i)})
			}
			err := h.Validate()
			var fe *FormatError
			switch {
			case c.dup < 0 && err != nil:
				t.Fatalf("unexpected %v", err)
			case c.dup >= 0 && (!errors.As(err, &fe) || fe.Event != c.dup || fe.Field != "seq"):
				t.Fatalf("got %v, want a duplicate seq at event %d", err, c.dup)
			}
		})
	}
}

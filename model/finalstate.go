package model

import (
	"fmt"
	"sort"
	"strings"
)

// FinalState is one final state of a program: every agent's registers and
// the final memory (what a plain read that happens after every event
// sees), Program.Size bytes, little-endian as the block holds them.
//
// The memory is stored compactly, so that a state costs the same whatever
// the block's size: the states of one Enumerate call share one copy of the
// block's initial contents and each holds only the bytes of the cells its
// program's accesses touch (the other bytes are never written, so they
// keep their initial contents). Read it with MemoryLen, AppendMemory or
// Memory; build a state by hand with NewFinalState. The zero FinalState
// has no registers and an empty memory. FinalState values share their
// storage when copied: treat them as read-only.
type FinalState struct {
	// Regs[a][r] is register r of agent a (index into Program.Agents).
	Regs []map[string]int64
	mem  *memLayout // nil: empty memory
	own  []byte     // the bytes of mem.cells, concatenated in block order
}

// memLayout is the part of a final memory that the states of one
// enumeration share: the block's bytes outside cells, and the cells whose
// bytes each state holds itself.
type memLayout struct {
	base  []byte  // the whole block; its bytes inside cells are unused
	cells []Range // ascending and disjoint
}

// NewFinalState returns the state with registers regs (kept, not copied)
// and final memory memory (copied), for tests and for outcomes computed
// outside this package.
func NewFinalState(regs []map[string]int64, memory []byte) FinalState {
	return FinalState{Regs: regs, mem: &memLayout{base: append([]byte{}, memory...)}}
}

// MemoryLen is the size of the final memory in bytes (Program.Size).
func (s FinalState) MemoryLen() int {
	if s.mem == nil {
		return 0
	}
	return len(s.mem.base)
}

// AppendMemory appends the final memory's bytes [start, end) to dst and
// returns the extended slice, with ok=true; when the range is not within
// 0 ≤ start ≤ end ≤ MemoryLen() it returns dst unchanged and ok=false.
// Reading a view element this way allocates nothing when dst has room.
func (s FinalState) AppendMemory(dst []byte, start, end int) (out []byte, ok bool) {
	if start < 0 || end < start || end > s.MemoryLen() {
		return dst, false
	}
	if start == end {
		return dst, true
	}
	pos, off := start, 0 // off: where the current cell starts in s.own
	for _, c := range s.mem.cells {
		if c.Start >= end {
			break
		}
		if c.End() > pos {
			if c.Start > pos {
				dst = append(dst, s.mem.base[pos:c.Start]...)
				pos = c.Start
			}
			hi := min(c.End(), end)
			dst = append(dst, s.own[off+pos-c.Start:off+hi-c.Start]...)
			pos = hi
		}
		off += c.Size
	}
	return append(dst, s.mem.base[pos:end]...), true
}

// Memory returns a new copy of the whole final memory (MemoryLen bytes).
func (s FinalState) Memory() []byte {
	m, _ := s.AppendMemory(make([]byte, 0, s.MemoryLen()), 0, s.MemoryLen())
	return m
}

// Key returns a canonical string for the state: agents by index, registers
// by name, then the final memory in hex, e.g. "0:r0=1 1:r0=0 | 01000000".
// Equal states have equal keys. It formats the whole memory, so it is
// meant for tests and messages, not for storing many states.
func (s FinalState) Key() string {
	var b strings.Builder
	for a, regs := range s.Regs {
		names := make([]string, 0, len(regs))
		for r := range regs {
			names = append(names, r)
		}
		sort.Strings(names)
		for _, r := range names {
			fmt.Fprintf(&b, "%d:%s=%d ", a, r, regs[r])
		}
	}
	fmt.Fprintf(&b, "| %x", s.Memory())
	return b.String()
}

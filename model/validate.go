package model

import (
	"fmt"
)

// Limits on the programs Enumerate accepts. Larger programs are refused
// with an error rather than explored for an unbounded time.
const (
	// MaxBlockSize is the largest shared block, in bytes.
	MaxBlockSize = 1024
	// MaxOps is the largest number of operations over all agents.
	MaxOps = 64
	// MaxAgents is the largest number of agents. An agent costs events
	// even without operations (its start and end), and every event a row
	// of each relation, so agents are bounded like operations.
	MaxAgents = 64
	// MaxCompareExchanges is the largest number of Atomics.compareExchange
	// operations over all agents. Enumerate searches once per combination
	// of their successes and failures (2^n combinations).
	MaxCompareExchanges = 12
)

// ProgramError reports an invalid program: the agent and operation (by
// index in agent-order, and by source line when known) and what is wrong.
type ProgramError struct {
	Program string
	Agent   string // agent name ("" for program-wide errors)
	Op      int    // index of the operation in its agent (-1 when none)
	Line    int    // Op.Line when known
	Msg     string
}

// Error formats the error as "program: agent P0 op 2 (line 7): msg"
// ("<nil>" for a nil e).
func (e *ProgramError) Error() string {
	if e == nil {
		return "<nil>"
	}
	s := "program"
	if e.Program != "" {
		s += " " + e.Program
	}
	if e.Agent != "" {
		s += fmt.Sprintf(": agent %s", e.Agent)
	}
	if e.Op >= 0 {
		s += fmt.Sprintf(" op %d", e.Op)
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s + ": " + e.Msg
}

// fitsIn reports whether v is the zero- or sign-extension of a size-byte
// pattern.
func fitsIn(v uint64, size int) bool {
	if size >= 8 {
		return true
	}
	hi := v >> (8 * uint(size))
	if hi == 0 {
		return true
	}
	// sign-extended: all high bits set and the pattern's top bit set
	all := ^uint64(0) >> (8 * uint(size))
	return hi == all && v&(1<<(8*uint(size)-1)) != 0
}

// Validate checks that p can be enumerated: the block size and Init agree,
// every operation has a valid kind, order, size (1, 2, 4 or 8) and
// ModifyOp, lies inside the block, is aligned when NoTear (and every
// read-modify-write is, being NoTear), and carries values that fit its size
// (zero- or sign-extended), and that the program stays within
// MaxBlockSize, MaxAgents, MaxOps and MaxCompareExchanges. Errors are
// *ProgramError values naming the agent, the operation and its line (for
// MaxOps and MaxCompareExchanges: the first operation over the limit).
func (p *Program) Validate() error {
	if p == nil {
		return &ProgramError{Op: -1, Msg: "no program"}
	}
	perr := func(agent string, op, line int, format string, args ...any) error {
		return &ProgramError{Program: p.Name, Agent: agent, Op: op, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if p.Size < 0 || p.Size > MaxBlockSize {
		return perr("", -1, 0, "block size %d is outside 0..%d", p.Size, MaxBlockSize)
	}
	if len(p.Init) != p.Size {
		return perr("", -1, 0, "Init has %d bytes but the block has %d", len(p.Init), p.Size)
	}
	if len(p.Agents) > MaxAgents {
		return perr("", -1, 0, "%d agents; the enumerator takes at most %d (MaxAgents)", len(p.Agents), MaxAgents)
	}
	total, cas := 0, 0
	names := map[string]bool{}
	for ai, ag := range p.Agents {
		name := ag.Name
		if name == "" {
			name = fmt.Sprintf("#%d", ai)
		}
		if names[name] {
			return perr(name, -1, 0, "agent name used twice")
		}
		names[name] = true
		for oi, op := range ag.Ops {
			total++
			bad := func(format string, args ...any) error { return perr(name, oi, op.Line, format, args...) }
			switch op.Kind {
			case AccessLoad, AccessStore:
				if op.Order != SeqCst && op.Order != Unordered {
					return bad("order must be seq-cst or unordered, not %s", op.Order)
				}
			case AccessRMW:
				if op.Order != 0 && op.Order != SeqCst {
					return bad("a read-modify-write is always seq-cst, not %s", op.Order)
				}
				if !op.Modify.Valid() {
					return bad("read-modify-write without a valid ModifyOp")
				}
			default:
				return bad("unknown access kind %d", op.Kind)
			}
			switch op.ElementSize {
			case 1, 2, 4, 8:
			default:
				return bad("element size %d is not 1, 2, 4 or 8", op.ElementSize)
			}
			if op.ByteIndex < 0 || op.ByteIndex > p.Size-op.ElementSize { // ByteIndex+ElementSize could overflow
				return bad("%d bytes at byte index %d are outside the %d-byte block", op.ElementSize, op.ByteIndex, p.Size)
			}
			if (op.NoTear || op.Kind == AccessRMW) && op.ByteIndex%op.ElementSize != 0 {
				return bad("a NoTear access must be aligned: byte index %d is not a multiple of %d", op.ByteIndex, op.ElementSize)
			}
			if (op.Kind == AccessStore || op.Kind == AccessRMW) && !fitsIn(op.Value, op.ElementSize) {
				return bad("value %#x does not fit in %d bytes", op.Value, op.ElementSize)
			}
			if op.Kind == AccessRMW && op.Modify == CompareExchange && !fitsIn(op.Expected, op.ElementSize) {
				return bad("expected value %#x does not fit in %d bytes", op.Expected, op.ElementSize)
			}
			if op.Reg != "" && op.Kind == AccessStore {
				return bad("a store has no result for register %q", op.Reg)
			}
			if total > MaxOps {
				return bad("operation number %d of the program; the enumerator takes at most %d (MaxOps)", total, MaxOps)
			}
			if op.Kind == AccessRMW && op.Modify == CompareExchange {
				cas++
				if cas > MaxCompareExchanges {
					return bad("compareExchange number %d of the program; the enumerator takes at most %d (MaxCompareExchanges)", cas, MaxCompareExchanges)
				}
			}
		}
	}
	return nil
}

// leBytes returns the size-byte little-endian pattern of v.
func leBytes(v uint64, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(v >> (8 * uint(i)))
	}
	return b
}

// decode returns the register value of little-endian bytes b.
func decode(b []byte, signed bool) int64 {
	var u uint64
	for i := len(b) - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	if signed && len(b) < 8 {
		shift := 64 - 8*uint(len(b))
		return int64(u<<shift) >> shift
	}
	return int64(u)
}

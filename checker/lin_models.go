package checker

import (
	"fmt"
	"strings"

	"github.com/sabre-mm/sabre/history"
)

// memSmall is the state of a memory component of at most 8 bytes: its
// bytes (byte j of the component in bits 8j..8j+7) and which of them are
// known (bit j): bytes no Init covers are unknown until read.
type memSmall struct {
	v uint64
	k uint8
}

// memBig is the state of a larger component: bytes, and 1 where known.
type memBig struct {
	v, k string
}

func (s memSmall) String() string {
	var b strings.Builder
	for j := 0; j < 8 && s.k>>j != 0; j++ {
		if s.k&(1<<j) != 0 {
			fmt.Fprintf(&b, "%02x", byte(s.v>>(8*j)))
		} else {
			b.WriteString("??")
		}
	}
	return b.String()
}

func (s memBig) String() string {
	var b strings.Builder
	for j := 0; j < len(s.v); j++ {
		if s.k[j] != 0 {
			fmt.Fprintf(&b, "%02x", s.v[j])
		} else {
			b.WriteString("??")
		}
	}
	return b.String()
}

// memStep applies a memory operation. A read must find, in every known
// byte, the byte it returned; an unknown byte becomes what it returned.
func memStep(s any, op *linOp) (bool, any) {
	if op.span <= 8 {
		st, _ := s.(memSmall)
		return memSmallStep(st, op)
	}
	st, ok := s.(memBig)
	if !ok {
		st = memBig{v: strings.Repeat("\x00", op.span), k: strings.Repeat("\x00", op.span)}
	}
	return memBigStep(st, op)
}

func byteMask(size int) uint64 {
	if size >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*size) - 1
}

func memSmallStep(st memSmall, op *linOp) (bool, any) {
	shift := 8 * op.off
	mask := byteMask(op.size) << shift
	kbits := uint8((1<<op.size - 1) << op.off)
	switch op.sub {
	case memInit:
		return true, memSmall{v: st.v &^ mask, k: st.k | kbits}
	case memStore:
		return true, memSmall{v: st.v&^mask | op.written<<shift&mask, k: st.k | kbits}
	}
	// load or RMW: the known bytes must match.
	var known uint64
	for j := 0; j < op.size; j++ {
		if st.k&(1<<(op.off+j)) != 0 {
			known |= 0xff << (8 * (op.off + j))
		}
	}
	got := op.read << shift & mask
	if st.v&known != got&known {
		return false, st
	}
	v := st.v&^mask | got
	if op.sub == memRMW {
		v = st.v&^mask | op.written<<shift&mask
	}
	return true, memSmall{v: v, k: st.k | kbits}
}

func memBigStep(st memBig, op *linOp) (bool, any) {
	v, k := []byte(st.v), []byte(st.k)
	switch op.sub {
	case memInit:
		for j := op.off; j < op.off+op.size; j++ {
			v[j], k[j] = 0, 1
		}
		return true, memBig{string(v), string(k)}
	case memStore:
		for j := 0; j < op.size; j++ {
			v[op.off+j], k[op.off+j] = byte(op.written>>(8*j)), 1
		}
		return true, memBig{string(v), string(k)}
	}
	for j := 0; j < op.size; j++ {
		b := byte(op.read >> (8 * j))
		if k[op.off+j] != 0 && v[op.off+j] != b {
			return false, st
		}
		v[op.off+j], k[op.off+j] = b, 1
		if op.sub == memRMW {
			v[op.off+j] = byte(op.written >> (8 * j))
		}
	}
	return true, memBig{string(v), string(k)}
}

// bytesOf returns the known bytes of a memory state at [off, off+size),
// as a little-endian value, and whether all were known.
func bytesOf(s any, off, size int) (uint64, bool) {
	var v uint64
	all := true
	for j := 0; j < size; j++ {
		var b byte
		var known bool
		switch st := s.(type) {
		case memSmall:
			b, known = byte(st.v>>(8*(off+j))), st.k&(1<<(off+j)) != 0
		case memBig:
			b, known = st.v[off+j], st.k[off+j] != 0
		}
		all = all && known
		v |= uint64(b) << (8 * j)
	}
	return v, all
}

// waitEntry is one waiter on a list.
type waitEntry struct {
	ref   history.Ref
	agent int
	async bool
	woken bool // an async waiter a notify woke (not one a settlement may remove)
}

// waitState is a waiter list, oldest first. Steps copy it.
type waitState struct{ list []waitEntry }

func waitStep(s any, op *linOp) (bool, any) {
	st, _ := s.(*waitState)
	if st == nil {
		st = &waitState{}
	}
	switch op.sub {
	case waitEnqueue:
		l := append(st.list[:len(st.list):len(st.list)], waitEntry{op.ref, op.agent, op.async, op.ok})
		return true, &waitState{l}
	case waitNotify:
		n := len(st.list)
		if op.count >= 0 && int64(n) > op.count {
			n = int(op.count)
		}
		if len(op.woken) != n {
			return false, st
		}
		for i, w := range op.woken {
			if st.list[i].ref != w {
				return false, st
			}
		}
		return true, &waitState{st.list[n:]}
	case waitLeave:
		for i, e := range st.list {
			if e.ref == op.ref {
				return true, &waitState{remove(st.list, i)}
			}
		}
		return false, st
	default: // waitLeaveAsync: the oldest async waiter of the agent that no notify woke
		for i, e := range st.list {
			if e.async && e.agent == op.agent && !e.woken {
				return true, &waitState{remove(st.list, i)}
			}
		}
		return false, st
	}
}

func remove[T any](l []T, i int) []T {
	out := make([]T, 0, len(l)-1)
	return append(append(out, l[:i]...), l[i+1:]...)
}

// queueState is a queue's items, head first. Steps copy it.
type queueState struct{ items []uint64 }

func queueStep(s any, op *linOp) (bool, any) {
	st, _ := s.(*queueState)
	if st == nil {
		st = &queueState{}
	}
	n := int64(len(st.items))
	bounded := op.maxsize > 0
	switch {
	case op.sub == queuePut && op.ok:
		if bounded && n >= op.maxsize {
			return false, st
		}
		return true, &queueState{append(st.items[:n:n], op.item)}
	case op.sub == queuePut:
		return bounded && n >= op.maxsize, st
	case op.ok:
		if n == 0 || st.items[0] != op.item {
			return false, st
		}
		return true, &queueState{st.items[1:]}
	default:
		return n == 0, st
	}
}

// whyNot says why op cannot be the next operation after state s.
func (op *linOp) whyNot(s any, h *history.History) string {
	switch op.kind {
	case linMem:
		switch op.sub {
		case memLoad, memRMW:
			have, all := bytesOf(s, op.off, op.size)
			kind := "it read"
			if op.sub == memRMW {
				kind = "its read-modify-write read"
			}
			known := ""
			if !all {
				known = " (where known)"
			}
			return fmt.Sprintf("%s %s but the bytes held %s%s", kind, hexBytes(op.read, op.size), hexBytes(have, op.size), known)
		}
		return "a write can always come next, so the operations it must precede cannot"
	case linWait:
		st, _ := s.(*waitState)
		if st == nil {
			st = &waitState{}
		}
		switch op.sub {
		case waitNotify:
			return fmt.Sprintf("it woke %v but the list held %s, and it removes the oldest min(count %d, waiting) first", op.woken, describeState(st), op.count)
		case waitLeave:
			return fmt.Sprintf("it returned %q but was no longer waiting (a notify had removed it)", h.Events[op.ev].Result)
		case waitLeaveAsync:
			return "no async waiter of that agent was left to time out"
		}
		return "an enqueue can always come next"
	}
	st, _ := s.(*queueState)
	if st == nil {
		st = &queueState{}
	}
	switch {
	case op.sub == queuePut && op.ok:
		return fmt.Sprintf("it put item %d into a full queue (maxsize %d)", op.item, op.maxsize)
	case op.sub == queuePut:
		return fmt.Sprintf("it failed \"full\" but the queue held %d of maxsize %d", len(st.items), op.maxsize)
	case op.ok:
		if len(st.items) == 0 {
			return fmt.Sprintf("it took item %d from an empty queue", op.item)
		}
		return fmt.Sprintf("it took item %d but item %d was at the head", op.item, st.items[0])
	}
	return fmt.Sprintf("it failed \"empty\" but the queue held %s", describeState(st))
}

// hexBytes spells the size bytes of v in memory order, as history files do.
func hexBytes(v uint64, size int) string {
	var b strings.Builder
	for j := 0; j < size && j < 8; j++ {
		fmt.Fprintf(&b, "%02x", byte(v>>(8*j)))
	}
	return b.String()
}

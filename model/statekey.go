package model

import "encoding/binary"

// This file is how the enumerator stores what it finds: the key of a final
// state (which orders and deduplicates states) and the compact witness
// record from which Outcome.Witness rebuilds an Execution.

// The key of a state is every register value in regSlot order, each as 8
// big-endian bytes with the sign bit flipped, then the bytes of the
// touched cells of the final memory in block order (the other bytes are
// the same in every state): keys have one length per program, compare as
// strings in Enumerate's order, and do not grow with the block's size.
func appendKeyReg(k []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(k, uint64(v)^1<<63)
}

func keyReg(k string, j int) int64 {
	var u uint64
	for _, c := range []byte(k[8*j : 8*j+8]) {
		u = u<<8 | uint64(c)
	}
	return int64(u ^ 1<<63)
}

// skeleton is what the witnesses of one search (one choice of which
// compareExchange operations succeed) share.
type skeleton struct {
	x      *Execution // Events, AgentOrder, HostSynchronizesWith
	reads  []int      // read events whose sources vary, in search order
	total  int        // bytes read by all of them
	fixed  []int      // final reads of untouched cells: Init, from init writes
	init   []byte     // Program.Init
	initOf []int      // byte -> its init write
}

// witnessRec is the compact witness of one outcome: the memory-order of
// its search leaf (shared; see compactMO) and, per read of sk.reads, its
// bytes' values then their sources (4 bytes each, little-endian). Neither
// grows with the block's size.
type witnessRec struct {
	sk   *skeleton
	mo   []EventID
	data []byte
}

// compactMO returns the memory-order mo without its leading init writes
// when mo starts with every init write in byte order, as every
// memory-order of a skeleton does (each init write happens before every
// other event but the init writes after it in agent-order); otherwise mo
// itself. fullMO undoes it.
func (sk *skeleton) compactMO(mo []EventID) []EventID {
	if len(mo) < len(sk.initOf) {
		return mo
	}
	for b, id := range sk.initOf {
		if mo[b] != EventID(id) {
			return mo
		}
	}
	return append([]EventID(nil), mo[len(sk.initOf):]...)
}

func (sk *skeleton) fullMO(mo []EventID) []EventID {
	if len(mo) == len(sk.x.Events) {
		return mo
	}
	full := make([]EventID, 0, len(sk.x.Events))
	for _, id := range sk.initOf {
		full = append(full, EventID(id))
	}
	return append(full, mo...)
}

func (r *witnessRec) execution() *Execution {
	x := r.sk.x
	n := len(x.Events)
	w := &Execution{
		Events:               x.Events,
		AgentOrder:           x.AgentOrder,
		ReadsBytesFrom:       make([][]EventID, n),
		ChosenValues:         make([][]byte, n),
		HostSynchronizesWith: x.HostSynchronizesWith,
		MemoryOrder:          r.sk.fullMO(r.mo),
	}
	t := r.sk.total
	srcs := make([]EventID, t)
	vals := make([]byte, t)
	copy(vals, r.data[:t])
	for i := range srcs {
		srcs[i] = EventID(binary.LittleEndian.Uint32(r.data[t+4*i:]))
	}
	off := 0
	for _, rd := range r.sk.reads {
		end := off + x.Events[rd].ElementSize
		w.ReadsBytesFrom[rd] = srcs[off:end:end]
		w.ChosenValues[rd] = vals[off:end:end]
		off = end
	}
	for _, rd := range r.sk.fixed {
		R := &x.Events[rd]
		src := make([]EventID, R.ElementSize)
		for j := range src {
			src[j] = EventID(r.sk.initOf[R.ByteIndex+j])
		}
		w.ReadsBytesFrom[rd] = src
		w.ChosenValues[rd] = append([]byte(nil), r.sk.init[R.ByteIndex:R.ByteIndex+R.ElementSize]...)
	}
	return w
}

// foundStates is what the searches of one Enumerate call have found: the
// key of each distinct state, mapped to the index of its witness record.
// Records live in fixed-size chunks, so that they are never copied as
// they grow and an Outcome can point at its record.
type foundStates struct {
	index  map[string]int
	chunks [][]witnessRec
}

const recChunk = 4096

func newFoundStates() *foundStates { return &foundStates{index: map[string]int{}} }

// add records a new state's key (copied) and witness.
func (f *foundStates) add(key []byte, r witnessRec) {
	n := len(f.index)
	if n%recChunk == 0 {
		f.chunks = append(f.chunks, make([]witnessRec, 0, recChunk))
	}
	c := &f.chunks[len(f.chunks)-1]
	*c = append(*c, r)
	f.index[string(key)] = n
}

func (f *foundStates) rec(i int) *witnessRec { return &f.chunks[i/recChunk][i%recChunk] }

// regSlot is one register of the final state; ev is the last event that
// sets it.
type regSlot struct {
	agent int
	name  string
	ev    int
	sign  bool
}

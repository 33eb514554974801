package model

import "encoding/binary"

// This file is how the enumerator stores what it finds: the key of a final
// state (which orders and deduplicates states) and the compact witness
// record from which Outcome.Witness rebuilds an Execution.

// The key of a state is every register value in regSlot order, each as 8
// big-endian bytes with the sign bit flipped, then the final memory: keys
// have one length per program, and compare as strings in Enumerate's
// order.
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
	x     *Execution // Events, AgentOrder, HostSynchronizesWith
	reads []int      // read events, in search order
	total int        // bytes read by all of them
}

// witnessRec is the compact witness of one outcome: the memory-order of
// its search leaf (shared) and, per read of the skeleton, its bytes'
// values then their sources (4 bytes each, little-endian).
type witnessRec struct {
	sk   *skeleton
	mo   []EventID
	data []byte
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
		MemoryOrder:          r.mo,
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
	return w
}

// regSlot is one register of the final state; ev is the last event that
// sets it.
type regSlot struct {
	agent int
	name  string
	ev    int
	sign  bool
}

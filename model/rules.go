package model

// This file states two validity conditions of ECMA-262's memory model
// once, for both their users: the predicates (predicates.go), which check
// a whole execution, and the enumerator (searchstate.go, search.go), which
// applies them to candidate sources while it chooses them.

// incoherentSource applies Coherent Reads to one byte that read r takes
// from write w, given happens-before hb and writers, the writes of that
// byte that could lie between (every write of the byte; the enumerator
// leaves out init writes, which nothing in its programs happens before).
// The byte is coherent when r does not happen before w and no v in writers
// has w happens-before v happens-before r. It returns ok=true when
// coherent; otherwise v is the write in between, or -1 when r happens
// before w.
func incoherentSource(hb Relation, r, w int, writers []int) (v int, ok bool) {
	if hb.row(r).has(w) {
		return -1, false
	}
	rw := hb.row(w)
	for _, o := range writers {
		if o != w && rw.has(o) && hb.row(o).has(r) {
			return o, false
		}
	}
	return -1, true
}

// tearFreeCounts reports whether Tear Free Reads counts write w among the
// sources of read r: r is NoTear, and w is a NoTear write whose range
// equals r's. A read is tear free when at most one distinct write it
// reads from is counted.
func tearFreeCounts(r, w *Event) bool {
	return r.NoTear && w.NoTear && w.byteRange().Equal(r.byteRange())
}

// appendTearFreeSources appends to dst the distinct writes among srcs
// (read r's sources, repeats allowed) that Tear Free Reads counts for r
// (tearFreeCounts), in order of first appearance. The read is tear free
// when it appends at most one.
func appendTearFreeSources[T ~int](dst []T, ev []Event, r int, srcs []T) []T {
	R := &ev[r]
	if !R.NoTear {
		return dst
	}
	start := len(dst)
	for _, w := range srcs {
		if !tearFreeCounts(R, &ev[w]) {
			continue
		}
		dup := false
		for _, d := range dst[start:] {
			dup = dup || d == w
		}
		if !dup {
			dst = append(dst, w)
		}
	}
	return dst
}

package model

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// This file is the search: a depth-first choice of each read segment's
// source set, pruned by the validity rules (rules.go) and the variant's
// memory-order constraints, then the values at each leaf and the emission
// of new final states.

func (e *enumerator) isRMW(id int) bool {
	return e.x.Events[id].Kind == ReadModifyWriteSharedMemory
}

// dependsOn reports whether read-modify-write w's value depends, through
// chosen sources, on event r.
func (e *enumerator) dependsOn(w, r int) bool {
	seen := map[int]bool{}
	stack := []int{w}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ri := e.readOf[x]
		if ri < 0 || seen[x] {
			continue
		}
		seen[x] = true
		for si, oi := range e.choice[ri] {
			if oi < 0 {
				continue
			}
			for _, y := range e.reads[ri].segs[si].options[oi] {
				if y == r {
					return true
				}
				if e.isRMW(y) {
					stack = append(stack, y)
				}
			}
		}
	}
	return false
}

// coherent applies Coherent Reads to the chosen sources of segment si of
// read ri, under the current happens-before.
func (e *enumerator) coherent(ri, si int) bool {
	r := e.reads[ri].id
	seg := &e.reads[ri].segs[si]
	for _, w := range seg.options[e.choice[ri][si]] {
		if _, ok := incoherentSource(e.hb, r, w, seg.writers); !ok {
			return false
		}
	}
	return true
}

// tearFree applies Tear Free Reads to the chosen sources of every segment
// of read ri (each option already has at most one counted source).
func (e *enumerator) tearFree(ri int) bool {
	r := e.reads[ri].id
	if !e.x.Events[r].NoTear {
		return true
	}
	srcs := e.tearBuf[:0]
	for si, oi := range e.choice[ri] {
		srcs = append(srcs, e.reads[ri].segs[si].options[oi]...)
	}
	e.tearBuf = srcs
	return len(appendTearFreeSources(srcs[len(srcs):], e.x.Events, r, srcs)) <= 1
}

// constraints builds the memory-order constraints of the current choices.
// The result is reused by the next call.
func (e *enumerator) constraints() []moConstraint {
	rf, sc := e.rfBuf[:0], e.scBuf[:0]
	for ri := range e.reads {
		r := e.reads[ri].id
		R := &e.x.Events[r]
		complete, allInit := true, true
		for si, oi := range e.choice[ri] {
			if oi < 0 {
				complete = false
				break
			}
			for _, w := range e.reads[ri].segs[si].options[oi] {
				allInit = allInit && e.isInit[w]
			}
		}
		if !complete {
			// only whole reads contribute, so constraints only grow
			// as the search goes deeper
			continue
		}
		e.stamp++
		for si, oi := range e.choice[ri] {
			seg := &e.reads[ri].segs[si]
			for _, w := range seg.options[oi] {
				if e.v.rule == ruleSC {
					sc = append(sc, scSource{r: r, w: w, others: seg.writers})
				}
				if e.mark[w] == e.stamp {
					continue
				}
				e.mark[w] = e.stamp
				rf = append(rf, rfPair{r: r, w: w, sw: swFor(e.v, &e.x.Events[w], R, allInit)})
			}
		}
	}
	e.rfBuf, e.scBuf = rf, sc
	e.csBuf = appendConstraints(e.csBuf[:0], e.v, e.x.Events, e.hb, rf, e.writes, sc)
	return e.csBuf
}

func (e *enumerator) dfs(depth int) {
	if e.tick() {
		return
	}
	if depth == len(e.slots) {
		e.leaf()
		return
	}
	s := e.slots[depth]
	ri := &e.reads[s.ri]
	r := ri.id
	R := &e.x.Events[r]
	seg := &ri.segs[s.si]
	saved := e.hbSaved[depth]
	for oi, opt := range seg.options {
		saved.copyFrom(e.hb)
		e.choice[s.ri][s.si] = oi
		ok, grew := true, false
		for _, w := range opt {
			if e.hb.row(r).has(w) {
				ok = false
				break
			}
			if synchronizes(&e.x.Events[w], R) {
				if !e.hb.row(w).has(r) {
					if !e.hb.addClosed(w, r) {
						ok = false
						break
					}
					grew = true
				}
			}
			if e.isRMW(w) && e.isRMW(r) && e.dependsOn(w, r) {
				ok = false
				break
			}
		}
		if ok {
			if grew {
				for t := 0; t <= depth && ok; t++ {
					ok = e.coherent(e.slots[t].ri, e.slots[t].si)
				}
			} else {
				ok = e.coherent(s.ri, s.si)
			}
		}
		if ok && s.si == len(ri.segs)-1 {
			ok = e.tearFree(s.ri)
			if ok {
				if cs := e.constraints(); len(cs) > 0 {
					_, ok = solveOrder(e.hb, cs, e.tickFn)
				}
			}
		}
		if ok {
			e.dfs(depth + 1)
		}
		e.hb.copyFrom(saved)
		e.choice[s.ri][s.si] = -1
		if e.err != nil {
			return
		}
	}
}

// leaf enumerates the values of a valid choice of sources.
func (e *enumerator) leaf() {
	// order reads so that read-modify-write sources come first.
	order := make([]int, 0, len(e.reads))
	done := make([]bool, len(e.reads))
	for len(order) < len(e.reads) {
		if e.tick() {
			return
		}
		progress := false
		for ri := range e.reads {
			if done[ri] {
				continue
			}
			ready := true
			for si, oi := range e.choice[ri] {
				for _, w := range e.reads[ri].segs[si].options[oi] {
					if wi := e.readOf[w]; wi >= 0 && !done[wi] {
						ready = false
					}
				}
			}
			if ready {
				done[ri] = true
				order = append(order, ri)
				progress = true
			}
		}
		if !progress {
			return // dependency cycle; excluded during the search
		}
	}
	var mo []EventID
	e.values(order, 0, &mo)
}

func (e *enumerator) sourceBytes(w int, s *segment) []byte {
	if e.isRMW(w) {
		W := &e.x.Events[w]
		return e.writeVal[w][s.start-W.ByteIndex : s.end-W.ByteIndex]
	}
	return e.staticBytes(w, *s)
}

func (e *enumerator) values(order []int, k int, mo *[]EventID) {
	if e.tick() {
		return
	}
	if k == len(order) {
		e.emit(mo)
		return
	}
	ri := order[k]
	info := &e.reads[ri]
	r := info.id
	R := &e.x.Events[r]
	segs := e.scratch[ri]
	for si := range info.segs {
		seg := &info.segs[si]
		oi := e.choice[ri][si]
		set := seg.options[oi]
		sv := &segs[si]
		sv.vals, sv.sources = sv.vals[:0], sv.sources[:0]
		if len(set) == 1 {
			sv.vals = append(sv.vals, e.sourceBytes(set[0], seg))
			sv.sources = append(sv.sources, seg.single[oi])
			continue
		}
		srcs := make([][]byte, len(set))
		for i, w := range set {
			srcs[i] = e.sourceBytes(w, seg)
		}
		vals, assigns := segValues(srcs, true)
		if len(vals) == 0 {
			return
		}
		sv.vals = vals
		for _, as := range assigns {
			src := make([]int, len(as))
			for j, a := range as {
				w := set[a]
				if e.isInit[w] {
					w = e.initOf[seg.start+j]
				}
				src[j] = w
			}
			sv.sources = append(sv.sources, src)
		}
	}
	val := e.valBuf[ri]
	src := e.srcBuf[ri]
	var op *Op
	if ref := e.evOp[r]; ref.agent >= 0 {
		op = &e.p.Agents[ref.agent].Ops[ref.op]
	}
	var rec func(si int)
	rec = func(si int) {
		if e.tick() {
			return
		}
		if si == len(segs) {
			if op != nil && op.Kind == AccessRMW && op.Modify == CompareExchange && R.Expected == nil {
				eq := bytes.Equal(val, leBytes(op.Expected, op.ElementSize))
				if eq != (R.Kind == ReadModifyWriteSharedMemory) {
					return
				}
			}
			copy(e.readVal[r], val)
			copy(e.assign[r], src)
			if R.Kind == ReadModifyWriteSharedMemory {
				e.writeVal[r] = R.modify(val)
			}
			e.values(order, k+1, mo)
			return
		}
		seg := &info.segs[si]
		off := seg.start - R.ByteIndex
		for i, v := range segs[si].vals {
			copy(val[off:], v)
			copy(src[off:], segs[si].sources[i])
			rec(si + 1)
		}
	}
	rec(0)
}

func (e *enumerator) emit(mo *[]EventID) {
	k := e.keyBuf[:0]
	for _, r := range e.regs {
		k = appendKeyReg(k, decode(e.readVal[r.ev], r.sign))
	}
	for _, fr := range e.keyFinals {
		k = append(k, e.readVal[fr]...)
	}
	e.keyBuf = k
	if _, ok := e.found.index[string(k)]; ok {
		return
	}
	if e.limit > 0 && len(e.found.index) >= e.limit {
		e.err = &TooManyStatesError{Program: e.p.Name, Variant: e.v.Name(), Limit: e.limit}
		return
	}
	if *mo == nil {
		sol, ok := solveOrder(e.hb, e.constraints(), e.tickFn)
		if e.err != nil {
			return
		}
		if !ok {
			e.err = fmt.Errorf("model: internal error: memory-order lost at a leaf of %s", e.p.Name)
			return
		}
		*mo = e.sk.compactMO(linearize(sol))
	}
	// one pointer-free allocation: values, then sources
	t := e.sk.total
	data := make([]byte, 5*t)
	off := 0
	for _, r := range e.sk.reads {
		copy(data[off:], e.readVal[r])
		for j, src := range e.assign[r] {
			binary.LittleEndian.PutUint32(data[t+4*(off+j):], uint32(src))
		}
		off += len(e.readVal[r])
	}
	e.found.add(k, witnessRec{sk: e.sk, mo: *mo, data: data})
}

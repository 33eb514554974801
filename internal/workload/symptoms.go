package workload

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// The symptoms: direct predicates on a history, each true only when the
// history shows one mutant's fault. Each is exact — false for every
// history the real core can record — on the histories of its own
// workload, and conservative elsewhere: a location whose accesses it cannot
// reason about (overlapping ranges of different sizes, plain writes where
// it needs seq-cst ones) is left alone. The string names the events (as
// history.Ref: a<agent>#<seq>) and says what is wrong.

// place is an access's location: buffer, first byte and size.
type place struct {
	buf   uint64
	index int
	size  int
}

func (p place) String() string { return fmt.Sprintf("b%d[%d:%d]", p.buf, p.index, p.index+p.size) }

func placeOf(e *history.Event) place { return place{e.Buffer, e.ByteIndex, e.Size} }

// isMemoryAccess reports whether e reads or writes a buffer's bytes (Init
// excluded).
func isMemoryAccess(e *history.Event) bool {
	switch e.Kind {
	case history.EvRead, history.EvWrite, history.EvRMW, history.EvWait:
		return true
	}
	return false
}

func reads(e *history.Event) bool {
	return e.Kind == history.EvRead || e.Kind == history.EvRMW || e.Kind == history.EvWait
}

func writes(e *history.Event) bool { return e.Kind == history.EvWrite || e.Kind == history.EvRMW }

// byPlace groups the memory accesses of h (not Init) by their exact
// location, and reports which locations some access of another range
// overlaps (those a symptom leaves alone). Init events are returned per
// buffer.
func byPlace(h *history.History) (accesses map[place][]*history.Event, overlapped map[place]bool, inits map[uint64][]*history.Event) {
	accesses = map[place][]*history.Event{}
	overlapped = map[place]bool{}
	inits = map[uint64][]*history.Event{}
	if h == nil {
		return
	}
	perBuf := map[uint64][]place{}
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind == history.EvInit {
			inits[e.Buffer] = append(inits[e.Buffer], e)
			continue
		}
		if !isMemoryAccess(e) {
			continue
		}
		p := placeOf(e)
		if _, seen := accesses[p]; !seen {
			perBuf[p.buf] = append(perBuf[p.buf], p)
		}
		accesses[p] = append(accesses[p], e)
	}
	for _, ps := range perBuf {
		for i, p := range ps {
			for _, q := range ps[i+1:] {
				if p.index < q.index+q.size && q.index < p.index+p.size {
					overlapped[p], overlapped[q] = true, true
				}
			}
		}
	}
	return
}

// initOf returns the Init event that covers p, or nil.
func initOf(inits map[uint64][]*history.Event, p place) *history.Event {
	for _, e := range inits[p.buf] {
		if e.ByteIndex <= p.index && p.index+p.size <= e.ByteIndex+e.Size {
			return e
		}
	}
	return nil
}

// LostUpdate is mutant.SubWordRMWLoadStore's symptom: two Atomics.add(1)
// on one element read the same value. It considers the locations written
// only by adds of 1, fewer than the element's range of values (no counter
// wraps), where each add must read a value no other add read.
func LostUpdate(h *history.History) (string, bool) {
	acc, overlapped, _ := byPlace(h)
	for _, p := range sortedPlaces(acc) {
		es := acc[p]
		if overlapped[p] || p.size < 1 || p.size > 2 {
			continue
		}
		var adds []*history.Event
		ok := true
		for _, e := range es {
			if !writes(e) {
				continue
			}
			if e.Kind != history.EvRMW || e.ModifyOp != model.Add || e.Operand != 1 {
				ok = false
				break
			}
			adds = append(adds, e)
		}
		if !ok || len(adds) >= 1<<(8*p.size) {
			continue
		}
		first := map[uint64]*history.Event{}
		for _, e := range adds {
			if f, dup := first[e.Read]; dup {
				return fmt.Sprintf("lost update at %s: the adds %v and %v both read %#x (%d adds of 1 there in all)",
					p, f.Ref(), e.Ref(), e.Read, len(adds)), true
			}
			first[e.Read] = e
		}
	}
	return "", false
}

// TornRead is mutant.Store64Halves's symptom: an 8-byte seq-cst read
// returns a value that neither the initial zeros nor any write of that
// location wrote (the halves of two writes). Locations that accesses of
// another range overlap are left alone.
func TornRead(h *history.History) (string, bool) {
	acc, overlapped, _ := byPlace(h)
	for _, p := range sortedPlaces(acc) {
		if overlapped[p] || p.size != 8 {
			continue
		}
		written := map[uint64]bool{0: true}
		for _, e := range acc[p] {
			if writes(e) {
				written[e.Written] = true
			}
		}
		for _, e := range acc[p] {
			if reads(e) && e.Order == model.SeqCst && !written[e.Read] {
				return fmt.Sprintf("torn read at %s: %v read %#016x, which no write of the location wrote (the halves of two writes)",
					p, e.Ref(), e.Read), true
			}
		}
	}
	return "", false
}

// ReadOfFailedCAS is mutant.CASWritesOnFailure's symptom: a read of a
// location returns a nonzero value that only a failing compareExchange had
// as its replacement: no write, rmw or successful compareExchange wrote
// it, so the failing one must have stored it.
func ReadOfFailedCAS(h *history.History) (string, bool) {
	acc, overlapped, _ := byPlace(h)
	for _, p := range sortedPlaces(acc) {
		if overlapped[p] {
			continue
		}
		written := map[uint64]bool{}
		failed := map[uint64]*history.Event{}
		for _, e := range acc[p] {
			switch {
			case writes(e):
				written[e.Written] = true
			case e.Kind == history.EvRead && e.ModifyOp == model.CompareExchange:
				failed[e.Operand] = e
			}
		}
		for _, e := range acc[p] {
			if !reads(e) || e.Read == 0 || written[e.Read] {
				continue
			}
			if f, ok := failed[e.Read]; ok {
				return fmt.Sprintf("%v read %#x at %s, which only the failing compareExchange %v had as its replacement: it stored although it failed",
					e.Ref(), e.Read, p, f.Ref()), true
			}
		}
	}
	return "", false
}

// waitsAndNotifies returns the Wait events of h by Ref, and its Notify
// events per location, each list in call order.
func waitsAndNotifies(h *history.History) (map[history.Ref]*history.Event, map[place][]*history.Event) {
	waits := map[history.Ref]*history.Event{}
	notifies := map[place][]*history.Event{}
	if h == nil {
		return waits, notifies
	}
	for i := range h.Events {
		e := &h.Events[i]
		switch e.Kind {
		case history.EvWait:
			waits[e.Ref()] = e
		case history.EvNotify:
			notifies[placeOf(e)] = append(notifies[placeOf(e)], e)
		}
	}
	for _, ns := range notifies {
		slices.SortStableFunc(ns, func(a, b *history.Event) int { return cmp.Compare(a.Call, b.Call) })
	}
	return waits, notifies
}

// NotifyNotFIFO is mutant.NotifyNewestFirst's symptom: on one location,
// the waiters the notifies woke, taken in the notifies' call order and
// each notify's woken order, are not in the order their waits enqueued
// (their call instants, which are taken inside the waiter list's critical
// section). A notify removes the oldest waiters, so a wait woken later
// than another must have enqueued later.
func NotifyNotFIFO(h *history.History) (string, bool) {
	waits, notifies := waitsAndNotifies(h)
	for _, p := range sortedPlaces(notifies) {
		var prev *history.Event
		var prevBy *history.Event
		for _, n := range notifies[p] {
			for _, r := range n.Woken {
				w, ok := waits[r]
				if !ok {
					continue
				}
				if prev != nil && w.Call < prev.Call {
					return fmt.Sprintf("notify order at %s: %v woke %v (enqueued at %d) after %v had woken %v (enqueued later, at %d): not oldest first",
						p, n.Ref(), w.Ref(), w.Call, prevBy.Ref(), prev.Ref(), prev.Call), true
				}
				prev, prevBy = w, n
			}
		}
	}
	return "", false
}

// LostWakeup is mutant.NotifyLosesWakeup's symptom: a notify lists as
// woken (and counts) a wait whose result is "timed-out": a wait is
// "timed-out" only when no notify removed it.
func LostWakeup(h *history.History) (string, bool) {
	waits, notifies := waitsAndNotifies(h)
	for _, p := range sortedPlaces(notifies) {
		for _, n := range notifies[p] {
			for _, r := range n.Woken {
				if w, ok := waits[r]; ok && w.Result == "timed-out" {
					return fmt.Sprintf("lost wake-up at %s: %v woke %v (its result %q counts it), but that wait timed out",
						p, n.Ref(), w.Ref(), n.Result), true
				}
			}
		}
	}
	return "", false
}

// StaleRead is mutant.LoadStale's symptom: a seq-cst read returns v
// although a write of another value returned before the read was called,
// and every write of v (the initial zeros included) returned before that
// write was called — so v had been overwritten before the read began. It
// considers locations whose every access is seq-cst and of that one range.
func StaleRead(h *history.History) (string, bool) {
	acc, overlapped, inits := byPlace(h)
	for _, p := range sortedPlaces(acc) {
		if overlapped[p] {
			continue
		}
		type write struct {
			e         *history.Event
			v         uint64
			call, ret int64
		}
		var ws []write
		if in := initOf(inits, p); in != nil {
			ws = append(ws, write{in, 0, in.Call, in.Return})
		}
		ok := true
		for _, e := range acc[p] {
			if e.Order != model.SeqCst {
				ok = false
				break
			}
			if writes(e) {
				ws = append(ws, write{e, e.Written, e.Call, e.Return})
			}
		}
		if !ok {
			continue
		}
		for _, r := range acc[p] {
			if !reads(r) {
				continue
			}
			lastEnd, any := int64(0), false
			for _, w := range ws {
				if w.v == r.Read && w.e != r && (!any || w.ret > lastEnd) {
					lastEnd, any = w.ret, true
				}
			}
			if !any {
				continue // a value nobody wrote: another fault
			}
			for _, w := range ws {
				if w.v != r.Read && w.ret < r.Call && w.call > lastEnd {
					return fmt.Sprintf("stale read at %s: %v read %#x, but %v wrote %#x after every write of %#x had returned, and returned before the read began",
						p, r.Ref(), r.Read, w.e.Ref(), w.v, r.Read), true
				}
			}
		}
	}
	return "", false
}

// DroppedItem is mutant.QueueDropsItem's symptom: a queue-put reported
// "ok" but no queue-get received its item. It is exact for histories in
// which the queue was drained (as QueueContention's main agent does).
func DroppedItem(h *history.History) (string, bool) {
	if h == nil {
		return "", false
	}
	got := map[uint64]bool{}
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind == history.EvQueueGet && e.Result == "ok" && e.Item != 0 {
			got[e.Item] = true
		}
	}
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind == history.EvQueuePut && e.Result == "ok" && e.Item != 0 && !got[e.Item] {
			return fmt.Sprintf("dropped item: %v put item %d on queue %d and reported ok, but no get received it (the queue was drained)",
				e.Ref(), e.Item, e.Peer), true
		}
	}
	return "", false
}

// MissingSynchronizesWith is mutant.StoreNotSeqCst's symptom: a seq-cst
// read returns a nonzero value that only unordered writes of its location
// wrote, so it synchronizes-with no write; when a plain read that the
// reading agent makes later returns a value a plain write of the writing
// agent wrote, those two race (nothing else orders them in the
// workload), and the message names them too.
func MissingSynchronizesWith(h *history.History) (string, bool) {
	acc, overlapped, _ := byPlace(h)
	for _, p := range sortedPlaces(acc) {
		if overlapped[p] {
			continue
		}
		type source struct {
			first  *history.Event // the first write of the value
			seqCst bool           // some write of the value is seq-cst
		}
		sources := map[uint64]*source{}
		for _, w := range acc[p] {
			if !writes(w) {
				continue
			}
			s := sources[w.Written]
			if s == nil {
				s = &source{first: w}
				sources[w.Written] = s
			}
			s.seqCst = s.seqCst || w.Order == model.SeqCst
		}
		for _, r := range acc[p] {
			if r.Kind != history.EvRead || r.Order != model.SeqCst || r.Read == 0 {
				continue
			}
			if s := sources[r.Read]; s != nil && !s.seqCst {
				msg := fmt.Sprintf("missing synchronizes-with at %s: the seq-cst read %v reads %#x, which only the unordered write %v wrote",
					p, r.Ref(), r.Read, s.first.Ref())
				if race := plainRace(h, r, s.first); race != "" {
					msg += "; " + race
				}
				return msg, true
			}
		}
	}
	return "", false
}

// plainRace finds, after read r in its agent-order, a plain read that
// returns a nonzero value a plain write of w's agent, before w in
// agent-order, wrote at that location, and describes the pair.
func plainRace(h *history.History, r, w *history.Event) string {
	type key struct {
		p place
		v uint64
	}
	before := map[key]*history.Event{}
	for i := range h.Events {
		x := &h.Events[i]
		if x.Agent == w.Agent && x.Seq < w.Seq && x.Kind == history.EvWrite && x.Order == model.Unordered && x.Written != 0 {
			before[key{placeOf(x), x.Written}] = x
		}
	}
	for i := range h.Events {
		d := &h.Events[i]
		if d.Agent != r.Agent || d.Seq <= r.Seq || d.Kind != history.EvRead || d.Order != model.Unordered {
			continue
		}
		if x := before[key{placeOf(d), d.Read}]; x != nil {
			return fmt.Sprintf("so the plain write %v and the plain read %v of %s (%#x) race", x.Ref(), d.Ref(), placeOf(d), d.Read)
		}
	}
	return ""
}

// StaleAfterSync is mutant.PlainLoadStale's symptom: a plain (Unordered)
// read R returns bytes that a write W of the same location, which
// happens-before R, had overwritten — for some byte of the location, W
// wrote another value than R returned, and every write of the value R
// returned there (the initial zeros included) happens-before W. So R
// reads-bytes-from a write that W happens-between: ECMA-262's Coherent
// Reads forbids it. It considers locations that no access of another range
// overlaps, and only the happens-before edges it is sure of: the initial
// zeros before every access of their location (as Watt et al.'s model has
// it); agent-order (agent 0's events excepted); and agent-order on either
// side of one synchronizes-with edge, a seq-cst write S read by a seq-cst
// read L of the same range, where L returned exactly S's bytes and some
// nonzero byte of them no other write of the location wrote (so L
// reads-from S). A read of bytes no write wrote is left alone (another
// fault).
func StaleAfterSync(h *history.History) (string, bool) {
	acc, overlapped, inits := byPlace(h)
	hb := newSyncOrder(acc, overlapped)
	for _, p := range sortedPlaces(acc) {
		if overlapped[p] || p.size < 1 || p.size > 8 {
			continue
		}
		var ws []*history.Event
		for _, e := range acc[p] {
			if writes(e) {
				ws = append(ws, e)
			}
		}
		zeros := initOf(inits, p) != nil
		for _, r := range acc[p] {
			if r.Kind != history.EvRead || r.Order != model.Unordered {
				continue
			}
			for _, w := range ws {
				how := hb.before(w, r)
				if how == "" {
					continue
				}
				for j := 0; j < p.size; j++ {
					b := byteAt(r.Read, j)
					if byteAt(w.Written, j) == b {
						continue
					}
					sourced, older := zeros && b == 0, true
					for _, x := range ws {
						if x == w || byteAt(x.Written, j) != b {
							continue
						}
						sourced = true
						if hb.before(x, w) == "" {
							older = false
							break
						}
					}
					if sourced && older {
						return fmt.Sprintf("stale plain read at %s: %v returned %#x, but the write %v of %#x happens-before it (%s), "+
							"and every write of %#x to byte %d (the initial zeros included) happens-before that write: Coherent Reads forbids reading it",
							p, r.Ref(), r.Read, w.Ref(), w.Written, how, b, p.index+j), true
					}
				}
			}
		}
	}
	return "", false
}

// byteAt returns byte j of a payload (packed little-endian by position).
func byteAt(payload uint64, j int) byte { return byte(payload >> (8 * uint(j))) }

// syncOrder holds the happens-before edges StaleAfterSync is sure of: per
// pair of agents (writer, reader), the synchronizes-with edges S → L from
// the first to the second, sorted by L's Seq, with the greatest S.Seq among
// each prefix.
type syncOrder map[[2]int]*syncEdges

type syncEdges struct {
	l, s     []uint64         // l[k]: the k-th edge's L.Seq, ascending; s[k]: the greatest S.Seq of edges 0 … k
	from, to []*history.Event // the k-th edge's S and L
}

func newSyncOrder(acc map[place][]*history.Event, overlapped map[place]bool) syncOrder {
	type edge struct{ s, l *history.Event }
	pairs := map[[2]int][]edge{}
	for _, p := range sortedPlaces(acc) {
		if overlapped[p] || p.size < 1 || p.size > 8 {
			continue
		}
		// count[j][b]: how many writes of p wrote b to byte j.
		count := make([]map[byte]int, p.size)
		for j := range count {
			count[j] = map[byte]int{}
		}
		for _, w := range acc[p] {
			if writes(w) {
				for j := range count {
					count[j][byteAt(w.Written, j)]++
				}
			}
		}
		sure := map[uint64]*history.Event{} // the bytes of a seq-cst write that only it can have supplied
		for _, w := range acc[p] {
			if !writes(w) || w.Order != model.SeqCst || w.Agent == 0 {
				continue
			}
			for j := range count {
				if b := byteAt(w.Written, j); b != 0 && count[j][b] == 1 {
					sure[w.Written] = w
					break
				}
			}
		}
		for _, l := range acc[p] {
			if !reads(l) || l.Order != model.SeqCst || l.Agent == 0 {
				continue
			}
			if s := sure[l.Read]; s != nil && s != l {
				k := [2]int{s.Agent, l.Agent}
				pairs[k] = append(pairs[k], edge{s, l})
			}
		}
	}
	o := syncOrder{}
	for k, es := range pairs {
		slices.SortFunc(es, func(a, b edge) int { return cmp.Compare(a.l.Seq, b.l.Seq) })
		e := &syncEdges{}
		var best *history.Event
		for _, x := range es {
			if best == nil || x.s.Seq > best.Seq {
				best = x.s
			}
			e.l = append(e.l, x.l.Seq)
			e.s = append(e.s, best.Seq)
			e.from = append(e.from, x.s)
			e.to = append(e.to, x.l)
		}
		o[k] = e
	}
	return o
}

// before reports how a happens-before b, as far as o is sure ("" if it is
// not): by agent-order, or by agent-order, one synchronizes-with edge, and
// agent-order.
func (o syncOrder) before(a, b *history.Event) string {
	if a.Agent == 0 || b.Agent == 0 {
		return ""
	}
	if a.Agent == b.Agent && a.Seq < b.Seq {
		return "agent-order"
	}
	e := o[[2]int{a.Agent, b.Agent}]
	if e == nil {
		return ""
	}
	n, _ := slices.BinarySearch(e.l, b.Seq) // e.l[:n]: the edges whose L is before b
	if n == 0 || e.s[n-1] <= a.Seq {
		return ""
	}
	// The first edge whose S is after a (it raised the greatest S.Seq past a's).
	k := slices.IndexFunc(e.s[:n], func(s uint64) bool { return s > a.Seq })
	return fmt.Sprintf("agent-order to %v, which synchronizes-with %v, agent-order after", e.from[k].Ref(), e.to[k].Ref())
}

// sortedPlaces returns m's keys in order, so that a symptom names the
// same events each time.
func sortedPlaces[V any](m map[place]V) []place {
	ps := make([]place, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b place) int {
		return cmp.Or(cmp.Compare(a.buf, b.buf), cmp.Compare(a.index, b.index), cmp.Compare(a.size, b.size))
	})
	return ps
}

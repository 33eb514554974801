package model

import (
	"fmt"
	"strings"
)

// Variant is a version of the memory model: ES2024, ES2017 or SC, or one
// chosen by name with VariantByName. Variants are comparable values.
//
// The zero Variant names no model. Every function that takes a Variant
// (Enumerate, EnumerateContext, EnumerateLimit, ValidExecution,
// Analysis.ValidExecution, Analysis.SequentiallyConsistentAtomics) refuses
// it with an error wrapping ErrNoVariant, so that a forgotten variant is
// never silently some model; its Name is "" and it prints as "Variant{}".
type Variant struct {
	name string
	rule variantRule
	doc  string
}

type variantRule uint8

const (
	ruleES2024 variantRule = iota + 1
	ruleES2017
	ruleSC
)

var (
	// ES2024 is current ECMA-262 (after tc39/ecma262 PR #1511): no
	// seq-cst write V lies between W and R in memory-order when (a) W
	// synchronizes-with R and V, R have equal ranges, (b) W and V happen
	// before R, W is seq-cst and W, V have equal ranges, or (c) W happens
	// before R and V, R is seq-cst and V, R have equal ranges.
	ES2024 = Variant{"es2024", ruleES2024, "ECMA-262 after PR #1511 (SC-DRF restored, ARMv8 lda/stl allowed)"}
	// ES2017 is the 2017 text: when W synchronizes-with R, no write V of
	// any order with a range equal to R's lies between them in
	// memory-order; a seq-cst read of only init bytes is
	// synchronized-with by those init writes; and every compareExchange is
	// a read-modify-write, a failing one writing back what it read (before
	// tc39/ecma262 PR #2250).
	ES2017 = Variant{"es2017", ruleES2017, "ECMA-262 2017 text (before PR #1511)"}
	// SC treats every event as sequentially consistent, byte by byte: one
	// total order of all events in which every byte a read returns comes
	// from the latest write to that byte before it.
	SC = Variant{"sc", ruleSC, "sequential consistency: interleavings of whole events, byte-accurate"}
)

var variants = []Variant{ES2024, ES2017, SC}

// VariantNames lists the variant names VariantByName accepts.
func VariantNames() []string {
	out := make([]string, len(variants))
	for i, v := range variants {
		out[i] = v.name
	}
	return out
}

// VariantByName returns the variant called name ("es2024", "es2017", "sc").
func VariantByName(name string) (Variant, error) {
	for _, v := range variants {
		if v.name == name {
			return v, nil
		}
	}
	return Variant{}, fmt.Errorf("unknown memory model %q (known: %s)", name, strings.Join(VariantNames(), ", "))
}

// Name is the variant's name ("" for the zero Variant).
func (v Variant) Name() string { return v.name }

// Description says in a phrase what the variant is.
func (v Variant) Description() string {
	if !v.valid() {
		return "no memory model (the zero Variant)"
	}
	return v.doc
}

// String is Name, or "Variant{}" for the zero Variant.
func (v Variant) String() string {
	if !v.valid() {
		return "Variant{}"
	}
	return v.name
}

// valid reports whether v is one of the defined variants (not the zero Variant).
func (v Variant) valid() bool { return v.rule >= ruleES2024 && v.rule <= ruleSC }

// failingCASWrites reports whether a failing compareExchange is a
// read-modify-write that writes back what it read (the 2017 text) rather
// than a read (tc39/ecma262 PR #2250). Under SC the two give the same
// outcomes (writing back the latest value changes nothing in one total
// order), so SC uses the current text's read.
func (v Variant) failingCASWrites() bool { return v.rule == ruleES2017 }

// moConstraint is one requirement on memory-order. With v < 0 it requires
// w before r; otherwise it forbids w before v before r, i.e. it requires
// v before w or r before v.
type moConstraint struct {
	w, v, r int
	rule    byte // 'a', 'b', 'c' (sequentially consistent atomics), 's' (sc), 'f' (sc: w before r)
}

// rfPair is one reads-from pair; sw says W synchronizes-with R under the
// variant (see swFor).
type rfPair struct {
	r, w int
	sw   bool
}

// swFor reports whether W synchronizes-with R, given that R reads-from W
// and whether every byte R reads comes from an init write. Under every
// variant a seq-cst R synchronizes with a seq-cst W of equal range. The
// 2017 text adds: a seq-cst R that reads only from init writes is
// synchronized-with by each of them (the current text drops this and lets
// rule (c) and happens-before do the work).
func swFor(v Variant, w, r *Event, allInit bool) bool {
	if synchronizes(w, r) {
		return true
	}
	return v.rule == ruleES2017 && w.Order == Init && r.Order == SeqCst && allInit
}

// scSource is, for the sc variant, one read byte (or segment of bytes with
// the same writers): r takes it from w, and others are the other writes
// that hold it.
type scSource struct {
	r, w   int
	others []int
}

// appendConstraints appends the memory-order constraints of variant v.
// hb must be transitively closed; writes lists every write event.
func appendConstraints(dst []moConstraint, v Variant, ev []Event, hb Relation, rf []rfPair, writes []int, sc []scSource) []moConstraint {
	switch v.rule {
	case ruleSC:
		for _, s := range sc {
			dst = append(dst, moConstraint{w: s.w, v: -1, r: s.r, rule: 'f'})
			for _, o := range s.others {
				if o != s.w && o != s.r {
					dst = append(dst, moConstraint{w: s.w, v: o, r: s.r, rule: 's'})
				}
			}
		}
	case ruleES2017:
		for _, p := range rf {
			if !p.sw {
				continue
			}
			rr := ev[p.r].byteRange()
			for _, o := range writes {
				if o != p.w && o != p.r && ev[o].byteRange().Equal(rr) {
					dst = append(dst, moConstraint{w: p.w, v: o, r: p.r, rule: 'a'})
				}
			}
		}
	default:
		for _, p := range rf {
			W, R := &ev[p.w], &ev[p.r]
			wr := hb.row(p.w).has(p.r)
			for _, o := range writes {
				V := &ev[o]
				if o == p.w || o == p.r || V.Order != SeqCst {
					continue
				}
				switch {
				case p.sw && V.byteRange().Equal(R.byteRange()):
					dst = append(dst, moConstraint{w: p.w, v: o, r: p.r, rule: 'a'})
				case wr && hb.row(o).has(p.r) && W.Order == SeqCst && W.byteRange().Equal(V.byteRange()):
					dst = append(dst, moConstraint{w: p.w, v: o, r: p.r, rule: 'b'})
				case wr && hb.row(p.w).has(o) && R.Order == SeqCst && V.byteRange().Equal(R.byteRange()):
					dst = append(dst, moConstraint{w: p.w, v: o, r: p.r, rule: 'c'})
				}
			}
		}
	}
	return dst
}

// solveOrder looks for a strict total order containing the closed relation
// base and meeting every constraint. It returns the closed relation of one
// solution (any linear extension of it is a memory-order), or ok=false.
// The search branches on a constraint only when propagation leaves both of
// its sides open. A non-nil stop is called once per propagation round; when
// it returns true the search gives up with ok=false.
func solveOrder(base Relation, cs []moConstraint, stop func() bool) (Relation, bool) {
	if len(cs) == 0 {
		return base, true // nothing to add; callers only read the result
	}
	c := base.Clone()
	return solveFrom(c, cs, stop)
}

func solveFrom(c Relation, cs []moConstraint, stop func() bool) (Relation, bool) {
	for {
		if stop != nil && stop() {
			return c, false
		}
		changed := false
		undecided := -1
		for i, k := range cs {
			if k.v < 0 {
				if c.row(k.w).has(k.r) {
					continue
				}
				if !c.addClosed(k.w, k.r) {
					return c, false
				}
				changed = true
				continue
			}
			if c.row(k.v).has(k.w) || c.row(k.r).has(k.v) {
				continue
			}
			can1 := k.v != k.w && !c.row(k.w).has(k.v) // v before w possible
			can2 := k.r != k.v && !c.row(k.v).has(k.r) // r before v possible
			switch {
			case !can1 && !can2:
				return c, false
			case can1 && !can2:
				if !c.addClosed(k.v, k.w) {
					return c, false
				}
				changed = true
			case can2 && !can1:
				if !c.addClosed(k.r, k.v) {
					return c, false
				}
				changed = true
			default:
				if undecided < 0 {
					undecided = i
				}
			}
		}
		if changed {
			continue
		}
		if undecided < 0 {
			return c, true
		}
		k := cs[undecided]
		alt := c.Clone()
		if c.addClosed(k.v, k.w) {
			if sol, ok := solveFrom(c, cs, stop); ok {
				return sol, true
			}
		}
		if !alt.addClosed(k.r, k.v) {
			return alt, false
		}
		c = alt
	}
}

// linearize returns a total order extending the closed acyclic relation c:
// events sorted by decreasing number of successors (if a is before b, a has
// every successor of b and b itself), ties by ID.
func linearize(c Relation) []EventID {
	n := c.n
	// bucket by successor count, largest first; IDs stay ascending.
	buckets := make([][]EventID, n+1)
	for i := 0; i < n; i++ {
		k := c.row(i).count()
		buckets[k] = append(buckets[k], EventID(i))
	}
	order := make([]EventID, 0, n)
	for k := n; k >= 0; k-- {
		order = append(order, buckets[k]...)
	}
	return order
}

package model

import (
	"testing"
)

const (
	sc = SeqCst
	na = Unordered
)

// shape is a litmus shape with the verdict of each variant on one outcome.
type shape struct {
	name string
	why  string // where the verdicts come from
	p    *Program
	cond string
	// allowed under es2024, es2017, sc
	es2024, es2017, sc bool
}

func classicShapes() []shape {
	x, y, z := 0, 1, 2
	return []shape{
		{name: "MP+na", why: "plain accesses: nothing synchronizes, so the flag may be seen without the data (hand derivation; Watt et al. §2)",
			p:    prog("MP+na", 2, []Op{st(x, 1, na), st(y, 1, na)}, []Op{ld("r0", y, na), ld("r1", x, na)}),
			cond: "1:r0=1 1:r1=0", es2024: true, es2017: true, sc: false},
		{name: "MP+na-data+sc-flag", why: "seq-cst flag: W_y synchronizes-with R_y, so W_x happens-before R_x and coherence forbids reading init (issue 3 example)",
			p:    prog("MP+na-data+sc-flag", 2, []Op{st(x, 1, na), st(y, 1, sc)}, []Op{ld("r0", y, sc), ld("r1", x, na)}),
			cond: "1:r0=1 1:r1=0", es2024: false, es2017: false, sc: false},
		{name: "MP+sc", why: "as above with every access seq-cst",
			p:    prog("MP+sc", 2, []Op{st(x, 1, sc), st(y, 1, sc)}, []Op{ld("r0", y, sc), ld("r1", x, sc)}),
			cond: "1:r0=1 1:r1=0", es2024: false, es2017: false, sc: false},
		{name: "SB+na", why: "plain store buffering is allowed: no rule orders plain reads after plain writes of other agents",
			p:    prog("SB+na", 2, []Op{st(x, 1, na), ld("r0", y, na)}, []Op{st(y, 1, na), ld("r1", x, na)}),
			cond: "0:r0=0 1:r1=0", es2024: true, es2017: true, sc: false},
		{name: "SB+sc", why: "es2024 rule (c) puts each read before the other agent's write in memory-order, closing a cycle with agent-order; es2017: a seq-cst read of init is synchronized-with by init (2017 text) and rule (a) does the same",
			p:    prog("SB+sc", 2, []Op{st(x, 1, sc), ld("r0", y, sc)}, []Op{st(y, 1, sc), ld("r1", x, sc)}),
			cond: "0:r0=0 1:r1=0", es2024: false, es2017: false, sc: false},
		{name: "LB+na", why: "the JS model has no po ∪ rf acyclicity: plain load buffering is allowed (Watt et al. §2; notes)",
			p:    prog("LB+na", 2, []Op{ld("r0", x, na), st(y, 1, na)}, []Op{ld("r1", y, na), st(x, 1, na)}),
			cond: "0:r0=1 1:r1=1", es2024: true, es2017: true, sc: false},
		{name: "LB+sc", why: "both reads synchronize with the writes they read: happens-before would be cyclic",
			p:    prog("LB+sc", 2, []Op{ld("r0", x, sc), st(y, 1, sc)}, []Op{ld("r1", y, sc), st(x, 1, sc)}),
			cond: "0:r0=1 1:r1=1", es2024: false, es2017: false, sc: false},
		{name: "IRIW+na", why: "plain reads of independent writes may disagree on their order",
			p: prog("IRIW+na", 2, []Op{st(x, 1, na)}, []Op{st(y, 1, na)},
				[]Op{ld("r0", x, na), ld("r1", y, na)}, []Op{ld("r0", y, na), ld("r1", x, na)}),
			cond: "2:r0=1 2:r1=0 3:r0=1 3:r1=0", es2024: true, es2017: true, sc: false},
		{name: "IRIW+sc", why: "seq-cst: memory-order is a single total order; rule (c) (or 2017's init synchronization) puts each init-reading read before the write it misses",
			p: prog("IRIW+sc", 2, []Op{st(x, 1, sc)}, []Op{st(y, 1, sc)},
				[]Op{ld("r0", x, sc), ld("r1", y, sc)}, []Op{ld("r0", y, sc), ld("r1", x, sc)}),
			cond: "2:r0=1 2:r1=0 3:r0=1 3:r1=0", es2024: false, es2017: false, sc: false},
		{name: "CoRR+na", why: "plain reads are not coherent with each other: a later read may see an older write (notes, 'Consequences')",
			p:    prog("CoRR+na", 1, []Op{st(x, 1, na)}, []Op{ld("r0", x, na), ld("r1", x, na)}),
			cond: "1:r0=1 1:r1=0", es2024: true, es2017: true, sc: false},
		{name: "CoRR+sc", why: "the first read synchronizes with the write, which then happens before the second read; coherence forbids init",
			p:    prog("CoRR+sc", 1, []Op{st(x, 1, sc)}, []Op{ld("r0", x, sc), ld("r1", x, sc)}),
			cond: "1:r0=1 1:r1=0", es2024: false, es2017: false, sc: false},
		{name: "2+2W+na", why: "plain writes have no coherence order: the final read may take x from P0 and y from P1",
			p:    prog("2+2W+na", 2, []Op{st(x, 1, na), st(y, 2, na)}, []Op{st(y, 1, na), st(x, 2, na)}),
			cond: "m0=1 m4=1", es2024: true, es2017: true, sc: false},
		{name: "2+2W+sc", why: "es2024 rule (b) orders the final (plain) read's source last among equal-range seq-cst writes, giving a cycle; the 2017 rule constrains only synchronized reads, and the final read is plain, so es2017 allows it (the SC-DRF weakness of issue #1354)",
			p:    prog("2+2W+sc", 2, []Op{st(x, 1, sc), st(y, 2, sc)}, []Op{st(y, 1, sc), st(x, 2, sc)}),
			cond: "m0=1 m4=1", es2024: false, es2017: true, sc: false},
		{name: "SCDRF-1354", why: "tc39/ecma262 issue #1354 (Watt): the data-race-free program prints 2,1 under the original model; rule (b) of PR #1511 forbids it",
			p: prog("SCDRF-1354", 2, []Op{st(x, 1, sc), st(y, 1, sc)},
				[]Op{st(x, 2, sc), ld("r0", y, sc), ld("r1", x, na), ld("r2", x, na)}),
			cond: "1:r0=1 1:r1=2 1:r2=1", es2024: false, es2017: true, sc: false},
		{name: "dagger", why: "Watt et al. artefact alloy/alloy_tests/js_tests/memory_model_js_test_dagger.als: NOT ALLOWED fixed / ALLOWED unfixed. The RMW c reads the plain a; rule (c) puts c before P1's seq-cst store e, rule (a) (f synchronizes with c) puts e before c. The artefact's 'unfixed' model lacks (b)/(c) but keeps V seq-cst; es2017 (V of any order) allows it too, since e is seq-cst",
			p: prog("dagger", 2, []Op{st(x, 1, na), st(y, 1, sc), rmw("r0", x, Exchange, 3)},
				[]Op{ld("r1", y, sc), st(x, 2, sc), ld("r2", x, sc)}),
			cond: "0:r0=1 1:r1=1 1:r2=3", es2024: false, es2017: true, sc: false},
		{name: "R+polp+pola", why: "Watt et al. artefact alloy/alloy_tests/js_tests/memory_model_js_test_R_polp_pola.als: ALLOWED (the plain y store before the seq-cst one in memory-order, d reading init); observable as final y=2 with r0=0, which SC forbids",
			p:    prog("R+polp+pola", 2, []Op{st(x, 1, sc), st(y, 1, na)}, []Op{st(y, 2, sc), ld("r0", x, sc)}),
			cond: "1:r0=0 m4=2", es2024: true, es2017: true, sc: false},
		{name: "MP+popl+poap-mixed", why: "Watt et al. artefact alloy/alloy_tests/js_tests/mixed/memory_model_js_test_MP_popl_poap_mixed.als: ALLOWED: a 1-byte seq-cst flag store read by a 2-byte seq-cst load does not synchronize (ranges differ)",
			p: prog("MP+popl+poap-mixed", 2, []Op{st(x, 1, na), sized(AccessStore, sc, 4, 1, 1, "")},
				[]Op{sized(AccessLoad, sc, 4, 2, 0, "r0"), ld("r1", x, na)}),
			cond: "1:r0=1 1:r1=0", es2024: true, es2017: true, sc: false},
		{name: "ARMv8-1511", why: "tc39/ecma262 PR #1511 (Dolan's ARMv8 lda/stl example); Watt et al. artefact alloy/alloy_tests/js_tests/memory_model_js_test_Stephen.als: ALLOWED fixed / NOT ALLOWED unfixed",
			p: prog("ARMv8-1511", 3, []Op{st(x, 1, sc), st(x, 2, sc), st(y, 1, na), st(z, 1, sc)},
				[]Op{st(y, 2, sc), ld("r0", x, sc), ld("r1", z, sc), ld("r2", y, sc)}),
			cond: "1:r0=1 1:r1=1 1:r2=2", es2024: true, es2017: false, sc: false},
	}
}

func TestClassicShapes(t *testing.T) {
	for _, s := range classicShapes() {
		for _, c := range []struct {
			v    Variant
			want bool
		}{{ES2024, s.es2024}, {ES2017, s.es2017}, {SC, s.sc}} {
			outs := mustEnumerate(t, s.p, c.v)
			if got := allowed(outs, s.cond); got != c.want {
				t.Errorf("%s under %s: outcome %q allowed=%v, want %v (%s)\nstates: %v", s.name, c.v, s.cond, got, c.want, s.why, keys(outs))
			}
			checkWitnesses(t, s.p, c.v, outs)
		}
	}
}

package model

import (
	"testing"
)

const (
	sc = SeqCst
	na = Unordered
)

func TestSmokeMP(t *testing.T) {
	p := prog("MP", 2,
		[]Op{st(0, 1, na), st(1, 1, sc)},
		[]Op{ld("r0", 1, sc), ld("r1", 0, na)})
	for _, v := range []Variant{ES2024, ES2017, SC} {
		outs := mustEnumerate(t, p, v)
		t.Logf("%s: %v", v, keys(outs))
		checkWitnesses(t, p, v, outs)
	}
}

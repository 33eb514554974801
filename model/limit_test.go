package model

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"
)

// bigTear is three agents over one plain BigInt64: two store different
// patterns, one loads. A plain 8-byte access may tear, so the load and the
// final memory each take any mix of bytes from init and both stores: the
// search tree is small, but its few leaves have about 1.7 million value
// combinations (allowed final states) between them.
func bigTear() *Program {
	return &Program{Name: "Tear+BigInt64+big", Size: 8, Init: make([]byte, 8), Agents: []ProgramAgent{
		{Name: "P0", Ops: []Op{{Kind: AccessStore, Order: na, ByteIndex: 0, ElementSize: 8, Value: 0x1111111111111111}}},
		{Name: "P1", Ops: []Op{{Kind: AccessStore, Order: na, ByteIndex: 0, ElementSize: 8, Value: 0x2222222222222222}}},
		{Name: "P2", Ops: []Op{{Kind: AccessLoad, Order: na, ByteIndex: 0, ElementSize: 8, Signed: true, Reg: "r0"}}},
	}}
}

// enumerateGuarded runs EnumerateLimit in a goroutine and fails the test if
// it has not returned after a generous guard time (a hang, not slowness).
func enumerateGuarded(t *testing.T, ctx context.Context, p *Program, v Variant, limit int) ([]Outcome, error) {
	t.Helper()
	type result struct {
		outs []Outcome
		err  error
	}
	done := make(chan result, 1)
	go func() {
		outs, err := EnumerateLimit(ctx, p, v, limit)
		done <- result{outs, err}
	}()
	select {
	case r := <-done:
		return r.outs, r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("%s under %s: EnumerateLimit did not return within 20s", p.Name, v)
		return nil, nil
	}
}

func TestEnumerateContextExpired(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for _, v := range []Variant{ES2024, ES2017, SC} {
		outs, err := EnumerateContext(ctx, bigTear(), v)
		if !errors.Is(err, context.DeadlineExceeded) || outs != nil {
			t.Fatalf("%s: expired deadline: got %d outcomes, error %v; want context.DeadlineExceeded", v, len(outs), err)
		}
	}
}

// TestEnumerateContextDeadline cancels during the enumeration: bigTear's
// time goes into the values at the search's leaves and into building its
// outcomes, not into the search, so this fails unless those stages check
// the context too.
func TestEnumerateContextDeadline(t *testing.T) {
	for _, v := range []Variant{ES2024, ES2017} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		outs, err := enumerateGuarded(t, ctx, bigTear(), v, 0)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || outs != nil {
			t.Fatalf("%s: 50ms deadline: got %d outcomes, error %v; want context.DeadlineExceeded", v, len(outs), err)
		}
	}
}

func TestEnumerateLimit(t *testing.T) {
	ctx := context.Background()
	// bigTear stops at the limit, long before its 1.7 million states.
	outs, err := enumerateGuarded(t, ctx, bigTear(), ES2024, 1000)
	var many *TooManyStatesError
	if !errors.As(err, &many) || outs != nil {
		t.Fatalf("limit 1000: got %d outcomes, error %v; want *TooManyStatesError", len(outs), err)
	}
	if many.Limit != 1000 || many.Program != "Tear+BigInt64+big" || many.Variant != "es2024" {
		t.Fatalf("error fields: %+v", many)
	}
	if got, want := err.Error(), "program Tear+BigInt64+big: more than 1000 allowed final states under es2024 (the limit)"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	// the limit is inclusive: exactly as many states as allowed passes,
	// one fewer fails; across compareExchange masks too.
	for _, s := range append(classicShapes()[:4], shape{name: "2cas", p: prog("2cas", 1, []Op{cas("r0", 0, 0, 1)}, []Op{cas("r0", 0, 0, 2), ld("r1", 0, sc)})}) {
		all := mustEnumerate(t, s.p, ES2024)
		if len(all) < 2 {
			t.Fatalf("%s: %d states; the test needs at least 2", s.name, len(all))
		}
		got, err := EnumerateLimit(ctx, s.p, ES2024, len(all))
		if err != nil || len(got) != len(all) {
			t.Fatalf("%s: limit %d = state count: got %d, %v", s.name, len(all), len(got), err)
		}
		if fmt.Sprint(keys(got)) != fmt.Sprint(keys(all)) {
			t.Fatalf("%s: limited enumeration differs: %v vs %v", s.name, keys(got), keys(all))
		}
		if _, err := EnumerateLimit(ctx, s.p, ES2024, len(all)-1); !errors.As(err, &many) || many.Limit != len(all)-1 {
			t.Fatalf("%s: limit %d < %d states: error %v, want *TooManyStatesError", s.name, len(all)-1, len(all), err)
		}
	}
	// no limit
	if got, err := EnumerateLimit(ctx, classicShapes()[0].p, ES2024, 0); err != nil || len(got) == 0 {
		t.Fatalf("limit 0: got %d, %v", len(got), err)
	}
}

func TestWitnessRebuilt(t *testing.T) {
	if (Outcome{}).Witness() != nil {
		t.Fatal("zero Outcome has a witness")
	}
	outs := mustEnumerate(t, classicShapes()[0].p, ES2024)
	a, b := outs[0].Witness(), outs[0].Witness()
	if a == b || &a.ReadsBytesFrom[0] == &b.ReadsBytesFrom[0] {
		t.Fatal("Witness returns the same execution twice; each call must build its own")
	}
	checkWitnesses(t, classicShapes()[0].p, ES2024, outs)
}

func TestSortStringsContext(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 4095, 4096, 4097, 3*4096 + 17, 40000} {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("%08x", rng.Intn(1<<20))
		}
		want := append([]string(nil), s...)
		sort.Strings(want)
		if err := SortFuncContext(context.Background(), s, strings.Compare); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(s) != fmt.Sprint(want) {
			t.Fatalf("n=%d: not sorted", n)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := SortFuncContext(ctx, make([]string, 10), strings.Compare); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestEnumerateOrderSigned checks the key encoding orders negative register
// values before positive ones, as Enumerate promises (numerically).
func TestEnumerateOrderSigned(t *testing.T) {
	p := prog("signed", 1, []Op{st(0, 0xffffffff, na)}, []Op{st(0, 5, na)}, []Op{ld("r0", 0, na)})
	outs := mustEnumerate(t, p, ES2024)
	var seen []int64
	for i, o := range outs {
		seen = append(seen, o.State.Regs[2]["r0"])
		if i > 0 && !outcomeLess(outs[i-1], o) {
			t.Fatalf("out of order at %d: %v", i, keys(outs))
		}
	}
	if seen[0] >= 0 || seen[len(seen)-1] <= 0 {
		t.Fatalf("r0 values %v: want negative ones first, positive last", seen)
	}
}

// TestEnumeratorStopsPromptly measures work, not time: with a context that
// is already cancelled, a search over bigTear must notice within a few
// thousand steps, which leaves it at most a few thousand of its 1.7 million
// states. A value stage that never checks the context finds them all.
func TestEnumeratorStopsPromptly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	found := newFoundStates()
	e := newEnumerator(ctx, bigTear(), ES2024, map[opRef]bool{}, found, 0)
	if e.err != nil {
		t.Fatal(e.err)
	}
	e.dfs(0)
	if !errors.Is(e.err, context.Canceled) || len(found.index) > 2048 {
		t.Fatalf("cancelled search: error %v after %d states; want context.Canceled within 2048 states", e.err, len(found.index))
	}
	// and the outcome stage (sorting, decoding) gives up too
	for i := 0; i < 10000; i++ {
		found.add([]byte(fmt.Sprintf("%016x", i)), witnessRec{})
	}
	if _, err := outcomes(ctx, bigTear(), e.regs, found); !errors.Is(err, context.Canceled) {
		t.Fatalf("outcomes with a cancelled context: %v", err)
	}
}

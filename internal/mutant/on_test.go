//go:build sabre_mutants

package mutant

import "testing"

// TestSetIsRestore: Set puts one mutant in force, Is sees it and only it,
// restore puts the previous one back (nested Sets unwind), and a second
// call of a restore function does nothing.
func TestSetIsRestore(t *testing.T) {
	if !Enabled {
		t.Fatal("Enabled is false with the build tag")
	}
	if Current() != "" {
		t.Fatalf("%s is in force at the start", Current())
	}
	for _, m := range All() {
		restore := Set(m)
		for _, o := range All() {
			if Is(o) != (o == m) {
				t.Errorf("with %s in force, Is(%s) = %v", m, o, Is(o))
			}
		}
		if Current() != m {
			t.Errorf("Current() = %q, want %s", Current(), m)
		}
		restore()
		if Is(m) || Current() != "" {
			t.Errorf("%s still in force after restore", m)
		}
	}

	outer := Set(LoadStale)
	inner := Set(QueueDropsItem)
	if !Is(QueueDropsItem) || Is(LoadStale) {
		t.Error("the inner Set is not the one in force")
	}
	inner()
	if !Is(LoadStale) {
		t.Error("restoring the inner Set did not put the outer one back")
	}
	inner() // a second call does nothing
	if !Is(LoadStale) {
		t.Error("a second call of a restore function changed the mutant in force")
	}
	none := Set("")
	if Current() != "" || Is(LoadStale) {
		t.Error(`Set("") left a mutant in force`)
	}
	none()
	outer()
	if Current() != "" {
		t.Errorf("%s in force after every restore", Current())
	}

	unknown := Set("NoSuchMutant")
	for _, o := range All() {
		if Is(o) {
			t.Errorf("an unknown mutant made Is(%s) true", o)
		}
	}
	unknown()
}

// TestAll: All lists every mutant once, each Known, and returns a fresh
// slice.
func TestAll(t *testing.T) {
	a := All()
	if len(a) != 9 {
		t.Fatalf("All() has %d mutants, want 9", len(a))
	}
	seen := map[Mutant]bool{}
	for _, m := range a {
		if !m.Known() || seen[m] {
			t.Errorf("%q: known %v, listed twice %v", m, m.Known(), seen[m])
		}
		seen[m] = true
	}
	a[0] = "changed"
	if All()[0] == "changed" {
		t.Error("All returns its own array")
	}
	if Mutant("").Known() || Mutant("NoSuchMutant").Known() {
		t.Error("Known accepts a name that is no mutant")
	}
}

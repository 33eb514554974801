package examples

import (
	"slices"
	"strings"

	"github.com/sabre-mm/sabre/scenarios"
)

// Catalogue returns the built-in scenarios, sorted by name; each call
// returns new values.
func Catalogue() []*scenarios.Scenario {
	cat := []*scenarios.Scenario{
		MPWaitNotify(),
		MPWaitNotifyLostWakeup(),
		GrowRace(),
		QueueTransfer(),
		RingIndexBeforeData(),
		RingPlainIndex(),
		Seqlock(),
		SeqlockPlainData(),
		SeqlockPlainNoRecheck(),
		SpinNAFlag(),
		SpinSCFlag(),
		// The primitives' buggy variants whose bug exhaustive exploration
		// with weak reads finds in milliseconds under every model; the
		// correct primitives, and the other variants, take it far longer
		// (see doc.go).
		MutexUnlockCheckThenStore(),
		MutexTestThenSet(),
		ConditionSeqAfterUnlock(),
	}
	slices.SortFunc(cat, func(a, b *scenarios.Scenario) int { return strings.Compare(a.Name, b.Name) })
	return cat
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

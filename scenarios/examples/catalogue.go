package examples

import "github.com/sabre-mm/sabre/scenarios"

// Catalogue returns the built-in scenarios, sorted by name; each call
// returns new values.
func Catalogue() []*scenarios.Scenario {
	return nil
}

// Package gen generates random multi-agent programs for property-based
// tests of sabre (with pgregory.net/rapid).
package gen

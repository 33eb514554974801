//go:build !unix

package litmus

import "os"

// openNoBlock opens name for reading. This system has no O_NONBLOCK open;
// readFile's check before opening still refuses what is not a regular file.
func openNoBlock(name string) (*os.File, error) { return os.Open(name) }

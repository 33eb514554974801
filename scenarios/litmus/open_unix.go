//go:build unix

package litmus

import (
	"os"
	"syscall"
)

// openNoBlock opens name for reading with O_NONBLOCK, so that opening a
// named pipe without a writer returns at once instead of blocking; reads of
// a regular file are unaffected.
func openNoBlock(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

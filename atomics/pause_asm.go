//go:build amd64 || 386 || arm64

package atomics

// spinHint executes the processor's spin-wait hint n times.
//
//go:noescape
func spinHint(n uint32)

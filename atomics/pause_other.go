//go:build !amd64 && !386 && !arm64

package atomics

// spinHint has no processor hint to send on this architecture: it spins n
// times on a no-op.
func spinHint(n uint32) {
	for range n {
	}
}

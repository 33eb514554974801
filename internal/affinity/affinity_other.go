//go:build !linux

package affinity

func Supported() bool { return false }

func Pin(int) (restore func()) { return func() {} }

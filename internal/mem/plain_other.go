//go:build !amd64 || race || sabre_mutants

package mem

import "unsafe"

// plainStores: StorePlain is Store (see StorePlain).
const plainStores = false

func storePlain8(unsafe.Pointer, uint8)   { panic("unreachable") }
func storePlain16(unsafe.Pointer, uint16) { panic("unreachable") }
func storePlain32(unsafe.Pointer, uint32) { panic("unreachable") }
func storePlain64(unsafe.Pointer, uint64) { panic("unreachable") }

//go:build amd64 && !race && !sabre_mutants

package mem

import "unsafe"

// plainStores: StorePlain is an ordinary MOV (plain_amd64.s).
const plainStores = true

// The stores of plain_amd64.s: one MOV of 1, 2, 4 or 8 bytes to p.
//
//go:noescape
func storePlain8(p unsafe.Pointer, v uint8)

//go:noescape
func storePlain16(p unsafe.Pointer, v uint16)

//go:noescape
func storePlain32(p unsafe.Pointer, v uint32)

//go:noescape
func storePlain64(p unsafe.Pointer, v uint64)

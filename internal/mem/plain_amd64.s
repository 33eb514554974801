//go:build amd64 && !race && !sabre_mutants

#include "textflag.h"

// func storePlain8(p unsafe.Pointer, v uint8)
TEXT ·storePlain8(SB), NOSPLIT, $0-9
	MOVQ p+0(FP), AX
	MOVB v+8(FP), BX
	MOVB BX, (AX)
	RET

// func storePlain16(p unsafe.Pointer, v uint16)
TEXT ·storePlain16(SB), NOSPLIT, $0-10
	MOVQ p+0(FP), AX
	MOVW v+8(FP), BX
	MOVW BX, (AX)
	RET

// func storePlain32(p unsafe.Pointer, v uint32)
TEXT ·storePlain32(SB), NOSPLIT, $0-12
	MOVQ p+0(FP), AX
	MOVL v+8(FP), BX
	MOVL BX, (AX)
	RET

// func storePlain64(p unsafe.Pointer, v uint64)
TEXT ·storePlain64(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ v+8(FP), BX
	MOVQ BX, (AX)
	RET

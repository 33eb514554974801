#include "textflag.h"

// func spinHint(n uint32)
TEXT ·spinHint(SB), NOSPLIT, $0-4
	MOVWU n+0(FP), R0
	CBZ R0, done
again:
	YIELD
	SUB $1, R0
	CBNZ R0, again
done:
	RET

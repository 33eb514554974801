#include "textflag.h"

// func spinHint(n uint32)
TEXT ·spinHint(SB), NOSPLIT, $0-4
	MOVL n+0(FP), AX
	TESTL AX, AX
	JZ done
again:
	PAUSE
	DECL AX
	JNZ again
done:
	RET

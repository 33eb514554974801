//go:build 386 || amd64

// The x86 spin-wait hint; 386 and amd64 share this frame layout (one uint32 argument).

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

package model

// This file is the contract between the enumerator (this package) and the
// litmus front end (scenarios/litmus): a straight-line program over one
// shared block. The final states the enumerator reports for it are in
// finalstate.go.

// AccessKind says what a program operation does to shared memory.
type AccessKind uint8

const (
	// AccessLoad reads ElementSize bytes at ByteIndex (ReadSharedMemory).
	AccessLoad AccessKind = iota + 1
	// AccessStore writes Value (ElementSize bytes, little-endian) at ByteIndex (WriteSharedMemory).
	AccessStore
	// AccessRMW is an Atomics read-modify-write (ReadModifyWriteSharedMemory):
	// Atomics.add/sub/and/or/xor/exchange/compareExchange. Its Order is always SeqCst.
	AccessRMW
)

// Op is one operation of one agent in a straight-line program.
//
// Values are carried as the little-endian bit pattern of ElementSize bytes
// held in the low bits of a uint64 (Value, Expected). The register result of
// a load or RMW (the value read) is decoded from the bytes read, sign-extended
// when Signed is true and zero-extended otherwise.
type Op struct {
	Kind        AccessKind
	Order       Order // SeqCst or Unordered for loads and stores; SeqCst for RMWs
	NoTear      bool  // the access's NoTear field (see ECMA-262 IsNoTearConfiguration)
	ByteIndex   int
	ElementSize int // 1, 2, 4 or 8
	Signed      bool
	Value       uint64   // store payload, or RMW operand (for compareExchange: the replacement)
	Expected    uint64   // compareExchange only: the expected value
	Modify      ModifyOp // for AccessRMW
	Reg         string   // register that receives the value read; "" when the result is discarded
	Line        int      // source line, for messages (0 when unknown)
}

// ProgramAgent is one agent's operations, in agent-order.
type ProgramAgent struct {
	Name string // e.g. "P0"
	Ops  []Op
}

// Program is a straight-line concurrent program over one shared block.
type Program struct {
	Name   string
	Size   int    // bytes in the shared block
	Init   []byte // initial contents, len(Init) == Size; the block's Init writes
	Agents []ProgramAgent
}

package mem

// Index of the package (see the package comment in block.go):
//
//   - Block: NewBlock, Detach, MoveTo, Detached, ByteLength, Info, Snapshot;
//     the raw operations Load, Store, RMW (RMWOp: OpAdd … OpExchange, Modify),
//     CompareExchange, LoadRange, StoreRange, LoadByte, StoreByte; SubShift,
//     Mask, ToLE, FromLE, BigEndianHost.
//   - Array: a typed view's shape (CurrentLength, ByteIndex) and the fast
//     paths Word32, Word64, SubWord, LoadInt32, StoreInt32, AddInt32.
//   - Agent: NewAgent; the agent-order counter.
//   - Observers of a Block or an Agent: SetRecorder, Recorder,
//     SetController, Controller. Controller; Attached, AttachedUnit.
//   - The bracket: Observe, Begin, Obs (Observed, Recorded, Controlled, End,
//     Append, Await).
//   - Mutants (internal/mutant; build tag sabre_mutants): Store's 8-byte
//     store as two halves (Store64Halves), RMW's sub-word load-then-store
//     (SubWordRMWLoadStore) and CompareExchange's store on failure
//     (CASWritesOnFailure), in mutants.go.

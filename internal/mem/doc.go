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

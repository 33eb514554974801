// Package history owns what sabre records of a run: the events, the
// recorder, the history file format and the conversion of a history to a
// candidate execution of the memory model. It imports only package model
// and the standard library; package shared records into it, and checkers
// and schedulers read it. docs/history.md describes the format with an
// example.
//
// # Events
//
//   - [Event]: agent and agent-order position (Seq), [Kind], order, operation,
//     buffer, byte index and size, NoTear; bytes read and written; an RMW's
//     ModifyOp and Operand; compareExchange's Expected and Stored; Wait's
//     Expected, Timeout and Result; Notify's Count and the waiters it Woken
//     ([Ref]s to their Wait events); Queue Item identity and the queue's
//     maxsize (Count); the
//     host-synchronizes-with Sync token; Call and Return instants.
//   - [Kind]: [EvRead], [EvWrite], [EvRMW], [EvInit], [EvWait], [EvWaitSettle],
//     [EvNotify], [EvQueuePut], [EvQueueGet], [EvTransfer], [EvAgentStart],
//     [EvAgentBegin], [EvAgentEnd], [EvAgentJoin], [EvGrow]; [ParseKind].
//   - [Now]: the recorders' logical clock; [NewSyncToken], [IssuedSyncToken].
//
// # Recording
//
//   - [Recorder]: [NewRecorder], Append, Events, History, Len, Reset,
//     AddBuffer, HasBuffer, and Log (an agent's [Log]: Append, Reset).
//     Per-agent logs, merged by call instant when read.
//   - [History]: Buffers ([Buffer]) and Events; [History.Validate].
//
// # Files
//
//   - [Write] and [Read]: JSON Lines, a header naming [FormatName] and
//     [FormatVersion] and the buffers, then one event per line; they
//     round-trip exactly. [FormatError] names the line and field of a fault.
//     [MaxLineBytes], [MaxBufferLength].
//
// # Conversion
//
//   - [Convert] and [ToExecution]: a history as a model.Execution that passes
//     Execution.Check, with reads-bytes-from chosen from the recorded values
//     ([Conversion]: Execution, Agents, Source, Blocks, Unique).
//
// # Limitations
//
//   - Instants are logical, not durations.
//   - Reads-bytes-from is a candidate where a read's value was written more
//     than once (Conversion.Unique); choosing among candidates is a checker's
//     job.
package history

package shared

import "fmt"

// ErrorKind classifies errors the way ECMAScript classifies the exceptions
// its operations throw (and PEP 734 its Queue's): each kind is named after
// the exception raised in the same situation. An ErrorKind is itself an
// error, so errors.Is(err, shared.TypeError) tells the kind of any error this
// module returns.
//
// A JavaScript layer maps an error to a thrown exception of its kind's name,
// with one exception: a plain TypedArray element access (the Get* and Set*
// methods of TypedArray) whose index is out of range (RangeError) or whose
// buffer is detached (TypeError) is no error in JavaScript, where ta[i]
// reads undefined and ta[i] = v does nothing (ECMA-262's
// TypedArrayGetElement and TypedArraySetElement); sabre reports it, writing
// nothing, and the layer returns undefined or ignores the write. DataView
// accesses and Atomics operations out of range do throw RangeError, and
// Atomics.notify on a non-shared buffer returns 0 in both. The table in
// docs/semantics.md lists every case, and a test keeps it true.
type ErrorKind uint8

const (
	// TypeError: a wrong kind of view, a detached buffer, a non-shareable value,
	// an agent that may not block. (A plain TypedArray access to a detached
	// buffer is undefined or a no-op in JavaScript: see ErrorKind.)
	TypeError ErrorKind = iota + 1
	// RangeError: an index, offset or length out of range. (A plain
	// TypedArray access out of range is undefined or a no-op in JavaScript:
	// see ErrorKind.)
	RangeError
	// QueueEmpty: a non-blocking or timed Get found no item (PEP 734's QueueEmpty).
	QueueEmpty
	// QueueFull: a non-blocking or timed Put found the queue full (PEP 734's QueueFull).
	QueueFull
	// NotShareable: a value that cannot pass between agents (PEP 734's NotShareableError).
	// It wraps TypeError too: errors.Is(err, TypeError) holds for it.
	NotShareable
)

var kindNames = [...]string{"", "TypeError", "RangeError", "QueueEmpty", "QueueFull", "NotShareableError"}

// String returns the kind's name as ECMAScript or PEP 734 spells it.
func (k ErrorKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// Error makes an ErrorKind usable as an errors.Is target.
func (k ErrorKind) Error() string { return k.String() }

// Error is the error type of this module: a kind, the operation that failed
// and what was wrong.
type Error struct {
	Kind ErrorKind
	Op   string // the operation, e.g. "Int32Array.get", "Atomics.wait"
	Msg  string
}

func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	if e.Op == "" {
		return e.Kind.String() + ": " + e.Msg
	}
	return e.Kind.String() + ": " + e.Op + ": " + e.Msg
}

// Is reports whether target is e's kind (NotShareable errors are TypeErrors too).
func (e *Error) Is(target error) bool {
	k, ok := target.(ErrorKind)
	if !ok || e == nil {
		return false
	}
	return k == e.Kind || (e.Kind == NotShareable && k == TypeError)
}

// Errorf returns an *Error of the given kind for operation op. A kind that
// is none of the ErrorKinds above makes a TypeError (whose message names the
// invalid kind), so that every *Error this module makes has a kind a
// JavaScript layer can map.
func Errorf(kind ErrorKind, op, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if kind < TypeError || kind > NotShareable {
		msg = fmt.Sprintf("%s (made with invalid %v)", msg, kind)
		kind = TypeError
	}
	return &Error{Kind: kind, Op: op, Msg: msg}
}

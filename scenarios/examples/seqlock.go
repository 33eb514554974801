package examples

import (
	"errors"
	"fmt"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

// The layout of a seqlock's Int32 elements (SeqlockElements of them).
const (
	seqlockSeq  = 0 // the sequence: odd while a write is under way
	seqlockData = 1 // the first of the data words
)

// SeqlockElements is the number of Int32 elements a seqlock guarding
// words data words occupies: the sequence, then the words (4·(1 + words)
// bytes).
func SeqlockElements(words int) int { return seqlockData + words }

// seqlockBug selects a deliberately broken seqlock (the buggy examples).
type seqlockBug int

const (
	seqlockCorrect      seqlockBug = iota
	seqlockPlainNoRetry            // the reader reads the data with plain reads and does not re-check the sequence
	seqlockPlainData               // both ends access the data with plain accesses (C's seqlock, with the re-check)
)

// SeqlockWriter is the writing end of a seqlock over an Int32 view of a
// shared buffer with SeqlockElements(words) elements: element 0 is the
// sequence (even when no write is under way), elements 1 … words the
// data, all 0 at first. There is one writer (writers that share a seqlock
// need a lock of their own around Write); it keeps the sequence in a Go
// variable too.
//
// Write bumps the sequence to odd (Atomics.store), stores the words
// (Atomics.store each), bumps it to even again and notifies readers
// sleeping on it. A reader (SeqlockReader) loads the sequence, sleeps
// (Atomics.wait) while it is odd, loads the words, loads the sequence
// again, and retries unless the two loads returned the same even value.
//
// Why the data words are Atomics too: under ECMA-262's memory model a
// plain read that reads a value from a write that does not happen before
// it is a data race (and the reader's plain reads have no happens-before
// edge from the writer's plain writes of a write under way: the sequence
// store that would give one comes after them), and a data race voids the
// guarantee of sequential consistency (SC-DRF), so with plain data the
// re-check proves nothing. With every access seq-cst and of equal ranges
// the program is data-race free, so its executions are sequentially
// consistent: there is one total order of all its accesses that each
// read's value agrees with. In that order, take a Read whose two
// sequence loads both returned the even s. The writes of sequence values
// are the writer's, in its agent order s, s+1, s+2, …; the first load
// returning s follows the store of s (or the initial value) and the second
// precedes the store of s+1, so no store of s+1 comes between them — and
// so no data store either, since the writer stores data only between its
// stores of an odd and the next even value. The reader's data loads, which
// come between its two sequence loads, therefore all read the values the
// write that stored s left (or the initial ones): a snapshot, never a mix
// of two writes.
type SeqlockWriter struct {
	v     *shared.TypedArray
	words int
	seq   uint32
	bug   seqlockBug
}

// SeqlockReader is the reading end of a seqlock (see SeqlockWriter); any
// number of agents may read, each with a reader of its own.
type SeqlockReader struct {
	v       *shared.TypedArray
	words   int
	bug     seqlockBug
	retries int
	slept   int
}

var errSeqlock = errors.New("examples: seqlock")

func checkSeqlockView(v *shared.TypedArray, words int) error {
	if words < 1 || words > 1<<20 {
		return fmt.Errorf("%w: %d words, want 1 to 2^20", errSeqlock, words)
	}
	if err := checkCells(fmt.Sprintf("seqlock of %d words", words), v, 0, SeqlockElements(words)); err != nil {
		return fmt.Errorf("%w: %w", errSeqlock, err)
	}
	return nil
}

// NewSeqlockWriter returns the writer of a seqlock of words data words
// over v (an Int32 view of a shared buffer with at least
// SeqlockElements(words) elements, bound to the writing agent). It reads
// the sequence once (Atomics.load); an odd sequence (a writer died
// mid-write) is an error, as are a bad view or word count.
func NewSeqlockWriter(v *shared.TypedArray, words int) (*SeqlockWriter, error) {
	return newSeqlockWriter(v, words, seqlockCorrect)
}

func newSeqlockWriter(v *shared.TypedArray, words int, bug seqlockBug) (*SeqlockWriter, error) {
	if err := checkSeqlockView(v, words); err != nil {
		return nil, err
	}
	s, err := atomics.Load(v, seqlockSeq)
	if err != nil {
		return nil, err
	}
	if s&1 != 0 {
		return nil, fmt.Errorf("%w: the sequence is odd (%d): a write is under way", errSeqlock, s)
	}
	return &SeqlockWriter{v: v, words: words, seq: uint32(s), bug: bug}, nil
}

// NewSeqlockReader returns a reader of a seqlock of words data words over
// v (bound to the reading agent).
func NewSeqlockReader(v *shared.TypedArray, words int) (*SeqlockReader, error) {
	return newSeqlockReader(v, words, seqlockCorrect)
}

func newSeqlockReader(v *shared.TypedArray, words int, bug seqlockBug) (*SeqlockReader, error) {
	if err := checkSeqlockView(v, words); err != nil {
		return nil, err
	}
	return &SeqlockReader{v: v, words: words, bug: bug}, nil
}

// Write stores values (len words) as one snapshot: the sequence to odd,
// the words, the sequence to even, then Atomics.notify of every reader
// sleeping on the sequence.
func (w *SeqlockWriter) Write(values []int64) error {
	if len(values) != w.words {
		return fmt.Errorf("%w: Write of %d values, want %d", errSeqlock, len(values), w.words)
	}
	if _, err := atomics.Store(w.v, seqlockSeq, int64(int32(w.seq+1))); err != nil {
		return err
	}
	for i, x := range values {
		var err error
		if w.bug == seqlockPlainData {
			err = w.v.SetInt(seqlockData+i, x)
		} else {
			_, err = atomics.Store(w.v, seqlockData+i, x)
		}
		if err != nil {
			return err
		}
	}
	w.seq += 2
	if _, err := atomics.Store(w.v, seqlockSeq, int64(int32(w.seq))); err != nil {
		return err
	}
	_, err := atomics.Notify(w.v, seqlockSeq, atomics.All)
	return err
}

// Read returns a snapshot of the words some Write stored (or the initial
// zeros): it loads the sequence, sleeps while it is odd (Atomics.wait,
// woken by the Write's notify), loads the words, and retries unless the
// sequence is unchanged.
func (r *SeqlockReader) Read() ([]int64, error) {
	out := make([]int64, r.words)
	for {
		s1, err := atomics.Load(r.v, seqlockSeq)
		if err != nil {
			return nil, err
		}
		if s1&1 != 0 {
			res, err := atomics.Wait(r.v, seqlockSeq, s1, atomics.Forever)
			if err != nil {
				return nil, err
			}
			if res == atomics.OK {
				r.slept++
			}
			continue
		}
		for i := range out {
			if r.bug == seqlockCorrect {
				out[i], err = atomics.Load(r.v, seqlockData+i)
			} else {
				out[i], err = r.v.GetInt(seqlockData + i)
			}
			if err != nil {
				return nil, err
			}
		}
		if r.bug == seqlockPlainNoRetry {
			return out, nil // the bug: no re-check
		}
		s2, err := atomics.Load(r.v, seqlockSeq)
		if err != nil {
			return nil, err
		}
		if s1 == s2 {
			return out, nil
		}
		r.retries++
	}
}

// Retries is the number of times Read found the sequence changed and
// read again; Slept the times it slept in Atomics.wait and was woken.
func (r *SeqlockReader) Retries() int { return r.retries }

// Slept is the number of times Read slept in Atomics.wait (the sequence
// odd) and was woken by a notify.
func (r *SeqlockReader) Slept() int { return r.slept }

// RegisterOp is an operation of a multi-word register as its
// specification (RegisterSpec) reads it: a write of Value, or a read.
type RegisterOp struct {
	Write bool
	Value []int64 // the words a write stores
}

// RegisterResult is a register operation's result: the words a read
// returned (nil for a write).
type RegisterResult struct {
	Value []int64
}

// RegisterSpec returns the sequential specification of a register of
// words words, all 0 at first: a write replaces the whole value, a read
// returns it — a snapshot some write wrote, never a mix of two. Inputs are
// RegisterOp, outputs RegisterResult. It is the seqlock's and the
// reader-writer lock examples' specification.
func RegisterSpec(words int) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return fmt.Sprint(make([]int64, words)) },
		Step: func(state, input, output any) (bool, any) {
			op := input.(RegisterOp)
			if op.Write {
				return true, fmt.Sprint(op.Value)
			}
			return fmt.Sprint(output.(RegisterResult).Value) == state.(string), state
		},
		DescribeOperation: func(input, output any) string {
			op := input.(RegisterOp)
			if op.Write {
				return "Write(" + strings.Trim(fmt.Sprint(op.Value), "[]") + ")"
			}
			return "Read() → " + fmt.Sprint(output.(RegisterResult).Value)
		},
	}
}

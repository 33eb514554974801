package shared_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/apitest"
	"github.com/sabre-mm/sabre/shared"
)

// The fixtures below panic on an unexpected error: they build usable values
// and are not under test.

func must[T any](x T, err error) T {
	if err != nil {
		panic(err)
	}
	return x
}

// filled returns buf with every byte 7, so that no Wait on it finds the
// values the tests expect (0, -1, the extremes) and blocks.
func filled[B shared.Backing](buf B) B {
	v := must(shared.View(buf, shared.Uint8))
	for i := 0; i < v.Length(); i++ {
		must(0, v.SetInt(i, 7))
	}
	return buf
}

func sab(n int, opts ...shared.Option) *shared.Buffer {
	return filled(must(shared.NewBuffer(n, opts...)))
}

func arrayBuffer(n int, opts ...shared.Option) *shared.ArrayBuffer {
	return filled(must(shared.NewArrayBuffer(n, opts...)))
}

func growable() *shared.Buffer { return filled(must(shared.NewGrowableBuffer(8, 64))) }

// detached returns an ArrayBuffer whose bytes were transferred away, and
// fn's view of it made before the transfer.
func detached[T any](fn func(*shared.ArrayBuffer) (T, error)) T {
	ab := arrayBuffer(16)
	x := must(fn(ab))
	must(ab.Transfer())
	return x
}

func detachedAB() *shared.ArrayBuffer {
	return detached(func(ab *shared.ArrayBuffer) (*shared.ArrayBuffer, error) { return ab, nil })
}

func recorded() shared.Option { return shared.WithRecorder(history.NewRecorder()) }

// passthrough is a controller that never pauses, never supplies a read, and
// ends every wait at once (timed out).
type passthrough struct{}

func (passthrough) Before(*history.Event) (uint64, bool) { return 0, false }
func (passthrough) Block(context.Context, *history.Event, <-chan struct{}) (bool, error) {
	return true, nil
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// sharedSuite is package shared's whole exported API, with the values to
// call it with.
func sharedSuite() *apitest.Suite {
	v := apitest.V[shared.Backing]
	backings := []apitest.Value{
		v("nil *Buffer", true, func() shared.Backing { return (*shared.Buffer)(nil) }),
		v("nil *ArrayBuffer", true, func() shared.Backing { return (*shared.ArrayBuffer)(nil) }),
		v("zero Buffer", true, func() shared.Backing { return &shared.Buffer{} }),
		v("zero ArrayBuffer", true, func() shared.Backing { return &shared.ArrayBuffer{} }),
		v("SAB(16)", false, func() shared.Backing { return sab(16) }),
		v("SAB(6)", false, func() shared.Backing { return sab(6) }),
		v("SAB(0)", false, func() shared.Backing { return sab(0) }),
		v("growable SAB(8, 64)", false, func() shared.Backing { return growable() }),
		v("AB(16)", false, func() shared.Backing { return arrayBuffer(16) }),
		v("detached AB", false, func() shared.Backing { return detachedAB() }),
		v("recorded SAB(16)", false, func() shared.Backing { return sab(16, recorded()) }),
	}
	kinds := []apitest.Value{apitest.V("Kind(200)", true, func() shared.Kind { return 200 })}
	for _, k := range []shared.Kind{shared.Int8, shared.Uint8Clamped, shared.Int16, shared.Int32,
		shared.BigUint64, shared.Float16, shared.Float64} {
		kinds = append(kinds, apitest.V(k.String(), false, func() shared.Kind { return k }))
	}
	ag := shared.NewAgent("api")
	values := map[reflect.Type][]apitest.Value{
		typeOf[shared.Backing](): backings,
		typeOf[shared.Kind]():    kinds,
		typeOf[shared.ErrorKind](): {
			apitest.V("ErrorKind(200)", true, func() shared.ErrorKind { return 200 }),
			apitest.V("TypeError", false, func() shared.ErrorKind { return shared.TypeError }),
			apitest.V("QueueEmpty", false, func() shared.ErrorKind { return shared.QueueEmpty }),
			apitest.V("NotShareable", false, func() shared.ErrorKind { return shared.NotShareable }),
		},
		typeOf[*shared.Buffer](): {
			apitest.V("zero Buffer", true, func() *shared.Buffer { return &shared.Buffer{} }),
			apitest.V("SAB(8)", false, func() *shared.Buffer { return sab(8) }),
		},
		typeOf[*shared.Queue](): {
			apitest.V("zero Queue", true, func() *shared.Queue { return &shared.Queue{} }),
			apitest.V("queue", false, func() *shared.Queue { return shared.NewQueue(0) }),
		},
		typeOf[*shared.Agent](): {
			apitest.V("zero Agent", false, func() *shared.Agent { return &shared.Agent{} }),
			apitest.V("agent", false, func() *shared.Agent { return ag }),
		},
		typeOf[*history.Recorder](): {
			apitest.V("recorder", false, history.NewRecorder),
		},
		typeOf[shared.Controller](): {
			apitest.V("passthrough", false, func() shared.Controller { return passthrough{} }),
		},
		typeOf[context.Context](): {
			apitest.V("background", false, context.Background),
			apitest.V("canceled", false, func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			}),
		},
		typeOf[any](): {
			apitest.V("1", false, func() any { return 1 }),
			apitest.V("bytes", false, func() any { return []byte{1, 2} }),
			apitest.V("SAB", false, func() any { return sab(8) }),
			apitest.V("tuple", false, func() any { return []any{1, "a", []any{nil}} }),
			// Not marked degenerate: a nil view is a fine Errorf argument,
			// and TestQueueRefusesNonShareable checks the errors of a put.
			apitest.V("nil *Buffer item", false, func() any { return (*shared.Buffer)(nil) }),
			apitest.V("zero Queue item", false, func() any { return &shared.Queue{} }),
			apitest.V("nil view item", false, func() any { return (*shared.TypedArray)(nil) }),
			apitest.V("func item", false, func() any { return func() {} }),
			apitest.V("map in a tuple", false, func() any { return []any{1, map[int]int{}} }),
			apitest.V("AB not transferred", false, func() any { return arrayBuffer(4) }),
		},
		typeOf[history.Event](): {
			apitest.V("host event", false, func() history.Event { return history.Event{Kind: history.EvQueuePut, Op: "host"} }),
		},
		typeOf[func(*shared.Agent) error](): {
			apitest.V("f", false, func() func(*shared.Agent) error { return func(*shared.Agent) error { return nil } }),
		},
		typeOf[error](): {
			apitest.V("TypeError", false, func() error { return shared.TypeError }),
			apitest.V("other error", false, func() error { return errors.New("other") }),
		},
		typeOf[shared.Option](): {
			apitest.V("WithRecorder(nil)", false, func() shared.Option { return shared.WithRecorder(nil) }),
			apitest.V("WithRecorder", false, recorded),
			apitest.V("WithController(nil)", false, func() shared.Option { return shared.WithController(nil) }),
			apitest.V("WithController", false, func() shared.Option { return shared.WithController(passthrough{}) }),
			apitest.V("CreatedBy(nil)", false, func() shared.Option { return shared.CreatedBy(nil) }),
			apitest.V("CreatedBy", false, func() shared.Option { return shared.CreatedBy(ag) }),
		},
	}
	valid := map[reflect.Type]apitest.Value{
		typeOf[shared.Backing]():   backings[4],
		typeOf[shared.Kind]():      kinds[4],
		typeOf[shared.ErrorKind](): apitest.V("RangeError", false, func() shared.ErrorKind { return shared.RangeError }),
		typeOf[*shared.Buffer]():   values[typeOf[*shared.Buffer]()][1],
		typeOf[*shared.Queue]():    values[typeOf[*shared.Queue]()][1],
		typeOf[*shared.Agent]():    values[typeOf[*shared.Agent]()][1],
		typeOf[context.Context]():  values[typeOf[context.Context]()][0],
		typeOf[any]():              values[typeOf[any]()][0],
	}
	brokenZero := map[reflect.Type]bool{
		typeOf[shared.Backing](): true, typeOf[shared.Kind](): true, typeOf[shared.ErrorKind](): true,
		typeOf[*shared.Buffer](): true, typeOf[*shared.Queue](): true,
	}

	view := func(name string, mk func() (*shared.TypedArray, error)) apitest.Value {
		return apitest.V(name, false, func() *shared.TypedArray { return must(mk()) })
	}
	dataView := func(name string, mk func() (*shared.DataView, error)) apitest.Value {
		return apitest.V(name, false, func() *shared.DataView { return must(mk()) })
	}
	kindRecv := []apitest.Value{
		apitest.V("Kind(0)", true, func() shared.Kind { return 0 }),
		apitest.V("Kind(200)", true, func() shared.Kind { return 200 }),
		apitest.V("Kind(255)", true, func() shared.Kind { return 255 }),
	}
	for k := shared.Int8; k <= shared.Float64; k++ {
		kindRecv = append(kindRecv, apitest.V(k.String(), false, func() shared.Kind { return k }))
	}
	errKindRecv := []apitest.Value{
		apitest.V("ErrorKind(0)", true, func() shared.ErrorKind { return 0 }),
		apitest.V("ErrorKind(200)", true, func() shared.ErrorKind { return 200 }),
	}
	for k := shared.TypeError; k <= shared.NotShareable; k++ {
		errKindRecv = append(errKindRecv, apitest.V(k.String(), false, func() shared.ErrorKind { return k }))
	}
	receivers := map[string][]apitest.Value{
		"Buffer": append(apitest.NilAndZero[shared.Buffer](true),
			apitest.V("SAB(16)", false, func() *shared.Buffer { return sab(16) }),
			apitest.V("SAB(0)", false, func() *shared.Buffer { return sab(0) }),
			apitest.V("growable", false, growable),
			apitest.V("recorded", false, func() *shared.Buffer { return sab(16, recorded(), shared.CreatedBy(ag)) }),
		),
		"ArrayBuffer": append(apitest.NilAndZero[shared.ArrayBuffer](true),
			apitest.V("AB(16)", false, func() *shared.ArrayBuffer { return arrayBuffer(16) }),
			apitest.V("detached", false, detachedAB),
			apitest.V("recorded", false, func() *shared.ArrayBuffer { return arrayBuffer(16, recorded()) }),
		),
		"TypedArray": append(apitest.NilAndZero[shared.TypedArray](true),
			view("Int32 over SAB", func() (*shared.TypedArray, error) { return shared.View(sab(16), shared.Int32) }),
			view("BigInt64 over SAB", func() (*shared.TypedArray, error) { return shared.View(sab(16), shared.BigInt64) }),
			view("Uint8Clamped over SAB", func() (*shared.TypedArray, error) { return shared.View(sab(16), shared.Uint8Clamped) }),
			view("Float64 over SAB", func() (*shared.TypedArray, error) { return shared.View(sab(16), shared.Float64) }),
			view("Float16 over AB", func() (*shared.TypedArray, error) { return shared.View(arrayBuffer(16), shared.Float16) }),
			view("Int8 over AB", func() (*shared.TypedArray, error) { return shared.View(arrayBuffer(16), shared.Int8) }),
			view("tracking Int32", func() (*shared.TypedArray, error) {
				return shared.NewLengthTrackingArray(growable(), shared.Int32, 4)
			}),
			view("Int32 over detached AB", func() (*shared.TypedArray, error) {
				return detached(func(ab *shared.ArrayBuffer) (*shared.TypedArray, error) { return shared.View(ab, shared.Int32) }), nil
			}),
			view("recorded Int16", func() (*shared.TypedArray, error) {
				return shared.View(sab(16, recorded(), shared.CreatedBy(ag)), shared.Int16)
			}),
		),
		"DataView": append(apitest.NilAndZero[shared.DataView](true),
			dataView("over SAB", func() (*shared.DataView, error) { return shared.NewDataView(sab(16), 0, 16) }),
			dataView("over AB at 3", func() (*shared.DataView, error) { return shared.NewDataView(arrayBuffer(16), 3, 9) }),
			dataView("over detached AB", func() (*shared.DataView, error) {
				return detached(func(ab *shared.ArrayBuffer) (*shared.DataView, error) { return shared.NewDataView(ab, 0, 16) }), nil
			}),
			dataView("tracking", func() (*shared.DataView, error) { return shared.NewLengthTrackingDataView(growable(), 2) }),
			dataView("recorded", func() (*shared.DataView, error) { return shared.NewDataView(sab(16, recorded()), 0, 16) }),
		),
		"Queue": append(apitest.NilAndZero[shared.Queue](true),
			apitest.V("queue with an item", false, func() *shared.Queue {
				q := shared.NewQueue(0)
				must(0, q.PutNowait(1))
				return q
			}),
		),
		"Agent": append(apitest.NilAndZero[shared.Agent](true),
			apitest.V("agent", false, func() *shared.Agent { return shared.NewAgent("a") }),
		),
		"Handle": append(apitest.NilAndZero[shared.Handle](true),
			apitest.V("finished", false, func() *shared.Handle {
				h := ag.Start("child", func(*shared.Agent) error { return nil })
				must(0, h.Join(nil))
				return h
			}),
		),
		"Kind":      kindRecv,
		"ErrorKind": errKindRecv,
		"Error": append(apitest.NilAndZero[shared.Error](true),
			apitest.V("RangeError", false, func() *shared.Error {
				var e *shared.Error
				errors.As(shared.Errorf(shared.RangeError, "op", "msg"), &e)
				return e
			}),
		),
	}
	return &apitest.Suite{
		Dir: ".",
		Funcs: map[string]any{
			"NewBuffer":                 shared.NewBuffer,
			"NewGrowableBuffer":         shared.NewGrowableBuffer,
			"NewArrayBuffer":            shared.NewArrayBuffer,
			"WithRecorder":              shared.WithRecorder,
			"WithController":            shared.WithController,
			"CreatedBy":                 shared.CreatedBy,
			"Transfer":                  shared.Transfer,
			"NewTypedArray":             shared.NewTypedArray,
			"NewLengthTrackingArray":    shared.NewLengthTrackingArray,
			"View":                      shared.View,
			"NewDataView":               shared.NewDataView,
			"NewLengthTrackingDataView": shared.NewLengthTrackingDataView,
			"NewAgent":                  shared.NewAgent,
			"NewQueue":                  shared.NewQueue,
			"IsShareable":               shared.IsShareable,
			"Errorf":                    shared.Errorf,
		},
		Receivers:  receivers,
		Values:     values,
		Valid:      valid,
		BrokenZero: brokenZero,
		Exempt: map[string]string{
			"String":       "describes the value",
			"Error":        "describes the error",
			"ArrayName":    "names the (invalid) kind",
			"For":          "returns a value as unusable as the receiver, bound to the agent",
			"Agent.Start":  "on a nil or zero Agent, starts a root agent (documented)",
			"Queue.Empty":  "a nil or zero queue holds nothing: Empty is true",
			"IsShareable":  "reports false: the zero value of its result",
			"Errorf":       "returns the error",
			"WithRecorder": "returns an Option",
		},
		CheckError: apitest.SharedErrors,
	}
}

// TestAPIDegenerateInput calls every exported function and method of
// package shared on nil receivers, zero values, nil and invalid arguments
// and hostile numbers: none panics or hangs, every error on such input is a
// TypeError, every other error a *shared.Error of a documented kind, and
// entry points without an error result return zero values.
func TestAPIDegenerateInput(t *testing.T) {
	n, calls := sharedSuite().Run(t)
	t.Logf("package shared: %d entry points, %d calls", n, calls)
}

// TestAPIComplete fails when package shared exports a function or method
// that TestAPIDegenerateInput does not call.
func TestAPIComplete(t *testing.T) { sharedSuite().CheckComplete(t) }

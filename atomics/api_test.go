package atomics_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/apitest"
	"github.com/sabre-mm/sabre/shared"
)

func must[T any](x T, err error) T {
	if err != nil {
		panic(err)
	}
	return x
}

// filledView returns a view of kind over buf, every byte of which is 7: no
// expected value the API test passes (0, -1, the extremes) matches an
// element, so no Wait blocks.
func filledView(buf shared.Backing, kind shared.Kind, tracking bool) *shared.TypedArray {
	b := must(shared.View(buf, shared.Uint8))
	for i := 0; i < b.Length(); i++ {
		must(0, b.SetInt(i, 7))
	}
	if tracking {
		return must(shared.NewLengthTrackingArray(buf, kind, 0))
	}
	return must(shared.View(buf, kind))
}

// atomicsSuite is package atomics' whole exported API, with the values to
// call it with.
func atomicsSuite() *apitest.Suite {
	view := func(name string, mk func() *shared.TypedArray) apitest.Value {
		return apitest.V(name, false, mk)
	}
	sab := func(opts ...shared.Option) shared.Backing { return must(shared.NewBuffer(16, opts...)) }
	ab := func() shared.Backing { return must(shared.NewArrayBuffer(16)) }
	views := []apitest.Value{
		apitest.V("zero view", true, func() *shared.TypedArray { return &shared.TypedArray{} }),
		view("Int32", func() *shared.TypedArray { return filledView(sab(), shared.Int32, false) }),
		view("BigInt64", func() *shared.TypedArray { return filledView(sab(), shared.BigInt64, false) }),
		view("BigUint64", func() *shared.TypedArray { return filledView(sab(), shared.BigUint64, false) }),
		view("Uint8", func() *shared.TypedArray { return filledView(sab(), shared.Uint8, false) }),
		view("Int16 over AB", func() *shared.TypedArray { return filledView(ab(), shared.Int16, false) }),
		view("Int32 over AB", func() *shared.TypedArray { return filledView(ab(), shared.Int32, false) }),
		view("Float32", func() *shared.TypedArray { return filledView(sab(), shared.Float32, false) }),
		view("Uint8Clamped", func() *shared.TypedArray { return filledView(sab(), shared.Uint8Clamped, false) }),
		view("tracking Int32", func() *shared.TypedArray {
			return filledView(must(shared.NewGrowableBuffer(8, 64)), shared.Int32, true)
		}),
		view("Int32 over detached AB", func() *shared.TypedArray {
			b := must(shared.NewArrayBuffer(16))
			v := must(shared.View(b, shared.Int32))
			must(b.Transfer())
			return v
		}),
		view("recorded Int32", func() *shared.TypedArray {
			return filledView(sab(shared.WithRecorder(history.NewRecorder()), shared.CreatedBy(shared.NewAgent("r"))), shared.Int32, false)
		}),
		view("Int32 of an agent that cannot block", func() *shared.TypedArray {
			a := shared.NewAgent("main thread")
			a.SetCanBlock(false)
			return filledView(sab(), shared.Int32, false).For(a)
		}),
	}
	canceled := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	asyncWaits := append(apitest.NilAndZero[atomics.AsyncWait](true),
		apitest.V("settled", false, func() *atomics.AsyncWait {
			return must(atomics.WaitAsync(filledView(sab(), shared.Int32, false), 0, 0, atomics.Forever))
		}),
		apitest.V("pending for 1ms", false, func() *atomics.AsyncWait {
			return must(atomics.WaitAsync(filledView(sab(), shared.Int32, false), 0, 0x07070707, time.Millisecond))
		}),
		apitest.V("cancelled", false, func() *atomics.AsyncWait {
			a := must(atomics.WaitAsync(filledView(sab(), shared.Int32, false), 0, 0x07070707, atomics.Forever))
			a.Cancel()
			return a
		}),
	)
	return &apitest.Suite{
		Dir: ".",
		Funcs: map[string]any{
			"Load":              atomics.Load,
			"Store":             atomics.Store,
			"Add":               atomics.Add,
			"Sub":               atomics.Sub,
			"And":               atomics.And,
			"Or":                atomics.Or,
			"Xor":               atomics.Xor,
			"Exchange":          atomics.Exchange,
			"CompareExchange":   atomics.CompareExchange,
			"Wait":              atomics.Wait,
			"WaitContext":       atomics.WaitContext,
			"WaitAsync":         atomics.WaitAsync,
			"WaitAsyncContext":  atomics.WaitAsyncContext,
			"Notify":            atomics.Notify,
			"TimeoutFromMillis": atomics.TimeoutFromMillis,
			"IsLockFree":        atomics.IsLockFree,
			"Pause":             atomics.Pause,
			"PauseN":            atomics.PauseN,
		},
		Receivers: map[string][]apitest.Value{"AsyncWait": asyncWaits},
		Values: map[reflect.Type][]apitest.Value{
			reflect.TypeFor[*shared.TypedArray](): views,
			reflect.TypeFor[context.Context](): {
				apitest.V("background", false, context.Background),
				apitest.V("canceled", false, canceled),
			},
		},
		Valid: map[reflect.Type]apitest.Value{
			reflect.TypeFor[*shared.TypedArray](): views[1],
			reflect.TypeFor[context.Context]():    apitest.V("background", false, context.Background),
		},
		BrokenZero: map[reflect.Type]bool{reflect.TypeFor[*shared.TypedArray](): true},
		Exempt: map[string]string{
			"AsyncWait.Done":    "a nil or zero AsyncWait's Done is closed, so that nothing blocks on it",
			"TimeoutFromMillis": "converts a Number (no degenerate input)",
			"IsLockFree":        "reports on a size (no degenerate input)",
		},
		CheckError: apitest.SharedErrors,
	}
}

// TestAPIDegenerateInput calls every exported function and method of
// package atomics with nil and zero views, views of refused kinds and
// detached buffers, nil contexts, a nil and a zero AsyncWait, and hostile
// numbers: none panics or hangs, every error on a nil or zero value is a
// TypeError, and every other error a *shared.Error of a documented kind (or
// a context's error).
func TestAPIDegenerateInput(t *testing.T) {
	n, calls := atomicsSuite().Run(t)
	t.Logf("package atomics: %d entry points, %d calls", n, calls)
}

// TestAPIComplete fails when package atomics exports a function or method
// that TestAPIDegenerateInput does not call.
func TestAPIComplete(t *testing.T) { atomicsSuite().CheckComplete(t) }

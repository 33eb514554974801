package history_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/apitest"
	"github.com/sabre-mm/sabre/shared"
)

// smallRun records a few accesses of one agent and returns its recorder.
func smallRun() *history.Recorder {
	rec := history.NewRecorder()
	ag := shared.NewAgent("small")
	buf, err := shared.NewBuffer(8, shared.WithRecorder(rec), shared.CreatedBy(ag))
	if err != nil {
		panic(err)
	}
	v, err := shared.View(buf, shared.Int32)
	if err != nil {
		panic(err)
	}
	_, _ = atomics.Add(v, 0, 3)
	_ = v.SetInt(1, 4)
	_, _ = v.GetInt(0)
	_, _ = atomics.CompareExchange(v, 1, 9, 1)
	return rec
}

// historySuite is package history's whole exported API, with the values to
// call it with. History cannot return shared's TypeError (it imports only
// package model), so its errors on degenerate input need only be errors.
func historySuite() *apitest.Suite {
	file := func() string {
		var b bytes.Buffer
		if err := history.Write(&b, smallRun().History()); err != nil {
			panic(err)
		}
		return b.String()
	}()
	histories := []apitest.Value{
		apitest.V("recorded", false, func() *history.History { return smallRun().History() }),
		apitest.V("invalid", false, func() *history.History {
			return &history.History{Buffers: []history.Buffer{{ID: 0}}, Events: []history.Event{{Kind: 99}}}
		}),
	}
	events := []apitest.Value{
		apitest.V("read", false, func() history.Event {
			return history.Event{Agent: 1, Seq: 1, Kind: history.EvRead, Buffer: 1, Size: 4, Read: 5, Woken: []history.Ref{{1, 2}}}
		}),
	}
	return &apitest.Suite{
		Dir: ".",
		Funcs: map[string]any{
			"ToExecution":     history.ToExecution,
			"Convert":         history.Convert,
			"Write":           history.Write,
			"Read":            history.Read,
			"NewRecorder":     history.NewRecorder,
			"ParseKind":       history.ParseKind,
			"Now":             history.Now,
			"NewSyncToken":    history.NewSyncToken,
			"IssuedSyncToken": history.IssuedSyncToken,
		},
		Receivers: map[string][]apitest.Value{
			"Recorder": append(apitest.NilAndZero[history.Recorder](false),
				apitest.V("recorded", false, smallRun)),
			"Log": append(apitest.NilAndZero[history.Log](false),
				apitest.V("agent 1's", false, func() *history.Log { return smallRun().Log(1) })),
			"History": append(apitest.NilAndZero[history.History](false), histories...),
			"Event": append(apitest.NilAndZero[history.Event](false),
				apitest.V("read", false, func() *history.Event { e := events[0].Make().Interface().(history.Event); return &e })),
			"FormatError": append(apitest.NilAndZero[history.FormatError](false),
				apitest.V("from Read", false, func() *history.FormatError {
					_, err := history.Read(strings.NewReader("{}"))
					var fe *history.FormatError
					errors.As(err, &fe)
					return fe
				})),
			"Kind": {
				apitest.V("Kind(0)", true, func() history.Kind { return 0 }),
				apitest.V("Kind(200)", true, func() history.Kind { return 200 }),
				apitest.V("rmw", false, func() history.Kind { return history.EvRMW }),
				apitest.V("grow", false, func() history.Kind { return history.EvGrow }),
			},
			"Ref": {apitest.V("a1#2", false, func() history.Ref { return history.Ref{Agent: 1, Seq: 2} })},
		},
		Values: map[reflect.Type][]apitest.Value{
			reflect.TypeFor[*history.History](): histories,
			reflect.TypeFor[io.Writer](): {
				apitest.V("io.Discard", false, func() io.Writer { return io.Discard }),
				apitest.V("failing writer", false, func() io.Writer { return failingWriter{} }),
			},
			reflect.TypeFor[io.Reader](): {
				apitest.V("file", false, func() io.Reader { return strings.NewReader(file) }),
				apitest.V("garbage", false, func() io.Reader { return strings.NewReader("\x00{\n\"") }),
				apitest.V("failing reader", false, func() io.Reader { return io.MultiReader(strings.NewReader(file[:10]), failingReader{}) }),
			},
			reflect.TypeFor[history.Event](): events,
			reflect.TypeFor[history.Buffer](): {
				apitest.V("buffer", false, func() history.Buffer { return history.Buffer{ID: 1, Length: -1, MaxLength: -5} }),
			},
		},
		Valid: map[reflect.Type]apitest.Value{
			reflect.TypeFor[*history.History](): histories[0],
			reflect.TypeFor[io.Writer]():        apitest.V("io.Discard", false, func() io.Writer { return io.Discard }),
			reflect.TypeFor[io.Reader]():        apitest.V("file", false, func() io.Reader { return strings.NewReader(file) }),
		},
		BrokenZero: map[reflect.Type]bool{
			reflect.TypeFor[*history.History](): true,
			reflect.TypeFor[io.Writer]():        true,
			reflect.TypeFor[io.Reader]():        true,
		},
		Exempt: map[string]string{
			"String": "describes the value",
			"Error":  "describes the error",
		},
		CheckError: func(err error, broken bool) error {
			if err == nil || err.Error() == "" {
				return fmt.Errorf("error %#v has no message", err)
			}
			return nil
		},
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("write failed") }

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("read failed") }

// TestAPIDegenerateInput calls every exported function and method of
// package history on nil receivers (a nil *Recorder, *Log, *History, *Event,
// *FormatError), zero values, nil readers and writers, invalid kinds and
// hostile numbers: none panics or hangs, every degenerate input to an entry
// point with an error result gives an error, and entry points without one
// return zero values on nil receivers.
func TestAPIDegenerateInput(t *testing.T) {
	n, calls := historySuite().Run(t)
	t.Logf("package history: %d entry points, %d calls", n, calls)
}

// TestAPIComplete fails when package history exports a function or method
// that TestAPIDegenerateInput does not call.
func TestAPIComplete(t *testing.T) { historySuite().CheckComplete(t) }

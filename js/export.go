package js

import (
	"reflect"

	"github.com/dop251/goja"
)

var arrayBufferType = reflect.TypeOf(goja.ArrayBuffer{})

// export is v.Export() that never panics: goja's Export of a typed array
// over a detached ArrayBuffer panics (unsafe.Slice of a nil block); such a
// value exports as nil here, which every caller refuses as it refuses any
// value it cannot take (a TypeError naming the value).
func export(v goja.Value) (x any) {
	if v == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			x = nil
		}
	}()
	return v.Export()
}

// exportArrayBuffer is the goja.ArrayBuffer an object is, exported only
// when it is one (an Array's export would copy every element).
func exportArrayBuffer(v goja.Value) (goja.ArrayBuffer, bool) {
	o, ok := v.(*goja.Object)
	if !ok || o.ExportType() != arrayBufferType {
		return goja.ArrayBuffer{}, false
	}
	ab, ok := export(o).(goja.ArrayBuffer)
	return ab, ok
}

// describe names a value for an error message without running any of the
// program's code (no toString, no valueOf, no getter): a primitive by its
// value, an object by its class.
func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		return "an object of class " + o.ClassName()
	}
	if _, ok := v.(*goja.Symbol); ok {
		return "a symbol"
	}
	return v.String()
}

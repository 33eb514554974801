package js

import (
	"reflect"

	"github.com/dop251/goja"
)

var arrayBufferType = reflect.TypeOf(goja.ArrayBuffer{})

// export is v.Export() for a primitive (a number, string, boolean, BigInt,
// undefined or null) and v itself for an object, which is never exported
// whole: goja's Export of a typed array over a detached ArrayBuffer makes
// an unsafe.Slice of a nil block (a panic, and under -race a fatal error
// no recover catches), and an Array's export copies every element (a
// sparse one of 2**32-1 too). Callers take objects through their own
// checks (BufferOf, exportArrayBuffer, exportAs).
func export(v goja.Value) any {
	if v == nil {
		return nil
	}
	if o, ok := v.(*goja.Object); ok {
		return o
	}
	return v.Export()
}

// exportAs exports v if its export type is t (checked without exporting),
// else nil.
func exportAs(v goja.Value, t reflect.Type) any {
	if v == nil || v.ExportType() != t {
		return nil
	}
	return v.Export()
}

// exportArrayBuffer is the goja.ArrayBuffer an object is, exported only
// when it is one (an Array's export would copy every element).
func exportArrayBuffer(v goja.Value) (goja.ArrayBuffer, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return goja.ArrayBuffer{}, false
	}
	ab, ok := exportAs(o, arrayBufferType).(goja.ArrayBuffer)
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

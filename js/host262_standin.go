package js

import (
	"errors"
	"fmt"

	"github.com/dop251/goja"
)

// detachArrayBuffer is $262.detachArrayBuffer's work.
//
// STAND-IN until the realm part's (*Realm).DetachArrayBuffer lands on
// branch js-realm: it detaches goja's own (non-shared) ArrayBuffer with
// goja.ArrayBuffer.Detach. Replace the body with
// `return realm.DetachArrayBuffer(v)` when merged.
func detachArrayBuffer(realm *Realm, v goja.Value) error {
	_ = realm
	obj, ok := v.(*goja.Object)
	if !ok {
		return fmt.Errorf("$262.detachArrayBuffer: %s is not an ArrayBuffer", v)
	}
	ab, ok := obj.Export().(goja.ArrayBuffer)
	if !ok {
		return fmt.Errorf("$262.detachArrayBuffer: %s is not an ArrayBuffer", v)
	}
	if !ab.Detach() {
		return errors.New("$262.detachArrayBuffer: the ArrayBuffer cannot be detached")
	}
	return nil
}

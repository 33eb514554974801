package js

import (
	"errors"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// realmImpl is the realm's private state (owned by the realm's implementer).
type realmImpl struct{}

// Install installs SharedArrayBuffer, the typed-array constructors'
// shims, DataView and Atomics in rt. SKELETON: to be implemented.
func Install(rt *goja.Runtime, opts Options) (*Realm, error) {
	if rt == nil {
		return nil, errors.New("js.Install: nil runtime")
	}
	if opts.Agent == nil {
		opts.Agent = shared.NewAgent("js")
	}
	return &Realm{rt: rt, opts: opts, impl: &realmImpl{}}, nil
}

// WrapBuffer returns this realm's SharedArrayBuffer object over b (the
// same object each time for the same buffer). SKELETON.
func (r *Realm) WrapBuffer(b *shared.Buffer) (goja.Value, error) {
	return nil, errors.New("js: WrapBuffer not implemented")
}

// BufferOf returns the shared buffer behind a SharedArrayBuffer object of
// any realm (false for anything else). SKELETON.
func BufferOf(v goja.Value) (*shared.Buffer, bool) { return nil, false }

package js

import (
	"context"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// Host is what a realm needs of the agent that owns its runtime: a way to
// run code on the agent's goroutine from another goroutine (a notify
// settling an Atomics.waitAsync promise), a way to keep the agent's event
// loop alive while such a promise is pending, and the agent's context,
// which ends when the agent is over budget or cancelled (a blocking
// Atomics.wait is released then).
type Host interface {
	// Post runs fn on the agent's goroutine at a later turn of its event
	// loop. It is safe to call from any goroutine; it returns false if the
	// agent has ended (fn then never runs).
	Post(fn func()) bool
	// Hold keeps the agent's event loop alive until release is called
	// (once; further calls do nothing).
	Hold() (release func())
	// Context is the agent's context.
	Context() context.Context
}

// Options configure Install.
type Options struct {
	// Agent is the shared.Agent the realm's accesses are attributed to:
	// its recorder and controller observe them, its CanBlock decides
	// whether Atomics.wait may block. Nil means a fresh agent named
	// "js".
	Agent *shared.Agent
	// Host is the owning agent (Agent implements it). Nil means no event
	// loop: Atomics.waitAsync then throws a TypeError when it would have to
	// wait, and Atomics.wait blocks under context.Background().
	Host Host
	// NewBuffer, if not nil, makes the shared buffer behind
	// new SharedArrayBuffer(length[, {maxByteLength}]) (maxByteLength < 0
	// when the buffer is not growable); the scenario layer uses it to make
	// the World's buffers. Nil means shared.NewBuffer or
	// shared.NewGrowableBuffer.
	NewBuffer func(length, maxByteLength int) (*shared.Buffer, error)
}

// Realm is the SharedArrayBuffer, typed-array, DataView and Atomics layer
// installed in one goja.Runtime. A Realm belongs to the goroutine that
// owns its runtime.
type Realm struct {
	rt   *goja.Runtime
	opts Options
	// the rest is the realm implementation's (realm.go)
	impl *realmImpl
}

// Runtime is the goja runtime the realm is installed in.
func (r *Realm) Runtime() *goja.Runtime { return r.rt }

// Agent is the shared.Agent the realm's accesses are attributed to.
func (r *Realm) Agent() *shared.Agent { return r.opts.Agent }

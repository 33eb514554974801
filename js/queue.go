package js

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// NewQueueObject (nil for a nil realm or one not made by Install) returns a JS object for q (a shared.Queue handle bound to
// the realm's agent, or to be bound: NewQueueObject binds it) in realm r,
// with PEP 734's names:
//
//	q.put(obj[, {timeout, transfer}])   waits while full; timeout in ms
//	q.put_nowait(obj[, {transfer}])     (also putNowait) QueueFull if full
//	q.get([{timeout}])                  waits while empty; timeout in ms
//	q.get_nowait()                      (also getNowait) QueueEmpty if empty
//	q.qsize(), q.empty(), q.full(), q.maxsize (a number; 0: unbounded)
//
// Values pass as shared.Queue passes them (see its doc), mapped as:
// numbers, strings, booleans and null (undefined arrives as null) by
// value; a BigInt as a BigInt; an Array as a tuple (a new Array on the
// other side, each element converted); a SharedArrayBuffer by reference
// (the receiver's realm wraps the same shared.Buffer: WrapBuffer); a queue
// object by reference; an ArrayBuffer only by transfer — named in the
// put's transfer list, it arrives as a new ArrayBuffer with its bytes and
// the sender's is detached once the put succeeds, as postMessage does.
// Anything else (an object, a function, a symbol, a typed array, an
// ArrayBuffer not in the transfer list) is a TypeError naming the value,
// and nothing is enqueued. A put or get that times out throws an Error
// named QueueFull or QueueEmpty; one whose agent is over its budget throws
// the budget's error. Blocking puts and gets use the realm's Host context.
func NewQueueObject(r *Realm, q *shared.Queue) *goja.Object {
	if r == nil || r.rt == nil || r.impl == nil {
		return nil // no realm (nil, or not made by Install)
	}
	rt := r.Runtime()
	if a := r.Agent(); a != nil {
		q = q.For(a)
	}
	qo := &queueObject{r: r, rt: rt, q: q}
	o := rt.NewObject()
	o.Set("put", qo.put(false))
	o.Set("put_nowait", qo.put(true))
	o.Set("putNowait", qo.put(true))
	o.Set("get", qo.get(false))
	o.Set("get_nowait", qo.get(true))
	o.Set("getNowait", qo.get(true))
	o.Set("qsize", func() int { return q.Size() })
	o.Set("empty", func() bool { return q.Empty() })
	o.Set("full", func() bool { return q.Full() })
	o.Set("maxsize", max(q.MaxSize(), 0))
	o.DefineDataProperty(queueKey, rt.ToValue(queueHandle{q}), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	o.Set("toString", func() string { return q.String() })
	return o
}

// queueKey names the hidden property that holds a queue object's handle.
const queueKey = "__sabreQueue"

var queueHandleType = reflect.TypeOf(queueHandle{})

type queueHandle struct{ q *shared.Queue }

type queueObject struct {
	r  *Realm
	rt *goja.Runtime
	q  *shared.Queue
}

// bigIntItem is a BigInt on a queue: its decimal text (a named string
// type, which shared.Queue passes as a string).
type bigIntItem string

func (qo *queueObject) throw(err error) {
	var se *shared.Error
	if errors.As(err, &se) {
		var obj *goja.Object
		switch se.Kind {
		case shared.TypeError, shared.NotShareable:
			obj = qo.rt.NewTypeError(se.Error())
		case shared.RangeError:
			panic(qo.rt.NewGoError(err))
		default:
			obj = qo.rt.NewGoError(err)
			obj.Set("name", se.Kind.String())
			obj.Set("message", se.Msg)
		}
		panic(obj)
	}
	e := qo.rt.NewGoError(err)
	panic(e)
}

// timeoutOf reads {timeout: ms}; forever (-1) when absent or Infinity.
func (qo *queueObject) options(v goja.Value, op string) (timeout time.Duration, transfer []goja.Value) {
	timeout = -1
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return
	}
	o, ok := v.(*goja.Object)
	if !ok {
		panic(qo.rt.NewTypeError(fmt.Sprintf("%s: the options %s are not an object", op, v)))
	}
	if t := o.Get("timeout"); t != nil && !goja.IsUndefined(t) && !goja.IsNull(t) {
		ms := t.ToFloat()
		switch {
		case math.IsNaN(ms):
			panic(qo.rt.NewTypeError(fmt.Sprintf("%s: timeout %s is not a number", op, t)))
		case math.IsInf(ms, 1):
		case ms <= 0:
			timeout = 0
		default:
			timeout = time.Duration(ms * float64(time.Millisecond))
		}
	}
	if t := o.Get("transfer"); t != nil && !goja.IsUndefined(t) && !goja.IsNull(t) {
		to, ok := t.(*goja.Object)
		if !ok || to.ClassName() != "Array" {
			panic(qo.rt.NewTypeError(fmt.Sprintf("%s: transfer %s is not an array", op, t)))
		}
		if err := qo.rt.ExportTo(to, &transfer); err != nil {
			panic(qo.rt.NewTypeError(fmt.Sprintf("%s: transfer: %v", op, err)))
		}
	}
	return
}

func (qo *queueObject) put(nowait bool) func(goja.FunctionCall) goja.Value {
	op := "Queue.put"
	if nowait {
		op = "Queue.put_nowait"
	}
	return func(call goja.FunctionCall) goja.Value {
		timeout, transfer := qo.options(call.Argument(1), op)
		var abs []goja.ArrayBuffer
		for i, t := range transfer {
			ab, ok := exportArrayBuffer(t)
			if !ok {
				if _, sh := BufferOf(t); sh {
					panic(qo.rt.NewTypeError(fmt.Sprintf("%s: transfer[%d]: cannot transfer a SharedArrayBuffer (it passes by reference)", op, i)))
				}
				panic(qo.rt.NewTypeError(fmt.Sprintf("%s: transfer[%d]: %s is not an ArrayBuffer", op, i, t)))
			}
			if ab.Detached() {
				panic(qo.rt.NewTypeError(fmt.Sprintf("%s: transfer[%d]: the ArrayBuffer is detached", op, i)))
			}
			for _, o := range transfer[:i] {
				if o.SameAs(t) {
					panic(qo.rt.NewTypeError(fmt.Sprintf("%s: transfer[%d]: an ArrayBuffer is named twice", op, i)))
				}
			}
			abs = append(abs, ab)
		}
		c := &itemConverter{qo: qo, op: op, transfer: transfer, used: make([]bool, len(transfer)), seen: map[*goja.Object]bool{}}
		item := c.toGo(call.Argument(0), "item", 0)
		for i, u := range c.used {
			if !u {
				panic(qo.rt.NewTypeError(fmt.Sprintf("%s: transfer[%d] does not occur in the item", op, i)))
			}
		}
		var err error
		switch {
		case nowait:
			err = qo.q.PutNowait(item)
		case timeout >= 0:
			err = qo.q.PutTimeout(item, timeout)
		default:
			err = qo.q.Put(qo.ctx(), item)
		}
		if err != nil {
			qo.throw(err)
		}
		for _, ab := range abs {
			ab.Detach()
		}
		return goja.Undefined()
	}
}

func (qo *queueObject) get(nowait bool) func(goja.FunctionCall) goja.Value {
	op := "Queue.get"
	return func(call goja.FunctionCall) goja.Value {
		var item any
		var err error
		if nowait {
			item, err = qo.q.GetNowait()
		} else if timeout, _ := qo.options(call.Argument(0), op); timeout >= 0 {
			item, err = qo.q.GetTimeout(timeout)
		} else {
			item, err = qo.q.Get(qo.ctx())
		}
		if err != nil {
			qo.throw(err)
		}
		return qo.toJS(item)
	}
}

func (qo *queueObject) ctx() context.Context {
	if h := qo.r.opts.Host; h != nil {
		return h.Context()
	}
	return nil
}

// itemConverter converts a JS value to a queue item.
type itemConverter struct {
	qo       *queueObject
	op       string
	transfer []goja.Value
	used     []bool
	seen     map[*goja.Object]bool
}

func (c *itemConverter) fail(path, format string, a ...any) {
	panic(c.qo.rt.NewTypeError(fmt.Sprintf("%s: %s: %s", c.op, path, fmt.Sprintf(format, a...))))
}

// maxQueueArray is the most elements an array put on a queue may have: a
// (sparse) array of 2**32-1 elements would otherwise make a 64 GiB slice,
// an out-of-memory no recover catches.
const maxQueueArray = 1 << 24

func (c *itemConverter) toGo(v goja.Value, path string, depth int) any {
	switch {
	case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
		return nil
	}
	if _, ok := v.(*goja.Symbol); ok {
		c.fail(path, "the symbol %s cannot be put on a queue", v)
	}
	switch x := export(v).(type) {
	case int64:
		return x
	case float64:
		return x
	case string:
		return x
	case bool:
		return x
	case *big.Int:
		return bigIntItem(x.String())
	}
	o, ok := v.(*goja.Object)
	if !ok {
		c.fail(path, "%s cannot be put on a queue", v)
	}
	if b, ok := BufferOf(o); ok {
		return b
	}
	if hv := o.Get(queueKey); hv != nil {
		if h, ok := exportAs(hv, queueHandleType).(queueHandle); ok {
			return h.q
		}
	}
	if ab, ok := exportArrayBuffer(o); ok {
		for i, t := range c.transfer {
			if t.SameAs(o) {
				c.used[i] = true
				return ab.Bytes() // copied by the queue
			}
		}
		c.fail(path, "an ArrayBuffer passes only by transfer: name it in {transfer: [...]}")
	}
	if o.ClassName() == "Array" {
		if c.seen[o] {
			c.fail(path, "an array that contains itself cannot be put on a queue")
		}
		if depth >= shared.MaxTupleDepth {
			c.fail(path, "arrays nested more than %d deep cannot be put on a queue", shared.MaxTupleDepth)
		}
		c.seen[o] = true
		defer delete(c.seen, o)
		n := o.Get("length").ToInteger()
		if n > maxQueueArray {
			c.fail(path, "an array of %d elements is more than a queue item may hold (%d)", n, maxQueueArray)
		}
		out := make([]any, n)
		for i := range n {
			out[i] = c.toGo(o.Get(fmt.Sprint(i)), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		return out
	}
	desc := o.ClassName()
	if _, isFn := goja.AssertFunction(o); isFn {
		desc = "a function"
	} else if s := o.String(); s != "" {
		desc = fmt.Sprintf("%s (%s)", s, o.ClassName())
	}
	c.fail(path, "%s cannot be put on a queue (numbers, strings, booleans, null, BigInts, arrays, SharedArrayBuffers, queues, and transferred ArrayBuffers can)", desc)
	return nil
}

// toJS converts a queue item to a JS value of the queue object's realm.
func (qo *queueObject) toJS(item any) goja.Value {
	rt := qo.rt
	switch x := item.(type) {
	case nil:
		return goja.Null()
	case bigIntItem:
		b, _ := new(big.Int).SetString(string(x), 10)
		return rt.ToValue(b)
	case []byte:
		return rt.ToValue(rt.NewArrayBuffer(x))
	case *shared.Buffer:
		v, err := qo.r.WrapBuffer(x.For(qo.r.Agent()))
		if err != nil {
			qo.throw(err)
		}
		return v
	case *shared.Queue:
		return NewQueueObject(qo.r, x)
	case []any:
		vs := make([]any, len(x))
		for i, e := range x {
			vs[i] = qo.toJS(e)
		}
		return rt.NewArray(vs...)
	case int64, float64, string, bool, int, int32, uint32, float32:
		return rt.ToValue(x)
	}
	panic(rt.NewTypeError(fmt.Sprintf("Queue.get: an item of Go type %T has no JS value", item)))
}

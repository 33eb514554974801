package history

import (
	"cmp"
	"slices"
	"sync"
)

// Buffer describes a buffer that events refer to: its ID (Event.Buffer),
// whether it is a SharedArrayBuffer, its byte length when the recorder first
// saw it (when it was made, for a recorder attached from the start) and its
// maximum byte length (equal unless growable).
type Buffer struct {
	ID        uint64
	Shared    bool
	Length    int
	MaxLength int
}

// History is a recorded run: the buffers its events refer to, in ID order,
// and the events, merged from every agent's log (see Recorder.History).
type History struct {
	Buffers []Buffer
	Events  []Event
}

// Recorder captures events. Attach one to a buffer or an agent (package
// shared); every access through that buffer, or by that agent, appends one
// event. A Recorder may be shared by many buffers and agents and is safe for
// concurrent use.
//
// Recording scales with the number of agents: each agent appends to a log of
// its own (an agent is used by one goroutine at a time, so its log's lock is
// never contended by other agents); events of no agent and WaitSettle events,
// which other goroutines append, go to one shared log. The logs are merged
// when read.
//
// The methods of a nil *Recorder (and of a nil *Log) do nothing and return
// zero values: Log returns nil, Events, History and Len nil and 0.
type Recorder struct {
	mu      sync.Mutex
	logs    map[int]*Log
	other   Log // agent 0 and WaitSettle events
	buffers map[uint64]Buffer
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Log is one agent's events in a Recorder, in the order they were appended.
type Log struct {
	mu     sync.Mutex
	events []Event
}

// Append adds a copy of *e to the log (nothing for a nil log or event). (A
// pointer, so that the 192-byte event is copied once, into the log, on the
// recording path.)
func (l *Log) Append(e *Event) {
	if l == nil || e == nil {
		return
	}
	l.mu.Lock()
	l.events = append(l.events, *e)
	l.mu.Unlock()
}

// Reset discards the log's events, keeping its memory.
func (l *Log) Reset() {
	if l == nil {
		return
	}
	l.mu.Lock()
	clear(l.events)
	l.events = l.events[:0]
	l.mu.Unlock()
}

// Log returns the log that events of agent (an agent ID; 0 for none) go to.
// Callers on a hot path cache it (package shared does, per agent).
func (r *Recorder) Log(agent int) *Log {
	if r == nil {
		return nil
	}
	if agent == 0 {
		return &r.other
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.logs[agent]
	if l == nil {
		if r.logs == nil {
			r.logs = make(map[int]*Log)
		}
		l = &Log{}
		r.logs[agent] = l
	}
	return l
}

// Append adds an event to the log of its agent (a WaitSettle event to the
// shared log). Operations record through cached logs; Append is for events
// a host makes itself.
func (r *Recorder) Append(e Event) {
	if r == nil {
		return
	}
	if e.Kind == EvWaitSettle {
		r.other.Append(&e)
		return
	}
	r.Log(e.Agent).Append(&e)
}

// AddBuffer notes a buffer that events refer to (the first note of an ID
// wins). Package shared notes each buffer when the recorder is attached to
// it or first records an access to it.
func (r *Recorder) AddBuffer(b Buffer) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if _, ok := r.buffers[b.ID]; !ok {
		if r.buffers == nil {
			r.buffers = make(map[uint64]Buffer)
		}
		r.buffers[b.ID] = b
	}
	r.mu.Unlock()
}

// HasBuffer reports whether AddBuffer noted the buffer id.
func (r *Recorder) HasBuffer(id uint64) bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.buffers[id]
	return ok
}

func (r *Recorder) allLogs() []*Log {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ls := make([]*Log, 0, len(r.logs)+1)
	ls = append(ls, &r.other)
	for _, l := range r.logs {
		ls = append(ls, l)
	}
	return ls
}

// Events returns a copy of the events recorded so far, merged from every
// agent's log: ordered by call instant, then agent, then sequence number.
// Each agent's events stay in agent-order (an agent's calls are sequential,
// so its call instants increase).
func (r *Recorder) Events() []Event {
	var out []Event
	for _, l := range r.allLogs() {
		l.mu.Lock()
		out = append(out, l.events...)
		l.mu.Unlock()
	}
	slices.SortFunc(out, compareEvents)
	return out
}

func compareEvents(a, b Event) int {
	if c := cmp.Compare(a.Call, b.Call); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Agent, b.Agent); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// History returns the buffers noted so far, in ID order, and Events.
func (r *Recorder) History() *History {
	if r == nil {
		return nil
	}
	ev := r.Events()
	r.mu.Lock()
	var bufs []Buffer // nil when there are none, as Read gives back
	for _, b := range r.buffers {
		bufs = append(bufs, b)
	}
	r.mu.Unlock()
	slices.SortFunc(bufs, func(a, b Buffer) int { return cmp.Compare(a.ID, b.ID) })
	return &History{Buffers: bufs, Events: ev}
}

// Len returns the number of events recorded so far.
func (r *Recorder) Len() int {
	n := 0
	for _, l := range r.allLogs() {
		l.mu.Lock()
		n += len(l.events)
		l.mu.Unlock()
	}
	return n
}

// Reset discards the events recorded so far (the noted buffers stay). It
// keeps the memory that held them for the events to come (Events returns
// copies, so nothing handed out is overwritten).
func (r *Recorder) Reset() {
	for _, l := range r.allLogs() {
		l.Reset()
	}
}

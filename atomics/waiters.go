package atomics

import (
	"sync"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mutant"
)

// location names a buffer location: ECMA-262's GetWaiterList(block, i) is
// one waiter list per (block, byte index) pair.
type location struct {
	buf   uint64 // the buffer's ID
	index int    // byte index in the buffer
}

// waiter is a Waiter Record: one suspended Wait, or one pending WaitAsync.
// Its fields are guarded by its shard's mutex, except wake, on which a sync
// waiter blocks.
type waiter struct {
	prev, next *waiter
	loc        location
	listed     bool          // in its waiter list (not yet notified or timed out)
	wake       chan struct{} // sync waiters: receives one token when notified
	closeWake  bool          // wake is closed (not sent a token) when notified: a controlled Wait's
	lost       bool          // removed by a Notify that lost its wake-up (mutant.NotifyLosesWakeup)
	async      *AsyncWait    // async waiters: settled when notified or timed out
	token      uint64        // the waking Notify's host-synchronizes-with token
	ref        history.Ref   // the Wait event that enqueued the waiter (zero when not observed)
}

// waiterList is one location's waiters, in FIFO order.
type waiterList struct {
	head, tail *waiter
	n          int
	loc        location
}

// shard holds the waiter lists of the locations that hash to it; its mutex
// is the critical section of those lists (EnterCriticalSection /
// LeaveCriticalSection). Unrelated locations mostly fall in different shards
// and do not contend.
//
// A list that empties stays in the map as the shard's idle list until
// another list empties, so that a location waited on over and over (a
// ping-pong) does not insert and delete its list every time; so at most one
// empty list per shard is kept, and none leaks.
type shard struct {
	mu    sync.Mutex
	lists map[location]*waiterList
	idle  *waiterList // an empty list still in lists, or nil
	last  *waiterList // the list found last (a one-entry cache in front of lists), or nil
	_     [32]byte    // keep shards on separate cache lines
}

// list returns loc's waiter list, or nil. The caller holds s.mu.
func (s *shard) list(loc location) *waiterList {
	if l := s.last; l != nil && l.loc == loc {
		return l
	}
	l := s.lists[loc]
	if l != nil {
		s.last = l
	}
	return l
}

const shardBits = 6

var shards [1 << shardBits]shard

func shardOf(l location) *shard {
	h := l.buf*0x9e3779b97f4a7c15 ^ uint64(l.index)*0xc2b2ae3d27d4eb4f
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return &shards[h>>(64-shardBits)]
}

// enqueue appends w to the list of loc (AddWaiter). The caller holds s.mu.
func (s *shard) enqueue(loc location, w *waiter) {
	if s.lists == nil {
		s.lists = make(map[location]*waiterList)
	}
	l := s.list(loc)
	if l == nil {
		l = &waiterList{loc: loc}
		s.lists[loc] = l
		s.last = l
	}
	if l == s.idle {
		s.idle = nil
	}
	w.loc, w.listed, w.prev, w.next = loc, true, l.tail, nil
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	l.n++
}

// remove unlinks w from its list (RemoveWaiter); an emptied list becomes the
// shard's idle list, and the previous idle list is deleted. The caller holds
// s.mu and w is listed.
func (s *shard) remove(w *waiter) {
	l := s.list(w.loc)
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next, w.listed = nil, nil, false
	l.n--
	if l.n == 0 {
		if s.idle != nil {
			delete(s.lists, s.idle.loc)
			if s.last == s.idle {
				s.last = nil
			}
		}
		s.idle = l
	}
}

// notify removes up to c waiters from the front of loc's list and wakes them
// in order (RemoveWaiters, NotifyWaiter). With tokens, it hands each a
// host-synchronizes-with token, allocated in *token on first use; with
// woken non-nil, it appends each observed waiter's Wait event to it. It
// returns how many it woke. The caller holds s.mu.
func (s *shard) notify(loc location, c int, tokens bool, token *uint64, woken *[]history.Ref) int {
	n := 0
	l := s.list(loc)
	for n < c && l != nil && l.head != nil {
		w := l.head
		if mutant.Is(mutant.NotifyNewestFirst) {
			w = l.tail
		}
		s.remove(w)
		if mutant.Is(mutant.NotifyLosesWakeup) && w.async == nil && loseWakeup() {
			// Removed, counted and listed as woken, but never woken: the
			// waiter times out, with no token.
			w.lost = true
			if woken != nil && w.ref.Seq != 0 {
				*woken = append(*woken, w.ref)
			}
			n++
			continue
		}
		if tokens {
			if *token == 0 {
				*token = history.NewSyncToken()
			}
			w.token = *token
		}
		if woken != nil && w.ref.Seq != 0 {
			*woken = append(*woken, w.ref)
		}
		switch {
		case w.async != nil:
			w.async.settleWith(OK, string(OK))
		case w.closeWake:
			close(w.wake)
		default:
			w.wake <- struct{}{} // buffered: never blocks
		}
		n++
	}
	return n
}

// count returns the number of waiters on loc's list.
func (s *shard) count(loc location) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.list(loc); l != nil {
		return l.n
	}
	return 0
}

// syncWaiters recycles the waiters of synchronous Waits with their channels.
var syncWaiters = sync.Pool{New: func() any { return &waiter{wake: make(chan struct{}, 1)} }}

// timeoutOf returns the timer duration for a Wait timeout, and false for no
// timeout (Forever).
func timeoutOf(t time.Duration) (time.Duration, bool) {
	if t >= Forever {
		return 0, false
	}
	return max(t, 0), true
}

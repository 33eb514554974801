package js

// pendingSettled returns a channel closed when one of realm r's pending
// Atomics.waitAsync waits settles — closed already if one has — or nil if
// none is pending: the scenario loop's settled hook. With several pending
// waits it is the first's (in the order made) unless one has settled
// already, so a later one settling first is seen only once the first
// settles: a scenario that leaves a wait pending forever while another
// one is notified is reported as a deadlock (see docs/js.md).
//
// Realm.WaitAsyncSettled closes its channel from the goroutine that awaits
// the settlement, an instant after the notify; under the explorer that
// instant can be taken for a deadlock (every agent blocked), so the loop
// blocks on the pending wait's own Done channel, which the notify itself
// closes. It reads the realm's pending list (realmImpl.pending), on the
// realm's goroutine.
func pendingSettled(r *Realm) <-chan struct{} {
	if r == nil || r.impl == nil {
		return nil
	}
	var first <-chan struct{}
	for _, p := range r.impl.pending {
		if p == nil || p.aw == nil {
			continue
		}
		ch := p.aw.Done()
		select {
		case <-ch:
			return ch
		default:
		}
		if first == nil {
			first = ch
		}
	}
	return first
}

// Package events is sup's event bus: the bounded fan-out of events to
// subscribers (sup events -f, handlers), and the evaluation of start_on and
// stop_on matchers. Publishing never blocks: a subscriber too slow to keep
// up loses events, and the loss is counted and reported.
package events

import (
	"sync"

	"github.com/sup-run/sup/runtime/spec"
)

// Event is spec.Event: the runtime and the API share one shape.
type Event = spec.Event

// DefaultHistory is how many past events a Bus keeps for `sup events`.
const DefaultHistory = 1000

// Bus fans events out to subscribers. Publish is called by the supervisor
// loop only; Subscribe and the Sub methods may be called from anywhere.
type Bus struct {
	mu      sync.Mutex
	subs    map[*Sub]struct{}
	history []Event // ring of the last cap(history) events
	next    int     // where the next event goes in history once full
	dropped uint64
}

// NewBus returns a bus remembering the last n events.
func NewBus(n int) *Bus {
	if n <= 0 {
		n = DefaultHistory
	}
	return &Bus{subs: map[*Sub]struct{}{}, history: make([]Event, 0, n)}
}

// Sub is one subscription. Receive from C; call Close when done.
type Sub struct {
	C       <-chan Event
	c       chan Event
	bus     *Bus
	dropped uint64
}

// Publish delivers ev to every subscriber that has room, without waiting,
// and reports how many subscribers missed it.
func (b *Bus) Publish(ev Event) (missed int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.history) < cap(b.history) {
		b.history = append(b.history, ev)
	} else {
		b.history[b.next] = ev
		b.next = (b.next + 1) % len(b.history)
	}
	for s := range b.subs {
		select {
		case s.c <- ev:
		default:
			s.dropped++
			b.dropped++
			missed++
		}
	}
	return missed
}

// Subscribe returns a subscription with room for buf events, and the
// remembered history (oldest first) that precedes what it will receive.
func (b *Bus) Subscribe(buf int) (*Sub, []Event) {
	if buf <= 0 {
		buf = 256
	}
	c := make(chan Event, buf)
	s := &Sub{C: c, c: c, bus: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[s] = struct{}{}
	return s, b.historyLocked()
}

// History returns the remembered events, oldest first.
func (b *Bus) History() []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.historyLocked()
}

func (b *Bus) historyLocked() []Event {
	out := make([]Event, 0, len(b.history))
	if len(b.history) == cap(b.history) {
		out = append(out, b.history[b.next:]...)
		return append(out, b.history[:b.next]...)
	}
	return append(out, b.history...)
}

// Dropped is how many deliveries were lost to full subscribers, in total.
func (b *Bus) Dropped() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}

// Subscribers is the number of open subscriptions.
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Dropped is how many events this subscription lost.
func (s *Sub) Dropped() uint64 {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	return s.dropped
}

// Close ends the subscription. C is not closed (a late Publish may still
// be choosing it); stop receiving after Close.
func (s *Sub) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	delete(s.bus.subs, s)
}

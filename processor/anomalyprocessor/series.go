package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
)

// series is the state of one scored signal of one metric stream. Entries
// form an intrusive LRU list (most recent at the head) so that eviction of
// the least recently updated series is O(1) and allocation-free.
type series struct {
	key        uint64
	det        *detector.Series
	prev, next *series
	seen       int64 // wall clock of the last update (Unix ns), for staleness

	// Counter and histogram inputs are turned into per-interval signals
	// from the previous cumulative observation.
	prevA, prevB float64 // value (or sum) and count
	prevTs       int64
	prevStart    int64
	hasPrev      bool

	// Decision with hysteresis.
	active bool
	below  uint16
}

// table holds the series, bounded by max with LRU eviction.
type table struct {
	byKey      map[uint64]*series
	head, tail *series
	max        int
}

func newTable(max int) *table {
	return &table{byKey: make(map[uint64]*series), max: max}
}

func (t *table) len() int { return len(t.byKey) }

func (t *table) unlink(s *series) {
	if s.prev != nil {
		s.prev.next = s.next
	} else {
		t.head = s.next
	}
	if s.next != nil {
		s.next.prev = s.prev
	} else {
		t.tail = s.prev
	}
	s.prev, s.next = nil, nil
}

func (t *table) pushFront(s *series) {
	s.next = t.head
	if t.head != nil {
		t.head.prev = s
	}
	t.head = s
	if t.tail == nil {
		t.tail = s
	}
}

// get returns the series for key, marking it most recently used.
func (t *table) get(key uint64, now int64) *series {
	s := t.byKey[key]
	if s == nil {
		return nil
	}
	s.seen = now
	if t.head != s {
		t.unlink(s)
		t.pushFront(s)
	}
	return s
}

// add inserts a new series, evicting the least recently used one if the
// table is full; it reports whether it evicted.
func (t *table) add(s *series, now int64) (evicted bool) {
	if len(t.byKey) >= t.max && t.tail != nil {
		old := t.tail
		t.unlink(old)
		delete(t.byKey, old.key)
		evicted = true
	}
	s.seen = now
	t.byKey[s.key] = s
	t.pushFront(s)
	return evicted
}

// expire drops series not updated since before cutoff and returns how many.
func (t *table) expire(cutoff int64) int {
	n := 0
	for t.tail != nil && t.tail.seen < cutoff {
		old := t.tail
		t.unlink(old)
		delete(t.byKey, old.key)
		n++
	}
	return n
}

// decide applies the hysteresis and reports the decision and whether it
// just turned active. It turns on with the reported score (after episode
// suppression, so one episode starts one alarm) and clears on the
// unsuppressed one, so that it stays on as long as the deviation lasts
// rather than only for the point that raised it. An unsuppressed score
// halfway from on to 1 (0.725 for 0.45: p ~ 2.5e-6) also turns it on: a
// marginal alarm must not hide a large change that follows it within the
// detector's hold-off.
func (s *series) decide(score, unsuppressed, on, off float64, clearPoints int) (active, started bool) {
	switch {
	case score >= on || unsuppressed >= breakThrough(on):
		s.below = 0
		if !s.active {
			s.active = true
			return true, true
		}
	case s.active && unsuppressed < off:
		s.below++
		if int(s.below) >= clearPoints {
			s.active, s.below = false, 0
		}
	case s.active:
		s.below = 0
	}
	return s.active, false
}

// breakThrough is the unsuppressed score that turns a decision on during
// the detector's episode hold-off.
func breakThrough(on float64) float64 { return on + (1-on)/2 }

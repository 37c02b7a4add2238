package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/internal/histogram"
)

// series is the state of one scored signal of one metric stream. Entries
// form an intrusive LRU list (most recent at the head) so that eviction of
// the least recently updated series is O(1) and allocation-free.
type series struct {
	key uint64
	det *detector.Series
	// snapshot is the detector state a restored series came with, kept
	// until its first point when overrides are configured (snapshot.go).
	snapshot   []byte
	prev, next *series
	seen       int64 // wall clock of the last update (Unix ns), for staleness

	// Counter and histogram inputs are turned into per-interval signals
	// from the previous cumulative observation.
	prevA, prevB float64 // value (or sum) and count
	prevTs       int64
	prevStart    int64
	hasPrev      bool
	// deltaTs is the time of the previous delta point in this process (0:
	// none). It is not part of snapshots: the points of a restart's gap
	// may be lost, so the first point after it counts over its own
	// interval only (deltaSeconds).
	deltaTs int64
	// buckets is the previous point of a cumulative histogram stream, for
	// quantile estimates (held by the stream's count-rate series; nil
	// without HistogramQuantiles, not part of snapshots).
	buckets *histogram.Tracker

	// told is set once the decision of this series has been written in this
	// process (not part of snapshots: after a restart the first point tells
	// it again).
	told bool
	// absent is the series' part in absent_is_zero (absent.go).
	absent absentState

	// Decision with confirmation and hysteresis.
	active      bool
	armed       bool   // the current run of deviating points holds a trigger
	unconfirmed bool   // the last trigger was not confirmed (its hold-off may hide the next)
	run         uint8  // consecutive deviating points (capped)
	below       uint16 // consecutive points below clear while active
}

// table holds the series of a shard in LRU order (the processor bounds
// their number: shard.go).
type table struct {
	byKey      map[uint64]*series
	head, tail *series
}

func newTable() *table {
	return &table{byKey: make(map[uint64]*series)}
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

// add inserts a new series as the most recently used.
func (t *table) add(s *series, now int64) {
	s.seen = now
	t.byKey[s.key] = s
	t.pushFront(s)
}

// evict drops the least recently used series and reports whether there was
// one.
func (t *table) evict() bool {
	old := t.tail
	if old == nil {
		return false
	}
	t.unlink(old)
	delete(t.byKey, old.key)
	return true
}

// expire drops series not updated since before cutoff and returns how many.
func (t *table) expire(cutoff int64) int {
	n := 0
	for t.tail != nil && t.tail.seen < cutoff {
		t.evict()
		n++
	}
	return n
}

// maxConfirmPoints bounds confirm_points so that a run fits the snapshot's
// four bits.
const maxConfirmPoints = 15

// decision holds the decision settings of Config.
type decision struct {
	on, off                    float64
	clearPoints, confirmPoints int
}

// decide applies confirmation and hysteresis and reports the decision and
// whether it just turned active, from the detector's result: its reported
// score, the same before episode damping (Unsuppressed), and the scores of
// the point's own deviation (Point) and of the drift when the point pushed
// it further (Drift).
//
// A point shows fresh evidence when it deviates by itself at least at off
// or pushes a drift that scores at least on (a slow ramp): unlike the
// detector's surprise average, which remembers an outlier for dozens of
// points, neither echoes an earlier point. A point triggers with the
// reported score (after episode damping, so one episode starts one alarm),
// with an unsuppressed score halfway from on to 1 (0.725 for 0.45: p ~
// 2.5e-6; a marginal alarm must not hide a large change that follows it
// within the detector's hold-off), or, after a trigger that was not
// confirmed, with an unsuppressed score at on and fresh evidence (the
// hold-off that the unconfirmed alarm started must not hide a fault that
// begins with a false start), or, continuing a run outside the hold-off,
// with its own deviation (Point, judged without its predecessor) at on: a
// fault that begins within an interval gives a first point that deviates
// only in part, and in a young history that point is the record the full
// deviation after it is ranked against (a fivefold latency step scored
// 0.54 against the demo's 0.55 after ten points of history, 0.67 without
// its partial first point). The decision turns on once a run of
// consecutive points that trigger or show fresh evidence holds a trigger
// and is confirmPoints long: a lone outlier does not turn it on (the points
// after it show none), a deviation that lasts does, on its second point
// with the default. It clears after clearPoints consecutive unsuppressed
// scores below off, so that it stays on as long as the deviation lasts
// rather than only for the point that raised it.
func (s *series) decide(r detector.Result, d decision) (active, started bool) {
	fresh := r.Point >= d.off || r.Drift >= d.on
	trigger := r.Score >= d.on || r.Unsuppressed >= breakThrough(d.on) ||
		(s.unconfirmed && fresh && r.Unsuppressed >= d.on) ||
		(s.run > 0 && r.Point >= d.on && r.Score >= r.Unsuppressed)
	if trigger || fresh {
		if s.run < maxConfirmPoints {
			s.run++
		}
		s.armed = s.armed || trigger
	} else {
		if s.armed && !s.active {
			s.unconfirmed = true
		}
		s.run, s.armed = 0, false
	}
	switch {
	case s.armed && int(s.run) >= d.confirmPoints:
		s.below = 0
		if !s.active {
			s.active, s.unconfirmed = true, false
			return true, true
		}
	case s.active && r.Unsuppressed < d.off:
		s.below++
		if int(s.below) >= d.clearPoints {
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

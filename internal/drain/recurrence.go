package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

import (
	"sync"
	"time"
)

// MaxRecurrenceRecords bounds MinRecords: each waiting template keeps the
// times of its last MinRecords-1 records.
const MaxRecurrenceRecords = 20

// Recurrence decides when a new template is news: once it recurs. A
// template seen once and not again soon is usually a rare but routine line
// (an occasional timeout, a retry) that the learning period happened not to
// see; a pattern that a fault introduces repeats within seconds. With
// MinRecords n, a template created by Seen is reported on the first record
// that makes n of its records within Within, however long after its
// creation: a rare line that a fault turns into a burst is news then. Each
// template is reported once. With n = 1 the creating record is reported, as
// without a Recurrence.
//
// At most Max templates wait (the oldest created is forgotten first, and is
// then never reported), so memory stays bounded whatever the rate of new
// templates: about 100 bytes plus 8 per record kept each. Safe for
// concurrent use.
type Recurrence struct {
	minRecords int
	within     time.Duration
	max        int

	mu    sync.Mutex
	young map[string]*youngTemplate
	order []*youngTemplate // creation order; finished entries stay until popped
	head  int
}

type youngTemplate struct {
	key   string
	times []int64 // Unix ns of the last records, at most minRecords-1
	done  bool    // reported, forgotten or created again
}

// NewRecurrence returns a Recurrence that keeps at most limit templates
// waiting; minRecords is clamped to [1, MaxRecurrenceRecords], limit to at
// least 1.
func NewRecurrence(minRecords int, within time.Duration, limit int) *Recurrence {
	return &Recurrence{
		minRecords: min(max(minRecords, 1), MaxRecurrenceRecords), within: within,
		max: max(limit, 1), young: map[string]*youngTemplate{},
	}
}

// Seen records one record of the template key (created: this record created
// it) at now and reports whether it makes the template news.
func (r *Recurrence) Seen(key string, created bool, now time.Time) bool {
	if r.minRecords == 1 {
		return created
	}
	t := now.UnixNano()
	r.mu.Lock()
	defer r.mu.Unlock()
	if created {
		if old := r.young[key]; old != nil {
			old.done = true // evicted by the miner and created again: start over
		}
		for len(r.young) >= r.max {
			r.forgetOldest()
		}
		y := &youngTemplate{key: key, times: make([]int64, 1, r.minRecords-1)}
		y.times[0] = t
		r.young[key] = y
		r.order = append(r.order, y)
		r.compact()
		return false
	}
	y := r.young[key]
	if y == nil {
		return false
	}
	// Keep the records within the window ending now (records may arrive
	// slightly out of order from concurrent batches).
	kept := y.times[:0]
	for _, ts := range y.times {
		if t-ts <= int64(r.within) {
			kept = append(kept, ts)
		}
	}
	y.times = kept
	if len(y.times)+1 >= r.minRecords {
		y.done = true
		delete(r.young, key)
		return true
	}
	y.times = append(y.times, t)
	return false
}

// Len is the number of templates waiting to recur.
func (r *Recurrence) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.young)
}

// forgetOldest drops the oldest template still waiting.
func (r *Recurrence) forgetOldest() {
	for r.head < len(r.order) {
		y := r.order[r.head]
		r.order[r.head] = nil
		r.head++
		if !y.done {
			y.done = true
			delete(r.young, y.key)
			break
		}
	}
	r.compact()
}

// compact drops finished entries from the creation order once they make up
// most of it, so the order stays proportional to the templates waiting.
func (r *Recurrence) compact() {
	if live := len(r.young); len(r.order)-r.head <= 2*live+64 {
		if r.head > 64 && r.head*2 > len(r.order) {
			r.order = append(r.order[:0], r.order[r.head:]...)
			r.head = 0
		}
		return
	}
	kept := r.order[:0]
	for _, y := range r.order[r.head:] {
		if !y.done {
			kept = append(kept, y)
		}
	}
	clear(r.order[len(kept):])
	r.order, r.head = kept, 0
}

package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

import (
	"sync"
	"time"
)

// Recurrence decides when a new template is news: once it has recurred.
// A template seen once and not again is usually a rare but routine line
// (an occasional timeout, a retry) that the learning period happened not to
// see; a pattern that a fault introduces repeats within seconds. With
// MinRecords n, the n-th record of a template, if it arrives within Within
// of the record that created the template, is the one reported; a template
// that takes longer is never reported. With n = 1 the creating record is
// reported, as without a Recurrence.
//
// At most Max young templates are tracked (the oldest is forgotten first),
// so memory stays bounded whatever the rate of new templates. Safe for
// concurrent use.
type Recurrence struct {
	minRecords int
	within     time.Duration
	max        int

	mu    sync.Mutex
	young map[string]*youngTemplate
	order []*youngTemplate // creation order; forgotten entries stay until popped
	head  int
}

type youngTemplate struct {
	key     string
	created time.Time
	n       int
	done    bool // reported, expired or forgotten
}

// NewRecurrence returns a Recurrence that tracks at most limit templates;
// minRecords and limit below 1 count as 1.
func NewRecurrence(minRecords int, within time.Duration, limit int) *Recurrence {
	return &Recurrence{minRecords: max(minRecords, 1), within: within, max: max(limit, 1), young: map[string]*youngTemplate{}}
}

// Seen records one record of the template key (created: this record created
// it) at now and reports whether it makes the template a new pattern.
func (r *Recurrence) Seen(key string, created bool, now time.Time) bool {
	if r.minRecords == 1 {
		return created
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(now)
	if created {
		if old := r.young[key]; old != nil {
			old.done = true // evicted and created again: start over
		}
		if len(r.young) >= r.max {
			r.forgetOldest()
		}
		y := &youngTemplate{key: key, created: now, n: 1}
		r.young[key] = y
		r.order = append(r.order, y)
		return false
	}
	y := r.young[key]
	if y == nil {
		return false
	}
	if y.n++; y.n < r.minRecords {
		return false
	}
	y.done = true
	delete(r.young, key)
	return true
}

// Len is the number of templates waiting to recur.
func (r *Recurrence) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.young)
}

// expire forgets the templates created more than within before now.
func (r *Recurrence) expire(now time.Time) {
	for r.head < len(r.order) {
		y := r.order[r.head]
		if !y.done && now.Sub(y.created) <= r.within {
			break
		}
		r.pop()
	}
}

// forgetOldest drops the oldest template still waiting.
func (r *Recurrence) forgetOldest() {
	for r.head < len(r.order) {
		y := r.order[r.head]
		r.pop()
		if !y.done {
			return
		}
	}
}

// pop removes the head of the creation order.
func (r *Recurrence) pop() {
	y := r.order[r.head]
	r.order[r.head] = nil
	r.head++
	if r.young[y.key] == y {
		delete(r.young, y.key)
	}
	y.done = true
	if r.head > 64 && r.head*2 > len(r.order) {
		r.order = append(r.order[:0], r.order[r.head:]...)
		r.head = 0
	}
}

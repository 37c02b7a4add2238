package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import (
	"sort"
	"time"
)

// ResendConfig drives Resender.
type ResendConfig struct {
	// Interval re-posts all firing alerts. Alertmanager resolves an alert on
	// its own once its endsAt passes, and keeps alerts only in memory, so a
	// client must keep re-sending (Prometheus: every minute).
	Interval time.Duration
	// ResolvedFor keeps re-posting resolved alerts this long, so that a
	// resolution still reaches an Alertmanager that restarted meanwhile.
	ResolvedFor time.Duration
}

// Resender is the Alertmanager-client counterpart of Dispatcher: no grouping
// (Alertmanager groups), only "post changes at once, re-post everything on an
// interval". Not safe for concurrent use.
type Resender struct {
	cfg      ResendConfig
	alerts   map[Fingerprint]Alert
	dirty    bool
	lastSent time.Time
}

// NewResender returns an empty resender.
func NewResender(cfg ResendConfig) *Resender {
	return &Resender{cfg: cfg, alerts: map[Fingerprint]Alert{}}
}

// Insert records a firing or resolved alert. A state change or a new alert
// makes the next Flush post at once; an annotation-only update waits for the
// interval, like Alertmanager, which would not notify for it anyway.
func (r *Resender) Insert(a Alert) {
	if a.State != StateFiring && a.State != StateResolved {
		return
	}
	old, ok := r.alerts[a.Fingerprint]
	if !ok && a.State == StateResolved {
		return
	}
	if !ok || old.State != a.State || !old.StartsAt.Equal(a.StartsAt) {
		r.dirty = true
	}
	r.alerts[a.Fingerprint] = a
}

// Flush returns the alerts to post at now, or nil if nothing is due.
func (r *Resender) Flush(now time.Time) []Alert {
	for fp, a := range r.alerts {
		if a.State == StateResolved && now.Sub(a.ResolvedAt) > r.cfg.ResolvedFor {
			delete(r.alerts, fp)
		}
	}
	if !r.dirty && now.Sub(r.lastSent) < r.cfg.Interval {
		return nil
	}
	r.dirty = false
	r.lastSent = now
	if len(r.alerts) == 0 {
		return nil
	}
	out := make([]Alert, 0, len(r.alerts))
	for _, a := range r.alerts {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Fingerprint < out[j].Fingerprint })
	return out
}

// Len is the number of alerts being re-posted.
func (r *Resender) Len() int { return len(r.alerts) }

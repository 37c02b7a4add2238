package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import (
	"errors"
	"sort"
	"time"
)

// ErrLimit is returned by Engine.Observe when a new alert would exceed the
// engine's MaxAlerts; the caller counts it and drops the observation.
var ErrLimit = errors.New("alerting: active alert limit reached")

// ErrNoLabels is returned for an observation whose label set is empty:
// Alertmanager rejects such alerts and it would have no identity.
var ErrNoLabels = errors.New("alerting: alert has no labels")

// EngineConfig bounds the engine.
type EngineConfig struct {
	// MaxAlerts caps tracked alerts (pending + firing + resolved). New
	// fingerprints beyond it are refused with ErrLimit, as Alertmanager's
	// per-alertname limit does, so memory stays bounded.
	MaxAlerts int
	// ResolvedRetention keeps resolved alerts this long (Alertmanager asks
	// clients to re-send resolutions for up to 5 minutes).
	ResolvedRetention time.Duration
	// MaxClockSkew bounds how far a data timestamp may lie in the past to
	// be used as StartsAt; older, zero or future timestamps use now.
	MaxClockSkew time.Duration
}

// Observation is one evaluation of a rule for one series or record.
type Observation struct {
	Rule         string
	Timing       Timing
	Labels       Labels
	Annotations  Labels
	GeneratorURL string
	// Active is the rule condition's result.
	Active bool
	// At is the data timestamp (zero if unknown).
	At time.Time
}

// Engine tracks alert lifecycles. Not safe for concurrent use.
type Engine struct {
	cfg     EngineConfig
	alerts  map[Fingerprint]*Alert
	changed map[Fingerprint]struct{}
}

// NewEngine returns an empty engine.
func NewEngine(cfg EngineConfig) *Engine {
	return &Engine{cfg: cfg, alerts: map[Fingerprint]*Alert{}, changed: map[Fingerprint]struct{}{}}
}

// Observe applies one observation at clock time now.
func (e *Engine) Observe(now time.Time, o Observation) error {
	if len(o.Labels) == 0 {
		return ErrNoLabels
	}
	fp := o.Labels.Fingerprint()
	a := e.alerts[fp]
	if !o.Active {
		// A false condition only matters for an alert we track; it never
		// creates one.
		if a == nil {
			return nil
		}
		switch a.State {
		case StatePending:
			// Never fired, so nobody was told: forget it, as Prometheus does.
			delete(e.alerts, fp)
			delete(e.changed, fp)
		case StateFiring:
			if a.ClearingSince.IsZero() {
				a.ClearingSince = now
			}
			if now.Sub(a.LastActive) >= a.Timing.KeepFiringFor {
				e.resolve(a, now)
			}
		}
		return nil
	}
	if a == nil {
		if e.cfg.MaxAlerts > 0 && len(e.alerts) >= e.cfg.MaxAlerts {
			return ErrLimit
		}
		a = &Alert{Fingerprint: fp, Labels: o.Labels}
		e.alerts[fp] = a
	}
	a.Rule = o.Rule
	a.Timing = o.Timing
	a.Annotations = o.Annotations
	a.GeneratorURL = o.GeneratorURL
	a.LastActive = now
	a.ClearingSince = time.Time{}
	switch a.State {
	case 0, StateResolved:
		// A new incident (possibly of a fingerprint that resolved before).
		a.State = StatePending
		a.StartsAt = e.startTime(now, o.At)
		a.PendingSince = now
		a.ResolvedAt = time.Time{}
		e.maybeFire(a, now)
	case StatePending:
		e.maybeFire(a, now)
	case StateFiring:
		// Annotations may carry the latest value; targets get the update
		// without it counting as a new notification (dedup is by fingerprint).
		e.changed[fp] = struct{}{}
	}
	return nil
}

// Tick advances timers: pending alerts whose `for` elapsed fire, stale or
// cleared alerts resolve, and resolved alerts past retention are forgotten.
func (e *Engine) Tick(now time.Time) {
	for fp, a := range e.alerts {
		switch a.State {
		case StatePending:
			if e.stale(a, now) {
				delete(e.alerts, fp)
				delete(e.changed, fp)
				continue
			}
			e.maybeFire(a, now)
		case StateFiring:
			cleared := !a.ClearingSince.IsZero() && now.Sub(a.LastActive) >= a.Timing.KeepFiringFor
			if cleared || e.stale(a, now) {
				e.resolve(a, now)
			}
		case StateResolved:
			if now.Sub(a.ResolvedAt) >= e.cfg.ResolvedRetention {
				delete(e.alerts, fp)
				delete(e.changed, fp)
			}
		}
	}
}

// Drain returns copies of the firing and resolved alerts that changed since
// the last Drain, sorted by fingerprint for deterministic dispatch.
func (e *Engine) Drain() []Alert {
	if len(e.changed) == 0 {
		return nil
	}
	out := make([]Alert, 0, len(e.changed))
	for fp := range e.changed {
		if a, ok := e.alerts[fp]; ok && (a.State == StateFiring || a.State == StateResolved) {
			out = append(out, *a)
		}
	}
	clear(e.changed)
	sort.Slice(out, func(i, j int) bool { return out[i].Fingerprint < out[j].Fingerprint })
	return out
}

// Alerts returns copies of every tracked alert sorted by fingerprint.
func (e *Engine) Alerts() []Alert {
	out := make([]Alert, 0, len(e.alerts))
	for _, a := range e.alerts {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Fingerprint < out[j].Fingerprint })
	return out
}

// Get returns a copy of the alert with fingerprint fp.
func (e *Engine) Get(fp Fingerprint) (Alert, bool) {
	a, ok := e.alerts[fp]
	if !ok {
		return Alert{}, false
	}
	return *a, true
}

// Counts returns the number of pending and firing alerts.
func (e *Engine) Counts() (pending, firing int) {
	for _, a := range e.alerts {
		switch a.State {
		case StatePending:
			pending++
		case StateFiring:
			firing++
		}
	}
	return pending, firing
}

// Len is the number of tracked alerts.
func (e *Engine) Len() int { return len(e.alerts) }

func (e *Engine) maybeFire(a *Alert, now time.Time) {
	if now.Sub(a.PendingSince) >= a.Timing.For {
		a.State = StateFiring
		e.changed[a.Fingerprint] = struct{}{}
	}
}

func (e *Engine) resolve(a *Alert, now time.Time) {
	a.State = StateResolved
	a.ResolvedAt = now
	if a.ResolvedAt.Before(a.StartsAt) {
		// Alertmanager rejects endsAt < startsAt with 400.
		a.ResolvedAt = a.StartsAt
	}
	a.ClearingSince = time.Time{}
	e.changed[a.Fingerprint] = struct{}{}
}

// stale reports whether an event-like alert saw no true condition for its
// resolve timeout (or keep_firing_for when longer).
func (e *Engine) stale(a *Alert, now time.Time) bool {
	if a.Timing.ResolveTimeout <= 0 {
		return false
	}
	return now.Sub(a.LastActive) >= max(a.Timing.ResolveTimeout, a.Timing.KeepFiringFor)
}

// startTime picks StartsAt: the data timestamp when it is plausible, else now.
func (e *Engine) startTime(now, at time.Time) time.Time {
	if at.IsZero() || at.After(now) || (e.cfg.MaxClockSkew > 0 && now.Sub(at) > e.cfg.MaxClockSkew) {
		return now
	}
	return at
}

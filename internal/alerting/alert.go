package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import "time"

// State is where an alert is in its lifecycle.
type State uint8

const (
	// StatePending: the condition holds but not yet for the rule's `for`.
	StatePending State = iota + 1
	// StateFiring: announced to targets.
	StateFiring
	// StateResolved: the condition stopped holding; kept for a retention
	// period so that resolutions can be re-sent and re-activation starts a
	// new incident with the same fingerprint.
	StateResolved
)

func (s State) String() string {
	switch s {
	case StatePending:
		return "pending"
	case StateFiring:
		return "firing"
	case StateResolved:
		return "resolved"
	}
	return "inactive"
}

// Timing is a rule's lifecycle settings.
type Timing struct {
	// For is how long the condition must keep holding before the alert fires.
	For time.Duration
	// KeepFiringFor keeps a firing alert firing this long after the condition
	// was last true, damping flapping.
	KeepFiringFor time.Duration
	// ResolveTimeout resolves an alert when no observation with a true
	// condition arrived for this long. It is how event-like signals (log
	// records) resolve; 0 disables it.
	ResolveTimeout time.Duration
}

// Alert is one alert instance. Values are copied out of the engine; the
// engine never hands out pointers to its own state.
type Alert struct {
	Fingerprint  Fingerprint
	Rule         string
	Labels       Labels
	Annotations  Labels
	GeneratorURL string
	Timing       Timing
	State        State

	// StartsAt is when the condition first held for this incident, taken from
	// the data when plausible. Alertmanager skips group_wait for alerts whose
	// StartsAt is already older than group_wait, so it must be the true start.
	StartsAt time.Time
	// ResolvedAt is the resolution time (Alertmanager's endsAt); zero while
	// pending or firing.
	ResolvedAt time.Time

	// Engine clock bookkeeping.
	PendingSince  time.Time // when the alert became pending (measures For)
	LastActive    time.Time // last observation with a true condition
	ClearingSince time.Time // first false observation while firing; zero otherwise
}

// Status is the wire status used by Alertmanager payloads.
func (a *Alert) Status() string {
	if a.State == StateResolved {
		return "resolved"
	}
	return "firing"
}

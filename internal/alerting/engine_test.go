package alerting

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// step is one input to the engine at second `t`: an observation (obs=+1
// active, -1 normal) or a tick (obs=0); want is the alert's state after it
// (0 = not tracked).
type step struct {
	t    int
	obs  int
	want State
}

func TestEngineLifecycle(t *testing.T) {
	cases := []struct {
		name   string
		timing Timing
		steps  []step
	}{
		{"for=0 fires at once, normal resolves", Timing{},
			[]step{{0, +1, StateFiring}, {10, +1, StateFiring}, {20, -1, StateResolved}}},
		{"pending until for elapses on observation", Timing{For: 30 * time.Second},
			[]step{{0, +1, StatePending}, {20, +1, StatePending}, {30, +1, StateFiring}}},
		{"pending fires on tick while condition still holds", Timing{For: 30 * time.Second},
			[]step{{0, +1, StatePending}, {29, 0, StatePending}, {30, 0, StateFiring}}},
		{"pending dropped by a normal observation", Timing{For: 30 * time.Second},
			[]step{{0, +1, StatePending}, {10, -1, 0}, {40, 0, 0}}},
		{"keep_firing_for holds through a dip", Timing{KeepFiringFor: 60 * time.Second},
			[]step{{0, +1, StateFiring}, {10, -1, StateFiring}, {30, +1, StateFiring}, {40, -1, StateFiring},
				{89, 0, StateFiring}, {90, 0, StateResolved}}},
		{"keep_firing_for resolves on a later normal observation", Timing{KeepFiringFor: 30 * time.Second},
			[]step{{0, +1, StateFiring}, {10, -1, StateFiring}, {40, -1, StateResolved}}},
		{"resolve timeout for event-like alerts", Timing{ResolveTimeout: 5 * time.Minute},
			[]step{{0, +1, StateFiring}, {120, +1, StateFiring}, {419, 0, StateFiring}, {420, 0, StateResolved}}},
		{"stale pending is forgotten", Timing{For: 10 * time.Minute, ResolveTimeout: time.Minute},
			[]step{{0, +1, StatePending}, {60, 0, 0}}},
		{"re-activation after resolve is a new incident", Timing{},
			[]step{{0, +1, StateFiring}, {10, -1, StateResolved}, {20, +1, StateFiring}}},
		{"resolved forgotten after retention", Timing{},
			[]step{{0, +1, StateFiring}, {10, -1, StateResolved}, {609, 0, StateResolved}, {610, 0, 0}}},
		{"normal observation of unknown series creates nothing", Timing{},
			[]step{{0, -1, 0}, {1, 0, 0}}},
	}
	ls := NewLabels(map[string]string{"alertname": "A", "service": "s"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewEngine(EngineConfig{ResolvedRetention: 10 * time.Minute})
			for i, s := range c.steps {
				now := at(s.t)
				if s.obs == 0 {
					e.Tick(now)
				} else {
					require.NoError(t, e.Observe(now, Observation{Rule: "A", Timing: c.timing, Labels: ls, Active: s.obs > 0, At: now}))
				}
				a, ok := e.Get(ls.Fingerprint())
				if s.want == 0 {
					assert.False(t, ok, "step %d: expected untracked, got %v", i, a.State)
					continue
				}
				require.True(t, ok, "step %d", i)
				assert.Equal(t, s.want, a.State, "step %d at %ds", i, s.t)
			}
		})
	}
}

func TestEngineStartsAtAndIncidents(t *testing.T) {
	e := NewEngine(EngineConfig{ResolvedRetention: time.Hour, MaxClockSkew: time.Hour})
	ls := NewLabels(map[string]string{"alertname": "A"})
	// A plausible data timestamp becomes StartsAt.
	require.NoError(t, e.Observe(at(100), Observation{Labels: ls, Active: true, At: at(40)}))
	a, _ := e.Get(ls.Fingerprint())
	assert.Equal(t, at(40), a.StartsAt)
	require.NoError(t, e.Observe(at(110), Observation{Labels: ls, Active: false}))
	a, _ = e.Get(ls.Fingerprint())
	assert.Equal(t, at(110), a.ResolvedAt)
	// New incident: new StartsAt; future and ancient timestamps fall back to now.
	require.NoError(t, e.Observe(at(200), Observation{Labels: ls, Active: true, At: at(500)}))
	a, _ = e.Get(ls.Fingerprint())
	assert.Equal(t, at(200), a.StartsAt)
	assert.True(t, a.ResolvedAt.IsZero())
	ls2 := NewLabels(map[string]string{"alertname": "B"})
	require.NoError(t, e.Observe(at(10000), Observation{Labels: ls2, Active: true, At: at(1)}))
	b, _ := e.Get(ls2.Fingerprint())
	assert.Equal(t, at(10000), b.StartsAt)
}

func TestEngineLimitsAndDrain(t *testing.T) {
	e := NewEngine(EngineConfig{MaxAlerts: 2, ResolvedRetention: time.Minute})
	mk := func(n string) Labels { return NewLabels(map[string]string{"alertname": n}) }
	require.NoError(t, e.Observe(at(0), Observation{Labels: mk("a"), Active: true}))
	require.NoError(t, e.Observe(at(0), Observation{Labels: mk("b"), Active: true, Timing: Timing{For: time.Minute}}))
	assert.ErrorIs(t, e.Observe(at(0), Observation{Labels: mk("c"), Active: true}), ErrLimit)
	assert.ErrorIs(t, e.Observe(at(0), Observation{Labels: Labels{}, Active: true}), ErrNoLabels)
	p, f := e.Counts()
	assert.Equal(t, 1, p)
	assert.Equal(t, 1, f)
	// Only firing/resolved alerts are drained, once.
	d := e.Drain()
	require.Len(t, d, 1)
	assert.Equal(t, "a", d[0].Labels.Get("alertname"))
	assert.Empty(t, e.Drain())
	// An update of a firing alert (new annotation) is drained again.
	require.NoError(t, e.Observe(at(1), Observation{Labels: mk("a"), Active: true, Annotations: NewLabels(map[string]string{"value": "2"})}))
	d = e.Drain()
	require.Len(t, d, 1)
	assert.Equal(t, "2", d[0].Annotations.Get("value"))
}

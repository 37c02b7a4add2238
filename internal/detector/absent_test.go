package detector

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A count series that exists only once something is counted: its first
// errors, five in a 5 s interval, are scored against the assumed zeros
// instead of falling in the warm-up.
func TestAssumeZerosScoresFirstEvents(t *testing.T) {
	const every = int64(5e9)
	ts := 3600 * int64(1e9)
	cold := New(DefaultConfig())
	r, err := cold.UpdateStep(ts, 1, 0.2)
	require.NoError(t, err)
	assert.True(t, r.WarmingUp, "without the zeros the first point is warm-up")
	assert.Zero(t, r.Score)

	d := New(DefaultConfig())
	require.True(t, d.AssumeZeros(ts, every, 0.2, 0))
	r, err = d.UpdateStep(ts, 1, 0.2)
	require.NoError(t, err)
	assert.False(t, r.WarmingUp)
	assert.Zero(t, r.Expected, "the zeros are the expectation")
	assert.Greater(t, r.Score, DefaultThreshold, "five events after a hundred intervals of none")
	t.Logf("score of five events after the zeros: %.3f", r.Score)

	// They also went on: the next interval of five is still new.
	r, err = d.UpdateStep(ts+every, 1, 0.2)
	require.NoError(t, err)
	assert.Greater(t, r.Unsuppressed, DefaultThreshold)
}

// One event after the zeros is weaker evidence than five, and a series
// whose events then become routine stops alarming.
func TestAssumeZerosLearnsTheNewNormal(t *testing.T) {
	const every = int64(5e9)
	ts := 3600 * int64(1e9)
	one, five := New(DefaultConfig()), New(DefaultConfig())
	require.True(t, one.AssumeZeros(ts, every, 0.2, 0))
	require.True(t, five.AssumeZeros(ts, every, 0.2, 0))
	r1, _ := one.UpdateStep(ts, 0.2, 0.2)
	r5, _ := five.UpdateStep(ts, 1, 0.2)
	assert.Less(t, r1.Unsuppressed, r5.Unsuppressed)

	// Two events in every interval from here on: a lasting change, which
	// alarms once per hold-off until the count view's reference (of the
	// share of intervals with events) has learnt it, as it would after a
	// sporadic history.
	late := 0.0
	for i := int64(1); i <= 4000; i++ {
		r, err := five.UpdateStep(ts+i*every, 0.4, 0.2)
		require.NoError(t, err)
		if i > 3000 {
			late = math.Max(late, r.Score)
		}
	}
	assert.Less(t, late, DefaultThreshold, "a steady rate becomes the new normal")
}

func TestAssumeZerosRefused(t *testing.T) {
	const every = int64(5e9)
	ts := 3600 * int64(1e9)
	d := New(DefaultConfig())
	assert.False(t, d.AssumeZeros(ts, every, 0.2, ts-99*every), "watched for less than the warm-up")
	assert.False(t, d.AssumeZeros(ts, 0, 0.2, 0), "no interval")
	assert.False(t, d.AssumeZeros(ts, math.MaxInt64, 0.2, math.MinInt64), "an interval that would overflow")
	assert.False(t, d.AssumeZeros(ts, every, 0.2, ts+1), "watched since after the point")
	assert.Zero(t, d.seen, "nothing was added")
	assert.True(t, d.AssumeZeros(ts, every, 0.2, ts-100*every), "watched for exactly the warm-up")

	d = New(DefaultConfig())
	_, err := d.UpdateStep(ts, 1, 0.2)
	require.NoError(t, err)
	assert.False(t, d.AssumeZeros(ts+every, every, 0.2, 0), "a series with a history keeps it")
}

// A long warm-up is not fed point by point: 200 zeros stand for it, and
// the series is warmed up after them.
func TestAssumeZerosLongWarmUp(t *testing.T) {
	const every = int64(5e9)
	ts := 3600 * int64(1e9)
	cfg := DefaultConfig()
	cfg.WarmUp = 5000
	d := New(cfg)
	assert.False(t, d.AssumeZeros(ts, every, 0.2, ts-199*every), "200 intervals are needed")
	require.True(t, d.AssumeZeros(ts, every, 0.2, ts-200*every))
	assert.Equal(t, cfg, d.cfg, "the configuration is the series' own again")
	r, err := d.UpdateStep(ts, 1, 0.2)
	require.NoError(t, err)
	assert.False(t, r.WarmingUp)
	assert.Greater(t, r.Score, DefaultThreshold)
}

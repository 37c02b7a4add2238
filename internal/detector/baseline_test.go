package detector

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quietLevel returns a level that has learnt 300 points of unit noise
// around 0.
func quietLevel() level {
	var l level
	rng := rand.New(rand.NewPCG(1, 1))
	for range 300 {
		l.learn(rng.NormFloat64() - l.value)
	}
	return l
}

// A run of shiftRun large residuals on one side re-anchors the level at the
// run's value nearest the old level (by hand: the run 100, 103, 98, 150
// agrees on a shift of at least 98), so a run that ends on a spike does not
// put the level on the spike; a normal point or a change of side restarts
// the run.
func TestLevelReanchorsAtRunsNearestValue(t *testing.T) {
	for _, sign := range []float64{1, -1} {
		l := quietLevel()
		for i, x := range []float64{100, 103, 98, 150} {
			shifted := l.learn(sign*x - l.value)
			assert.Equal(t, i == 3, shifted, "point %d", i)
		}
		assert.InDelta(t, sign*98, l.value, 1e-3)
	}
	l := quietLevel()
	for _, x := range []float64{100, 103, 0, 98, 150, 101} {
		assert.False(t, l.learn(x-l.value), "a normal point restarts the run")
	}
	l = quietLevel()
	for _, x := range []float64{100, 103, -98, 150, 101, 120} {
		assert.False(t, l.learn(x-l.value), "a change of side restarts the run")
	}
	assert.True(t, l.learn(99-l.value))
	assert.InDelta(t, 99, l.value, 1e-3, "the nearest of the new run 150, 101, 120, 99")
}

// After a level shift whose last point is a spike, the new level's ordinary
// points are not judged against the spike: re-anchored on the spike (the
// run's last value, as before) the first four of them deviated by about 50
// and scored 0.79 each on their own, until they re-anchored the level
// again.
func TestShiftEndingInSpike(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seasonality = SeasonNone
	s := New(cfg)
	rng := rand.New(rand.NewPCG(2, 2))
	ts := int64(0)
	next := func(v float64) Result {
		ts += minute
		r, err := s.Update(ts, v)
		require.NoError(t, err)
		return r
	}
	for range 400 {
		next(rng.NormFloat64())
	}
	for _, v := range []float64{100.5, 99.2, 101.1, 150} {
		next(v)
	}
	for i := range 20 {
		r := next(100 + rng.NormFloat64())
		assert.Less(t, math.Abs(r.Expected-100), 2.0, "point %d after the shift", i)
		assert.Less(t, r.Point, DefaultThreshold, "point %d after the shift", i)
	}
}

// A version 7 snapshot (made before a level's run kept its nearest value)
// is restored: every view continues where it was, a run in progress
// restarts.
func TestRestoreVersion7(t *testing.T) {
	old, fresh := restoreOldSnapshot(t, 7)
	assert.Equal(t, fresh.coarse.seen, old.coarse.seen)
	for i := 3000; i < 3040; i++ {
		ts := int64(i) * 5 * minute
		a, err := old.Update(ts, 100)
		require.NoError(t, err)
		b, _ := fresh.Update(ts, 100)
		assert.Equal(t, b, a, "point %d", i)
	}
	snap, err := old.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, byte(snapshotVersion), snap[3])
}

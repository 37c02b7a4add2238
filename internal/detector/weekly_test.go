package detector

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hand-worked weekly correction at 5-minute points: 12 points per hourly
// bucket, so a point moves its bucket by seasonAlpha/12; two weeks are 4032
// points. Buckets count hours from the epoch, modulo the week.
func TestWeeklyHandWorked(t *testing.T) {
	hour := int64(time.Hour)
	w := newWeekly(5 * minute)
	assert.InDelta(t, 0.2/12, w.alpha, 1e-15)
	assert.Equal(t, uint32(4032), w.minPts)
	assert.Equal(t, 0, w.bucket(0))
	assert.Equal(t, 25, w.bucket(25*hour+59*minute))
	assert.Equal(t, 3, w.bucket(weekNs+3*hour))
	assert.Equal(t, 167, w.bucket(-hour))
	assert.Equal(t, 167, w.bucket(-30*minute))
	assert.Equal(t, 166, w.bucket(-hour-minute))
	assert.Equal(t, 0.0, w.at(2*hour)) // never visited
	// First visit: the bucket takes the (clipped) residual.
	w.learn(2*hour, 10, 4, 0)
	assert.Equal(t, 4.0, w.at(2*hour))
	// Then it moves by alpha times the clipped corrected residual:
	// 4 + (0.2/12)*clamp(10-4, 4) = 4.0666667.
	w.learn(2*hour+minute, 10, 4, 0)
	assert.InDelta(t, 4+0.2/12*4, w.at(2*hour), 1e-6)
	assert.False(t, w.ready())
	// Hourly points visit a bucket once: the per-visit smoothing.
	assert.InDelta(t, 0.2, newWeekly(hour).alpha, 1e-15)
}

// Property: a daily pattern whose weekends run 40% lower makes SeasonAuto
// use the weekly correction after two weeks, and the weekend errors shrink;
// the same pattern without weekends never uses it. SeasonDaily, which has
// no correction, keeps the larger weekend error.
func TestWeeklyCorrectionLearnt(t *testing.T) {
	run := func(weekend bool, mode Seasonality) (used bool, weekendErr float64) {
		rng := rand.New(rand.NewPCG(8, 9))
		cfg := DefaultConfig()
		cfg.Seasonality = mode
		d := New(cfg)
		step := 10 * minute
		n := int(5 * weekNs / step)
		var sum float64
		var cnt int
		for i := 0; i < n; i++ {
			ts := int64(i) * step
			day := float64(ts%int64(24*time.Hour)) / float64(24*time.Hour)
			v := 100 + 30*math.Sin(2*math.Pi*day) + rng.NormFloat64()
			isWeekend := (ts/int64(24*time.Hour))%7 >= 5
			if weekend && isWeekend {
				v *= 0.6
			}
			r, err := d.Update(ts, v)
			require.NoError(t, err)
			if i > n*4/5 && isWeekend {
				sum += math.Abs(v - r.Expected)
				cnt++
			}
		}
		return d.base.useWeek(d.base.useSeason()), sum / float64(cnt)
	}
	used, withErr := run(true, SeasonAuto)
	assert.True(t, used)
	_, dailyErr := run(true, SeasonDaily)
	t.Logf("weekend mean |error|: %.2f with the correction, %.2f daily only", withErr, dailyErr)
	assert.Less(t, withErr, 0.8*dailyErr)
	used, _ = run(false, SeasonAuto)
	assert.False(t, used)
}

// Timestamps before the epoch fall in the bucket their time of day (or of
// week) says, in the daily profile as in the weekly correction: 23:30 on
// the day before the epoch is bucket 282 of 288, 23:59 bucket 287.
func TestBucketsBeforeEpoch(t *testing.T) {
	b := newBaseline(SeasonAuto)
	for i := 0; i < 20; i++ {
		b.update(int64(i)*5*minute, 1)
	}
	require.NotNil(t, b.profile)
	require.Len(t, b.profile, 288)
	assert.Equal(t, 282, b.bucket(-30*minute))
	assert.Equal(t, 287, b.bucket(-minute))
	assert.Equal(t, 0, b.bucket(0))
	assert.Equal(t, 1, b.bucket(-24*int64(time.Hour)+5*minute))
}

package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import (
	"math"
)

const (
	// levelAlpha is the smoothing of the level: the expected value is an
	// average of roughly the last 2/alpha-1 points.
	levelAlpha = 0.1
	// seasonAlpha is the per-visit smoothing of a profile bucket.
	seasonAlpha = 0.2
	// maxBuckets bounds the profile memory (4 bytes each).
	maxBuckets = 288
	// intervalSamples is how many timestamp steps are looked at before the
	// profile resolution is fixed.
	intervalSamples = 16
	// seasonGain is how much smaller the seasonal model's error must be for
	// SeasonAuto to use it: a profile that does not clearly help only adds
	// noise.
	seasonGain = 0.8
	// shiftRun is the number of consecutive same-sign residuals beyond
	// shiftZ sigmas after which a level is re-anchored (a level shift), at
	// the run's value nearest the old level (level.learn).
	shiftRun = 4
	shiftZ   = 4.0
	// clipZ bounds, in sigmas, the residual a level update uses.
	clipZ = 3.0
)

// level is an exponentially weighted level with its own robust scale and
// level-shift detection: a run of large residuals on the same side means the
// series has moved, and the level is re-anchored instead of crawling towards
// the new value for hours (which would raise alarms all along the way).
type level struct {
	value float64
	scale scale
	// err is the unclipped EW mean |residual| over about a day of 5-minute
	// points: it judges the model, so unlike the scale it must see the
	// large errors a wrong model makes.
	err float64
	run int8 // signed run length of large residuals
	// near is the run's value nearest the level, relative to the level:
	// the smallest shift every point of the run agrees on. (float32: it
	// is a residual, and fits the struct's padding.)
	near float32
}

// errAlpha is the smoothing of the model-selection error.
const errAlpha = 0.005

// learn updates the level with residual r (value minus prediction) and
// reports whether it re-anchored.
//
// A re-anchored level is the run's value nearest the old level, not its
// last value: a run that ends on a spike (a burst of traffic whose peak
// comes last) would otherwise put the level on the spike, and the new
// level's ordinary points would all read as a drop. The nearest value is
// on the new level within its noise, and the ordinary update closes the
// rest. On NAB (standard / reward_low_FP_rate / reward_low_FN_rate,
// optimal threshold) the last value scored 77.09 / 67.98 / 82.80 and the
// nearest 78.07 / 68.06 / 83.44; averaged over the first 0 to 120 rows
// skipped, which re-draws every series' path, 72.30 / 61.08 / 78.36
// against 73.31 / 62.41 / 79.17. The run's mean scored 77.35 / 67.50 /
// 82.96, its median 75.30 / 64.58 / 80.82.
func (l *level) learn(r float64) (shifted bool) {
	sig := l.scale.sigma(l.value)
	l.scale.update(r, sig)
	l.err += errAlpha * (math.Abs(r) - l.err)
	switch {
	case r > shiftZ*sig:
		if l.run <= 0 {
			l.run, l.near = 0, float32(r)
		}
		l.run++
		l.near = min(l.near, float32(r))
	case r < -shiftZ*sig:
		if l.run >= 0 {
			l.run, l.near = 0, float32(r)
		}
		l.run--
		l.near = max(l.near, float32(r))
	default:
		l.run = 0
	}
	if l.run >= shiftRun || l.run <= -shiftRun {
		l.run = 0
		l.value += float64(l.near)
		return true
	}
	d := levelAlpha * clamp(r, clipZ*sig)
	l.value += d
	if l.run != 0 {
		l.near -= float32(d) // still relative to the level
	}
	return false
}

// baseline predicts the next value with two competing models: a plain level,
// and a seasonal model (level of the deseasonalised series plus a profile
// indexed by the time within the period: additive Holt-Winters). The one with
// the smaller residual scale is used.
type baseline struct {
	plain, seas level
	profile     []float32 // NaN marks a bucket never visited
	bucketNs    int64     // profile resolution, 0 until known
	periodNs    int64
	lastTs      int64
	minStep     int64 // smallest positive timestamp step seen
	steps       uint16
	seasonPts   uint32 // points seen since the profile was allocated
	n           uint32
	mode        Seasonality
	week        *weekly // SeasonAuto only, allocated with the profile
	// bucketAt is the timestamp whose profile index bucketIdx holds: a
	// point asks for its bucket up to three times (Prefetch, predict,
	// update), and the index takes two divisions by variables. Derived
	// state: the zero value is right, as timestamp 0 is in bucket 0.
	bucketAt  int64
	bucketIdx int32
}

func newBaseline(mode Seasonality) baseline {
	return baseline{mode: mode, periodNs: int64(mode.period())}
}

// bucket returns the profile index for ts, -1 without a profile.
func (b *baseline) bucket(ts int64) int {
	if b.profile == nil {
		return -1
	}
	if ts == b.bucketAt {
		return int(b.bucketIdx)
	}
	m := ts % b.periodNs
	if m < 0 { // before the epoch
		m += b.periodNs
	}
	i := int(m / b.bucketNs)
	b.bucketAt, b.bucketIdx = ts, int32(i)
	return i
}

// useSeason reports whether predictions come from the seasonal model: only
// after the profile has seen two periods (one to fill it, one to judge it).
func (b *baseline) useSeason() bool {
	if b.profile == nil || int64(b.seasonPts)*b.bucketNs < 2*b.periodNs {
		return false
	}
	if b.mode == SeasonAuto {
		return b.seas.err < seasonGain*b.plain.err
	}
	return true
}

// seasonal returns the profile value at ts, NaN if unknown.
func (b *baseline) seasonal(ts int64) float64 {
	if i := b.bucket(ts); i >= 0 {
		return float64(b.profile[i])
	}
	return math.NaN()
}

// useWeek reports whether the weekly correction is used on top of the
// seasonal model: once it has seen two weeks, while its error is clearly
// smaller than that of the model the baseline would otherwise use.
func (b *baseline) useWeek(season bool) bool {
	if b.week == nil || !b.week.ready() {
		return false
	}
	ref := b.plain.err
	if season {
		ref = b.seas.err
	}
	return b.week.err < seasonGain*ref
}

// predict returns the expected value at ts and the scale of its error.
func (b *baseline) predict(ts int64) (float64, *scale) {
	season := b.useSeason()
	if p := b.seasonal(ts); !math.IsNaN(p) && (season || b.useWeek(false)) {
		if b.useWeek(season) {
			return b.seas.value + p + b.week.at(ts), &b.week.scale
		}
		if season {
			return b.seas.value + p, &b.seas.scale
		}
	}
	return b.plain.value, &b.plain.scale
}

// observeStep records the step between two consecutive raw values in every
// residual scale.
func (b *baseline) observeStep(d float64) {
	b.plain.scale.observeStep(d)
	b.seas.scale.observeStep(d)
	if b.week != nil {
		b.week.scale.observeStep(d)
	}
}

// observeTime learns the sampling interval and allocates the profile.
func (b *baseline) observeTime(ts int64) {
	if b.periodNs == 0 || b.profile != nil {
		b.lastTs = ts
		return
	}
	if b.n > 0 {
		if d := ts - b.lastTs; d > 0 && (b.minStep == 0 || d < b.minStep) {
			b.minStep = d
		}
		b.steps++
	}
	b.lastTs = ts
	if b.steps < intervalSamples || b.minStep == 0 {
		return
	}
	w := b.minStep
	if f := b.periodNs / maxBuckets; w < f {
		w = f
	}
	nb := b.periodNs / w
	if nb < 4 { // too coarse to hold a profile: e.g. daily samples
		b.periodNs = 0
		return
	}
	b.bucketNs = (b.periodNs + nb - 1) / nb
	b.profile = make([]float32, nb)
	for i := range b.profile {
		b.profile[i] = float32(math.NaN())
	}
	b.seas = b.plain
	if b.mode == SeasonAuto {
		w := newWeekly(b.minStep)
		w.scale = b.plain.scale
		w.err = b.plain.err
		b.week = &w
	}
}

// update learns from value x at ts.
func (b *baseline) update(ts int64, x float64) {
	b.observeTime(ts)
	if b.n == 0 {
		b.plain.value, b.seas.value = x, x
		b.n = 1
		return
	}
	b.n++
	b.plain.learn(x - b.plain.value)
	if b.profile == nil {
		b.seas = b.plain
		return
	}
	b.seasonPts++
	i := b.bucket(ts)
	p := float64(b.profile[i])
	if math.IsNaN(p) {
		b.profile[i] = float32(x - b.seas.value)
		return
	}
	r := x - (b.seas.value + p)
	clip := clipZ * b.seas.scale.sigma(b.seas.value)
	if b.week != nil {
		b.week.learn(ts, r, clip, b.seas.value)
	}
	if b.seas.learn(r) {
		return // a shift moves the level, not the profile
	}
	b.profile[i] += float32(seasonAlpha * (1 - levelAlpha) * clamp(r, clip))
}

func clamp(r, c float64) float64 {
	if c <= 0 {
		return r
	}
	if r > c {
		return c
	}
	if r < -c {
		return -c
	}
	return r
}

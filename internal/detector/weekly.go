package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// weekNs is the period of the weekly correction.
	weekNs = int64(7 * 24 * 3600 * 1e9)
	// weekBuckets is the resolution of the weekly correction: one bucket
	// per hour of the week (4 bytes each).
	weekBuckets = 7 * 24
)

// weekly is a correction of the daily seasonal model by hour of the week:
// each bucket learns the mean residual the daily model leaves at that hour
// (weekends, a weekly batch job). It only learns from the daily model's
// residuals and never feeds back into it, so the daily model is the same
// with or without it; the baseline uses daily plus correction when that
// predicts clearly better (SeasonAuto only: an explicit weekly profile
// already holds the week).
type weekly struct {
	corr   [weekBuckets]float32 // NaN marks a bucket never visited
	scale  scale                // of the corrected residuals
	err    float64              // EW mean |corrected residual|, like level.err
	alpha  float64              // per-point smoothing: seasonAlpha per visit of a bucket
	pts    uint32               // points seen since allocation
	minPts uint32               // points in two weeks, before which it is not used
}

// newWeekly returns a correction for points stepNs apart.
func newWeekly(stepNs int64) weekly {
	bucketNs := weekNs / weekBuckets
	perVisit := float64(bucketNs) / float64(stepNs)
	if perVisit < 1 {
		perVisit = 1
	}
	minPts := 2 * weekNs / stepNs
	if minPts > math.MaxUint32 {
		minPts = math.MaxUint32
	}
	w := weekly{
		alpha:  seasonAlpha / perVisit,
		minPts: uint32(minPts),
	}
	for i := range w.corr {
		w.corr[i] = float32(math.NaN())
	}
	return w
}

func (w *weekly) bucket(ts int64) int {
	m := ts % weekNs
	if m < 0 { // before the epoch
		m += weekNs
	}
	return int(m / (weekNs / weekBuckets))
}

// at returns the correction at ts, 0 where unknown.
func (w *weekly) at(ts int64) float64 {
	if c := w.corr[w.bucket(ts)]; c == c {
		return float64(c)
	}
	return 0
}

// ready reports whether the correction has seen two weeks.
func (w *weekly) ready() bool { return w.pts >= w.minPts }

// learn updates the correction at ts with the daily model's residual r
// (clip bounds its effect) and judges the corrected prediction.
func (w *weekly) learn(ts int64, r, clip, level float64) {
	w.pts++
	i := w.bucket(ts)
	c := float64(w.corr[i])
	if c != c {
		w.corr[i] = float32(clamp(r, clip))
		return
	}
	rc := r - c
	w.scale.update(rc, w.scale.sigma(level))
	w.err += errAlpha * (math.Abs(rc) - w.err)
	w.corr[i] += float32(w.alpha * clamp(rc, clip))
}

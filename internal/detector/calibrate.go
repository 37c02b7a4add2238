package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// shortAlpha averages the point surprise over about 2/alpha-1 = 9
	// points: a burst of moderate deviations (a change of variance, denser
	// spikes) stands out in the average although no single point does. Slow
	// one-sided excursions are the drift's (below), so this window can stay
	// short and react early. Before the drift existed 19 points was best
	// (7 scored about 2 NAB points lower); with it, 5 to 12 points scored
	// about 0.7 higher than 19 on standard (earlier detections in every
	// category, one more artificial window found), 1.9 higher with the
	// final alarm budget (74.9 against 73.0).
	shortAlpha = 0.2
	// surpriseCap bounds the surprise -ln p of one point in the short
	// average at ln 100: any point rarer than 1 in 100 counts as fully
	// surprising. Like the bounded raw score of Numenta's HTM, this makes
	// the average measure how dense surprises are, not how large one was,
	// so a single spike (already judged by the point p-value) cannot also
	// dominate the average of the next few points. Averaging the raw
	// z-score instead scored about 4 NAB points lower on every profile.
	surpriseCap = 4.605170185988092
	// driftAlpha averages the signed residual (in sigmas) over about 39
	// points: twice the surprise window, so that a sustained one-sided
	// deviation too small to be surprising point by point (a slow drift, a
	// small step the level has not absorbed yet) accumulates. Windows of
	// 19 to 99 points all helped on NAB; 39 was in the middle of the range.
	driftAlpha = 0.05
	// driftClip bounds one point's signed residual in the drift, in sigmas,
	// so that a single spike moves it by at most driftAlpha*driftClip.
	driftClip = 4.0
	// episodeP is the p-value below which a view's value in an incident is
	// kept out of that view's history (learn). On NAB (standard / low FP /
	// low FN, optimal threshold) 3e-5 to 2e-4 all scored 75.5 to 75.9 /
	// 65.4 to 66.2 / 81.0 to 81.6, against 75.2 / 64.7 / 80.7 without;
	// at 3e-4 it began to leave out ordinary tails (75.1), at 1e-3 lost
	// (72.2).
	episodeP = 1e-4
	// maxZ bounds a point z-score so that absurd values stay finite.
	maxZ = 1e6
	// tailPower sets the score scale: score = 1 - p^(1/tailPower), so
	// p = 1e-3 scores 0.50, 1e-5 scores 0.68 and 1e-10 scores 0.90.
	tailPower = 10
)

// calibrator turns raw z-scores into a tail probability relative to the
// series' own recent history (an anomaly likelihood), from three views of
// the recent residuals, each ranked against its own recent values:
//
//   - p_point: the point's z;
//   - p_avg: the short average of the points' capped surprise
//     min(-ln p_point, ln 100), so that a burst of moderately rare points
//     counts although none is rare alone;
//   - p_drift: the magnitude of the average signed residual, so that a
//     sustained shift to one side counts although its points are ordinary
//     in size (the surprise average cannot see it: it is blind to sign).
//
// A series whose residuals are routinely heavy-tailed or autocorrelated
// thus needs a larger deviation to reach the same score as a quiet one. The
// evidence is the strongest of the three: min(p_point, p_avg, p_drift).
type calibrator struct {
	short, drift           float64 // EW averages of capped surprise and signed z
	point, avg, driftRanks rankHist
	// lastBin is the point history's bin of the previous point (-1: none,
	// as after a restore or when it was not learnt: it is not part of
	// snapshots).
	lastBin int16
}

// judged is one point as judge saw it, for learn: its bins and p-values in
// the point, surprise-average and drift histories.
type judged struct {
	bp, ba, bd int
	pp, pa, pd float64
}

func newCalibrator(memory int) calibrator {
	return newCalibratorIn(memory, make([]float32, rankBins+2*boundedBins)) // one allocation
}

// newCalibratorIn returns a calibrator whose histories live in store: the
// point history takes all but the last 2*boundedBins bins.
func newCalibratorIn(memory int, store []float32) calibrator {
	pb := len(store) - 2*boundedBins
	return calibrator{
		lastBin:    -1,
		point:      newRankHist(memory, store[:pb:pb]),
		avg:        newRankHist(memory, store[pb:pb+boundedBins:pb+boundedBins]),
		driftRanks: newRankHist(memory, store[pb+boundedBins:]),
	}
}

// observe judges a point with z-score z and signed residual zs (in sigmas)
// and learns it as usual behaviour, and returns ln p, the log p-value of
// the current behaviour.
func (c *calibrator) observe(z, zs float64) float64 {
	lp, _, _, j := c.judge(z, zs)
	c.learn(j, false)
	return lp
}

// judge is observe without learning (the caller passes j to learn). It
// also returns ln p_point, the log p-value of the point's own deviation
// against the history without its predecessor (two extreme points in a row
// are each extreme: the point that confirms an alarm must not be judged
// against the alarm), and ln p_drift, that of the drift if this point
// pushed it further from zero (0 otherwise): a ramp or a shift goes on
// pushing, while the points after a lone outlier let the drift decay. The
// surprise average, the third part of p, is left out of both: it remembers
// an outlier for dozens of points.
func (c *calibrator) judge(z, zs float64) (lp, lpPoint, lpDrift float64, j judged) {
	if z > maxZ {
		z = maxZ
	}
	pp, bp, ppExcept := c.point.pValues(z, int(c.lastBin))
	// Each logarithm is taken once: the point's p-value serves the
	// surprise, often p_point without the predecessor and the result too.
	lpp := fastLog2(pp) * math.Ln2
	lpPoint = lpp
	if ppExcept != pp {
		lpPoint = fastLog2(ppExcept) * math.Ln2
	}
	c.short += shortAlpha * (min(-lpp, surpriseCap) - c.short)
	pa, ba := c.avg.pValueBin(c.short)
	prevDrift, zc := c.drift, clamp(zs, driftClip)
	c.drift += driftAlpha * (zc - c.drift)
	pd, bd := c.driftRanks.pValueBin(math.Abs(c.drift))
	j = judged{bp: bp, ba: ba, bd: bd, pp: pp, pa: pa, pd: pd}
	pushed := zc*prevDrift >= 0 && math.Abs(zc) > math.Abs(prevDrift)
	if pushed {
		lpDrift = fastLog2(pd) * math.Ln2
	}
	switch {
	case pd < pa && pd < pp:
		if pushed {
			return lpDrift, lpPoint, lpDrift, j
		}
		return fastLog2(pd) * math.Ln2, lpPoint, lpDrift, j
	case pd >= pa && pa < pp:
		return fastLog2(pa) * math.Ln2, lpPoint, lpDrift, j
	}
	return lpp, lpPoint, lpDrift, j
}

// learn adds a judged point to the histories. In an incident (episode: an
// alarm's hold-off on a series that alarms rarely), a view whose value is
// itself extreme (p below episodeP: beyond all but a trace of the history)
// is kept out of that view's history: an incident is not the series' usual
// behaviour, and remembering its most extreme values for hours makes the
// next incident of its kind rank as ordinary. The baseline and scale still
// learn from it (they clip), and so does the history from every point
// after the hold-off.
func (c *calibrator) learn(j judged, episode bool) {
	c.lastBin = -1
	if !episode || j.pp >= episodeP {
		c.point.addBin(j.bp)
		c.lastBin = int16(j.bp)
	}
	if !episode || j.pa >= episodeP {
		c.avg.addBin(j.ba)
	}
	if !episode || j.pd >= episodeP {
		c.driftRanks.addBin(j.bd)
	}
}

// scoreOf maps a log p-value to [0, 1] (fastExp2 is never negative, so
// only a positive lp, a p-value above 1 after the budget's discount, needs
// a bound). Small enough to be inlined: it runs up to three times a point.
func scoreOf(lp, sensitivity float64) float64 {
	return max(1-fastExp2(sensitivity*lp*(1/(tailPower*math.Ln2))), 0)
}

// fastExp2 is 2^x within a relative 1e-9 (0 below 2^-1022, +Inf above
// 2^1023): the exponent is set directly, 2^(j/64) for the fraction's
// first six bits comes from a table and 2^f for the rest (f < 1/64) is a
// Taylor series to degree 3. It replaces math.Exp, a fifth of an update's
// time before, in scoreOf.
func fastExp2(x float64) float64 {
	switch {
	case x < -1022:
		return 0
	case !(x < 1023): // also NaN
		return math.Inf(1)
	}
	// x = n + j/64 + f: e^y for y = f ln 2 below 0.011 to degree 3
	// (error under 6e-10).
	t := math.Floor(x * exp2Slots)
	k := int64(t)
	y := (x - t*(1.0/exp2Slots)) * math.Ln2
	e := 1 + y*(1+y*(1.0/2+y*(1.0/6)))
	return e * exp2Frac[k&(exp2Slots-1)] * math.Float64frombits(uint64(k>>exp2Bits+1023)<<52)
}

// exp2Slots divides the unit interval for fastExp2 (the fraction's first
// exp2Bits bits); exp2Frac[j] = 2^(j/exp2Slots).
const (
	exp2Bits  = 6
	exp2Slots = 1 << exp2Bits
)

var exp2Frac = func() (t [exp2Slots]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / exp2Slots)
	}
	return t
}()

package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// shortAlpha averages the point surprise over about 2/alpha-1 = 19
	// points: a run of moderate deviations (a change of variance or a slow
	// excursion) stands out in the average although no single point does.
	// The window is that of Numenta's anomaly likelihood (a short mean over
	// tens of points against a long history); 7 points scored about 2 NAB
	// points lower on every profile, 39 points the same as 19.
	shortAlpha = 0.1
	// surpriseCap bounds the surprise -ln p of one point in the short
	// average at ln 100: any point rarer than 1 in 100 counts as fully
	// surprising. Like the bounded raw score of Numenta's HTM, this makes
	// the average measure how dense surprises are, not how large one was,
	// so a single spike (already judged by the point p-value) cannot also
	// dominate the average of the next twenty points. Averaging the raw
	// z-score instead scored about 4 NAB points lower on every profile.
	surpriseCap = 4.605170185988092
	// maxZ bounds a point z-score so that absurd values stay finite.
	maxZ = 1e6
	// tailPower sets the score scale: score = 1 - p^(1/tailPower), so
	// p = 1e-3 scores 0.50, 1e-5 scores 0.68 and 1e-10 scores 0.90.
	tailPower = 10
)

// calibrator turns raw z-scores into a tail probability relative to the
// series' own recent history (an anomaly likelihood): the point's z is
// ranked against the recent z-scores (p_point), and the short average of the
// points' capped surprise min(-ln p_point, ln 100) is ranked against its own
// recent values (p_avg), so that a series whose residuals are routinely
// heavy-tailed needs a larger deviation to reach the same score as a quiet
// one, and a burst of moderately rare points counts although none is rare
// alone. The evidence is the stronger of the two: min(p_point, p_avg).
type calibrator struct {
	short      float64 // EW average of recent capped surprise
	point, avg rankHist
}

func newCalibrator(memory int) calibrator {
	return calibrator{point: newRankHist(memory), avg: newRankHist(memory)}
}

// observe adds z and returns ln p, the log p-value of the current behaviour.
func (c *calibrator) observe(z float64) float64 {
	if z > maxZ {
		z = maxZ
	}
	pp, bp := c.point.pValueBin(z)
	surprise := -fastLog2(pp) * math.Ln2
	if surprise > surpriseCap {
		surprise = surpriseCap
	}
	c.short += shortAlpha * (surprise - c.short)
	pa, ba := c.avg.pValueBin(c.short)
	c.point.addBin(bp)
	c.avg.addBin(ba)
	if pa < pp {
		pp = pa
	}
	return fastLog2(pp) * math.Ln2
}

// scoreOf maps a log p-value to [0, 1].
func scoreOf(lp, sensitivity float64) float64 {
	s := 1 - math.Exp(sensitivity*lp/tailPower)
	return math.Max(0, math.Min(1, s))
}

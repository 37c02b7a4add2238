package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// shortAlpha averages the point surprise over about 2/alpha-1 = 7
	// points: a run of moderate deviations (a change of variance or a slow
	// excursion) stands out in the average although no single point does.
	shortAlpha = 0.25
	// maxZ bounds a point z-score so that absurd values stay finite.
	maxZ = 1e6
	// tailPower sets the score scale: score = 1 - p^(1/tailPower), so
	// p = 1e-3 scores 0.50, 1e-5 scores 0.68 and 1e-10 scores 0.90.
	tailPower = 10
)

// calibrator turns raw z-scores into a tail probability relative to the
// series' own recent history (an anomaly likelihood): the current point
// surprise and its short average are each ranked against their own recent
// distribution, so that a series whose residuals are routinely heavy-tailed
// needs a larger deviation to reach the same score as a quiet one.
type calibrator struct {
	short      float64 // EW average of recent z
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
	c.short += shortAlpha * (z - c.short)
	lp := math.Min(c.point.logP(z), c.avg.logP(c.short))
	c.point.add(z)
	c.avg.add(c.short)
	return lp
}

// scoreOf maps a log p-value to [0, 1].
func scoreOf(lp, sensitivity float64) float64 {
	s := 1 - math.Exp(sensitivity*lp/tailPower)
	return math.Max(0, math.Min(1, s))
}

package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// coarseBlock is how many consecutive points the coarse view averages
	// into one (80 minutes at 5-minute sampling, 160 s at 10 s). On NAB
	// (standard / reward_low_FP_rate / reward_low_FN_rate, optimal
	// threshold, averaged over the points a block can start at; measured
	// with an earlier form of the view, a whole Series on the block means):
	// 6 points 76.2 / 65.8 / 82.1, 8 points 77.4 / 67.3 / 83.3, 12 points
	// 77.6 / 67.9 / 83.3, 16 points 77.9 / 68.1 / 83.5, 24 points 76.7 /
	// 66.9 / 82.5, against 75.8 / 66.2 / 81.6 without the view. This form
	// scores 78.3 / 68.7 / 84.0 at 16 points.
	coarseBlock = 16
	// coarseBins is the point history's size for block means: z up to 63
	// (6 octaves). A block mean's deviation is an average, far from the
	// hundreds of sigmas a single spike can reach; 32 bins (z up to 15)
	// lost 0.5 NAB points, 64 and 128 scored as 48. The view's own
	// surprise average and drift each matter: without the first 77.1 /
	// 67.4 / 82.8, without the second 77.9 / 68.3 / 83.7 (averaged as
	// above).
	coarseBins = 48
)

// coarseView judges the series a second time at a coarser resolution: the
// mean of each block of coarseBlock consecutive points is one point of a
// plain detector (a level with its robust scale and level-shift handling,
// and the three ranked views of calibrate.go), with no seasonal profile, no
// count view and no alarm budget of its own. Averaging leaves the noise of
// single points behind, so that a deviation too modest for any point and
// too uneven for the drift (a day colder than usual, an afternoon of
// heavier traffic) stands out against the history of block means. Its
// verdict joins the point's own at the point that completes a block; its
// alarms start the series' hold-off and count in its alarm budget like any
// other.
type coarseView struct {
	// The block being filled comes first: every point touches these
	// (one cache line), the rest only the block's last point.
	sum   float64 // of the current block's values
	steps float64 // of the current block's known resolutions
	n     uint8   // points in the current block
	seen  uint32  // blocks seen, up to the warm-up
	last  float64 // the previous block's mean
	lvl   level
	cal   calibrator
	store [coarseBins + 2*boundedBins]float32
}

func newCoarseView(memory int) *coarseView {
	c := &coarseView{}
	c.cal = newCalibratorIn(memory, c.store[:])
	return c
}

// push puts a point (value v, resolution step, 0 if unknown) into the
// current block and reports whether it completed the block, which judge
// then takes.
func (c *coarseView) push(v, step float64) bool {
	c.sum += v
	c.steps += step
	c.n++
	return c.n == coarseBlock
}

// judge judges the completed block's mean and starts the next block: learn
// reports that j must be passed to c.cal.learn once the caller knows
// whether the series is in an incident, and scored that lp, the log
// p-value of the block, counts (the view is past its warm-up of warmUp
// blocks, which it spends like a Series spends its own).
func (c *coarseView) judge(warmUp int, dir Direction) (lp float64, j judged, learn, scored bool) {
	x, bs := c.sum/coarseBlock, c.steps/(coarseBlock*coarseBlock)
	c.sum, c.steps, c.n = 0, 0, 0
	if c.seen == 0 {
		c.lvl.value, c.last, c.seen = x, x, 1
		return 0, j, false, false
	}
	// A block mean of counted events has the resolution of one event over
	// the whole block (bs: the mean step over coarseBlock).
	_, r, z := c.lvl.scale.deviation(x, c.lvl.value, bs, dir)
	if c.seen >= uint32(warmUp/2) {
		// Only the block's p-value is used, not its point view judged
		// without the previous block: skip that.
		c.cal.lastBin = -1
		lp, _, _, j = c.cal.judge(z, math.Copysign(z, r))
		learn, scored = true, c.seen >= uint32(warmUp)
	}
	if c.seen < uint32(warmUp) {
		c.seen++
	}
	c.lvl.scale.observeStep(x - c.last)
	c.lvl.learn(x - c.lvl.value)
	c.last = x
	return lp, j, learn, scored
}

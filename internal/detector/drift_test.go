package detector

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Hand-worked drift: four ordinary points (z = 0) leave drift histories of
// zeros. A point with z = 0 but signed residual +4 moves the drift to
// 0.05*4 = 0.2 while point and surprise stay at p = 1; against four zeros
// (bin 0, upper edge 2^(1/8)-1) 0.2 is beyond the record: tail
// (2^(1/8)/1.2)^4 = 0.682009, p_drift = 0.682009/5 = 0.136402, ln -1.992151.
// A residual past the clip counts as driftClip sigmas.
func TestDriftHandWorked(t *testing.T) {
	c := newCalibrator(1 << 30)
	for i := 0; i < 4; i++ {
		assert.InDelta(t, 0, c.observe(0, 0), 1e-6) // float32 counts
	}
	assert.InDelta(t, -1.9921505, c.observe(0, 4), 1e-5)
	assert.InDelta(t, 0.2, c.drift, 1e-12)
	c.observe(0, 1e9)
	assert.InDelta(t, 0.2+driftAlpha*(driftClip-0.2), c.drift, 1e-12)
}

// Property: a sustained one-sided shift of one sigma, invisible point by
// point, is rare for the drift after 40 points; the same residuals with
// random signs (same sizes, so the same point and surprise evidence) are
// not. The drift ignores sign flips only in its magnitude, not in its mean.
func TestDriftSeesOneSidedShift(t *testing.T) {
	run := func(oneSided bool) float64 {
		rng := rand.New(rand.NewPCG(5, 6))
		c := newCalibrator(3000)
		for i := 0; i < 3000; i++ {
			zs := rng.NormFloat64()
			c.observe(math.Abs(zs), zs)
		}
		lp := 0.0
		for i := 0; i < 40; i++ {
			zs := 1 + rng.NormFloat64()*0.3
			if !oneSided && rng.IntN(2) == 0 {
				zs = -zs
			}
			lp = math.Min(lp, c.observe(math.Abs(zs), zs))
		}
		return lp
	}
	assert.Less(t, run(true), math.Log(1e-3))
	assert.Greater(t, run(false), math.Log(1e-2))
}

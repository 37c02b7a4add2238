package detector

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The coarse view learns block means: a first block of 0..15 sets its
// level to 7.5, and only a block's last point is judged.
func TestCoarseViewBlockMeans(t *testing.T) {
	c := newCoarseView(3000)
	for i := 0; i < coarseBlock; i++ {
		if c.push(float64(i), 0) {
			_, _, learn, scored := c.judge(100, Both)
			assert.False(t, learn || scored, "first block")
		}
	}
	assert.Equal(t, 7.5, c.lvl.value)
	for b := 1; b < 60; b++ {
		for i := 0; i < coarseBlock; i++ {
			learn := false
			if c.push(float64(b%3), 0) {
				_, _, learn, _ = c.judge(100, Both)
			}
			require.Equal(t, i == coarseBlock-1 && b >= 50, learn, "block %d point %d", b, i)
		}
	}
	// Block means of 0, 1, 2: one apart, the quantisation step.
	assert.Equal(t, 1.0, c.lvl.scale.quantum)
}

// lastingShift feeds Gaussian noise, then a shift of size sigmas for n
// points, and returns the first point of the shift whose score before the
// hold-off reaches the alarm level (-1: none). blocks false keeps the
// coarse view's blocks from completing, so that only the point's own views
// judge.
func lastingShift(seed uint64, size float64, n int, blocks bool) int {
	d := New(DefaultConfig())
	rng := rand.New(rand.NewPCG(seed, 1))
	const before = 4000 // a whole number of blocks
	for i := 0; i < before+n; i++ {
		v := 10 + rng.NormFloat64()
		if i >= before {
			v += size
		}
		r, _ := d.Update(int64(i)*5*minute, v)
		if !blocks {
			d.coarse.n = 0
		}
		if i >= before && r.Unsuppressed >= DefaultThreshold {
			return i - before
		}
	}
	return -1
}

// A lasting shift of 0.8 sigmas: the point's views learn it within a few
// dozen points (the level follows, the drift fades), so they see it in
// half the series; the means of 16 points, whose noise is a quarter of a
// point's, see it in most, at a block's end (found with the view: 9 of 12
// seeds, without: 6).
func TestCoarseViewFindsLastingShift(t *testing.T) {
	with, without := 0, 0
	for seed := uint64(1); seed <= 12; seed++ {
		a, b := lastingShift(seed, 0.8, 400, true), lastingShift(seed, 0.8, 400, false)
		if a >= 0 {
			with++
		}
		if b >= 0 {
			without++
		}
		if a >= 0 && b < 0 {
			assert.Equal(t, coarseBlock-1, a%coarseBlock, "seed %d: found by the coarse view, at a block's end", seed)
		}
	}
	assert.GreaterOrEqual(t, with, without+2, "with the coarse view %d of 12, without %d", with, without)
}

// A version 6 snapshot (made before the coarse view, with 32-bin bounded
// histories) is restored: the point's views continue where they were, the
// coarse view starts afresh.
func TestRestoreVersion6(t *testing.T) {
	old, fresh := restoreOldSnapshot(t, 6)
	assert.Zero(t, old.coarse.seen)
	for i := 3000; i < 3010; i++ {
		ts := int64(i) * 5 * minute
		a, err := old.Update(ts, 100)
		require.NoError(t, err)
		b, _ := fresh.Update(ts, 100)
		assert.Equal(t, b.Expected, a.Expected)
		assert.Equal(t, b.Upper, a.Upper)
		assert.Equal(t, b.Point, a.Point, "point %d", i)
	}
	snap, err := old.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, byte(snapshotVersion), snap[3])
}

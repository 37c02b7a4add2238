package histogram

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrackerExplicit(t *testing.T) {
	var tr Tracker
	var out Explicit
	bounds := []float64{0.1, 0.5, 1}
	require.False(t, tr.Explicit(bounds, []uint64{5, 3, 0, 0}, &out), "first point only re-bases")
	require.True(t, tr.Explicit(bounds, []uint64{15, 7, 1, 0}, &out))
	assert.Equal(t, []float64{10, 4, 1, 0}, out.Counts)
	assert.Equal(t, bounds, out.Bounds)

	require.False(t, tr.Explicit(bounds, []uint64{2, 0, 0, 0}, &out), "a count decreased: restart")
	require.True(t, tr.Explicit(bounds, []uint64{3, 0, 0, 1}, &out), "differenced from the re-based point")
	assert.Equal(t, []float64{1, 0, 0, 1}, out.Counts)

	require.False(t, tr.Explicit([]float64{0.1, 0.5, 2}, []uint64{4, 0, 0, 1}, &out), "bounds changed")
	require.False(t, tr.Explicit([]float64{0.1, 0.5}, []uint64{4, 0, 1}, &out), "bucket count changed")
	require.True(t, tr.Explicit([]float64{0.1, 0.5}, []uint64{4, 2, 1}, &out))
	assert.Equal(t, []float64{0, 2, 0}, out.Counts)

	tr.Reset()
	require.False(t, tr.Explicit([]float64{0.1, 0.5}, []uint64{9, 2, 1}, &out), "after Reset")
}

func TestTrackerExponential(t *testing.T) {
	var tr Tracker
	var out Exponential
	pt := func(scale int32, zero uint64, off int32, pos ...uint64) Cumulative {
		return Cumulative{Scale: scale, ZeroCount: zero, Positive: CumulativeSide{off, pos}}
	}
	require.False(t, tr.Exponential(pt(1, 1, 2, 3, 5), &out), "first point only re-bases")

	// The range widened downwards (offset 1) and up (index 4) at scale 1.
	require.True(t, tr.Exponential(pt(1, 2, 1, 4, 3, 6, 2), &out))
	assert.Equal(t, int32(1), out.Scale)
	assert.Equal(t, 1.0, out.ZeroCount)
	assert.Equal(t, Side{1, []float64{4, 0, 1, 2}}, out.Positive)

	// The SDK lowered the scale to 0: indexes 1..4 at scale 1 become 0..2,
	// previous counts (4, 3, 6, 2 at indexes 1..4) merge to (4, 9, 2).
	require.True(t, tr.Exponential(pt(0, 2, 0, 5, 12, 2), &out))
	assert.Equal(t, int32(0), out.Scale)
	assert.Equal(t, Side{0, []float64{1, 3, 0}}, out.Positive)

	// A later point at a higher scale again (after a restart the SDK may
	// start fine): merged down to the previous scale.
	require.True(t, tr.Exponential(pt(1, 2, 0, 5, 0, 12, 1, 3), &out))
	assert.Equal(t, int32(0), out.Scale)
	assert.Equal(t, Side{0, []float64{0, 1, 1}}, out.Positive)

	require.False(t, tr.Exponential(pt(1, 1, 0, 5, 0, 12, 1, 3), &out), "zero count decreased")
	require.False(t, tr.Exponential(pt(1, 1, 0, 5, 0, 11, 1, 3), &out), "bucket decreased")
	require.False(t, tr.Exponential(pt(1, 1, 1, 0, 11, 1, 3), &out), "a populated bucket vanished")
	require.False(t, tr.Exponential(pt(25, 1, 1, 0), &out), "scale out of range")
	require.False(t, tr.Exponential(pt(0, 1, 1, 0), &out), "after an invalid point: re-bases")
}

// Negative indexes merge by floor division: index -3 at scale 1 (values
// around 2^-1.5) is index -2 at scale 0.
func TestTrackerExponentialNegativeIndexes(t *testing.T) {
	var tr Tracker
	var out Exponential
	neg := func(scale int32, off int32, counts ...uint64) Cumulative {
		return Cumulative{Scale: scale, Negative: CumulativeSide{off, counts}}
	}
	require.False(t, tr.Exponential(neg(1, -3, 1), &out))
	require.True(t, tr.Exponential(neg(0, -2, 5), &out))
	assert.Equal(t, Side{-2, []float64{4}}, out.Negative)
	assert.Empty(t, out.Positive.Counts)
}

// FuzzTracker feeds two cumulative points of either layout, read from the
// fuzzer's bytes, through a tracker and estimates quantiles of whatever
// interval comes out: no panic, and every estimate finite and rising with q.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte{0, 0xff, 0x80, 0x7f, 1, 1, 1, 1, 200, 3, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := reader{data}
		var tr Tracker
		for range 3 {
			if r.byte()&1 == 0 {
				var out Explicit
				n := int(r.byte() % 8)
				bounds := make([]float64, n)
				for i := range bounds {
					bounds[i] = float64(int8(r.byte())) / 4
				}
				counts := make([]uint64, n+1)
				for i := range counts {
					counts[i] = uint64(r.byte())
				}
				if tr.Explicit(bounds, counts, &out) {
					checkQuantiles(t, out)
				}
				continue
			}
			var out Exponential
			cur := Cumulative{
				Scale:     int32(int8(r.byte())) / 4,
				ZeroCount: uint64(r.byte()),
				Positive:  CumulativeSide{int32(int8(r.byte())), r.counts()},
				Negative:  CumulativeSide{int32(r.uint32()), r.counts()},
			}
			if tr.Exponential(cur, &out) {
				checkQuantiles(t, out)
			}
		}
	})
}

func checkQuantiles(t *testing.T, h interface {
	Quantile(float64, Range) (float64, bool)
}) {
	prev := math.Inf(-1)
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 1} {
		v, ok := h.Quantile(q, Unknown)
		if !ok {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < prev {
			t.Fatalf("q %v: %v after %v (%+v)", q, v, prev, h)
		}
		prev = v
	}
}

// reader hands out the fuzzer's bytes, zeros once they run out.
type reader struct{ b []byte }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uint32() uint32 {
	var b [4]byte
	for i := range b {
		b[i] = r.byte()
	}
	return binary.LittleEndian.Uint32(b[:])
}

func (r *reader) counts() []uint64 {
	c := make([]uint64, r.byte()%6)
	for i := range c {
		c[i] = uint64(r.byte())
	}
	return c
}

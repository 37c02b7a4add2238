package histogram

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Explicit buckets: values worked by hand, rank q*total located and
// interpolated linearly.
func TestExplicitQuantileHandWorked(t *testing.T) {
	lat := Explicit{Bounds: []float64{0.1, 0.5, 1}, Counts: []float64{50, 40, 9, 1}}
	for _, c := range []struct {
		name string
		h    Explicit
		q    float64
		r    Range
		want float64
	}{
		{"median at the first bound", lat, 0.5, Unknown, 0.1},              // rank 50: the whole first bucket
		{"p90 at the second bound", lat, 0.9, Unknown, 0.5},                // rank 90
		{"p95 inside the third bucket", lat, 0.95, Unknown, 0.5 + 0.5*5/9}, // rank 95: 5 of 9 into (0.5, 1]
		{"p99.5 in the open top bucket", lat, 0.995, Unknown, 1},           // no max: its lower edge
		{"p99.5 with the interval's max", lat, 0.995, Range{math.NaN(), 3}, 1 + 2*0.5},
		{"first bucket starts at 0", Explicit{[]float64{1, 2, 4}, []float64{10, 0, 0, 0}}, 0.5, Unknown, 0.5},
		{"first bucket from the min", Explicit{[]float64{1, 2, 4}, []float64{10, 0, 0, 0}}, 0.5, Range{0.6, 0.95}, 0.8},
		{"inside one bucket", Explicit{[]float64{1, 2, 4}, []float64{0, 10, 0, 0}}, 0.99, Unknown, 1.99},
		{"empty buckets passed over", Explicit{[]float64{1, 2, 4}, []float64{0, 0, 4, 0}}, 0, Unknown, 2},
		{"non-positive first bound", Explicit{[]float64{-1, 0, 1}, []float64{5, 0, 0, 0}}, 0.5, Unknown, -1},
		{"clamped to the max", Explicit{[]float64{1, 2, 4}, []float64{0, 0, 10, 0}}, 0.9, Range{2.1, 2.5}, 2.5},
		{"one bucket with min and max", Explicit{nil, []float64{4}}, 0.25, Range{2, 6}, 3},
	} {
		got, ok := c.h.Quantile(c.q, c.r)
		require.True(t, ok, c.name)
		assert.InDelta(t, c.want, got, 1e-12, c.name)
	}
}

func TestExplicitQuantileMalformed(t *testing.T) {
	for name, h := range map[string]Explicit{
		"no observations":      {[]float64{1, 2}, []float64{0, 0, 0}},
		"counts and bounds":    {[]float64{1, 2}, []float64{1, 1}},
		"bounds not ascending": {[]float64{2, 1}, []float64{1, 1, 1}},
		"bound not finite":     {[]float64{1, math.Inf(1)}, []float64{1, 1, 1}},
		"NaN count":            {[]float64{1, 2}, []float64{1, math.NaN(), 1}},
		"negative count":       {[]float64{1, 2}, []float64{1, -2, 1}},
		"one bucket, no range": {nil, []float64{3}},
		"empty":                {},
	} {
		_, ok := h.Quantile(0.5, Unknown)
		assert.False(t, ok, name)
	}
	_, ok := Explicit{[]float64{1}, []float64{1, 1}}.Quantile(1.5, Unknown)
	assert.False(t, ok, "q outside [0, 1]")
}

// Exponential buckets: bucket i holds (base^i, base^(i+1)], base =
// 2^(2^-scale); the estimate is linear in log2 of the value within it.
func TestExponentialQuantileHandWorked(t *testing.T) {
	mixed := Exponential{
		Negative:  Side{Offset: 0, Counts: []float64{10}}, // [-2, -1)
		ZeroCount: 10,
		Positive:  Side{Offset: 0, Counts: []float64{10}}, // (1, 2]
	}
	for _, c := range []struct {
		name string
		h    Exponential
		q    float64
		want float64
	}{
		{"scale 0, middle of (2, 4]", Exponential{Positive: Side{0, []float64{0, 10}}}, 0.5, math.Pow(2, 1.5)},
		{"scale 1, quarter into (2, 2.83]", Exponential{Scale: 1, Positive: Side{2, []float64{4}}}, 0.25, math.Pow(2, 1.125)},
		{"scale -1, base 4", Exponential{Scale: -1, Positive: Side{1, []float64{2}}}, 0.5, 8}, // (4, 16]
		{"negative side, most negative first", Exponential{Negative: Side{0, []float64{0, 10}}}, 0.5, -math.Pow(2, 1.5)},
		{"negative side, q=0", Exponential{Negative: Side{0, []float64{0, 10}}}, 0, -4},
		{"negative side, q=1", Exponential{Negative: Side{0, []float64{0, 10}}}, 1, -2},
		{"mixed: zero bucket", mixed, 0.5, 0},
		{"mixed: negative", mixed, 0.25, -math.Pow(2, 0.25)},
		{"mixed: positive", mixed, 0.75, math.Pow(2, 0.25)},
		{"zero bucket with a threshold", Exponential{ZeroCount: 4, ZeroThreshold: 0.5}, 0.5, 0.25},
	} {
		got, ok := c.h.Quantile(c.q, Unknown)
		require.True(t, ok, c.name)
		assert.InDelta(t, c.want, got, 1e-12, c.name)
	}
	got, ok := Exponential{Positive: Side{0, []float64{0, 10}}}.Quantile(0.5, Range{2.1, 2.5})
	require.True(t, ok)
	assert.Equal(t, 2.5, got, "clamped to the interval's max")
}

func TestExponentialQuantileMalformed(t *testing.T) {
	for name, h := range map[string]Exponential{
		"no observations":   {Positive: Side{0, []float64{0}}},
		"scale too large":   {Scale: 21, Positive: Side{0, []float64{1}}},
		"scale too small":   {Scale: -11, Positive: Side{0, []float64{1}}},
		"negative count":    {Positive: Side{0, []float64{-1, 3}}},
		"infinite count":    {Positive: Side{0, []float64{math.Inf(1)}}},
		"NaN zero count":    {ZeroCount: math.NaN(), Positive: Side{0, []float64{1}}},
		"NaN zero width":    {ZeroThreshold: math.NaN(), ZeroCount: 1},
		"negative zero bin": {ZeroThreshold: -1, ZeroCount: 1},
	} {
		_, ok := h.Quantile(0.5, Unknown)
		assert.False(t, ok, name)
	}
}

// Property: estimates are finite, rise with q and stay within the populated
// buckets' edges, on random histograms of either layout.
func TestQuantileMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	qs := []float64{0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1}
	for trial := range 2000 {
		n := 1 + rng.IntN(12)
		e := Explicit{Counts: randomCounts(rng, n+1)}
		edge := rng.Float64()*10 - 5
		for range n {
			edge += 0.01 + rng.Float64()*3
			e.Bounds = append(e.Bounds, edge)
		}
		x := Exponential{
			Scale:     int32(rng.IntN(8) - 2),
			ZeroCount: float64(rng.IntN(3)),
			Positive:  Side{int32(rng.IntN(20) - 10), randomCounts(rng, rng.IntN(8))},
			Negative:  Side{int32(rng.IntN(20) - 10), randomCounts(rng, rng.IntN(8))},
		}
		for _, h := range []interface {
			Quantile(float64, Range) (float64, bool)
		}{e, x} {
			prev := math.Inf(-1)
			for _, q := range qs {
				v, ok := h.Quantile(q, Unknown)
				if !ok {
					break // no observations: every q alike
				}
				require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "trial %d q %v: %v", trial, q, v)
				require.GreaterOrEqual(t, v, prev, "trial %d q %v: %+v", trial, q, h)
				prev = v
			}
		}
	}
}

func randomCounts(rng *rand.Rand, n int) []float64 {
	c := make([]float64, n)
	for i := range c {
		if rng.IntN(3) > 0 {
			c[i] = float64(rng.IntN(50))
		}
	}
	return c
}

func BenchmarkExplicitQuantile(b *testing.B) {
	h := Explicit{
		Bounds: []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10},
		Counts: []float64{3, 10, 40, 90, 60, 30, 20, 8, 3, 1, 1, 0, 0, 0, 0},
	}
	for b.Loop() {
		_, _ = h.Quantile(0.99, Unknown)
	}
}

func TestValidLayout(t *testing.T) {
	assert.True(t, ValidLayout(nil, 0), "no buckets: count and sum only")
	assert.True(t, ValidLayout([]float64{1, 2}, 0))
	assert.True(t, ValidLayout([]float64{1, 2}, 3))
	assert.True(t, ValidLayout(nil, 1), "one bucket, no bounds")
	assert.False(t, ValidLayout([]float64{1, 2}, 2))
	assert.False(t, ValidLayout([]float64{2, 2}, 3), "bounds must rise")
	assert.False(t, ValidLayout([]float64{1, math.NaN()}, 3))
	assert.True(t, ValidExponential(MinScale, 0))
	assert.True(t, ValidExponential(MaxScale, 1e-9))
	assert.False(t, ValidExponential(MaxScale+1, 0))
	assert.False(t, ValidExponential(0, -1))
	assert.False(t, ValidExponential(0, math.Inf(1)))
	assert.False(t, ValidExponential(0, math.NaN()))
}

package histogram // import "github.com/otelcol-aiops/otelcol-aiops/internal/histogram"

import "math"

// Explicit is one interval's observations in explicit-bounds buckets:
// len(Counts) == len(Bounds)+1, Bounds ascending.
type Explicit struct {
	Bounds []float64
	Counts []float64
}

// Exponential is one interval's observations in exponential buckets.
type Exponential struct {
	Scale         int32
	ZeroCount     float64
	ZeroThreshold float64
	Positive      Side
	Negative      Side
}

// Side is one sign's buckets of an exponential histogram: Counts[k] holds
// the magnitudes in (base^(Offset+k), base^(Offset+k+1)].
type Side struct {
	Offset int32
	Counts []float64
}

// Range is what is known of the smallest and largest observation of the
// interval; NaN where unknown.
type Range struct{ Min, Max float64 }

// Unknown is a Range that knows nothing.
var Unknown = Range{Min: math.NaN(), Max: math.NaN()}

// MinScale and MaxScale bound an exponential histogram's scale (OTLP's
// range).
const (
	MinScale = -10
	MaxScale = 20
)

// Quantile estimates the q-quantile (q in [0, 1]) of the observations. ok
// is false when there is none, the layout is malformed (counts not one more
// than the bounds, bounds not ascending or not finite, a count negative or
// not finite), or the only bucket has no edge to interpolate from.
func (e Explicit) Quantile(q float64, r Range) (v float64, ok bool) {
	n := len(e.Counts)
	if n == 0 || !ValidLayout(e.Bounds, n) || !(q >= 0 && q <= 1) {
		return 0, false
	}
	total, ok := sum(e.Counts)
	if !ok || !(total > 0) || math.IsInf(total, 0) {
		return 0, false
	}
	i, f := locate(e.Counts, q*total, false)
	var lo, hi float64
	switch {
	case i > 0:
		lo = e.Bounds[i-1]
	case !math.IsNaN(r.Min):
		lo = r.Min
	case n > 1 && e.Bounds[0] > 0:
		lo = 0 // durations and sizes start at 0
	case n > 1:
		return e.Bounds[0], true
	default:
		return 0, false
	}
	switch {
	case i < n-1:
		hi = e.Bounds[i]
	case !math.IsNaN(r.Max):
		hi = r.Max
	case i > 0:
		return r.clamp(lo), true // beyond the last bound: its lower edge
	default:
		return 0, false
	}
	if hi < lo { // min or max inconsistent with the buckets
		hi = lo
	}
	return r.clamp(lo + (hi-lo)*f), true
}

// ValidLayout reports whether explicit bounds and a bucket count make a
// histogram: finite ascending bounds and one bucket more than bounds, or no
// buckets at all (a point that carries only its count and sum).
func ValidLayout(bounds []float64, buckets int) bool {
	if buckets != 0 && buckets != len(bounds)+1 {
		return false
	}
	for i, b := range bounds {
		if math.IsNaN(b) || math.IsInf(b, 0) || (i > 0 && b <= bounds[i-1]) {
			return false
		}
	}
	return true
}

// ValidExponential reports whether an exponential histogram's scale and
// zero threshold are in range.
func ValidExponential(scale int32, zeroThreshold float64) bool {
	return scale >= MinScale && scale <= MaxScale && zeroThreshold >= 0 && !math.IsInf(zeroThreshold, 0)
}

// Quantile estimates the q-quantile (q in [0, 1]) of the observations,
// ok=false when there is none or the histogram is malformed (scale out of
// range, a count negative or not finite, a negative zero threshold, a
// bucket beyond float64's range).
func (e Exponential) Quantile(q float64, r Range) (v float64, ok bool) {
	if !ValidExponential(e.Scale, e.ZeroThreshold) || !(q >= 0 && q <= 1) || !(e.ZeroCount >= 0) {
		return 0, false
	}
	neg, ok1 := sum(e.Negative.Counts)
	pos, ok2 := sum(e.Positive.Counts)
	total := neg + e.ZeroCount + pos
	if !ok1 || !ok2 || !(total > 0) || math.IsInf(total, 0) {
		return 0, false
	}
	rank := q * total
	width := math.Exp2(-float64(e.Scale)) // of a bucket, in log2 of the value
	switch {
	case neg > 0 && rank <= neg:
		// Most negative first: walk the negative side from its top index.
		k, f := locate(e.Negative.Counts, rank, true)
		v = -math.Exp2((float64(e.Negative.Offset) + float64(k) + 1 - f) * width)
	case rank <= neg+e.ZeroCount && e.ZeroCount > 0:
		lo := 0.0
		if neg > 0 {
			lo = -e.ZeroThreshold
		}
		v = lo + (e.ZeroThreshold-lo)*(rank-neg)/e.ZeroCount
	case pos > 0:
		k, f := locate(e.Positive.Counts, rank-neg-e.ZeroCount, false)
		v = math.Exp2((float64(e.Positive.Offset) + float64(k) + f) * width)
	default: // rounding put the rank past the last populated bucket
		v = e.ZeroThreshold
	}
	if math.IsNaN(v) || math.IsInf(v, 0) { // an offset beyond float64's range
		return 0, false
	}
	return r.clamp(v), true
}

// sum is the total of counts, ok=false if one is negative or not finite.
func sum(counts []float64) (float64, bool) {
	t := 0.0
	for _, c := range counts {
		if !(c >= 0) || math.IsInf(c, 0) {
			return 0, false
		}
		t += c
	}
	return t, true
}

// locate returns the first bucket whose cumulative count reaches rank (a
// bucket holding observations: empty ones are passed over), walking from the
// last bucket to the first if down, and rank's position within it in
// [0, 1]. counts must hold at least rank in all.
func locate(counts []float64, rank float64, down bool) (int, float64) {
	cum, last := 0.0, 0
	for j := range counts {
		i := j
		if down {
			i = len(counts) - 1 - j
		}
		c := counts[i]
		if c == 0 {
			continue
		}
		last = i
		if cum+c >= rank {
			return i, clamp01((rank - cum) / c)
		}
		cum += c
	}
	return last, 1 // rounding: the last populated bucket's far edge
}

func clamp01(f float64) float64 { return min(max(f, 0), 1) }

// clamp bounds v by the known minimum and maximum.
func (r Range) clamp(v float64) float64 {
	if v < r.Min { // false for NaN
		v = r.Min
	}
	if v > r.Max {
		v = r.Max
	}
	return v
}

package histogram // import "github.com/otelcol-aiops/otelcol-aiops/internal/histogram"

import "math"

// Cumulative is an exponential histogram point of a cumulative stream, as
// OTLP carries it.
type Cumulative struct {
	Scale         int32
	ZeroCount     uint64
	ZeroThreshold float64
	Positive      CumulativeSide
	Negative      CumulativeSide
}

// CumulativeSide is one sign's cumulative bucket counts from Offset.
type CumulativeSide struct {
	Offset int32
	Counts []uint64
}

// Tracker holds the previous point of one cumulative histogram stream (8
// bytes per bucket plus a few words), to turn the next point into the
// counts of the interval between them. The zero Tracker has seen nothing.
type Tracker struct {
	layout   uint64 // hash of the explicit bounds (explicit kind only)
	scale    int32
	zero     uint64
	pos, neg CumulativeSide // an explicit point's counts are held in pos
	kind     uint8          // kindNone, kindExplicit or kindExponential
}

const (
	kindNone uint8 = iota
	kindExplicit
	kindExponential
)

// Reset forgets the previous point: the next one only re-bases.
func (t *Tracker) Reset() { t.kind = kindNone }

// Explicit records the cumulative counts of an explicit-bounds point and
// reports whether out now holds the interval since the previous point (its
// Counts reuse out's capacity; Bounds is bounds). It is false on the first
// point, after a change of bounds and when a count decreased (a restart):
// the point only re-bases the stream.
func (t *Tracker) Explicit(bounds []float64, counts []uint64, out *Explicit) bool {
	h := boundsHash(bounds)
	ok := t.kind == kindExplicit && t.layout == h && len(counts) == len(t.pos.Counts)
	if ok {
		out.Bounds = bounds
		out.Counts = out.Counts[:0]
		for i, c := range counts {
			if c < t.pos.Counts[i] {
				ok = false
				break
			}
			out.Counts = append(out.Counts, float64(c-t.pos.Counts[i]))
		}
	}
	t.kind, t.layout = kindExplicit, h
	t.pos.Counts = append(t.pos.Counts[:0], counts...)
	t.neg.Counts = t.neg.Counts[:0]
	return ok
}

// Exponential records a cumulative exponential point and reports whether
// out now holds the interval since the previous point, at the lower of the
// two points' scales (an SDK lowers the scale, merging buckets, as the
// range grows). False on the first point, for a scale outside
// [MinScale, MaxScale], and when a count decreased (a restart).
func (t *Tracker) Exponential(cur Cumulative, out *Exponential) bool {
	if cur.Scale < MinScale || cur.Scale > MaxScale {
		t.kind = kindNone
		return false
	}
	ok := t.kind == kindExponential && cur.ZeroCount >= t.zero
	if ok {
		s := min(t.scale, cur.Scale)
		out.Scale, out.ZeroThreshold = s, cur.ZeroThreshold
		out.ZeroCount = float64(cur.ZeroCount - t.zero)
		ok = difference(&out.Positive, cur.Positive, cur.Scale-s, t.pos, t.scale-s) &&
			difference(&out.Negative, cur.Negative, cur.Scale-s, t.neg, t.scale-s)
	}
	t.kind, t.scale, t.zero = kindExponential, cur.Scale, cur.ZeroCount
	t.pos.Offset, t.pos.Counts = cur.Positive.Offset, append(t.pos.Counts[:0], cur.Positive.Counts...)
	t.neg.Offset, t.neg.Counts = cur.Negative.Offset, append(t.neg.Counts[:0], cur.Negative.Counts...)
	return ok
}

// difference writes cur - prev into out, each side first merged down by its
// shift in scale (a bucket index i becomes i >> shift: floor division, also
// for negative indexes). False if prev holds counts that cur does not.
func difference(out *Side, cur CumulativeSide, curShift int32, prev CumulativeSide, prevShift int32) bool {
	out.Counts = out.Counts[:0]
	if len(cur.Counts) == 0 {
		out.Offset = 0
		for _, c := range prev.Counts {
			if c > 0 {
				return false
			}
		}
		return true
	}
	// int64: an offset near the int32 limits plus the bucket count must not wrap.
	lo := int64(cur.Offset) >> curShift
	hi := (int64(cur.Offset) + int64(len(cur.Counts)) - 1) >> curShift
	for range hi - lo + 1 {
		out.Counts = append(out.Counts, 0)
	}
	out.Offset = int32(lo)
	for k, c := range cur.Counts {
		out.Counts[(int64(cur.Offset)+int64(k))>>curShift-lo] += float64(c)
	}
	for k, c := range prev.Counts {
		if c == 0 {
			continue
		}
		i := (int64(prev.Offset)+int64(k))>>prevShift - lo
		if i < 0 || i >= int64(len(out.Counts)) || out.Counts[i] < float64(c) {
			return false
		}
		out.Counts[i] -= float64(c)
	}
	return true
}

// boundsHash is FNV-1a over the bounds' bits: a change of layout between
// two points of a stream must not be differenced bucket by bucket.
func boundsHash(bounds []float64) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range bounds {
		x := math.Float64bits(b)
		for range 8 {
			h ^= x & 0xff
			h *= 1099511628211
			x >>= 8
		}
	}
	return h
}

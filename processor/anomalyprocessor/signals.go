package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/internal/histogram"
)

// rejection reasons, also the values of the self-telemetry attribute.
const (
	reasonNotFinite       = "not_finite"
	reasonOutOfRange      = "out_of_range"
	reasonOutOfOrder      = "out_of_order"
	reasonCounterReset    = "counter_reset"
	reasonNegativeCounter = "negative_counter"
	reasonEmpty           = "empty"
	reasonTooManyBuckets  = "too_many_buckets"
	reasonBadBuckets      = "bad_buckets"
)

// Signal names: the value of the anomaly.signal attribute on companion
// points of derived signals. Gauges and non-monotonic sums are scored as
// they are and carry no anomaly.signal attribute.
const (
	signalValue     = ""
	signalRate      = "rate"
	signalMean      = "mean"
	signalCountRate = "count_rate"
	signalQuantile  = "quantile"
)

// sample is a value to judge and its resolution: for signals that count
// events (counter rates of integer counters, histogram count rates) step
// is the value of one event over the point's interval, the finest
// difference the signal can show; 0 when unknown.
type sample struct {
	v, step float64
	// dt is the interval a rate counts over, in seconds (0: not a rate).
	dt float64
}

// perEvent is the resolution of a count over dt > 0 seconds: one event.
func perEvent(dt float64) float64 { return 1 / dt }

func numberValue(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}

// seconds between two Unix-ns timestamps.
func seconds(from, to int64) float64 { return float64(to-from) / 1e9 }

// counterRate turns a monotonic sum point into a per-second rate. Cumulative
// points are differenced against the previous one; a decrease or a new start
// time is a reset, which re-bases the series without scoring (the first
// interval after a restart has no rate). Delta points are divided by their
// interval (deltaSeconds). An integral counter counts events: its rate's
// step is one event per interval. ok=false with an empty reason means
// "nothing to score yet".
func counterRate(s *series, v float64, ts, start int64, cumulative, integral bool) (out sample, reason string, ok bool) {
	if v < 0 {
		return out, reasonNegativeCounter, false
	}
	step := func(dt float64) float64 {
		if integral {
			return perEvent(dt)
		}
		return 0
	}
	if !cumulative {
		dt, reason, ok := deltaSeconds(s, ts, start)
		if !ok {
			return out, reason, false
		}
		return sample{v / dt, step(dt), dt}, "", true
	}
	if !s.hasPrev {
		s.prevA, s.prevTs, s.prevStart, s.hasPrev = v, ts, start, true
		return out, "", false
	}
	if ts <= s.prevTs {
		return out, reasonOutOfOrder, false
	}
	if v < s.prevA || (start != 0 && start != s.prevStart) {
		s.prevA, s.prevTs, s.prevStart = v, ts, start
		return out, reasonCounterReset, false
	}
	dt := seconds(s.prevTs, ts)
	out = sample{(v - s.prevA) / dt, step(dt), dt}
	s.prevA, s.prevTs = v, ts
	return out, "", true
}

// deltaSeconds returns the interval a delta point counts over: the longer
// of its own (from its start time) and the time since the series' previous
// point. A stream that exports every interval has the two equal. One that
// skips intervals without events (as SDKs do for delta series) then scores
// like its cumulative equivalent differenced point to point: one error an
// hour reads as one an hour, not as one per export interval. And producers
// that stamp a batch rather than an interval are read sanely: the count
// connector stamps its first and last record's times, a span shorter than
// the batch's and, for one record or records without timestamps, a single
// instant. The previous point is one seen since the processor started
// (series.deltaTs). ok=false: no interval (the series' first point, stamped
// with a single instant: nothing to score yet) or a point not after the
// previous one (reasonOutOfOrder).
func deltaSeconds(s *series, ts, start int64) (dt float64, reason string, ok bool) {
	prev := s.deltaTs
	if prev != 0 && ts <= prev {
		return 0, reasonOutOfOrder, false
	}
	s.deltaTs = ts
	from := ts
	if start > 0 && start < from {
		from = start
	}
	if prev != 0 && prev < from {
		from = prev
	}
	if from == ts {
		return 0, "", false
	}
	return seconds(from, ts), "", true
}

// histogramSignal returns the mean (signalMean) or the count rate
// (signalCountRate) of the observations in the interval of a histogram
// point, given its count and sum.
func histogramSignal(s *series, signal string, count, sum float64, ts, start int64, cumulative bool) (sample, string, bool) {
	if count < 0 || math.IsNaN(sum) {
		return sample{}, reasonNotFinite, false
	}
	dCount, dSum, dt := count, sum, 0.0
	switch {
	case cumulative:
		if !s.hasPrev {
			s.prevA, s.prevB, s.prevTs, s.prevStart, s.hasPrev = sum, count, ts, start, true
			return sample{}, "", false
		}
		if ts <= s.prevTs {
			return sample{}, reasonOutOfOrder, false
		}
		if count < s.prevB || (start != 0 && start != s.prevStart) {
			s.prevA, s.prevB, s.prevTs, s.prevStart = sum, count, ts, start
			return sample{}, reasonCounterReset, false
		}
		dCount, dSum, dt = count-s.prevB, sum-s.prevA, seconds(s.prevTs, ts)
		s.prevA, s.prevB, s.prevTs = sum, count, ts
	case signal == signalCountRate:
		var reason string
		var ok bool
		if dt, reason, ok = deltaSeconds(s, ts, start); !ok {
			return sample{}, reason, false
		}
	}
	if signal == signalCountRate {
		return sample{dCount / dt, perEvent(dt), dt}, "", true
	}
	if dCount == 0 {
		return sample{}, "", false // no observations: no mean to judge
	}
	return sample{v: dSum / dCount}, "", true
}

// maxQuantileBuckets bounds the buckets of a histogram point whose quantiles
// are estimated: a cumulative stream keeps its previous counts, 8 bytes per
// bucket (SDKs' exponential histograms hold at most 160 per sign).
const maxQuantileBuckets = 1024

// buckets holds the interval's bucket counts of the histogram point being
// scored, for its quantile signals; its slices are scratch reused from point
// to point.
type buckets struct {
	explicit histogram.Explicit
	exp      histogram.Exponential
	isExp    bool
	r        histogram.Range
	// cumulative counts read from the point, for the tracker
	bounds           []float64
	counts, pos, neg []uint64
}

// quantile estimates the q-quantile of the interval's observations.
func (q *buckets) quantile(v float64) (float64, bool) {
	if q.isExp {
		return q.exp.Quantile(v, q.r)
	}
	return q.explicit.Quantile(v, q.r)
}

// rangeOf is the interval's known extremes: those of a delta point (a
// cumulative point's span its whole stream, not the interval).
func rangeOf(tr *histogram.Tracker, hasMin bool, lo float64, hasMax bool, hi float64) histogram.Range {
	r := histogram.Unknown
	if tr == nil && hasMin {
		r.Min = lo
	}
	if tr == nil && hasMax {
		r.Max = hi
	}
	return r
}

// loadExplicit reads an explicit-bounds point into q: as it is for a delta
// point (tr nil), else differenced by the stream's tracker. ok is false
// when the interval has no counts to estimate from; malformed when the
// point's bounds and buckets make no histogram (the tracker then forgets
// the stream's previous point).
func (q *buckets) loadExplicit(dp pmetric.HistogramDataPoint, tr *histogram.Tracker) (ok, malformed bool) {
	q.isExp = false
	q.r = rangeOf(tr, dp.HasMin(), dp.Min(), dp.HasMax(), dp.Max())
	q.bounds = appendFloats(q.bounds[:0], dp.ExplicitBounds())
	bc := dp.BucketCounts()
	if !histogram.ValidLayout(q.bounds, bc.Len()) {
		return false, true
	}
	if tr == nil {
		q.explicit.Bounds = q.bounds
		q.explicit.Counts = appendCounts(q.explicit.Counts[:0], bc)
		return true, false
	}
	q.counts = appendUints(q.counts[:0], bc)
	return tr.Explicit(q.bounds, q.counts, &q.explicit), false
}

// loadExponential is loadExplicit for an exponential point.
func (q *buckets) loadExponential(dp pmetric.ExponentialHistogramDataPoint, tr *histogram.Tracker) (ok, malformed bool) {
	q.isExp = true
	q.r = rangeOf(tr, dp.HasMin(), dp.Min(), dp.HasMax(), dp.Max())
	if !histogram.ValidExponential(dp.Scale(), dp.ZeroThreshold()) {
		return false, true
	}
	pos, neg := dp.Positive(), dp.Negative()
	if tr == nil {
		q.exp.Scale, q.exp.ZeroCount, q.exp.ZeroThreshold = dp.Scale(), float64(dp.ZeroCount()), dp.ZeroThreshold()
		q.exp.Positive = histogram.Side{Offset: pos.Offset(), Counts: appendCounts(q.exp.Positive.Counts[:0], pos.BucketCounts())}
		q.exp.Negative = histogram.Side{Offset: neg.Offset(), Counts: appendCounts(q.exp.Negative.Counts[:0], neg.BucketCounts())}
		return true, false
	}
	q.pos, q.neg = appendUints(q.pos[:0], pos.BucketCounts()), appendUints(q.neg[:0], neg.BucketCounts())
	return tr.Exponential(histogram.Cumulative{
		Scale: dp.Scale(), ZeroCount: dp.ZeroCount(), ZeroThreshold: dp.ZeroThreshold(),
		Positive: histogram.CumulativeSide{Offset: pos.Offset(), Counts: q.pos},
		Negative: histogram.CumulativeSide{Offset: neg.Offset(), Counts: q.neg},
	}, &q.exp), false
}

// appendFloats, appendUints and appendCounts copy a pdata slice without
// the allocation of AsRaw (appendCounts converting counts to float64).
func appendFloats(dst []float64, s pcommon.Float64Slice) []float64 {
	for i := range s.Len() {
		dst = append(dst, s.At(i))
	}
	return dst
}

func appendUints(dst []uint64, s pcommon.UInt64Slice) []uint64 {
	for i := range s.Len() {
		dst = append(dst, s.At(i))
	}
	return dst
}

func appendCounts(dst []float64, s pcommon.UInt64Slice) []float64 {
	for i := range s.Len() {
		dst = append(dst, float64(s.At(i)))
	}
	return dst
}

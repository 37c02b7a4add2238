package anomalyprocessor

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadatatest"
)

var latencyBounds = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

func explicitPoint(ts, start time.Time, counts []uint64, temporality pmetric.AggregationTemporality) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("http.server.request.duration")
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(temporality)
	dp := h.DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	dp.ExplicitBounds().FromRaw(latencyBounds)
	dp.BucketCounts().FromRaw(counts)
	var n uint64
	for _, c := range counts {
		n += c
	}
	dp.SetCount(n)
	dp.SetSum(0.04 * float64(n))
	dp.Attributes().PutStr("http.route", "/checkout")
	return md
}

// exponentialPoint is one cumulative exponential histogram point of
// rpc.duration with positive buckets only.
func exponentialPoint(ts, start time.Time, scale, offset int32, counts []uint64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("rpc.duration")
	h := m.SetEmptyExponentialHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp := h.DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	dp.Attributes().PutStr("http.route", "/checkout")
	dp.SetScale(scale)
	dp.Positive().SetOffset(offset)
	dp.Positive().BucketCounts().FromRaw(counts)
	var n uint64
	for _, c := range counts {
		n += c
	}
	dp.SetCount(n)
	dp.SetSum(float64(n))
	return md
}

// quantilePoints returns the score and decision companions of the quantile
// signal q in md; the decision is 0 where none was written (a normal
// series' point: emit_inactive is off).
func quantilePoints(t *testing.T, md pmetric.Metrics, q float64) (score, active pmetric.NumberDataPoint, found bool) {
	pick := func(name string) (pmetric.NumberDataPoint, bool) {
		m, ok := findMetric(md, name)
		if !ok {
			return pmetric.NumberDataPoint{}, false
		}
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			a := dps.At(i).Attributes()
			sig, _ := a.Get(attrSignal)
			qv, ok := a.Get(attrQuantile)
			if sig.Str() == signalQuantile && ok && qv.Double() == q {
				route, _ := a.Get("http.route")
				assert.Equal(t, "/checkout", route.Str(), "source attributes carried")
				return dps.At(i), true
			}
		}
		return pmetric.NumberDataPoint{}, false
	}
	score, found = pick(metricScore)
	active, written := pick(metricActive)
	if !written {
		active = pmetric.NewNumberDataPoint()
	}
	require.True(t, found || !written, "a decision without a score")
	return score, active, found
}

// A tail-latency regression: 3% of requests go from ~40 ms to ~1.5 s. The
// mean moves by about its own noise, the estimated p99 by two orders of
// magnitude; with histogram_quantiles the p99 signal decides it.
func TestHistogramQuantileTailRegression(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) { c.HistogramQuantiles = []float64{0.5, 0.99} })
	rng := rand.New(rand.NewPCG(7, 7))
	t0 := time.Unix(1700000000, 0)
	cum := make([]uint64, len(latencyBounds)+1)
	var fired, firedBefore bool
	for i := range 400 {
		n := 900 + rng.IntN(200)
		slow := 0
		if i >= 300 {
			slow = n * 3 / 100
		}
		// ~60% in (25, 50] ms, ~39% in (10, 25] ms, a few faster or slower
		// by chance, and the slow ones in (1, 2.5] s.
		fast := n - slow
		cum[1] += uint64(fast * 39 / 100)
		cum[2] += uint64(fast*60/100) + uint64(rng.IntN(5))
		cum[3] += uint64(rng.IntN(4))
		cum[0] += uint64(rng.IntN(3))
		cum[7] += uint64(slow)
		require.NoError(t, p.ConsumeMetrics(context.Background(),
			explicitPoint(t0.Add(time.Duration(i)*time.Minute), t0, cum, pmetric.AggregationTemporalityCumulative)))
		md := sink.AllMetrics()[i]
		_, _, found := quantilePoints(t, md, 0.99)
		if i == 0 {
			assert.False(t, found, "the first cumulative point only re-bases")
			continue
		}
		require.True(t, found, "point %d", i)
		_, active, _ := quantilePoints(t, md, 0.99)
		switch {
		case i < 300 && active.IntValue() == 1:
			firedBefore = true
		case i >= 300 && i < 310 && active.IntValue() == 1:
			fired = true
		}
		_, _, found = quantilePoints(t, md, 0.5)
		assert.True(t, found, "p50 estimated too")
	}
	assert.False(t, firedBefore, "no decision on the p99 before the regression")
	assert.True(t, fired, "the p99 decides the tail regression within 10 points")
	// One p50 and one p99 series, beside mean and count rate.
	assert.Equal(t, 4, p.seriesCount())
}

// The estimate itself, on a delta point worked by hand: 100 observations,
// 50 in (10, 25] ms and 50 in (25, 50] ms; the median is the 50th, at the
// top of (10, 25]; the p99 is 49/50 into (25, 50] ms, clamped to the max.
func TestHistogramQuantileDeltaValue(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) {
		c.HistogramQuantiles = []float64{0.5, 0.99}
		c.EmitBands = true
	})
	t0 := time.Unix(1700000000, 0)
	for i := range 120 {
		counts := []uint64{0, 50, 50, 0, 0, 0, 0, 0, 0, 0}
		md := explicitPoint(t0.Add(time.Duration(i+1)*time.Minute), t0.Add(time.Duration(i)*time.Minute), counts, pmetric.AggregationTemporalityDelta)
		dp := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0)
		dp.SetMax(0.045)
		require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	}
	// Warm-up over, the band is centred on the (constant) estimate.
	last := sink.AllMetrics()[119]
	expected := func(q float64) float64 {
		m, ok := findMetric(last, metricExpected)
		require.True(t, ok)
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			if v, ok := dps.At(i).Attributes().Get(attrQuantile); ok && v.Double() == q {
				return dps.At(i).DoubleValue()
			}
		}
		t.Fatalf("no quantile %v", q)
		return 0
	}
	assert.InDelta(t, 0.025, expected(0.5), 1e-9)
	assert.InDelta(t, 0.045, expected(0.99), 1e-9, "0.025 + 0.025*49/50 = 0.0495, clamped to the max 0.045")
}

// Exponential histograms: the p90 of a cumulative stream whose SDK lowered
// the scale between points is estimated from the merged difference.
func TestHistogramQuantileExponentialRescale(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) { c.HistogramQuantiles = []float64{0.9} })
	t0 := time.Unix(1700000000, 0)
	point := func(i int, scale int32, offset int32, counts ...uint64) pmetric.Metrics {
		return exponentialPoint(t0.Add(time.Duration(i)*time.Minute), t0, scale, offset, counts)
	}
	ctx := context.Background()
	require.NoError(t, p.ConsumeMetrics(ctx, point(0, 1, 2, 3, 5)))        // indexes 2, 3 at scale 1
	require.NoError(t, p.ConsumeMetrics(ctx, point(1, 0, 1, 8, 10)))       // scale 0: (2, 4] holds 8 = 3+5, (4, 8] 10 new
	require.NoError(t, p.ConsumeMetrics(ctx, point(2, 0, 1, 8, 10)))       // an interval without observations
	require.NoError(t, p.ConsumeMetrics(ctx, point(3, 0, 1, 8, 10, 0, 1))) // one in (16, 32]
	_, _, found := quantilePoints(t, sink.AllMetrics()[0], 0.9)
	assert.False(t, found)
	_, _, found = quantilePoints(t, sink.AllMetrics()[2], 0.9)
	assert.False(t, found, "no observations: nothing to estimate")
	for _, i := range []int{1, 3} {
		score, _, found := quantilePoints(t, sink.AllMetrics()[i], 0.9)
		assert.True(t, found, "point %d", i)
		assert.Equal(t, 0.0, score.DoubleValue(), "warming up")
	}
	assert.Equal(t, 3, p.seriesCount(), "mean, count rate, p90")
}

// Points whose buckets cannot give quantiles are passed on and counted,
// their mean and count rate still scored: more buckets than a stream may
// keep, bounds and buckets that make no histogram, a scale out of range.
func TestHistogramQuantileRejectedBuckets(t *testing.T) {
	explicit := func(bounds []float64, counts []uint64) pmetric.Metrics {
		md := explicitPoint(time.Unix(2, 0), time.Unix(1, 0), counts, pmetric.AggregationTemporalityDelta)
		md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0).ExplicitBounds().FromRaw(bounds)
		return md
	}
	exponential := func(scale int32, buckets int) pmetric.Metrics {
		return exponentialPoint(time.Unix(2, 0), time.Unix(1, 0), scale, 0, make([]uint64, buckets))
	}
	for _, c := range []struct {
		name, reason string
		md           pmetric.Metrics
	}{
		{"too many buckets", reasonTooManyBuckets, exponential(0, maxQuantileBuckets+1)},
		{"scale out of range", reasonBadBuckets, exponential(21, 4)},
		{"one bucket too few", reasonBadBuckets, explicit([]float64{0.1, 0.5}, []uint64{1, 2})},
		{"bounds not ascending", reasonBadBuckets, explicit([]float64{0.5, 0.1}, []uint64{1, 2, 3})},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.HistogramQuantiles = []float64{0.99}
			p, _, tel := newObservedProcessor(t, cfg, component.NewID(metadata.Type))
			require.NoError(t, p.ConsumeMetrics(context.Background(), c.md))
			metadatatest.AssertEqualAnomalyPointsRejected(t, tel, []metricdata.DataPoint[int64]{
				{Attributes: attribute.NewSet(attribute.String("reason", c.reason)), Value: 1},
			}, metricdatatest.IgnoreTimestamp())
			assert.Equal(t, 2, p.seriesCount(), "mean and count rate")
		})
	}
}

// BenchmarkConsumeHistogramQuantiles measures cumulative span_metrics-like
// histograms (11 buckets) on 1,000-point batches over 10,000 streams, each
// point scored as mean, count rate and two quantiles (p50, p99).
func BenchmarkConsumeHistogramQuantiles(b *testing.B) {
	p, _ := newTestProcessor(b, func(c *Config) { c.HistogramQuantiles = []float64{0.5, 0.99} })
	p.next = consumertest.NewNop()
	const streams, batch = 10000, 1000
	rng := rand.New(rand.NewPCG(1, 2))
	cum := make([][]uint64, streams)
	for i := range cum {
		cum[i] = make([]uint64, len(latencyBounds)+1)
	}
	t0 := time.Unix(1700000000, 0)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		first := n % (streams / batch) * batch
		ts := pcommon.NewTimestampFromTime(t0.Add(time.Duration(n/(streams/batch)+1) * time.Minute))
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("traces.span.metrics.duration")
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for j := range batch {
			c := cum[first+j]
			for k := 1; k < 5; k++ {
				c[k] += uint64(rng.IntN(20))
			}
			dp := h.DataPoints().AppendEmpty()
			dp.Attributes().PutInt("span.id", int64(first+j))
			dp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
			dp.SetTimestamp(ts)
			dp.ExplicitBounds().FromRaw(latencyBounds)
			dp.BucketCounts().FromRaw(c)
			dp.SetCount(c[1] + c[2] + c[3] + c[4])
			dp.SetSum(float64(dp.Count()) * 0.05)
		}
		b.StartTimer()
		_ = p.ConsumeMetrics(context.Background(), md)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "points/s")
}

// ownAttrs sizes the score companion's attribute map: it must count exactly
// the attributes of ours that each signal's companions carry (too few makes
// the map grow, too many costs every point the difference).
func TestOwnAttrsCountsCompanionAttributes(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) { c.HistogramQuantiles = []float64{0.5, 0.99} })
	ts := time.Unix(1700000000, 0)
	for _, md := range []pmetric.Metrics{
		explicitPoint(ts, ts.Add(-time.Minute), []uint64{1, 2, 3, 4, 5, 4, 3, 2, 1, 0}, pmetric.AggregationTemporalityDelta),
		gauge("system.cpu.utilization", ts, 0.5, "h1"),
	} {
		require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	}

	seen := map[string]int{}
	for _, out := range sink.AllMetrics() {
		m, ok := findMetric(out, metricScore)
		require.True(t, ok)
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			attrs := dps.At(i).Attributes()
			signal := signalValue
			if v, ok := attrs.Get(attrSignal); ok {
				signal = v.Str()
			}
			ours := 0
			for k := range attrs.All() {
				if strings.HasPrefix(k, ownPrefix) {
					ours++
				}
			}
			assert.Equal(t, ours, ownAttrs(signal), "signal %q: %v", signal, attrs.AsRaw())
			seen[signal]++
		}
	}
	assert.Equal(t, map[string]int{signalValue: 1, signalMean: 1, signalCountRate: 1, signalQuantile: 2}, seen)
}

package anomalyprocessor

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
)

func newTestProcessor(t testing.TB, mut func(*Config)) (*anomalyProcessor, *consumertest.MetricsSink) {
	cfg := createDefaultConfig().(*Config)
	if mut != nil {
		mut(cfg)
	}
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.MetricsSink)
	p, err := newProcessor(cfg, processortest.NewNopSettings(metadata.Type), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p, sink
}

// onlySeries returns the one series the processor holds.
func onlySeries(t testing.TB, p *anomalyProcessor) *series {
	require.Equal(t, 1, p.seriesCount())
	for i := range p.shards {
		if s := p.shards[i].table.head; s != nil {
			return s
		}
	}
	return nil
}

// newObservedProcessor creates (does not start) a processor with ID id whose
// self-telemetry the returned Telemetry records.
func newObservedProcessor(t testing.TB, cfg *Config, id component.ID) (*anomalyProcessor, *consumertest.MetricsSink, *componenttest.Telemetry) {
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.ID = id
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink := new(consumertest.MetricsSink)
	p, err := newProcessor(cfg, set, sink)
	require.NoError(t, err)
	return p, sink, tel
}

func gauge(name string, ts time.Time, v float64, host string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("host.name", host)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.SetDoubleValue(v)
	dp.Attributes().PutStr("cpu", "0")
	return md
}

func findMetric(md pmetric.Metrics, name string) (pmetric.Metric, bool) {
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		if ms.At(i).Name() == name {
			return ms.At(i), true
		}
	}
	return pmetric.Metric{}, false
}

// episodeValue is point i of a quantised gauge with a lone spike at 300 and
// a spike that lasts two points at 500 (larger: the series has seen a spike
// of 100).
func episodeValue(i int) float64 {
	switch i {
	case 300:
		return 100
	case 500, 501:
		return 1000
	}
	return 10.0 + float64(i%3)*0.1
}

func TestGaugeCompanionsAndDecision(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) { c.EmitBands, c.EmitInactive = true, true })
	t0 := time.Unix(1700000000, 0)
	fired := false
	for i := 0; i < 600; i++ {
		require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("system.cpu.utilization", t0.Add(time.Duration(i)*time.Minute), episodeValue(i), "a")))
		md := sink.AllMetrics()[i]
		orig, ok := findMetric(md, "system.cpu.utilization")
		require.True(t, ok)
		assert.Equal(t, 1, orig.Gauge().DataPoints().At(0).Attributes().Len(), "original points keep their attributes")
		score, ok := findMetric(md, metricScore)
		require.True(t, ok)
		dp := score.Gauge().DataPoints().At(0)
		name, _ := dp.Attributes().Get(attrMetric)
		assert.Equal(t, "system.cpu.utilization", name.Str())
		cpu, _ := dp.Attributes().Get("cpu")
		assert.Equal(t, "0", cpu.Str())
		act, ok := findMetric(md, metricActive)
		require.True(t, ok)
		decided := act.Gauge().DataPoints().At(0).IntValue()
		switch {
		case i == 300 || i == 500:
			assert.GreaterOrEqual(t, dp.DoubleValue(), p.cfg.Threshold)
			assert.Equal(t, int64(0), decided, "one point is not confirmed (confirm_points 2)")
		case i == 501:
			assert.Equal(t, int64(1), decided, "the second point confirms")
			fired = true
		case i < 500 || i > 540:
			assert.Equal(t, int64(0), decided, "no decision outside the lasting episode")
		}
		_, ok = findMetric(md, metricUpper)
		assert.True(t, ok)
	}
	assert.True(t, fired)
}

// By default anomaly.active is written only while the decision is 1, on
// the point it returns to 0 and on a series' first point in the process:
// the same episode as TestGaugeCompanionsAndDecision gives a 0 on the first
// point, a run of 1s from its confirming point, then a single 0, and a
// batch without a decision carries no anomaly.active metric at all.
func TestActiveWrittenWhileAnomalousAndOnClear(t *testing.T) {
	p, sink := newTestProcessor(t, nil)
	written := writtenDecisions(t, p, sink, time.Minute, 600, episodeValue)
	first := slices.Index(written, 1)
	require.Equal(t, 501, first, "the confirming point is the first written")
	end := first + slices.IndexFunc(written[first:], func(d int64) bool { return d != 1 })
	require.Greater(t, end, first)
	assert.Equal(t, int64(0), written[end], "the point the decision clears on says so")
	assert.Equal(t, int64(0), written[0], "the first point tells where the series stands")
	for i, d := range written {
		if (i > 0 && i < first) || i > end {
			assert.Equal(t, int64(-1), d, "point %d: nothing written while normal", i)
		}
	}
}

// writtenDecisions feeds n points of value(i), every interval apart, to p
// as one gauge series and returns the anomaly.active written for each
// point: -1 where none was (every point must have its score).
func writtenDecisions(t *testing.T, p *anomalyProcessor, sink *consumertest.MetricsSink, every time.Duration, n int, value func(int) float64) []int64 {
	t0 := time.Unix(1700000000, 0)
	written := make([]int64, n)
	for i := range n {
		require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("system.cpu.utilization", t0.Add(time.Duration(i)*every), value(i), "a")))
		md := sink.AllMetrics()[len(sink.AllMetrics())-1]
		_, scored := findMetric(md, metricScore)
		require.True(t, scored, "point %d", i)
		written[i] = -1
		if act, ok := findMetric(md, metricActive); ok {
			require.Equal(t, 1, act.Gauge().DataPoints().Len(), "point %d: an empty metric is not written", i)
			written[i] = act.Gauge().DataPoints().At(0).IntValue()
		}
	}
	return written
}

// youngStepMeans are the 5 s means (ms) of the demo's checkout latency in
// a CI run that missed its fivefold latency fault: ten points of warm-up,
// one normal point, then the fault, whose first interval it only partly
// covers (122), and its end.
var youngStepMeans = []float64{95, 94, 95, 101, 88, 99, 89, 95, 83, 78, 122, 308, 491, 445, 442, 424, 481, 451, 473, 401, 482, 437, 462, 249, 84, 94, 89, 92, 92, 83}

// A fault that begins within an interval, on a series with a short history
// (the demo's settings: warm_up 10, threshold 0.55, direction up): the
// partly affected first point becomes the history's record, against which
// the full step after it ranked 0.54. Judged without its predecessor, it
// turns the decision on at once.
func TestYoungSeriesStepWithPartialOnset(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) {
		c.WarmUp, c.Direction, c.Threshold = 10, "up", 0.55
	})
	var on []int
	for i, d := range writtenDecisions(t, p, sink, 5*time.Second, len(youngStepMeans), func(i int) float64 { return youngStepMeans[i] }) {
		if d == 1 {
			on = append(on, i)
		}
	}
	require.NotEmpty(t, on, "the fault is decided")
	assert.Equal(t, 11, on[0], "on the fault's first full interval")
	assert.Less(t, on[len(on)-1], 27, "and clears after the fault")
}

func TestOwnOutputAndExcludedNotScored(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) { c.Exclude = []string{"system.*"} })
	require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("system.cpu.utilization", time.Unix(1, 0), 1, "a")))
	require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("anomaly.score", time.Unix(1, 0), 1, "a")))
	for _, md := range sink.AllMetrics() {
		assert.Equal(t, 1, md.MetricCount())
	}
	assert.Equal(t, 0, p.seriesCount())
}

func sumPoint(ts time.Time, start time.Time, v float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("http.requests")
	s := m.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp := s.DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	dp.SetDoubleValue(v)
	return md
}

func TestCounterRatesAndResets(t *testing.T) {
	p, sink := newTestProcessor(t, nil)
	t0 := time.Unix(1700000000, 0)
	ctx := context.Background()
	require.NoError(t, p.ConsumeMetrics(ctx, sumPoint(t0, t0, 100)))
	_, ok := findMetric(sink.AllMetrics()[0], metricScore)
	assert.False(t, ok, "first cumulative point has no rate")
	require.NoError(t, p.ConsumeMetrics(ctx, sumPoint(t0.Add(time.Minute), t0, 160)))
	score, ok := findMetric(sink.AllMetrics()[1], metricScore)
	require.True(t, ok)
	sig, _ := score.Gauge().DataPoints().At(0).Attributes().Get(attrSignal)
	assert.Equal(t, signalRate, sig.Str())
	// Reset: value drops.
	require.NoError(t, p.ConsumeMetrics(ctx, sumPoint(t0.Add(2*time.Minute), t0, 5)))
	_, ok = findMetric(sink.AllMetrics()[2], metricScore)
	assert.False(t, ok)
	// Negative counter and NaN: rejected, no crash.
	require.NoError(t, p.ConsumeMetrics(ctx, sumPoint(t0.Add(3*time.Minute), t0, -1)))
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("g", t0, nan(), "a")))
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("g", t0, 1, "a")))
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("g", t0, 1, "a"))) // duplicate timestamp
}

func nan() float64 { z := 0.0; return z / z }

func TestSeriesLimitEvictsLRU(t *testing.T) {
	p, _ := newTestProcessor(t, func(c *Config) { c.MaxSeries = 3 })
	for i, h := range []string{"a", "b", "c", "d", "e"} {
		require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("m", time.Unix(int64(i+1), 0), 1, h)))
	}
	assert.Equal(t, 3, p.seriesCount())
}

// BenchmarkConsume measures the processor on 1,000-point batches over
// 10,000 series (gauges, one point per series per batch round).
func BenchmarkConsume(b *testing.B) { benchConsume(b, nil) }

// BenchmarkConsumeEmitInactive is BenchmarkConsume writing anomaly.active
// for every point: two companion points per scored point.
func BenchmarkConsumeEmitInactive(b *testing.B) {
	benchConsume(b, func(c *Config) { c.EmitInactive = true })
}

func benchConsume(b *testing.B, mut func(*Config)) {
	p, _ := newTestProcessor(b, mut)
	p.next = consumertest.NewNop()
	src := newBenchSource("bench", 1)
	src.warm(p)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		md := src.next()
		b.StartTimer()
		_ = p.ConsumeMetrics(context.Background(), md)
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkConsume's input: benchSeries series of one host, in batches of
// benchBatch points, one point per series per round.
const benchSeries, benchBatch = 10000, 1000

type benchSource struct {
	batches []pmetric.Metrics
	rng     *rand.Rand
	n       int // rounds made
}

func newBenchSource(host string, seed uint64) *benchSource {
	src := &benchSource{batches: make([]pmetric.Metrics, benchSeries/benchBatch), rng: rand.New(rand.NewPCG(seed, 2))}
	for i := range src.batches {
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("host.name", host)
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("system.cpu.utilization")
		dps := m.SetEmptyGauge().DataPoints()
		for j := 0; j < benchBatch; j++ {
			dp := dps.AppendEmpty()
			dp.Attributes().PutInt("cpu", int64(i*benchBatch+j))
			dp.Attributes().PutStr("state", "user")
		}
		src.batches[i] = md
	}
	return src
}

// next returns the next batch as a fresh copy (the processor appends
// companions to its input).
func (src *benchSource) next() pmetric.Metrics {
	n := src.n
	src.n++
	md := pmetric.NewMetrics()
	src.batches[n%len(src.batches)].CopyTo(md)
	dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints()
	step := n / len(src.batches) // the point's index in its series
	ts := time.Unix(1700000000, 0).Add(time.Duration(step) * time.Minute)
	for j := 0; j < dps.Len(); j++ {
		dps.At(j).SetTimestamp(pcommon.NewTimestampFromTime(ts))
		// A daily cycle in its own phase plus noise: the detector's
		// every stage works, as on real gauges (a constant series
		// would stop at the quantisation dead band).
		dps.At(j).SetDoubleValue(50 + 10*math.Sin(2*math.Pi*float64(step)/1440+float64(j)) + 2*src.rng.NormFloat64())
	}
	return md
}

// warm brings every series past its warm-up (100 points, whose first half
// is not ranked), so that a benchmark times the steady state.
func (src *benchSource) warm(p *anomalyProcessor) {
	for range 120 * len(src.batches) {
		_ = p.ConsumeMetrics(context.Background(), src.next())
	}
}

var _ component.Host = componenttest.NewNopHost()

// Signals that count events carry their resolution: one event over the
// interval. Integer counters and histogram counts do; double counters and
// means do not.
func TestSignalSteps(t *testing.T) {
	var s series
	out, _, ok := counterRate(&s, 3, 10e9, 5e9, false, true)
	require.True(t, ok)
	assert.Equal(t, sample{0.6, 0.2, 5}, out, "delta: 3 events over 5 s")
	out, _, ok = counterRate(&s, 3, 16e9, 0, false, true)
	require.True(t, ok)
	assert.Equal(t, sample{0.5, 1.0 / 6, 6}, out, "delta without a start: 3 events since the previous point, 6 s before")
	s = series{}
	out, _, _ = counterRate(&s, 3, 10e9, 5e9, false, false)
	assert.Equal(t, sample{0.6, 0, 5}, out, "a double counter has no known step")
	s = series{}
	_, _, ok = counterRate(&s, 100, 10e9, 1, true, true)
	require.False(t, ok)
	out, _, ok = counterRate(&s, 104, 14e9, 1, true, true)
	require.True(t, ok)
	assert.Equal(t, sample{1, 0.25, 4}, out, "cumulative: 4 events over 4 s")
	s = series{}
	out, _, ok = histogramSignal(&s, signalCountRate, 10, 50, 12e9, 2e9, false)
	require.True(t, ok)
	assert.Equal(t, sample{1, 0.1, 10}, out)
	out, _, _ = histogramSignal(&s, signalMean, 10, 50, 12e9, 2e9, false)
	assert.Equal(t, sample{v: 5}, out)
	out, _, ok = histogramSignal(&s, signalCountRate, 10, 50, 16e9, 16e9, false)
	require.True(t, ok)
	assert.Equal(t, sample{2.5, 0.25, 4}, out, "a delta histogram stamped at one instant: its count over the 4 s since the previous point")
}

// A delta point counts over the longer of its own interval and the time
// since the series' previous point: a stream that skips intervals scores
// like its cumulative equivalent, and the count connector's stamps (the
// span of a batch's records, a single instant for one record) give rates,
// not plain counts among rates.
func TestDeltaSeconds(t *testing.T) {
	var s series
	step := func(ts, start int64, dt float64, reason string, ok bool) {
		t.Helper()
		gotDt, gotReason, gotOk := deltaSeconds(&s, ts, start)
		assert.Equal(t, ok, gotOk, "ts %d start %d", ts, start)
		assert.Equal(t, reason, gotReason, "ts %d start %d", ts, start)
		assert.InDelta(t, dt, gotDt, 1e-12, "ts %d start %d", ts, start)
	}
	step(10e9, 10e9, 0, "", false)               // first point, one instant: nothing to score yet
	step(15e9, 15e9, 5, "", true)                // one instant: the 5 s since the previous point
	step(22e9, 0, 7, "", true)                   // no start time
	step(25e9, 24e9, 3, "", true)                // its own interval is shorter than the 3 s since the previous point
	step(25e9, 25e9, 0, reasonOutOfOrder, false) // not after the previous point
	step(24e9, 20e9, 0, reasonOutOfOrder, false) // late, though with an interval of its own
	step(30e9, 30e9, 5, "", true)                // the rejected points did not move the previous time
	step(40e9, 20e9, 20, "", true)               // its own interval is the longer
	s = series{}
	step(40e9, 35e9, 5, "", true) // first point with an interval of its own
}

// A sparse error counter (an event every few minutes, 5 s points whose
// length jitters like a wall-clock flush) never turns the decision on with
// lone events; errors that keep coming do.
func TestSparseCounterLoneEventsNotDecided(t *testing.T) {
	p, sink := newTestProcessor(t, nil)
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0)
	ts, total := t0, int64(0)
	decided := func() int64 {
		all := sink.AllMetrics()
		act, ok := findMetric(all[len(all)-1], metricActive)
		if !ok {
			return 0
		}
		return act.Gauge().DataPoints().At(0).IntValue()
	}
	for i := 0; i < 3000; i++ {
		ts = ts.Add(5*time.Second + time.Duration(i%7)*3*time.Millisecond)
		if i%53 == 0 || (i > 1500 && i%211 == 0) {
			total++ // a lone error; later now and then two in one interval
			if i%211 == 0 {
				total++
			}
		}
		require.NoError(t, p.ConsumeMetrics(ctx, intCounter(ts, t0, total)))
		require.Zero(t, decided(), "point %d", i)
	}
	on := false
	for i := 0; i < 4; i++ {
		ts = ts.Add(5 * time.Second)
		total += 20 // a fault: errors keep coming
		require.NoError(t, p.ConsumeMetrics(ctx, intCounter(ts, t0, total)))
		on = on || decided() == 1
	}
	assert.True(t, on)
}

func intCounter(ts, start time.Time, v int64) pmetric.Metrics {
	md := sumPoint(ts, start, 0)
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).SetIntValue(v)
	return md
}

// Overrides narrowed by attributes (looked up in the point, then in the
// resource) and by signal apply to the matching series only.
func TestOverrideByAttributesAndSignal(t *testing.T) {
	p, sink := newTestProcessor(t, func(c *Config) {
		c.Overrides = []Override{
			// A gauge has no rate: this one never applies.
			{Metric: "cpu", Signal: "rate", Detection: Detection{Direction: "down"}},
			// host.name is a resource attribute, cpu a point attribute.
			{Metric: "c?u", Attributes: map[string]string{"host.name": "b", "cpu": "0"}, Detection: Detection{Direction: "up"}},
		}
	})
	t0 := time.Unix(1700000000, 0)
	scores := map[string]float64{}
	for i := 0; i < 400; i++ {
		for _, host := range []string{"a", "b"} {
			v := 50 + float64(i%9) + 3*float64(i%4)
			if i == 350 {
				v = -500 // a drop on both series
			}
			require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("cpu", t0.Add(time.Duration(i)*time.Minute), v, host)))
			if i == 350 {
				scores[host] = lastScore(t, sink)
			}
		}
	}
	assert.GreaterOrEqual(t, scores["a"], p.cfg.Threshold, "direction both (top level): the drop alarms")
	assert.Less(t, scores["b"], 0.2, "direction up (override by attributes): a drop is not a deviation")
	assert.Equal(t, 2, p.seriesCount())
}

func TestOverrideMatches(t *testing.T) {
	attrs, res := pcommon.NewMap(), pcommon.NewMap()
	attrs.PutStr("status.code", "STATUS_CODE_ERROR")
	attrs.PutInt("http.response.status_code", 503)
	res.PutStr("service.name", "checkout")
	for _, tc := range []struct {
		o      Override
		signal string
		want   bool
	}{
		{Override{}, signalMean, true},
		{Override{Signal: "count_rate"}, signalCountRate, true},
		{Override{Signal: "count_rate"}, signalMean, false},
		{Override{Signal: "value"}, signalValue, true},
		{Override{Signal: "value"}, signalRate, false},
		{Override{Attributes: map[string]string{"status.code": "STATUS_CODE_ERROR"}}, signalCountRate, true},
		{Override{Attributes: map[string]string{"status.code": "STATUS_CODE_UNSET"}}, signalCountRate, false},
		{Override{Attributes: map[string]string{"http.response.status_code": "503"}}, signalMean, true},
		{Override{Attributes: map[string]string{"service.name": "checkout", "status.code": "STATUS_CODE_ERROR"}}, signalMean, true},
		{Override{Attributes: map[string]string{"service.name": "cart"}}, signalMean, false},
		{Override{Attributes: map[string]string{"absent": ""}}, signalMean, false},
	} {
		assert.Equal(t, tc.want, tc.o.matches(tc.signal, attrs, res), "%+v on %q", tc.o, tc.signal)
	}
}

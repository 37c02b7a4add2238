package anomalyprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
)

// callCounts is one span-metrics flush of a service: cumulative call
// counters per status code (a status absent from counts has no series
// yet, as span metrics create it at its first span).
func callCounts(service string, ts time.Time, counts map[string]int64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", service)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("traces.span.metrics.calls")
	s := m.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, code := range []string{"STATUS_CODE_UNSET", "STATUS_CODE_ERROR"} {
		n, ok := counts[code]
		if !ok {
			continue
		}
		dp := s.DataPoints().AppendEmpty()
		dp.Attributes().PutStr("span.name", "Charge")
		dp.Attributes().PutStr("status.code", code)
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetIntValue(n)
	}
	return md
}

// errorVerdicts runs a service's calls for 200 flushes 5 s apart, 40 calls
// each, with 6 errors per flush from flush errorsFrom on, and returns the
// score and written decision (-1: none) of the error series per flush
// (score -1: not scored).
func errorVerdicts(t *testing.T, p *anomalyProcessor, sink *consumertest.MetricsSink, service string, t0 time.Time, errorsFrom int) (scores []float64, active []int64) {
	var ok, errs int64
	for i := range 200 {
		ok += 40
		counts := map[string]int64{"STATUS_CODE_UNSET": ok}
		if i >= errorsFrom {
			errs += 6
			counts["STATUS_CODE_ERROR"] = errs
		}
		require.NoError(t, p.ConsumeMetrics(context.Background(), callCounts(service, t0.Add(time.Duration(i)*5*time.Second), counts)))
		md := sink.AllMetrics()[len(sink.AllMetrics())-1]
		scores, active = append(scores, -1), append(active, -1)
		for _, name := range []string{metricScore, metricActive} {
			m, found := findMetric(md, name)
			if !found {
				continue
			}
			for k := range m.Gauge().DataPoints().Len() {
				dp := m.Gauge().DataPoints().At(k)
				if code, _ := dp.Attributes().Get("status.code"); code.Str() != "STATUS_CODE_ERROR" {
					continue
				}
				if name == metricScore {
					scores[i] = dp.DoubleValue()
				} else {
					active[i] = dp.IntValue()
				}
			}
		}
	}
	return scores, active
}

// An operation's first errors, on a service watched for longer than the
// warm-up: with absent_is_zero (on the error series only, as in the demo)
// they are scored from the error series' first rate and decided; without,
// they fall in its warm-up.
func TestAbsentIsZeroDecidesFirstErrors(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	for _, on := range []bool{false, true} {
		p, sink := newTestProcessor(t, func(c *Config) {
			c.Overrides = []Override{{
				Metric:     "traces.span.metrics.calls",
				Attributes: map[string]string{"status.code": "STATUS_CODE_ERROR"},
				Detection:  Detection{Direction: "up", AbsentIsZero: &on},
			}}
		})
		scores, active := errorVerdicts(t, p, sink, "payment", t0, 120)
		assert.Equal(t, -1.0, scores[120], "the error series' first cumulative point has no rate")
		if !on {
			assert.Zero(t, scores[121], "warm-up")
			assert.NotContains(t, active[121:200], int64(1), "first errors not decided")
			continue
		}
		assert.Greater(t, scores[121], p.cfg.Threshold, "six errors a flush after none")
		assert.Equal(t, int64(1), active[122], "decided once confirmed")
	}
}

// The zeros are assumed only where they are known: a service whose errors
// arrive with it (a new pod, a new service) learns them as usual, and so
// does every series in a processor that started with them.
func TestAbsentIsZeroNeedsAWatchedFamily(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	yes := true
	p, sink := newTestProcessor(t, func(c *Config) { c.AbsentIsZero = &yes })
	// A service's calls for 120 flushes makes the processor old...
	errorVerdicts(t, p, sink, "checkout", t0, 1000)
	// ...but a service first seen now, already failing, is new.
	scores, _ := errorVerdicts(t, p, sink, "payment", t0.Add(200*5*time.Second), 0)
	assert.Zero(t, scores[1], "warm-up")

	// Errors from the start of a processor: nothing is known before them.
	p, sink = newTestProcessor(t, func(c *Config) { c.AbsentIsZero = &yes })
	scores, _ = errorVerdicts(t, p, sink, "payment", t0, 50)
	assert.Zero(t, scores[51], "the family was watched for 50 flushes, less than warm_up (100)")
}

// A slot taken by another family makes the evicted family look new: a
// collision withholds the zeros, never assumes them.
func TestFamiliesCollision(t *testing.T) {
	f := newFamilies()
	assert.Equal(t, int64(10), f.firstSeen(7, 10))
	assert.Equal(t, int64(10), f.firstSeen(7, 50))
	assert.Equal(t, int64(5), f.firstSeen(7, 5), "an earlier point moves it back")
	assert.Equal(t, int64(60), f.firstSeen(7+familySlots, 60), "same slot, another family")
	assert.Equal(t, int64(70), f.firstSeen(7, 70), "evicted: new again")
}

// After a restart with storage, a family whose series were all restored is
// watched from their first points in the new process.
func TestAbsentIsZeroAfterRestore(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Unix(1700000000, 0)
	yes := true
	withZeros := func(c *Config) { c.AbsentIsZero = &yes }
	a, aSink, _ := startInstanceWithStorage(t, dir, component.NewID(metadata.Type), withZeros)
	errorVerdicts(t, a, aSink, "payment", t0, 1000)
	require.NoError(t, a.Shutdown(context.Background()))

	b, bSink, _ := startInstanceWithStorage(t, dir, component.NewID(metadata.Type), withZeros)
	defer func() { require.NoError(t, b.Shutdown(context.Background())) }()
	require.Equal(t, 1, b.seriesCount(), "the calls series was restored")
	scores, active := errorVerdicts(t, b, bSink, "payment", t0.Add(time.Hour), 120)
	assert.Greater(t, scores[121], b.cfg.Threshold)
	assert.Equal(t, int64(1), active[122])
}

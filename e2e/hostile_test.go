//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"

	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// Limits of the hostile pipeline; the assertions below are derived from them.
const (
	hostileLimitMiB    = 256    // memory_limiter limit_mib
	hostileMaxSeries   = 20000  // anomaly max_series
	hostileMaxClusters = 1000   // logcluster max_clusters (per partition)
	hostileLineBytes   = 4096   // logcluster max_line_bytes
	hostileBatch       = 10000  // points or records per OTLP request in the bursts
	hostileTemplates   = 100000 // distinct log templates in the log burst
)

// hostileConfig puts memory_limiter first, then our processors, and exports
// to a sink. filter/burst drops the cardinality bursts after our processors
// have seen them, so that the sink (in the test process) does not hold
// hundreds of thousands of points; the processors' state is what is tested.
// The collector's own metrics are served for scraping on {{port "telemetry"}}.
const hostileConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
processors:
  memory_limiter:
    check_interval: 100ms
    limit_mib: {{.LimitMiB}}
    spike_limit_mib: {{.SpikeMiB}}
  anomaly:
    max_series: {{.MaxSeries}}
    warm_up: 10
    histogram_quantiles: [0.99]
  logcluster:
    max_clusters: 1000
    max_partitions: 8
    max_line_bytes: 4096
  filter/burst:
    error_mode: ignore
    metrics:
      metric: ['name == "hostile.burst"']
      datapoint: ['attributes["anomaly.metric"] == "hostile.burst"']
    logs:
      log_record: ['resource.attributes["service.name"] == "burst"']
exporters:
  otlphttp:
    endpoint: {{.Sink}}
    compression: none
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{port "telemetry"}}
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, anomaly, filter/burst]
      exporters: [otlphttp]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, logcluster, filter/burst]
      exporters: [otlphttp]
`

// hostileLimits fill hostileConfig.
type hostileLimits struct {
	Sink                          string
	LimitMiB, SpikeMiB, MaxSeries int
}

// TestHostileInput feeds the real binary what production eventually sends:
// huge, malformed and non-text log bodies, non-finite and huge metric
// values, counter resets, timestamps going backwards, then a cardinality
// burst of distinct series and one of distinct log templates. The process
// must stay healthy, pass every record on, keep its state within the
// configured bounds, count what it evicted or rejected in its own
// telemetry, and keep its memory within memory_limiter's limit.
//
// The series burst is the full 1,000,000 series (100 requests of
// 10,000; about 2.5 s on 2 cores), so no reduced default is needed.
func TestHostileInput(t *testing.T) {
	sink := e2e.NewSink(t)
	c := e2e.Start(t, hostileConfig, e2e.Options{Data: hostileLimits{
		Sink: sink.Endpoint(), LimitMiB: hostileLimitMiB, SpikeMiB: hostileLimitMiB / 4, MaxSeries: hostileMaxSeries,
	}})
	rss := watchRSS(t, c.Pid())
	idleKiB := procStatusKiB(t, c.Pid(), "VmRSS")
	otlp := c.Addr("otlp")
	health := "http://" + c.Addr("health") + "/"
	tel := func() promSamples { return scrapeSamples(t, "http://"+c.Addr("telemetry")+"/metrics") }

	t.Run("metric values", func(t *testing.T) {
		md, want := hostileMetrics(time.Now().Add(-time.Hour))
		postOK(t, otlp, "/v1/metrics", pmetricotlp.NewExportRequestFromMetrics(md))
		e2e.Eventually(t, 20*time.Second, func() bool {
			return len(sinkPoints(sink, "hostile.")) >= len(want)
		}, "%d hostile source points at the sink", len(want))
		got := sinkPoints(sink, "hostile.")
		for key, v := range want {
			g, ok := got[key]
			if !assert.True(t, ok, "point %s did not pass through", key) {
				continue
			}
			if math.IsNaN(v) {
				assert.True(t, math.IsNaN(g), "%s: NaN passes through unchanged (got %v)", key, g)
			} else {
				assert.Equal(t, v, g, "%s passes through unchanged", key)
			}
		}
		// Non-finite values and values beyond the detector's range (±1e36)
		// are not scored (the three ordinary points of their series are);
		// huge values within it are, with a finite score.
		scored := map[string]int{}
		for _, sc := range scoredCases(sink, "hostile.values") {
			scored[sc.name]++
			assert.True(t, sc.score >= 0 && sc.score <= 1, "case %s: score %v outside [0, 1]", sc.name, sc.score)
		}
		for name, v := range hostileValues {
			want := 4
			if !(math.Abs(v) <= detector.MaxMagnitude) {
				want = 3
			}
			assert.Equal(t, want, scored[name], "scored points of case %s", name)
		}
		e2e.Eventually(t, 10*time.Second, func() bool {
			s := tel()
			return s.sum("otelcol_anomaly_points_rejected", `reason="not_finite"`) >= 4 &&
				s.sum("otelcol_anomaly_points_rejected", `reason="out_of_range"`) >= 3 &&
				s.sum("otelcol_anomaly_points_rejected", `reason="counter_reset"`) >= 1 &&
				s.sum("otelcol_anomaly_points_rejected", `reason="negative_counter"`) >= 1 &&
				s.sum("otelcol_anomaly_points_rejected", `reason="out_of_order"`) >= 2 &&
				s.sum("otelcol_anomaly_points_rejected", `reason="bad_buckets"`) >= 2
		}, "rejections by reason in self-telemetry:\n%s", tel().grep("otelcol_anomaly_"))
	})

	t.Run("log bodies", func(t *testing.T) {
		ld, cases := hostileLogs()
		postOK(t, otlp, "/v1/logs", plogotlp.NewExportRequestFromLogs(ld))
		e2e.Eventually(t, 20*time.Second, func() bool { return len(sinkCases(sink)) >= len(cases) },
			"%d hostile log records at the sink", len(cases))
		got := sinkCases(sink)
		for name, annotated := range cases {
			lr, ok := got[name]
			if !assert.True(t, ok, "record %q did not pass through", name) {
				continue
			}
			_, hasID := lr.Attributes().Get("log.record.template.id")
			assert.Equal(t, annotated, hasID, "record %q annotated", name)
			if tmpl, ok := lr.Attributes().Get("log.record.template"); ok {
				// Templates are built from the first max_line_bytes only.
				assert.LessOrEqual(t, len(tmpl.Str()), 2*hostileLineBytes, "record %q: template size", name)
			}
		}
		if lr, ok := got["huge"]; ok {
			assert.Equal(t, 1<<20, len(lr.Body().Str()), "the 1 MiB body passes through whole")
		}
		if lr, ok := got["invalid-utf8"]; ok {
			assert.Equal(t, invalidUTF8, lr.Body().Str(), "invalid UTF-8 passes through byte for byte")
		}
		if lr, ok := got["bytes"]; ok {
			assert.Equal(t, []byte{0, 1, 2, 0xff, 0xfe}, lr.Body().Bytes().AsRaw())
		}
		e2e.Eventually(t, 10*time.Second, func() bool {
			s := tel()
			return s.sum("otelcol_logcluster_records_unannotated", `reason="empty_body"`) >= 2 &&
				s.sum("otelcol_logcluster_records_unannotated", `reason="non_text_body"`) >= 3 &&
				s.sum("otelcol_logcluster_records_unannotated", `reason="missing_field"`) >= 1
		}, "unannotated records by reason in self-telemetry:\n%s", tel().grep("otelcol_logcluster_"))
	})

	t.Run("series burst", func(t *testing.T) {
		series := 1000000
		start := time.Now()
		refused, capRSS := 0, 0
		at := pcommon.NewTimestampFromTime(time.Now().Add(-time.Minute))
		for first := 0; first < series; first += hostileBatch {
			refused += postRetrying(t, otlp, "/v1/metrics", pmetricotlp.NewExportRequestFromMetrics(burstMetrics(first, hostileBatch, at)))
			require.True(t, healthy(health), "health check failed after %d series", first+hostileBatch)
			if first+hostileBatch == 10*hostileMaxSeries {
				capRSS = procStatusKiB(t, c.Pid(), "VmRSS")
			}
		}
		endRSS := procStatusKiB(t, c.Pid(), "VmRSS")
		t.Logf("%d distinct series in %d requests of %d in %s; %d requests refused and retried; peak RSS so far %d MiB",
			series, series/hostileBatch, hostileBatch, time.Since(start).Round(time.Millisecond), refused, rss.peakKiB()/1024)
		var s promSamples
		e2e.Eventually(t, 20*time.Second, func() bool {
			s = tel()
			return s.sum("otelcol_anomaly_series_evicted", `reason="limit"`) >= float64(series-hostileMaxSeries)
		}, "limit evictions of at least %d in self-telemetry:\n%s", series-hostileMaxSeries, tel().grep("otelcol_anomaly_"))
		active := s.sum("otelcol_anomaly_series_active", "")
		assert.LessOrEqual(t, active, float64(hostileMaxSeries), "series with state stay within max_series")
		assert.Greater(t, active, float64(hostileMaxSeries/2), "the newest series are kept")
		t.Logf("series: active %.0f, evicted by limit %.0f", active, s.sum("otelcol_anomaly_series_evicted", `reason="limit"`))
		// Past the cap, more series must not cost more memory: the last
		// 800,000 series would need about 1.6 GiB of state unbounded
		// (2.1 KiB each); allow 64 MiB of drift in RSS.
		t.Logf("RSS after %d series: %d MiB; after %d: %d MiB", 10*hostileMaxSeries, capRSS/1024, series, endRSS/1024)
		assert.Less(t, endRSS-capRSS, 64*1024, "RSS grows with series beyond max_series")
	})

	t.Run("template burst", func(t *testing.T) {
		start := time.Now()
		rng := rand.New(rand.NewPCG(7, 11))
		refused := 0
		for first := 0; first < hostileTemplates; first += hostileBatch {
			refused += postRetrying(t, otlp, "/v1/logs", plogotlp.NewExportRequestFromLogs(burstLogs(rng, hostileBatch)))
			require.True(t, healthy(health), "health check failed after %d templates", first+hostileBatch)
		}
		t.Logf("%d distinct templates in %s; %d requests refused and retried", hostileTemplates, time.Since(start).Round(time.Millisecond), refused)
		var s promSamples
		e2e.Eventually(t, 20*time.Second, func() bool {
			s = tel()
			return s.sum("otelcol_logcluster_clusters_created", "") >= 0.99*hostileTemplates
		}, "templates created in self-telemetry:\n%s", tel().grep("otelcol_logcluster_"))
		created := s.sum("otelcol_logcluster_clusters_created", "")
		active := s.sum("otelcol_logcluster_clusters_active", "")
		evicted := s.sum("otelcol_logcluster_clusters_evicted", "")
		t.Logf("templates: created %.0f, active %.0f, evicted %.0f", created, active, evicted)
		// Two partitions exist by now (services hostile and burst), each capped.
		assert.LessOrEqual(t, active, float64(2*hostileMaxClusters), "templates stay within max_clusters per partition")
		assert.GreaterOrEqual(t, evicted, created-float64(2*hostileMaxClusters), "every template beyond the cap was evicted and counted")
	})

	t.Run("still serving", func(t *testing.T) {
		require.True(t, healthy(health))
		// Ordinary data after the bursts is processed as before.
		postOK(t, otlp, "/v1/logs", plogotlp.NewExportRequestFromLogs(serviceLogs("after", "user 42 logged in from 10.0.0.1")))
		e2e.Eventually(t, 20*time.Second, func() bool {
			for _, r := range sinkRecords(sink, "after") {
				if r.id != "" {
					return true
				}
			}
			return false
		}, "an annotated record after the bursts")
		postOK(t, otlp, "/v1/metrics", pmetricotlp.NewExportRequestFromMetrics(latencyBatch(time.Now(), 0.1)))
		e2e.Eventually(t, 20*time.Second, func() bool { return len(sinkPoints(sink, "http.server.latency")) > 0 },
			"an ordinary metric after the bursts")
	})

	// memory_limiter keeps the heap under limit_mib (it refuses data and
	// forces a collection above it); everything else the process maps
	// (binary, runtime, stacks) is in the idle RSS measured at start. So the
	// peak RSS may not exceed idle + limit_mib. State at the configured caps
	// is far smaller: about 2.2 KiB x 20,000 series + 1.6 KiB x 4,000
	// templates ≈ 50 MiB (BENCHMARKS.md).
	peak := procStatusKiB(t, c.Pid(), "VmHWM")
	bound := idleKiB + hostileLimitMiB*1024
	t.Logf("RSS: idle %d MiB, peak %d MiB (VmHWM), bound %d MiB", idleKiB/1024, peak/1024, bound/1024)
	assert.LessOrEqual(t, peak, bound, "peak RSS within idle + memory_limiter limit_mib")
	assert.False(t, c.Exited(), "the collector is still running")
	s := tel()
	t.Logf("memory_limiter and receiver telemetry:\n%s", s.grep("otelcol_processor_memory_limiter_", "otelcol_receiver_refused"))
}

// TestHostileMemoryLimiter: with max_series far too high for the memory
// given (1,000,000 series would need about 2 GiB of detector state),
// memory_limiter is what keeps the process alive: once the heap reaches
// limit_mib it refuses new data (the OTLP client gets 429/503 and should
// retry later), counts the refusals, and the process stays healthy.
//
// memory_limiter bounds the live heap, not RSS: between collections the Go
// runtime lets the heap grow to twice the live data (GOGC=100), so without
// GOMEMLIMIT the bound is idle + 2 x limit_mib. With GOMEMLIMIT set to the
// limit, as examples/sidecar deploys it, the runtime collects before that
// and RSS stays within idle + limit_mib.
func TestHostileMemoryLimiter(t *testing.T) {
	const limitMiB = 128
	t.Run("GOMEMLIMIT", func(t *testing.T) {
		hostileMemoryLimiter(t, limitMiB, []string{fmt.Sprintf("GOMEMLIMIT=%dMiB", limitMiB)}, limitMiB)
	})
	t.Run("GOGC headroom", func(t *testing.T) {
		hostileMemoryLimiter(t, limitMiB, nil, 2*limitMiB)
	})
}

func hostileMemoryLimiter(t *testing.T, limitMiB int, env []string, boundMiB int) {
	const series = 1000000
	sink := e2e.NewSink(t)
	c := e2e.Start(t, hostileConfig, e2e.Options{Env: env, Data: hostileLimits{
		Sink: sink.Endpoint(), LimitMiB: limitMiB, SpikeMiB: limitMiB / 4, MaxSeries: series,
	}})
	idleKiB := procStatusKiB(t, c.Pid(), "VmRSS")
	health := "http://" + c.Addr("health") + "/"
	at := pcommon.NewTimestampFromTime(time.Now().Add(-time.Minute))
	accepted, refused := 0, 0
	// Stop after 20 refused requests: the point is made, and the rest
	// would be refused too while the state holds the heap up.
	for first := 0; first < series && refused < 20; first += hostileBatch {
		body, err := pmetricotlp.NewExportRequestFromMetrics(burstMetrics(first, hostileBatch, at)).MarshalProto()
		require.NoError(t, err)
		switch code, msg := postRaw(c.Addr("otlp"), "/v1/metrics", body); code {
		case http.StatusOK:
			accepted++
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			refused++
		default:
			require.FailNow(t, "unexpected answer", "%d %s", code, msg)
		}
		require.True(t, healthy(health), "health check failed after %d requests", accepted+refused)
	}
	t.Logf("%d requests of %d series accepted, %d refused", accepted, hostileBatch, refused)
	require.Positive(t, refused, "memory_limiter never refused: the heap stayed under %d MiB", limitMiB)
	s := scrapeSamples(t, "http://"+c.Addr("telemetry")+"/metrics")
	t.Logf("telemetry:\n%s", s.grep("otelcol_processor_memory_limiter_", "otelcol_receiver_refused_metric", "otelcol_anomaly_series"))
	assert.Positive(t, s.sum("otelcol_processor_memory_limiter_refused_metric_points", ""), "refusals counted by memory_limiter")
	assert.Positive(t, s.sum("otelcol_receiver_refused_metric_points", ""), "and by the receiver")
	assert.LessOrEqual(t, s.sum("otelcol_anomaly_series_active", ""), float64(accepted*hostileBatch), "only accepted series have state")

	peak := procStatusKiB(t, c.Pid(), "VmHWM")
	t.Logf("RSS: idle %d MiB, peak %d MiB (VmHWM), bound %d MiB", idleKiB/1024, peak/1024, idleKiB/1024+boundMiB)
	assert.LessOrEqual(t, peak, idleKiB+boundMiB*1024, "peak RSS within the bound")
	assert.False(t, c.Exited())
}

// hostileValues are the odd values of hostile.values, one series each.
var hostileValues = map[string]float64{
	"nan": math.NaN(), "+inf": math.Inf(1), "-inf": math.Inf(-1), "max": math.MaxFloat64,
	"-max": -math.MaxFloat64, "tiny": math.SmallestNonzeroFloat64, "huge": 1e300,
	"large": 1e30,
}

// hostileMetrics builds non-finite, huge, reset and time-travelling points,
// and returns each source point's expected value by "metric/case/index".
func hostileMetrics(at time.Time) (pmetric.Metrics, map[string]float64) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "hostile")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	want := map[string]float64{}
	ts := func(i int) pcommon.Timestamp {
		return pcommon.NewTimestampFromTime(at.Add(time.Duration(i) * time.Second))
	}

	// One series per value, each with a few ordinary points first so that
	// the odd value is not the series' first.
	g := ms.AppendEmpty()
	g.SetName("hostile.values")
	gdps := g.SetEmptyGauge().DataPoints()
	for name, v := range hostileValues {
		for i := 0; i < 4; i++ {
			dp := gdps.AppendEmpty()
			dp.Attributes().PutStr("case", name)
			dp.SetTimestamp(ts(i))
			val := 1.0 + float64(i)
			if i == 3 {
				val = v
			}
			dp.SetDoubleValue(val)
			want[fmt.Sprintf("hostile.values/%s/%d", name, i)] = val
		}
	}
	// Cumulative counter: rises, resets (new value below the last), goes
	// negative, and carries a NaN.
	cnt := ms.AppendEmpty()
	cnt.SetName("hostile.counter")
	sum := cnt.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i, v := range []float64{100, 200, 300, 50, -5, math.NaN(), 400} {
		dp := sum.DataPoints().AppendEmpty()
		dp.Attributes().PutStr("case", "counter")
		dp.SetStartTimestamp(ts(-10))
		dp.SetTimestamp(ts(i))
		dp.SetDoubleValue(v)
		want[fmt.Sprintf("hostile.counter/counter/%d", i)] = v
	}
	// Duplicate and out-of-order timestamps on a gauge.
	tt := ms.AppendEmpty()
	tt.SetName("hostile.time")
	tdps := tt.SetEmptyGauge().DataPoints()
	for i, step := range []int{0, 1, 2, 2, 1, 3} {
		dp := tdps.AppendEmpty()
		dp.Attributes().PutStr("case", "time")
		dp.SetTimestamp(ts(step))
		dp.SetDoubleValue(float64(10 + i))
		want[fmt.Sprintf("hostile.time/time/%d", i)] = float64(10 + i)
	}
	// Histograms whose buckets make no histogram: one bucket short of the
	// bounds, bounds falling. Their quantiles are not estimated.
	h := ms.AppendEmpty()
	h.SetName("hostile.histogram")
	hist := h.SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	for i, c := range []struct {
		bounds []float64
		counts []uint64
	}{{[]float64{0.1, 0.5}, []uint64{3, 4}}, {[]float64{0.5, 0.1}, []uint64{1, 2, 3}}} {
		dp := hist.DataPoints().AppendEmpty()
		dp.Attributes().PutInt("case", int64(i))
		dp.SetStartTimestamp(ts(-1))
		dp.SetTimestamp(ts(0))
		dp.ExplicitBounds().FromRaw(c.bounds)
		dp.BucketCounts().FromRaw(c.counts)
		dp.SetCount(7)
		dp.SetSum(2)
	}
	return md, want
}

// sinkPoints returns the source points of metrics whose name starts with
// prefix, keyed "metric/case/index-within-series", as the sink received them.
func sinkPoints(s *e2e.Sink, prefix string) map[string]float64 {
	out := map[string]float64{}
	seen := map[string]int{}
	forEachMetric(s, func(m pmetric.Metric) {
		if !strings.HasPrefix(m.Name(), prefix) {
			return
		}
		dps := e2e.NumberPoints(m)
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			series := m.Name()
			if c, ok := dp.Attributes().Get("case"); ok {
				series += "/" + c.Str()
			}
			out[fmt.Sprintf("%s/%d", series, seen[series])] = e2e.PointValue(dp)
			seen[series]++
		}
	})
	return out
}

// scoredCase is one anomaly.score point: the source's "case" and the score.
type scoredCase struct {
	name  string
	score float64
}

// scoredCases returns the anomaly.score points the sink received for source
// metric name.
func scoredCases(s *e2e.Sink, name string) []scoredCase {
	var out []scoredCase
	forEachMetric(s, func(m pmetric.Metric) {
		if m.Name() != "anomaly.score" || m.Type() != pmetric.MetricTypeGauge {
			return
		}
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			a := dps.At(i).Attributes()
			if src, ok := a.Get("anomaly.metric"); ok && src.Str() == name {
				c, _ := a.Get("case")
				out = append(out, scoredCase{c.Str(), dps.At(i).DoubleValue()})
			}
		}
	})
	return out
}

func forEachMetric(s *e2e.Sink, fn func(pmetric.Metric)) {
	for _, m := range e2e.MetricsOf(s.Metrics()...) {
		fn(m)
	}
}

const invalidUTF8 = "user \xff\xfe logged in \xc3\x28 from \xed\xa0\x80"

// hostileLogs builds one record per odd body, named by a "case" attribute,
// and returns whether each should be annotated with a template.
func hostileLogs() (plog.Logs, map[string]bool) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "hostile")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	cases := map[string]bool{}
	add := func(name string, annotated bool) pcommon.Value {
		lr := lrs.AppendEmpty()
		lr.Attributes().PutStr("case", name)
		cases[name] = annotated
		return lr.Body()
	}
	// A 1 MiB line of ordinary words: clustered on its first max_line_bytes.
	var huge strings.Builder
	for huge.Len() < 1<<20 {
		huge.WriteString("request failed for tenant alpha ")
	}
	add("huge", true).SetStr(huge.String()[:1<<20])
	// A 1 MiB line without a single separator.
	add("huge-token", true).SetStr(strings.Repeat("x", 1<<20))
	add("invalid-utf8", true).SetStr(invalidUTF8)
	add("control-chars", true).SetStr("line\x00with\x01control\x1bchars and\ttabs\r\n")
	add("bytes", false).SetEmptyBytes().FromRaw([]byte{0, 1, 2, 0xff, 0xfe})
	m := add("map-with-message", true).SetEmptyMap()
	m.PutStr("message", "payment declined for order 17")
	m.PutInt("code", 402)
	add("map-without-message", false).SetEmptyMap().PutStr("msg", "no message key here")
	add("map-non-text-message", false).SetEmptyMap().PutInt("message", 5)
	add("empty", false)
	add("blank", false).SetStr("   \t  ")
	add("int", false).SetInt(42)
	add("slice", false).SetEmptySlice().AppendEmpty().SetStr("a")
	return ld, cases
}

// sinkCases returns the records the sink received that carry a "case".
func sinkCases(s *e2e.Sink) map[string]plog.LogRecord {
	out := map[string]plog.LogRecord{}
	for _, ld := range s.Logs() {
		for _, lr := range e2e.LogRecords(ld) {
			if c, ok := lr.Attributes().Get("case"); ok {
				out[c.Str()] = lr
			}
		}
	}
	return out
}

// burstMetrics is n gauge points of n distinct series, numbered from first.
func burstMetrics(first, n int, at pcommon.Timestamp) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "burst")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("hostile.burst")
	dps := m.SetEmptyGauge().DataPoints()
	dps.EnsureCapacity(n)
	for i := first; i < first+n; i++ {
		dp := dps.AppendEmpty()
		dp.Attributes().PutStr("pod", "pod-"+strconv.Itoa(i))
		dp.SetTimestamp(at)
		dp.SetDoubleValue(float64(i % 97))
	}
	return md
}

// natoWords are constant tokens to the template classifier (no digits, not
// hex), so lines drawn from them differ only in words.
var natoWords = strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike " +
	"november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu")

// burstLogs is n lines of 8 random words: two lines share on average 8/26
// of their positions, far below the 0.7 similarity needed to merge, so
// practically every line is a template of its own.
func burstLogs(rng *rand.Rand, n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "burst")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	lrs.EnsureCapacity(n)
	words := make([]string, 8)
	for i := 0; i < n; i++ {
		for j := range words {
			words[j] = natoWords[rng.IntN(len(natoWords))]
		}
		lrs.AppendEmpty().Body().SetStr(strings.Join(words, " "))
	}
	return ld
}

// postOK posts one OTLP request and requires it to be accepted.
func postOK(t *testing.T, addr, path string, req interface{ MarshalProto() ([]byte, error) }) {
	t.Helper()
	body, err := req.MarshalProto()
	require.NoError(t, err)
	code, msg := postRaw(addr, path, body)
	require.Equal(t, http.StatusOK, code, "POST %s: %s", path, msg)
}

// postRetrying posts one OTLP request, retrying while the collector refuses
// it as overloaded (429/503, what memory_limiter answers), as OTLP clients
// do; it returns the number of refusals.
func postRetrying(t *testing.T, addr, path string, req interface{ MarshalProto() ([]byte, error) }) int {
	t.Helper()
	body, err := req.MarshalProto()
	require.NoError(t, err)
	for refused := 0; ; refused++ {
		code, msg := postRaw(addr, path, body)
		switch code {
		case http.StatusOK:
			return refused
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			require.Less(t, refused, 100, "POST %s refused 100 times: %s", path, msg)
			time.Sleep(100 * time.Millisecond)
		default:
			require.FailNow(t, "unexpected answer", "POST %s: %d %s", path, code, msg)
		}
	}
}

func postRaw(addr, path string, body []byte) (int, string) {
	resp, err := http.Post("http://"+addr+path, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(msg)
}

func healthy(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// promSamples are the lines of a Prometheus text exposition.
type promSamples []string

func scrapeSamples(t *testing.T, url string) promSamples {
	var out promSamples
	for _, l := range strings.Split(scrape(t, url), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// sum adds the values of the samples of metric name (with or without the
// _total suffix) whose labels include label, written k="v" (empty: any);
// 0 when the scrape does not parse.
func (s promSamples) sum(name, label string) float64 {
	parsed, err := e2e.ParsePromText(strings.Join(s, "\n"))
	if err != nil {
		return 0
	}
	var match map[string]string
	if k, v, ok := strings.Cut(label, "="); ok {
		match = map[string]string{k: strings.Trim(v, `"`)}
	}
	return parsed.Sum(name, match)
}

// grep returns the samples whose line starts with one of prefixes, for logs.
func (s promSamples) grep(prefixes ...string) string {
	var b strings.Builder
	for _, l := range s {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				b.WriteString(l + "\n")
				break
			}
		}
	}
	return b.String()
}

// procStatusKiB reads a kB field (VmRSS, VmHWM) of /proc/<pid>/status.
func procStatusKiB(t *testing.T, pid int, field string) int {
	t.Helper()
	kib, err := e2e.ProcStatusKiB(pid, field)
	require.NoError(t, err)
	return int(kib)
}

// rssWatch samples VmRSS every 100 ms, to report the peak while running.
type rssWatch struct{ peak atomic.Int64 }

func watchRSS(t *testing.T, pid int) *rssWatch {
	w := &rssWatch{}
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				kib, err := e2e.ProcStatusKiB(pid, "VmRSS")
				if err != nil {
					return
				}
				if kib > w.peak.Load() {
					w.peak.Store(kib)
				}
			}
		}
	}()
	return w
}

func (w *rssWatch) peakKiB() int64 { return w.peak.Load() }

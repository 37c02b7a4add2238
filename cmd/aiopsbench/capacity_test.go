package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// step is one outcome fed to a ramp.
type step struct{ pass, saturated bool }

var (
	keeps  = step{pass: true}      // kept up
	full   = step{saturated: true} // failed with the collector's core in use
	starve = step{}                // failed with the core not in use
)

// drive feeds outcomes to a ramp and returns the rates it asked for after
// the start.
func drive(t *testing.T, r *rampSearch, outcomes ...step) []float64 {
	t.Helper()
	var rates []float64
	for i, o := range outcomes {
		rate, more := r.next(o.pass, o.saturated)
		if !more {
			require.Equal(t, len(outcomes)-1, i, "the ramp ended early, after %d outcomes", i+1)
			return rates
		}
		rates = append(rates, math.Round(rate))
	}
	t.Fatalf("the ramp did not end after %d outcomes (rates %v)", len(outcomes), rates)
	return nil
}

func TestRampSearchUpThenBisect(t *testing.T) {
	r, err := newRampSearch(1000, 2, 10, 1e6, 2)
	require.NoError(t, err)
	rates := drive(t, r,
		keeps,      // 1000
		keeps,      // 2000
		full,       // 4000, repeated
		full,       // 4000 fails again: bisect 2000..4000
		keeps,      // 2828
		full, full, // 3364 twice: refine steps used up
	)
	assert.Equal(t, []float64{2000, 4000, 4000, 2828, 3364, 3364}, rates)
	best, fail := r.result()
	assert.InDelta(t, 2828.4, best, 0.1)
	assert.InDelta(t, 3363.6, fail, 0.1)
}

func TestRampSearchRepeatsUnsaturatedFailuresLonger(t *testing.T) {
	r, err := newRampSearch(1000, 2, 10, 1e6, 0)
	require.NoError(t, err)
	// 2000 fails three times with the core idle (the machine was busy),
	// then passes; 4000 fails four times and counts.
	rates := drive(t, r, keeps, starve, starve, starve, keeps, starve, starve, starve, starve)
	assert.Equal(t, []float64{2000, 2000, 2000, 2000, 4000, 4000, 4000, 4000}, rates)
	best, fail := r.result()
	assert.Equal(t, 2000.0, best)
	assert.Equal(t, 4000.0, fail)
}

func TestRampSearchRetriedFailureThatPassesKeepsClimbing(t *testing.T) {
	r, err := newRampSearch(1000, 2, 10, 5000, 1)
	require.NoError(t, err)
	// 1000 fails once (a hiccup), passes on the repeat, 2000 and 4000 pass,
	// 8000 would exceed max-rate.
	rates := drive(t, r, full, keeps, keeps, keeps)
	assert.Equal(t, []float64{1000, 2000, 4000}, rates)
	best, fail := r.result()
	assert.Equal(t, 4000.0, best)
	assert.Zero(t, fail)
}

func TestRampSearchGoesDownWhenTheStartFails(t *testing.T) {
	r, err := newRampSearch(1000, 2, 100, 1e6, 1)
	require.NoError(t, err)
	rates := drive(t, r, full, full, full, full, keeps, full, full)
	// 1000, 1000, 500, 500, 250 passes, then one bisection at sqrt(250*500).
	assert.Equal(t, []float64{1000, 500, 500, 250, 354, 354}, rates)
	best, _ := r.result()
	assert.Equal(t, 250.0, best)

	r, err = newRampSearch(1000, 2, 600, 1e6, 1)
	require.NoError(t, err)
	rates = drive(t, r, full, full)
	assert.Empty(t, rates[1:], "below min-rate the search gives up")
	best, fail := r.result()
	assert.Zero(t, best)
	assert.Equal(t, 1000.0, fail)
}

func TestRampSearchRejectsBadSettings(t *testing.T) {
	for _, c := range [][4]float64{{1000, 1, 10, 1e6}, {0, 2, 10, 1e6}, {1000, 2, 0, 1e6}, {1000, 2, 10, 500}} {
		_, err := newRampSearch(c[0], c[1], c[2], c[3], 1)
		assert.Error(t, err, "%v", c)
	}
}

func TestStepJudge(t *testing.T) {
	good := stepOutcome{Offered: 10000, Achieved: 9800, Accepted: 9700}
	good.judge(0.05)
	assert.True(t, good.Pass, good.Why)

	cases := map[string]stepOutcome{
		"refused":  {Offered: 10000, Achieved: 10000, Accepted: 10000, Refused: 200},
		"failed":   {Offered: 10000, Achieved: 10000, Accepted: 10000, Failed: 1, FailedBy: map[string]int{"503": 1}},
		"answered": {Offered: 10000, Achieved: 9400, Accepted: 10000},
		"accepted": {Offered: 10000, Achieved: 10000, Accepted: 9000},
	}
	for want, s := range cases {
		s.judge(0.05)
		assert.False(t, s.Pass, want)
		assert.Contains(t, s.Why, want, "the reason names what failed")
	}
}

func TestPercentileAndMedian(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	assert.Equal(t, 5.0, percentile(v, 0.5))
	assert.Equal(t, 10.0, percentile(v, 0.99))
	assert.Equal(t, 1.0, percentile(v, 0))
	assert.Zero(t, percentile(nil, 0.5))
	assert.Equal(t, 3.0, median([]float64{5, 1, 3}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
	assert.Zero(t, median(nil))
}

func TestBenchPipelinesFromTheDemo(t *testing.T) {
	demo, err := os.ReadFile(filepath.Join("..", "..", "examples", "demo", "config.yaml"))
	require.NoError(t, err)
	p, err := benchPipelines(demo)
	require.NoError(t, err)
	require.NotEmpty(t, p)
	for name, v := range p {
		pipe := v.(map[string]any)
		assert.NotContains(t, pipe["receivers"], "microsim", name)
		if contains(pipe["receivers"].([]string), "otlp") {
			procs := pipe["processors"].([]string)
			assert.Equal(t, "memory_limiter", procs[0], "%s: memory_limiter first", name)
		}
	}
	assert.Contains(t, p["metrics"].(map[string]any)["processors"], "anomaly")
	assert.Contains(t, p["logs"].(map[string]any)["processors"], "logcluster")

	synthetic := []byte(`service:
  pipelines:
    metrics:
      receivers: [microsim, count, microsim/b]
      processors: [memory_limiter, anomaly]
      exporters: [debug]
    logs/counted:
      receivers: [forward]
      processors: [batch]
      exporters: [count]
`)
	p, err = benchPipelines(synthetic)
	require.NoError(t, err)
	m := p["metrics"].(map[string]any)
	assert.Equal(t, []string{"otlp", "count"}, m["receivers"])
	assert.Equal(t, []string{"memory_limiter", "anomaly"}, m["processors"], "memory_limiter not repeated")
	assert.Equal(t, []string{"debug"}, m["exporters"])
	c := p["logs/counted"].(map[string]any)
	assert.Equal(t, []string{"batch"}, c["processors"], "a pipeline fed by a connector gets no memory_limiter")

	_, err = benchPipelines([]byte("service:\n  pipelines:\n    logs: {receivers: [otlp], exporters: [debug]}\n"))
	assert.Error(t, err, "a demo without microsim is not the demo")
}

func TestBenchOverlay(t *testing.T) {
	pipes := map[string]any{"metrics": map[string]any{"receivers": []string{"otlp"}, "processors": []string{"memory_limiter", "anomaly"}, "exporters": []string{"alertwebhook"}}}
	ports := benchPorts{otlp: 1, health: 2, telemetry: 3, pprof: 4}
	body, err := benchOverlay(pipes, benchSetup{sinkURL: "http://s/", limitMiB: 400, maxSeries: 1000000, stateDir: "/st", snapshot: 5 * time.Second, probeURL: "http://p", pprof: true}, ports)
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal(body, &cfg))
	get := func(path ...string) any {
		var v any = cfg
		for _, k := range path {
			v = v.(map[string]any)[k]
		}
		return v
	}
	assert.Equal(t, "127.0.0.1:1", get("receivers", "otlp", "protocols", "http", "endpoint"))
	assert.Equal(t, 400, get("processors", "memory_limiter", "limit_mib"))
	assert.Equal(t, 100, get("processors", "memory_limiter", "spike_limit_mib"))
	assert.Equal(t, 1000000, get("processors", "anomaly", "max_series"))
	assert.Equal(t, "file_storage", get("processors", "anomaly", "storage"))
	assert.Equal(t, "file_storage", get("processors", "logcluster", "storage"))
	assert.Equal(t, "file_storage", get("exporters", "alertwebhook", "sending_queue", "storage"))
	assert.Equal(t, "/st", get("extensions", "file_storage", "directory"))
	assert.Equal(t, "127.0.0.1:4", get("extensions", "pprof", "endpoint"))
	assert.Equal(t, []any{"health_check", "file_storage", "pprof"}, get("service", "extensions"))
	assert.Equal(t, []any{"alertwebhook", "otlphttp/probe"}, get("service", "pipelines", "metrics", "exporters"))
	assert.Equal(t, []string{"alertwebhook"}, pipes["metrics"].(map[string]any)["exporters"], "the caller's pipelines are not changed")

	body, err = benchOverlay(pipes, benchSetup{sinkURL: "http://s/", limitMiB: 400}, ports)
	require.NoError(t, err)
	cfg = nil
	require.NoError(t, yaml.Unmarshal(body, &cfg))
	assert.Nil(t, cfg["processors"].(map[string]any)["anomaly"], "no anomaly override: the demo's settings stay")
	assert.Nil(t, cfg["extensions"].(map[string]any)["file_storage"])
}

// pointsBySeries decodes metric request bodies into each series' timestamps.
func pointsBySeries(t *testing.T, bodies ...[]byte) map[string][]pcommon.Timestamp {
	out := map[string][]pcommon.Timestamp{}
	for _, b := range bodies {
		req := pmetricotlp.NewExportRequest()
		require.NoError(t, req.UnmarshalProto(b))
		rms := req.Metrics().ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			inst, _ := rms.At(i).Resource().Attributes().Get("service.instance.id")
			ms := rms.At(i).ScopeMetrics().At(0).Metrics()
			for j := 0; j < ms.Len(); j++ {
				require.Equal(t, pmetric.MetricTypeGauge, ms.At(j).Type())
				dps := ms.At(j).Gauge().DataPoints()
				for k := 0; k < dps.Len(); k++ {
					route, _ := dps.At(k).Attributes().Get("http.route")
					key := probeKey(inst.Str(), ms.At(j).Name(), route.Str())
					out[key] = append(out[key], dps.At(k).Timestamp())
				}
			}
		}
	}
	return out
}

func TestMetricSourcesPartitionSeriesAndKeepThemInOrder(t *testing.T) {
	const senders, batch, series = 3, 200, 1000
	sources, err := newLoadSources(senders, batch, series, 1)
	require.NoError(t, err)
	seen := map[string]int{}
	for w, src := range sources {
		var bodies [][]byte
		for i := 0; i < 8; i++ {
			b, err := src[sigMetrics].next()
			require.NoError(t, err)
			require.Equal(t, sigMetrics, b.sig)
			require.LessOrEqual(t, b.items, batch)
			bodies = append(bodies, b.body)
		}
		for key, ts := range pointsBySeries(t, bodies...) {
			if owner, ok := seen[key]; ok {
				require.Equal(t, w, owner, "series %s sent by two senders", key)
			}
			seen[key] = w
			for i := 1; i < len(ts); i++ {
				require.Greater(t, ts[i], ts[i-1], "series %s: points in order", key)
			}
		}
	}
	assert.Len(t, seen, series, "every series is sent, by exactly one sender")
}

func TestSpanAndLogSourcesFillTheBatch(t *testing.T) {
	sources, err := newLoadSources(1, 150, seriesPerResource, 2)
	require.NoError(t, err)
	for _, sig := range []signalKind{sigTraces, sigLogs} {
		seen := map[string]bool{}
		for range 2 * loadPool {
			b, err := sources[0][sig].next()
			require.NoError(t, err)
			assert.Equal(t, 150, b.items, sig)
			assert.Equal(t, sig, b.sig)
			seen[string(b.body)] = true
		}
		assert.Len(t, seen, loadPool, "%s: the pool's bodies differ and are reused in turn", sig)
	}
}

func TestTemplateLogsAreDistinct(t *testing.T) {
	words := map[string]bool{}
	for i := 0; i < 6000; i++ {
		w := letterWord(i)
		require.False(t, words[w], "word %q repeated at %d", w, i)
		require.GreaterOrEqual(t, len(w), 3)
		words[w] = true
	}
	ld := templateLogs(0, 1000, rand.New(rand.NewPCG(1, 2)))
	recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 1000, recs.Len())
	prefixes := map[string]bool{}
	for i := 0; i < recs.Len(); i++ {
		body := recs.At(i).Body().Str()
		prefixes[body[:len(body)-len(" id 000000")+3]] = true
	}
	assert.Len(t, prefixes, 1000, "every record starts with its own words")
}

func TestIngestSummary(t *testing.T) {
	r := ingestResult{MaxPerS: 2000, FirstFail: 3000, Steps: []stepOutcome{
		{Offered: 1000, Pass: true, Accepted: 1000, CollectorCPU: 0.2},
		{Offered: 2000, Pass: true, Accepted: 2000, CollectorCPU: 0.5},
		{Offered: 3000, Accepted: 2500, CollectorCPU: 0.6},
		{Offered: 3000, Accepted: 2600, CollectorCPU: 0.95},
	}}
	r.summarize()
	require.NotNil(t, r.AtMax)
	assert.Equal(t, 2000.0, r.AtMax.Offered)
	assert.InDelta(t, 250, r.CPUPerItemUs, 1e-9, "0.5 core-seconds per second / 2000 items")
	assert.InDelta(t, 4000, r.ItemsPerCoreS, 1e-9)
	assert.Equal(t, "collector CPU", r.Bound, "one failing step at the limit used the core")

	r.Steps[3].CollectorCPU = 0.7
	r.summarize()
	assert.Contains(t, r.Bound, "not the collector's CPU")

	r = ingestResult{MaxPerS: 1000, Steps: []stepOutcome{{Offered: 1000, Pass: true}}}
	r.summarize()
	assert.Equal(t, "no failing step", r.Bound)
	assert.Zero(t, r.ItemsPerCoreS, "no CPU reading, no cost")
}

func TestParseHeapAlloc(t *testing.T) {
	profile := "heap profile: 3: 1024 [9: 4096] @ heap/1048576\n1: 512 [1: 512] @ 0x1\n\n# runtime.MemStats\n# Alloc = 2048\n# TotalAlloc = 99999\n# HeapAlloc = 2048\n# HeapSys = 8192\n"
	v, err := parseHeapAlloc(profile)
	require.NoError(t, err)
	assert.Equal(t, 2048.0, v)
	_, err = parseHeapAlloc("heap profile: 0: 0 [0: 0] @ heap/1048576\n")
	assert.Error(t, err)
}

func TestAcceptedAndRefusedItems(t *testing.T) {
	m, err := e2e.ParsePromText(`otelcol_receiver_accepted_spans_total{receiver="otlp",transport="http"} 1200
otelcol_receiver_accepted_spans_total{receiver="other",transport="grpc"} 7
otelcol_receiver_refused_spans_total{receiver="otlp",transport="http"} 3
otelcol_processor_memory_limiter_refused_metric_points{processor="memory_limiter"} 4 1700000000000
`)
	require.NoError(t, err)
	assert.Equal(t, 1200.0, acceptedItems(m), "only the otlp receiver's")
	assert.Equal(t, 7.0, refusedItems(m))
}

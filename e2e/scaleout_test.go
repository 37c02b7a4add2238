//go:build e2e

package e2e

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// TestScaleOutRouting (issue 7, scale-out): examples/scale-out unchanged, as
// four processes on loopback: a routing tier with the load_balancing exporter
// in front of three backends, each with its own file_storage. Every metric
// stream is scored by exactly one backend, every service's templates live on
// one backend, and the load is spread.
func TestScaleOutRouting(t *testing.T) {
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	example := func(name string) string { return filepath.Join(root, "examples", "scale-out", name) }
	sink := e2e.NewSink(t)

	var backends []string
	for i := 0; i < 3; i++ {
		grpc := fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))
		health := e2e.FreePort(t)
		dir := t.TempDir()
		b := e2e.Start(t, "", e2e.Options{
			Dir: dir, NoHealthWait: true, Ports: map[string]int{"health": health},
			Args: []string{"--config", example("backend.yaml"), "--config", "yaml:service::telemetry::metrics::level: none"},
			Env: []string{
				fmt.Sprintf("BACKEND_NAME=backend-%d", i), "BACKEND_ENDPOINT=" + grpc, "STATE_DIR=" + dir,
				"DOWNSTREAM=" + sink.Endpoint(), fmt.Sprintf("HEALTH_ENDPOINT=127.0.0.1:%d", health),
			},
		})
		b.WaitHealthy(60 * time.Second)
		backends = append(backends, grpc)
	}
	httpPort, health := e2e.FreePort(t), e2e.FreePort(t)
	routing := e2e.Start(t, "", e2e.Options{
		NoHealthWait: true, Ports: map[string]int{"health": health, "otlp": httpPort},
		Args: []string{"--config", example("routing.yaml"), "--config", "yaml:service::telemetry::metrics::level: none"},
		Env: []string{
			"BACKENDS=[" + strings.Join(backends, ", ") + "]",
			fmt.Sprintf("ROUTING_GRPC=127.0.0.1:%d", e2e.FreePort(t)),
			fmt.Sprintf("ROUTING_HTTP=127.0.0.1:%d", httpPort),
			fmt.Sprintf("HEALTH_ENDPOINT=127.0.0.1:%d", health),
		},
	})
	routing.WaitHealthy(60 * time.Second)

	// 40 latency series (one per route) and logs from 8 services.
	const series, points = 40, 20
	start := time.Unix(1_700_000_000, 0)
	for i := 0; i < points; i++ {
		md := pmetric.NewMetrics()
		for s := 0; s < series; s++ {
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc-%d", s%8))
			m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
			m.SetName("http.server.latency")
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Minute)))
			dp.SetDoubleValue(100 + 10*math.Sin(float64(i+s)))
			dp.Attributes().PutStr("http.route", fmt.Sprintf("/r/%d", s))
		}
		e2e.SendMetrics(t, routing.Addr("otlp"), md)
	}
	for s := 0; s < 8; s++ {
		var lines []string
		for i := 0; i < 5; i++ {
			lines = append(lines, fmt.Sprintf("request %d served in %dms", i, 10+i))
		}
		e2e.SendLogs(t, routing.Addr("otlp"), serviceLogs(fmt.Sprintf("svc-%d", s), lines...))
	}

	seriesBackends := func() map[string]map[string]bool {
		out := map[string]map[string]bool{}
		for _, md := range sink.Metrics() {
			rms := md.ResourceMetrics()
			for i := 0; i < rms.Len(); i++ {
				be, _ := rms.At(i).Resource().Attributes().Get("aiops.backend")
				for _, m := range e2e.MetricsOf(metricsOfResource(rms.At(i))) {
					if m.Name() != "anomaly.score" {
						continue
					}
					dps := e2e.NumberPoints(m)
					for k := 0; k < dps.Len(); k++ {
						route, _ := dps.At(k).Attributes().Get("http.route")
						if out[route.Str()] == nil {
							out[route.Str()] = map[string]bool{}
						}
						out[route.Str()][be.Str()] = true
					}
				}
			}
		}
		return out
	}
	e2e.Eventually(t, 30*time.Second, func() bool { return len(seriesBackends()) == series }, "scores for all %d series (have %d; %d batches at the sink)", series, len(seriesBackends()), len(sink.Metrics()))
	e2e.Eventually(t, 30*time.Second, func() bool { return len(sinkRecords(sink)) == 40 }, "all 40 log records")

	used := map[string]bool{}
	for route, bes := range seriesBackends() {
		assert.Len(t, bes, 1, "series %s scored by exactly one backend: %v", route, bes)
		for b := range bes {
			used[b] = true
		}
	}
	assert.GreaterOrEqual(t, len(used), 2, "the streams are spread over the backends: %v", used)

	svcBackends := map[string]map[string]bool{}
	for _, ld := range sink.Logs() {
		rl := ld.ResourceLogs().At(0)
		svc, _ := rl.Resource().Attributes().Get("service.name")
		be, _ := rl.Resource().Attributes().Get("aiops.backend")
		if svcBackends[svc.Str()] == nil {
			svcBackends[svc.Str()] = map[string]bool{}
		}
		svcBackends[svc.Str()][be.Str()] = true
	}
	for svc, bes := range svcBackends {
		assert.Len(t, bes, 1, "%s's templates live on one backend: %v", svc, bes)
	}
}

// metricsOfResource wraps one ResourceMetrics as a batch for e2e.MetricsOf.
func metricsOfResource(rm pmetric.ResourceMetrics) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm.CopyTo(md.ResourceMetrics().AppendEmpty())
	return md
}

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
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// TestScaleOutRouting (issue 7, scale-out): examples/scale-out unchanged, as
// four processes on loopback: a routing tier with the load_balancing exporter
// (static resolver) in front of three backends, each with its own
// file_storage. Every metric stream is scored by exactly one backend, every
// service's templates live on one backend, and the load is spread.
func TestScaleOutRouting(t *testing.T) {
	sink := e2e.NewSink(t)
	hook := newWebhook(t)
	hook.up.Store(true)

	var backends []string
	for i := 0; i < 3; i++ {
		grpc := fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))
		startScaleOutBackend(t, fmt.Sprintf("backend-%d", i), grpc, sink, hook)
		backends = append(backends, grpc)
	}
	routing := startScaleOutRouting(t, []string{"routing.yaml"}, "BACKENDS=["+strings.Join(backends, ", ")+"]")

	// 40 latency series (one per route) and logs from 8 services.
	const series, points = 40, 20
	start := time.Unix(1_700_000_000, 0)
	for i := 0; i < points; i++ {
		e2e.SendMetrics(t, routing.Addr("otlp"), latencySeries(series, 1, start.Add(time.Duration(i)*time.Minute), func(s, _ int) float64 {
			return 100 + 10*math.Sin(float64(i+s))
		}))
	}
	for s := 0; s < 8; s++ {
		var lines []string
		for i := 0; i < 5; i++ {
			lines = append(lines, fmt.Sprintf("request %d served in %dms", i, 10+i))
		}
		e2e.SendLogs(t, routing.Addr("otlp"), serviceLogs(fmt.Sprintf("svc-%d", s), lines...))
	}

	e2e.Eventually(t, 30*time.Second, func() bool { return len(scoreOwners(sink.Metrics(), time.Time{})) == series },
		"scores for all %d series (have %d; %d batches at the sink)", series, len(scoreOwners(sink.Metrics(), time.Time{})), len(sink.Metrics()))
	e2e.Eventually(t, 30*time.Second, func() bool { return len(sinkRecords(sink)) == 40 }, "all 40 log records")

	used := map[string]bool{}
	for route, bes := range scoreOwners(sink.Metrics(), time.Time{}) {
		assert.Len(t, bes, 1, "series %s scored by exactly one backend: %v", route, bes)
		for b := range bes {
			used[b] = true
		}
	}
	assert.GreaterOrEqual(t, len(used), 2, "the streams are spread over the backends: %v", used)
	for svc, bes := range logOwners(sink.Logs()) {
		assert.Len(t, bes, 1, "%s's templates live on one backend: %v", svc, bes)
	}
}

// scaleOutExample is the path of a file of examples/scale-out.
func scaleOutExample(t *testing.T, name string) string {
	t.Helper()
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	return filepath.Join(root, "examples", "scale-out", name)
}

// startScaleOutBackend runs examples/scale-out/backend.yaml as backend name
// listening on grpc, with its own file_storage, forwarding to sink and
// posting alerts at once to hook.
func startScaleOutBackend(t *testing.T, name, grpc string, sink *e2e.Sink, hook *webhook) *e2e.Collector {
	t.Helper()
	health := e2e.FreePort(t)
	dir := t.TempDir()
	b := e2e.Start(t, "", e2e.Options{
		Dir: dir, NoHealthWait: true, Ports: map[string]int{"health": health},
		Args: []string{"--config", scaleOutExample(t, "backend.yaml"), "--config", "yaml:service::telemetry::metrics::level: none"},
		Env: []string{
			"BACKEND_NAME=" + name, "BACKEND_ENDPOINT=" + grpc, "STATE_DIR=" + dir,
			"DOWNSTREAM=" + sink.Endpoint(), fmt.Sprintf("HEALTH_ENDPOINT=127.0.0.1:%d", health),
			"ALERT_WEBHOOK_URL=" + hook.srv.URL, "ALERT_GROUP_WAIT=0s",
		},
	})
	b.WaitHealthy(60 * time.Second)
	return b
}

// startScaleOutRouting runs the routing tier from the given files of
// examples/scale-out; its OTLP/HTTP receiver is Addr("otlp").
func startScaleOutRouting(t *testing.T, configs []string, env ...string) *e2e.Collector {
	t.Helper()
	httpPort, health := e2e.FreePort(t), e2e.FreePort(t)
	var args []string
	for _, c := range configs {
		args = append(args, "--config", scaleOutExample(t, c))
	}
	r := e2e.Start(t, "", e2e.Options{
		NoHealthWait: true, Ports: map[string]int{"health": health, "otlp": httpPort},
		Args: append(args, "--config", "yaml:service::telemetry::metrics::level: none"),
		Env: append([]string{
			fmt.Sprintf("ROUTING_GRPC=127.0.0.1:%d", e2e.FreePort(t)),
			fmt.Sprintf("ROUTING_HTTP=127.0.0.1:%d", httpPort),
			fmt.Sprintf("HEALTH_ENDPOINT=127.0.0.1:%d", health),
		}, env...),
	})
	r.WaitHealthy(60 * time.Second)
	return r
}

// latencySeries is n one-minute points from `from` of each of `series`
// latency series, route /r/<s> of service svc-<s%8>, valued value(s, k) for
// the k-th point; the points of a series go in one request, in order.
func latencySeries(series, n int, from time.Time, value func(s, k int) float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for s := 0; s < series; s++ {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc-%d", s%8))
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("http.server.latency")
		dps := m.SetEmptyGauge().DataPoints()
		for k := 0; k < n; k++ {
			dp := dps.AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(from.Add(time.Duration(k) * time.Minute)))
			dp.SetDoubleValue(value(s, k))
			dp.Attributes().PutStr("http.route", fmt.Sprintf("/r/%d", s))
		}
	}
	return md
}

// scoreOwners maps each series (http.route) to the backends (aiops.backend)
// whose anomaly.score points for it, timestamped at or after since, reached
// the sink.
func scoreOwners(batches []pmetric.Metrics, since time.Time) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, md := range batches {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			be, _ := rms.At(i).Resource().Attributes().Get("aiops.backend")
			for _, m := range e2e.MetricsOf(metricsOfResource(rms.At(i))) {
				if m.Name() != "anomaly.score" {
					continue
				}
				dps := e2e.NumberPoints(m)
				for k := 0; k < dps.Len(); k++ {
					if dps.At(k).Timestamp().AsTime().Before(since) {
						continue
					}
					route, _ := dps.At(k).Attributes().Get("http.route")
					addOwner(out, route.Str(), be.Str())
				}
			}
		}
	}
	return out
}

// logOwners maps each service to the backends (aiops.backend) whose records
// of it reached the sink.
func logOwners(batches []plog.Logs) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, ld := range batches {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			svc, _ := rls.At(i).Resource().Attributes().Get("service.name")
			be, _ := rls.At(i).Resource().Attributes().Get("aiops.backend")
			addOwner(out, svc.Str(), be.Str())
		}
	}
	return out
}

func addOwner(owners map[string]map[string]bool, key, backend string) {
	if owners[key] == nil {
		owners[key] = map[string]bool{}
	}
	owners[key][backend] = true
}

// soleOwner returns the one backend of bes, or "" when there are more.
func soleOwner(bes map[string]bool) string {
	if len(bes) != 1 {
		return ""
	}
	for b := range bes {
		return b
	}
	return ""
}

// metricsOfResource wraps one ResourceMetrics as a batch for e2e.MetricsOf.
func metricsOfResource(rm pmetric.ResourceMetrics) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm.CopyTo(md.ResourceMetrics().AppendEmpty())
	return md
}

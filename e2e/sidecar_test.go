//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// sidecarConfig is examples/sidecar/config.yaml with test ports, a sink in
// place of the debug exporter, a 1 s span_metrics flush and a 10-point (the minimum)
// anomaly warm-up, so that scores appear within seconds instead of minutes.
const sidecarConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{port "grpc"}}
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
connectors:
  span_metrics:
    metrics_flush_interval: 1s
    metrics_expiration: 5m
    exclude_dimensions: [collector.instance.id]
    histogram:
      explicit:
        buckets: [5ms, 10ms, 25ms, 50ms, 100ms, 250ms, 500ms, 1s, 2.5s, 5s]
  count:
    logs:
      log.template.count:
        description: Log records per logcluster template.
        attributes:
          - key: log.record.template.id
            default_value: none
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  anomaly:
    storage: file_storage
    warm_up: 10
    histogram_quantiles: [0.99]
    overrides:
      - metric: traces.span.metrics.duration
        direction: up
      - metric: http.server.request.duration
        direction: up
      - metric: log.template.count
        direction: up
  logcluster:
    storage: file_storage
  batch:
    timeout: 100ms
exporters:
  alertwebhook:
    storage: file_storage
    evaluation_interval: 100ms
    sending_queue:
      storage: file_storage
    targets:
      - name: ops
        type: webhook
        endpoint: {{.Alerts}}
        group_wait: 0s
  prometheus:
    endpoint: 127.0.0.1:{{port "prom"}}
  otlp_http:
    endpoint: {{.Sink}}
    compression: none
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
  file_storage:
    directory: {{dir}}
service:
  extensions: [health_check, file_storage]
  telemetry: {metrics: {level: none}}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [span_metrics]
    metrics:
      receivers: [otlp, span_metrics, count]
      processors: [memory_limiter, anomaly, batch]
      exporters: [prometheus, alertwebhook, otlp_http]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, logcluster, batch]
      exporters: [count, alertwebhook, otlp_http]
`

const sidecarService = "checkout-e2e"

// TestSidecarWithInstrumentedService runs the example service of
// examples/sidecar (OpenTelemetry Go SDK, OTLP/HTTP) beside the real binary
// on loopback and follows its telemetry through the sidecar pipeline: real
// spans become span_metrics RED metrics, those and the service's own metrics
// are scored by the anomaly processor, its logs get logcluster template IDs,
// its error logs raise the built-in new-error-template alert, and both
// processes shut down cleanly (the service only exits 0 when its final
// telemetry flush to the sidecar succeeded).
func TestSidecarWithInstrumentedService(t *testing.T) {
	bin := buildSidecarService(t)
	sink := e2e.NewSink(t)
	hook := newWebhook(t)
	hook.up.Store(true)
	c := e2e.Start(t, sidecarConfig, e2e.Options{Data: map[string]string{"Sink": sink.Endpoint(), "Alerts": hook.srv.URL}})

	svc, base := startSidecarService(t, bin, c.Addr("otlp"))
	loadCtx, stopLoad := context.WithCancel(context.Background())
	var loadWG sync.WaitGroup
	loadWG.Add(1)
	var sent, failed int
	go func() {
		defer loadWG.Done()
		sent, failed = driveSidecarService(loadCtx, base, 1500)
	}()
	stopDriving := func() {
		stopLoad()
		loadWG.Wait()
	}
	t.Cleanup(stopDriving)

	// Everything below arrives within seconds; the bound leaves room for a
	// loaded machine.
	var red, scored, templated, alerted bool
	for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		md := sink.Metrics()
		sources := sidecarScoredSources(md)
		red = sidecarHasRED(md)
		scored = sources["traces.span.metrics.duration"] && sources["http.server.request.duration"]
		templated = len(sidecarTemplates(sink)) >= 3
		alerted = len(hook.messages()) > 0
		if red && scored && templated && alerted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 40s: RED metrics %v, scored %v, log templates %v, alert %v", red, scored, templated, alerted)
		}
	}
	stopDriving()
	t.Logf("requests sent: %d (%d failed with 5xx, the simulated payment errors)", sent, failed)
	require.Positive(t, sent)

	metrics := sink.Metrics()
	t.Run("span_metrics RED metrics of the service's routes", func(t *testing.T) {
		calls := sidecarSpanMetricKeys(metrics, "traces.span.metrics.calls")
		for _, span := range []string{"GET /api/products", "POST /api/checkout", "POST /internal/payment"} {
			assert.Contains(t, calls, span+"|SPAN_KIND_SERVER|STATUS_CODE_UNSET", "successful server calls of %s", span)
		}
		assert.Contains(t, calls, "POST /internal/payment|SPAN_KIND_CLIENT|STATUS_CODE_UNSET", "the otelhttp client span of the internal call")
		assert.Contains(t, calls, "payment.authorize|SPAN_KIND_INTERNAL|STATUS_CODE_UNSET", "a manual span")
		if failed > 0 {
			assert.Contains(t, calls, "POST /api/checkout|SPAN_KIND_SERVER|STATUS_CODE_ERROR", "5xx responses are error spans")
		}
		assert.Contains(t, sidecarSpanMetricKeys(metrics, "traces.span.metrics.duration"), "POST /api/checkout|SPAN_KIND_SERVER|STATUS_CODE_UNSET")
		instanceIDs := 0
		sidecarPoints(metrics, func(_ pmetric.Metric, attrs pcommon.Map, _ float64) {
			if _, ok := attrs.Get("collector.instance.id"); ok {
				instanceIDs++
			}
		})
		assert.Zero(t, instanceIDs, "exclude_dimensions keeps series identity stable across sidecar restarts")
	})

	t.Run("anomaly scores for RED and service metrics", func(t *testing.T) {
		sources := sidecarScoredSources(metrics)
		for _, m := range []string{"traces.span.metrics.calls", "traces.span.metrics.duration", "http.server.request.duration", "checkout.orders"} {
			assert.True(t, sources[m], "anomaly.score with anomaly.metric=%s and service.name=%s past warm-up (scored: %v)", m, sidecarService, sources)
		}
		body := scrape(t, fmt.Sprintf("http://%s/metrics", c.Addr("prom")))
		assert.Regexp(t, `anomaly_score\{[^}]*anomaly_metric="traces.span.metrics.duration"[^}]*span_name="POST /api/checkout"`, body)
		assert.Regexp(t, `anomaly_active\{[^}]*anomaly_metric="traces.span.metrics.calls"`, body)
		// The p99 of every interval of both latency histograms (cumulative
		// explicit buckets: span_metrics' and the SDK's) is a signal too.
		for _, m := range []string{"traces.span.metrics.duration", "http.server.request.duration"} {
			assert.Regexp(t, `anomaly_score\{[^}]*anomaly_metric="`+m+`"[^}]*anomaly_quantile="0.99"[^}]*anomaly_signal="quantile"`, body)
		}
	})

	t.Run("logcluster template IDs on the service's logs", func(t *testing.T) {
		ids := sidecarTemplates(sink)
		for _, prefix := range []string{"listed ", "order ", "payment authorized "} {
			assert.NotEmpty(t, ids[prefix], "records starting %q have a template id (got %v)", prefix, ids)
			assert.Len(t, ids[prefix], 1, "one template for all %q records", prefix)
		}
		assert.NotEmpty(t, sidecarSpanMetricKeys(metrics, "log.template.count"), "per-template counts of the service's logs")
	})

	t.Run("new error template alert", func(t *testing.T) {
		var names []string
		for _, m := range hook.messages() {
			for _, a := range m.Alerts {
				names = append(names, a.Labels["alertname"])
			}
		}
		assert.Contains(t, names, "NewErrorLogTemplate")
	})

	assert.NoError(t, svc.Stop(), "the service flushes its telemetry and exits 0 on SIGTERM")
	require.NoError(t, c.Stop())
}

// buildSidecarService compiles examples/sidecar/service, a module of its own.
func buildSidecarService(t *testing.T) string {
	t.Helper()
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "checkout")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(root, "examples", "sidecar", "service")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build examples/sidecar/service:\n%s", out)
	return bin
}

// startSidecarService runs the service with the standard SDK variables
// pointing it at the sidecar, short export intervals, and a 10% payment
// error rate so that error spans and error logs occur. It returns the
// process and the service's base URL.
func startSidecarService(t *testing.T, bin, otlpAddr string) (*e2e.Process, string) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))
	p := e2e.StartProcess(t, "service", bin, []string{"-listen", addr, "-payment-latency", "5ms", "-payment-error-rate", "0.1"},
		e2e.ProcessOptions{Env: []string{
			"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + otlpAddr,
			"OTEL_SERVICE_NAME=" + sidecarService,
			"OTEL_METRIC_EXPORT_INTERVAL=500",
			"OTEL_BSP_SCHEDULE_DELAY=200",
			"OTEL_BLRP_SCHEDULE_DELAY=200",
		}})
	base := "http://" + addr
	p.WaitHTTP(base+"/healthz", "", 20*time.Second)
	return p, base
}

// driveSidecarService sends product views and checkouts, about 50 a second
// with 4 in flight, until ctx ends or max requests were sent. It returns how
// many were answered and how many of those were 5xx.
func driveSidecarService(ctx context.Context, base string, max int) (sent, failed int) {
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				mu.Lock()
				done := sent >= max
				mu.Unlock()
				if done || ctx.Err() != nil {
					return
				}
				method, path := http.MethodGet, "/api/products"
				if i%2 == 1 {
					method, path = http.MethodPost, "/api/checkout"
				}
				req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader("{}"))
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				sent++
				if resp.StatusCode >= 500 {
					failed++
				}
				mu.Unlock()
				select {
				case <-ctx.Done():
				case <-time.After(80 * time.Millisecond):
				}
			}
		}()
	}
	wg.Wait()
	return sent, failed
}

// sidecarPoints calls f for every number or histogram point of the service
// (service.name on the resource or, as span_metrics may put it, on the point).
func sidecarPoints(mds []pmetric.Metrics, f func(m pmetric.Metric, attrs pcommon.Map, value float64)) {
	for _, md := range mds {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			res := rms.At(i).Resource().Attributes()
			sms := rms.At(i).ScopeMetrics()
			for j := 0; j < sms.Len(); j++ {
				ms := sms.At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					m := ms.At(k)
					visit := func(attrs pcommon.Map, v float64) {
						svc, ok := attrs.Get("service.name")
						if !ok {
							svc, ok = res.Get("service.name")
						}
						if ok && svc.AsString() == sidecarService {
							f(m, attrs, v)
						}
					}
					switch m.Type() {
					case pmetric.MetricTypeGauge, pmetric.MetricTypeSum:
						dps := e2e.NumberPoints(m)
						for l := 0; l < dps.Len(); l++ {
							dp := dps.At(l)
							v := dp.DoubleValue()
							if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
								v = float64(dp.IntValue())
							}
							visit(dp.Attributes(), v)
						}
					case pmetric.MetricTypeHistogram:
						dps := m.Histogram().DataPoints()
						for l := 0; l < dps.Len(); l++ {
							visit(dps.At(l).Attributes(), float64(dps.At(l).Count()))
						}
					}
				}
			}
		}
	}
}

// sidecarSpanMetricKeys returns "span.name|span.kind|status.code" keys of the
// service's points of the named metric (an empty key for points without
// span attributes, e.g. log.template.count).
func sidecarSpanMetricKeys(mds []pmetric.Metrics, name string) map[string]bool {
	out := map[string]bool{}
	sidecarPoints(mds, func(m pmetric.Metric, attrs pcommon.Map, _ float64) {
		if m.Name() != name {
			return
		}
		var parts []string
		for _, k := range []string{"span.name", "span.kind", "status.code"} {
			if v, ok := attrs.Get(k); ok {
				parts = append(parts, v.AsString())
			}
		}
		out[strings.Join(parts, "|")] = true
	})
	return out
}

func sidecarHasRED(mds []pmetric.Metrics) bool {
	return sidecarSpanMetricKeys(mds, "traces.span.metrics.calls")["POST /api/checkout|SPAN_KIND_SERVER|STATUS_CODE_UNSET"] &&
		sidecarSpanMetricKeys(mds, "traces.span.metrics.duration")["POST /api/checkout|SPAN_KIND_SERVER|STATUS_CODE_UNSET"]
}

// sidecarScoredSources returns the anomaly.metric values of the service's
// anomaly.score points that are past warm-up: scores are exactly 0 while a
// series is learnt, so a positive score shows the detector judged a point.
func sidecarScoredSources(mds []pmetric.Metrics) map[string]bool {
	out := map[string]bool{}
	sidecarPoints(mds, func(m pmetric.Metric, attrs pcommon.Map, v float64) {
		if m.Name() != "anomaly.score" || v <= 0 {
			return
		}
		if src, ok := attrs.Get("anomaly.metric"); ok {
			out[src.AsString()] = true
		}
	})
	return out
}

// sidecarTemplates maps the first word(s) of the service's log bodies to the
// template IDs logcluster gave them.
func sidecarTemplates(s *e2e.Sink) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, ld := range s.Logs() {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			if svc, _ := rls.At(i).Resource().Attributes().Get("service.name"); svc.AsString() != sidecarService {
				continue
			}
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					lr := lrs.At(k)
					id, ok := lr.Attributes().Get("log.record.template.id")
					if !ok || lr.TraceID().IsEmpty() {
						continue // every record of a request carries its trace
					}
					body := lr.Body().AsString()
					for _, prefix := range []string{"listed ", "order ", "payment authorized ", "payment gateway timeout ", "checkout failed "} {
						if strings.HasPrefix(body, prefix) {
							if out[prefix] == nil {
								out[prefix] = map[string]bool{}
							}
							out[prefix][id.Str()] = true
						}
					}
				}
			}
		}
	}
	return out
}

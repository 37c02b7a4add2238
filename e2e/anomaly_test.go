//go:build e2e

package e2e

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

const anomalyConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
processors:
  anomaly: {}
exporters:
  prometheus:
    endpoint: 127.0.0.1:{{port "prom"}}
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
service:
  extensions: [health_check]
  telemetry: {metrics: {level: none}}
  pipelines:
    metrics: {receivers: [otlp], processors: [anomaly], exporters: [prometheus]}
`

// latencyBatch is one minute of a service's request latency, as a gauge.
func latencyBatch(at time.Time, v float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "checkout")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("http.server.latency")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(at))
	dp.SetDoubleValue(v)
	dp.Attributes().PutStr("http.route", "/api/checkout")
	return md
}

// TestAnomalyInBinary: with the shipped default config the processor in the
// real binary scores a noisy series, stays quiet while it is normal, raises
// anomaly_active on a 10x latency step, and Prometheus sees the companion
// series under the documented names with the source's labels.
func TestAnomalyInBinary(t *testing.T) {
	c := e2e.Start(t, anomalyConfig, e2e.Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now().Add(-12 * time.Hour)
	scrapeActive := func() string {
		body := scrape(t, fmt.Sprintf("http://%s/metrics", c.Addr("prom")))
		m := regexp.MustCompile(`(?m)^anomaly_active\{[^}]*anomaly_metric="http.server.latency"[^}]*\} (\S+)`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	i := 0
	send := func(n int, level float64) {
		for ; n > 0; n-- {
			v := level * (1 + 0.1*math.Sin(float64(i)/30) + 0.05*rng.NormFloat64())
			e2e.SendMetrics(t, c.Addr("otlp"), latencyBatch(start.Add(time.Duration(i)*time.Minute), v))
			i++
		}
	}
	send(400, 0.120)
	e2e.Eventually(t, 10*time.Second, func() bool { return scrapeActive() != "" }, "anomaly_active for the latency series")
	require.Equal(t, "0", scrapeActive(), "a normal series is not anomalous")

	body := scrape(t, fmt.Sprintf("http://%s/metrics", c.Addr("prom")))
	for _, name := range []string{"anomaly_score{", "anomaly_active{", "http_server_latency{"} {
		assert.Contains(t, body, name)
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "anomaly_score{") {
			assert.Contains(t, line, `http_route="/api/checkout"`, "companions carry the source labels")
			assert.Contains(t, line, `job="checkout"`, "and its resource")
		}
	}

	send(3, 1.2)
	e2e.Eventually(t, 10*time.Second, func() bool { return scrapeActive() == "1" }, "anomaly_active=1 after a 10x latency step")
}

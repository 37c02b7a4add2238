//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// stockConfig uses only upstream components, written exactly as a user of
// otelcol-contrib would: the distribution must run it unchanged.
const stockConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
  hostmetrics:
    collection_interval: 1s
    scrapers:
      cpu: {}
      memory: {}
processors:
  batch:
    timeout: 200ms
exporters:
  file:
    path: {{dir}}/out.json
    flush_interval: 100ms
  prometheus:
    endpoint: 127.0.0.1:{{port "prom"}}
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics/otlp:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
    metrics/host:
      receivers: [hostmetrics]
      exporters: [prometheus]
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
`

func TestStockComponentsPipeline(t *testing.T) {
	c := e2e.Start(t, stockConfig, e2e.Options{})

	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("stock.test.gauge")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetDoubleValue(42.5)
	dp.SetTimestamp(1e18)
	e2e.SendMetrics(t, c.Addr("otlp"), md)

	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("stock log line 7")
	e2e.SendLogs(t, c.Addr("otlp"), ld)

	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("stock-span")
	sp.SetTraceID([16]byte{1, 2, 3})
	sp.SetSpanID([8]byte{4, 5, 6})
	e2e.SendTraces(t, c.Addr("otlp"), td)

	out := filepath.Join(c.Dir, "out.json")
	e2e.Eventually(t, 20*time.Second, func() bool {
		data, _ := os.ReadFile(out)
		s := string(data)
		return strings.Contains(s, "stock.test.gauge") && strings.Contains(s, "stock log line 7") && strings.Contains(s, "stock-span")
	}, "metrics, logs and traces in the file exporter's output")

	var gauge float64
	for _, md := range e2e.ReadMetricsFile(t, out) {
		if md.MetricCount() > 0 {
			gauge = md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0).DoubleValue()
		}
	}
	assert.Equal(t, 42.5, gauge)

	// hostmetrics -> prometheus exporter: real CPU and memory series.
	var body string
	e2e.Eventually(t, 20*time.Second, func() bool {
		body = scrape(t, fmt.Sprintf("http://%s/metrics", c.Addr("prom")))
		return strings.Contains(body, "system_cpu_time") && strings.Contains(body, "system_memory_usage")
	}, "hostmetrics CPU and memory series on the prometheus exporter")
	assert.Contains(t, body, `state="idle"`)

	require.NoError(t, c.Stop(), "clean shutdown on SIGTERM")
}

func scrape(t *testing.T, url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestConfigProviders: file, env and yaml providers compose as in
// otelcol-contrib; a yaml: override is applied on top of the file.
func TestConfigProviders(t *testing.T) {
	base := `
receivers: {otlp: {protocols: {http: {endpoint: "127.0.0.1:{{port "otlp"}}"}}}}
exporters: {nop: {}}
extensions: {health_check: {endpoint: "127.0.0.1:{{port "unused"}}"}}
service:
  extensions: [health_check]
  telemetry: {metrics: {level: none}}
  pipelines: {logs: {receivers: [otlp], exporters: [nop]}}
`
	dir := t.TempDir()
	path, ports := e2e.Render(t, dir, base, nil, nil)
	health := e2e.FreePort(t)

	t.Run("file+yaml", func(t *testing.T) {
		c := e2e.Start(t, "", e2e.Options{
			Dir:          t.TempDir(),
			NoHealthWait: true,
			Args:         []string{"--config", "file:" + path, "--config", fmt.Sprintf("yaml:extensions::health_check::endpoint: 127.0.0.1:%d", health)},
		})
		waitHTTP(t, c, health)
	})

	t.Run("env", func(t *testing.T) {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		cfg := strings.Replace(string(data), fmt.Sprintf("127.0.0.1:%d", ports["unused"]), fmt.Sprintf("127.0.0.1:%d", health), 1)
		c := e2e.Start(t, "", e2e.Options{
			Dir:          t.TempDir(),
			NoHealthWait: true,
			Env:          []string{"AIOPS_TEST_CONFIG=" + cfg},
			Args:         []string{"--config", "env:AIOPS_TEST_CONFIG"},
		})
		waitHTTP(t, c, health)
	})
}

// waitHTTP waits for the health endpoint on port; it proves the provider's
// content reached the running collector.
func waitHTTP(t *testing.T, c *e2e.Collector, port int) {
	e2e.Eventually(t, 30*time.Second, func() bool {
		if c.Exited() {
			t.Fatalf("collector exited:\n%s", c.Log())
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, "health_check on the port the provider configured")
}
